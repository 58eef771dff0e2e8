// SPDX-License-Identifier: GPL-2.0

//! The host environment of the load pipeline: plain memory at fake kernel addresses, a
//! symbol list for exports, no registration. The CLI, the tests, the fuzzer and the benchmark
//! all load through [`load`], which runs the engine's one pipeline ([`engine::load::load`])
//! in this environment, so they exercise the stages in the kernel's order.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;

use crate::engine::{
    elf::{
        c_str_at, to_usize, FileHeader, Rela, SectionHeader, SectionIndex, Symbol, RELA_SIZE,
        SHDR_SIZE, SYM_SIZE,
    },
    kallsyms::{self, Tables},
    layout::{self, Layout, LayoutOptions, Placement},
    load::{self, Cause, Env, Formed, Module, PerStage, Region, Registered, Summary},
    mem::{MemType, PerMem},
    names::ModuleName,
    plan::{Config, Plan},
    reloc::RelocStats,
    symbols::{Query, ResolveError, Resolver, SymbolStats, Unresolved},
    Error,
};

/// First fake region address (inside the x86_64 module area).
pub const MODULE_BASE: u64 = 0xffff_ffff_a000_0000;
/// First fake address handed out for kernel symbols.
pub const KERNEL_BASE: u64 = 0xffff_ffff_8100_0000;
/// Fake per-CPU base for `.data..percpu`.
pub const PERCPU_BASE: u64 = 0x4_0000;
/// Largest region the host environment allocates (guards the fuzzer).
pub const MAX_REGION: u64 = 256 << 20;
/// `struct mod_kallsyms` on x86_64: three pointers and an `unsigned int`.
pub const KALLSYMS: kallsyms::Options = kallsyms::Options {
    all: true,
    struct_size: 32,
    struct_align: 8,
};

/// One exported symbol known to a [`MapResolver`].
#[derive(Clone, Debug)]
pub struct KnownSymbol {
    /// Address.
    pub address: u64,
    /// `EXPORT_SYMBOL_GPL`.
    pub gpl_only: bool,
    /// Namespace, empty for none.
    pub namespace: Vec<u8>,
}

/// A resolver backed by a map; optionally invents an address for any unknown name
/// (`fake_all`), deterministically, from [`KERNEL_BASE`].
#[derive(Clone, Debug, Default)]
pub struct MapResolver {
    /// Known symbols.
    pub symbols: BTreeMap<Vec<u8>, KnownSymbol>,
    /// Invent addresses for unknown names.
    pub fake_all: bool,
    /// Addresses invented so far, in order.
    pub invented: BTreeMap<Vec<u8>, u64>,
}

impl MapResolver {
    /// A resolver that resolves every name to a fresh fake address.
    pub fn fake() -> Self {
        MapResolver {
            fake_all: true,
            ..Default::default()
        }
    }
}

impl Resolver for MapResolver {
    fn resolve(&mut self, q: &Query<'_>) -> Result<u64, ResolveError> {
        // The kernel hands `c_name` to C code as it is: the name and its NUL, nothing else.
        assert_eq!(
            q.c_name.split_last(),
            Some((&0, q.name)),
            "c_name of {}",
            alloc::string::String::from_utf8_lossy(q.name)
        );
        if let Some(k) = self.symbols.get(q.name) {
            if k.gpl_only && !q.gpl_compatible {
                return Err(ResolveError::GplOnly);
            }
            if !k.namespace.is_empty() && !q.modinfo.imports_namespace(&k.namespace) {
                return Err(ResolveError::MissingNamespace);
            }
            return Ok(k.address);
        }
        if !self.fake_all {
            return Err(ResolveError::NotFound);
        }
        let n = self.invented.len() as u64;
        let address = *self
            .invented
            .entry(q.name.to_vec())
            .or_insert(KERNEL_BASE + 16 * n);
        Ok(address)
    }
}

/// Why the host environment failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostError {
    /// A region larger than [`MAX_REGION`] was asked for.
    TooLarge,
}

/// A region of host memory at a fake address.
#[derive(Debug)]
pub struct HostRegion {
    address: u64,
    bytes: Vec<u8>,
}

impl Region for HostRegion {
    fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }

    fn address(&self) -> u64 {
        self.address
    }
}

/// The host environment: a resolver, a clock, and the report of unbound symbols.
pub struct HostEnv<'r, R: Resolver> {
    /// Moves into the registered module, which binds through it.
    resolver: Option<&'r mut R>,
    unresolved: &'r mut dyn FnMut(&[u8], ResolveError),
    clock: fn() -> u64,
    next: u64,
}

impl<'r, R: Resolver> HostEnv<'r, R> {
    /// An environment binding through `resolver`, reporting unbound symbols to `unresolved`
    /// and timing stages with `clock` (nanoseconds).
    pub fn new(
        resolver: &'r mut R,
        unresolved: &'r mut dyn FnMut(&[u8], ResolveError),
        clock: fn() -> u64,
    ) -> Self {
        HostEnv {
            resolver: Some(resolver),
            unresolved,
            clock,
            next: MODULE_BASE,
        }
    }
}

impl<'r, R: Resolver> Env for HostEnv<'r, R> {
    type Error = HostError;
    type Table<T: Copy> = Vec<T>;
    type Region = HostRegion;
    type Registered = HostModule<'r, R>;

    fn now(&self) -> u64 {
        (self.clock)()
    }

    fn table<T: Copy>(&mut self, len: usize, value: T) -> Result<Vec<T>, HostError> {
        Ok(vec![value; len])
    }

    fn alloc(&mut self, _mem: MemType, size: u64) -> Result<HostRegion, HostError> {
        if size > MAX_REGION {
            return Err(HostError::TooLarge);
        }
        let address = self.next;
        // Page-aligned regions, one guard page apart.
        self.next = address + size.next_multiple_of(4096) + 4096;
        Ok(HostRegion {
            address,
            bytes: vec![0; size as usize],
        })
    }

    fn register(
        &mut self,
        _module: &Module<'_, '_>,
        regions: PerMem<Option<HostRegion>>,
    ) -> Result<HostModule<'r, R>, HostError> {
        Ok(HostModule {
            regions,
            resolver: self.resolver.take(),
            kallsyms: None,
        })
    }

    fn unknown_symbol(&mut self, _module: &ModuleName, symbol: &Unresolved<'_>) {
        (self.unresolved)(symbol.name, symbol.error);
    }
}

/// A module registered in the host environment.
pub struct HostModule<'r, R: Resolver> {
    regions: PerMem<Option<HostRegion>>,
    resolver: Option<&'r mut R>,
    kallsyms: Option<Tables>,
}

impl<'r, R: Resolver> Registered for HostModule<'r, R> {
    type Error = HostError;
    type Formed = HostModule<'r, R>;

    fn percpu_base(&self) -> u64 {
        PERCPU_BASE
    }

    fn memory(&mut self) -> PerMem<&mut [u8]> {
        self.regions
            .each_mut()
            .map(|_, r| r.as_mut().map_or(&mut [][..], |r| &mut r.bytes[..]))
    }

    fn resolve(&mut self, query: &Query<'_>) -> Result<u64, ResolveError> {
        match self.resolver.as_mut() {
            Some(r) => r.resolve(query),
            None => Err(ResolveError::NotFound),
        }
    }

    fn set_kallsyms(&mut self, tables: &Tables) -> Result<(), HostError> {
        self.kallsyms = Some(*tables);
        Ok(())
    }

    fn form(self) -> Result<Self, HostError> {
        Ok(self)
    }
}

/// A module live in the host environment: its memory and where everything is.
#[derive(Debug)]
pub struct LiveModule {
    /// Region contents after relocation (empty for empty memory types).
    pub regions: PerMem<Vec<u8>>,
    /// Region base addresses (0 for empty memory types).
    pub bases: PerMem<u64>,
    /// Where the kallsyms tables are.
    pub kallsyms: Option<Tables>,
    /// What the pipeline reported before init.
    pub summary: Summary,
}

impl<R: Resolver> Formed for HostModule<'_, R> {
    type Error = HostError;
    type Live = LiveModule;

    fn init(self, summary: &Summary) -> Result<LiveModule, HostError> {
        let bases = PerMem::from_fn(|m| self.regions[m].as_ref().map_or(0, |r| r.address));
        Ok(LiveModule {
            regions: self
                .regions
                .map(|_, r| r.map_or_else(Vec::new, |r| r.bytes)),
            bases,
            kallsyms: self.kallsyms,
            summary: *summary,
        })
    }
}

/// The result of a host load.
#[derive(Debug)]
pub struct Loaded<'a> {
    /// The validated plan.
    pub plan: Plan<'a>,
    /// Per-section placement.
    pub placements: Vec<Option<Placement>>,
    /// Region sizes (kallsyms tables included).
    pub layout: Layout,
    /// Region base addresses.
    pub bases: PerMem<u64>,
    /// Region contents after relocation.
    pub regions: PerMem<Vec<u8>>,
    /// Final address of each section.
    pub addresses: Vec<u64>,
    /// Final value of each symbol.
    pub symbols: Vec<u64>,
    /// Symbol pass counts.
    pub symbol_stats: SymbolStats,
    /// Relocation counts.
    pub reloc_stats: RelocStats,
    /// Where the kallsyms tables are.
    pub kallsyms: Option<Tables>,
    /// Nanoseconds spent in each stage.
    pub times: PerStage<u64>,
}

/// The pipeline's configuration for a host load.
pub fn config(cfg: &Config, opts: &LayoutOptions) -> load::Config {
    load::Config {
        plan: *cfg,
        layout: *opts,
        kallsyms: KALLSYMS,
    }
}

/// Runs the pipeline on `image` in a [`HostEnv`]; `clock` times the stages.
pub fn load_timed<'a, R: Resolver>(
    image: &'a [u8],
    cfg: &Config,
    opts: &LayoutOptions,
    resolver: &mut R,
    unresolved: &mut dyn FnMut(&[u8], ResolveError),
    clock: fn() -> u64,
) -> Result<Loaded<'a>, load::Failure<'a, HostError>> {
    let mut env = HostEnv::new(resolver, unresolved, clock);
    let l = load::load(&mut env, image, &config(cfg, opts))?;
    Ok(Loaded {
        plan: l.plan,
        placements: l.placements,
        layout: l.layout,
        bases: l.module.bases,
        regions: l.module.regions,
        addresses: l.addresses,
        symbols: l.values,
        symbol_stats: l.symbols,
        reloc_stats: l.relocations,
        kallsyms: l.module.kallsyms,
        times: l.times,
    })
}

/// Runs the pipeline on `image`. Unresolved symbols are passed to `unresolved` (name, error)
/// before the error is returned; a region too large for the host is a
/// [`Error::LayoutOverflow`].
pub fn load<'a, R: Resolver>(
    image: &'a [u8],
    cfg: &Config,
    opts: &LayoutOptions,
    resolver: &mut R,
    unresolved: &mut dyn FnMut(&[u8], ResolveError),
) -> Result<Loaded<'a>, Error<'a>> {
    load_timed(image, cfg, opts, resolver, unresolved, || 0).map_err(|f| match f.cause {
        Cause::Image(e) => e,
        Cause::Memory { .. } | Cause::Env(HostError::TooLarge) => Error::LayoutOverflow {
            section: SectionIndex(0),
        },
    })
}

impl Loaded<'_> {
    /// The relocated bytes of a placed section.
    pub fn section_bytes(&self, index: SectionIndex) -> Option<&[u8]> {
        let (mem, range) = layout::span(&self.plan, &self.placements, index)?;
        self.regions[mem].get(range)
    }
}

/// Region bases as the host environment hands them out: consecutive, page aligned, one
/// guard page apart, starting at [`MODULE_BASE`], for the non-empty memory types in order.
pub fn fake_bases(lay: &Layout) -> PerMem<u64> {
    let mut next = MODULE_BASE;
    PerMem::from_fn(|t| {
        let size = lay.size(t);
        if size == 0 {
            return 0;
        }
        let base = next;
        next = next
            .saturating_add(size.next_multiple_of(4096))
            .saturating_add(4096);
        base
    })
}

/// `sizeof(struct module)` as recorded in an image (the size of its
/// `.gnu.linkonce.this_module`), for tools that have no running kernel.
pub fn module_struct_size_of(image: &[u8]) -> Option<u64> {
    let mut size = None;
    let mut note = |e: Error<'_>| {
        if let Error::ThisModuleSize { found, .. } = e {
            size = Some(found);
        }
    };
    if let Err(e) = Plan::parse_reporting(image, &Config::new(u64::MAX, 0, 0), &mut note) {
        note(e);
    }
    size
}

/// The offsets in `struct module` that the relocations of `.rela.gnu.linkonce.this_module`
/// fill with `init_module` and `cleanup_module` (`usize::MAX` for one the image lacks).
fn entry_offsets_of(image: &[u8]) -> (usize, usize) {
    let mut found = (usize::MAX, usize::MAX);
    let Some(h) = FileHeader::parse(image) else {
        return found;
    };
    let shdr = |i: usize| {
        let off = to_usize(h.e_shoff)?.checked_add(i.checked_mul(SHDR_SIZE)?)?;
        SectionHeader::parse(image, off)
    };
    let bytes = |s: &SectionHeader| {
        image.get(to_usize(s.sh_offset)?..to_usize(s.sh_offset.checked_add(s.sh_size)?)?)
    };
    let Some(names) = shdr(usize::from(h.e_shstrndx)).and_then(|s| bytes(&s)) else {
        return found;
    };
    for i in 0..usize::from(h.e_shnum) {
        let Some(rela) = shdr(i) else { continue };
        if c_str_at(names, rela.sh_name as usize) != Some(b".rela.gnu.linkonce.this_module") {
            continue;
        }
        let Some(symtab) = shdr(rela.sh_link as usize) else {
            continue;
        };
        let (Some(syms), Some(strs)) = (
            bytes(&symtab),
            shdr(symtab.sh_link as usize).and_then(|s| bytes(&s)),
        ) else {
            continue;
        };
        for r in bytes(&rela)
            .unwrap_or(&[])
            .chunks_exact(RELA_SIZE)
            .filter_map(Rela::from_entry)
        {
            let Some(sym) = r
                .sym()
                .0
                .checked_mul(SYM_SIZE)
                .and_then(|o| Symbol::parse(syms, o))
            else {
                continue;
            };
            let at = to_usize(r.r_offset).unwrap_or(usize::MAX);
            match c_str_at(strs, sym.st_name as usize) {
                Some(b"init_module") => found.0 = at,
                Some(b"cleanup_module") => found.1 = at,
                _ => {}
            }
        }
    }
    found
}

/// The layout of `struct module` an image was built for, for tools that have no running
/// kernel: `size` or the size of its `.gnu.linkonce.this_module` (0 if unknown), and the
/// `init` and `exit` offsets its relocations name.
pub fn module_config_of(image: &[u8], size: Option<u64>) -> Config {
    let size = size.or_else(|| module_struct_size_of(image)).unwrap_or(0);
    let (init, exit) = entry_offsets_of(image);
    Config::new(size, init, exit)
}
