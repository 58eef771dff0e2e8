// SPDX-License-Identifier: GPL-2.0

//! A host-side loader built on the engine: runs the whole pipeline into
//! `Vec`-backed regions at fake kernel addresses. Used by the CLI, the
//! tests, the fuzzer and the benchmark.

use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;

use crate::engine::elf::{SectionIndex, SHT_NOBITS};
use crate::engine::exports::{self, Export, Placed};
use crate::engine::layout::{self, Layout, LayoutOptions, MemType, Placement, MEM_TYPES};
use crate::engine::plan::{Config, Plan};
use crate::engine::reloc::{self, RelocStats, Target};
use crate::engine::symbols::{self, Query, ResolveError, Resolved, Resolver, SymbolStats};
use crate::engine::Error;

/// First fake region address (inside the x86_64 module area).
pub const MODULE_BASE: u64 = 0xffff_ffff_a000_0000;
/// First fake address handed out for kernel symbols.
pub const KERNEL_BASE: u64 = 0xffff_ffff_8100_0000;
/// Fake per-CPU base for `.data..percpu`.
pub const PERCPU_BASE: u64 = 0x4_0000;

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

/// A resolver backed by a map; optionally invents an address for any
/// unknown name (`fake_all`), deterministically, from [`KERNEL_BASE`].
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
        MapResolver { fake_all: true, ..Default::default() }
    }
}

impl Resolver for MapResolver {
    fn resolve<'r>(&'r mut self, q: &Query<'_>) -> Result<Resolved, ResolveError<'r>> {
        if let Some(k) = self.symbols.get(q.name) {
            if k.gpl_only && !q.gpl_compatible {
                return Err(ResolveError::GplOnly);
            }
            if !k.namespace.is_empty() && !q.modinfo.imports_namespace(&k.namespace) {
                return Err(ResolveError::MissingNamespace(&k.namespace));
            }
            return Ok(Resolved { address: k.address, owner: 0 });
        }
        if !self.fake_all {
            return Err(ResolveError::NotFound);
        }
        let n = self.invented.len() as u64;
        let address = *self
            .invented
            .entry(q.name.to_vec())
            .or_insert(KERNEL_BASE + 16 * n);
        Ok(Resolved { address, owner: 0 })
    }
}

/// The result of a host load.
#[derive(Debug)]
pub struct Loaded<'a> {
    /// The validated plan.
    pub plan: Plan<'a>,
    /// Per-section placement.
    pub placements: Vec<Option<Placement>>,
    /// Region sizes.
    pub layout: Layout,
    /// Region base addresses.
    pub bases: [u64; MEM_TYPES],
    /// Region contents after relocation.
    pub regions: [Vec<u8>; MEM_TYPES],
    /// Final address of each section.
    pub addresses: Vec<u64>,
    /// Final value of each symbol.
    pub symbols: Vec<u64>,
    /// Symbol pass counts.
    pub symbol_stats: SymbolStats,
    /// Relocation counts.
    pub reloc_stats: RelocStats,
}

struct Regions<'r> {
    placements: &'r [Option<Placement>],
    regions: &'r mut [Vec<u8>; MEM_TYPES],
    bases: &'r [u64; MEM_TYPES],
    sizes: &'r [u64],
}

impl Target for Regions<'_> {
    fn section(&mut self, index: SectionIndex) -> Option<(&mut [u8], u64)> {
        let p = (*self.placements.get(index.0)?)?;
        let size = *self.sizes.get(index.0)?;
        let start = usize::try_from(p.offset).ok()?;
        let end = start.checked_add(usize::try_from(size).ok()?)?;
        let mem = self.regions.get_mut(p.mem.index())?.get_mut(start..end)?;
        Some((mem, self.bases.get(p.mem.index())?.checked_add(p.offset)?))
    }
}

/// Region bases: consecutive, page aligned, one guard page apart,
/// starting at [`MODULE_BASE`].
pub fn fake_bases(lay: &Layout) -> [u64; MEM_TYPES] {
    let mut bases = [0; MEM_TYPES];
    let mut next = MODULE_BASE;
    for t in MemType::ALL {
        bases[t.index()] = next;
        let sz = lay.page_size_of(t).unwrap_or(0);
        next = next.saturating_add(sz).saturating_add(lay.page_size);
    }
    bases
}

/// Largest region the host loader will allocate (guards the fuzzer).
pub const MAX_REGION: u64 = 256 << 20;

/// Runs validate, layout, symbols and relocation. Unresolved symbols are
/// passed to `unresolved` (name, error) before the error is returned.
pub fn load<'a, R: Resolver>(
    image: &'a [u8],
    cfg: &Config,
    opts: &LayoutOptions,
    resolver: &mut R,
    unresolved: &mut dyn FnMut(&[u8], ResolveError<'_>),
) -> Result<Loaded<'a>, Error<'a>> {
    let plan = Plan::parse(image, cfg)?;
    let n = plan.section_count();
    let mut placements = vec![None; n];
    let lay = layout::layout(&plan, opts, &mut placements)?;
    let bases = fake_bases(&lay);
    let mut regions: [Vec<u8>; MEM_TYPES] = Default::default();
    for t in MemType::ALL {
        let sz = lay.size(t);
        if sz > MAX_REGION {
            return Err(Error::LayoutOverflow { section: SectionIndex(0) });
        }
        regions[t.index()] = vec![0; sz as usize];
    }
    let mut sizes = vec![0u64; n];
    for (i, p) in placements.iter().enumerate() {
        let Some(p) = p else { continue };
        let Some(sec) = plan.section(SectionIndex(i)) else { continue };
        sizes[i] = sec.header.sh_size;
        if sec.header.sh_type == SHT_NOBITS {
            continue;
        }
        let body = plan.section_data(SectionIndex(i));
        let start = p.offset as usize;
        regions[p.mem.index()][start..start + body.len()].copy_from_slice(body);
    }
    let mut addresses = vec![0u64; n];
    layout::section_addresses(&plan, &placements, &bases, PERCPU_BASE, &mut addresses)?;
    let mut symbols = vec![0u64; plan.symbol_count()];
    let symbol_stats = symbols::resolve_symbols(&plan, &addresses, resolver, &mut symbols, &mut |u| {
        unresolved(u.name, u.error)
    })?;
    let mut target = Regions { placements: &placements, regions: &mut regions, bases: &bases, sizes: &sizes };
    let reloc_stats = reloc::relocate(&plan, &symbols, &mut target)?;
    Ok(Loaded {
        plan,
        placements,
        layout: lay,
        bases,
        regions,
        addresses,
        symbols,
        symbol_stats,
        reloc_stats,
    })
}

impl Loaded<'_> {
    /// The relocated bytes of a placed section.
    pub fn section_bytes(&self, index: SectionIndex) -> Option<&[u8]> {
        let p = (*self.placements.get(index.0)?)?;
        let size = self.plan.section_header(index)?.sh_size as usize;
        let start = p.offset as usize;
        self.regions[p.mem.index()].get(start..start.checked_add(size)?)
    }

    fn placed(&self, index: Option<SectionIndex>) -> Option<Placed<'_>> {
        let index = index?;
        Some(Placed { index, bytes: self.section_bytes(index)?, address: *self.addresses.get(index.0)? })
    }

    /// Decodes both export tables; each entry or error is passed to `f`.
    pub fn exports(&self, f: &mut dyn FnMut(Result<Export<'_>, Error<'static>>)) {
        let Some(strings) = self.placed(self.plan.ksymtab_strings_index) else { return };
        for (idx, gpl) in [(self.plan.ksymtab_index, false), (self.plan.ksymtab_gpl_index, true)] {
            let Some(table) = self.placed(idx) else { continue };
            match exports::exports(table, strings, gpl) {
                Ok(it) => it.for_each(&mut *f),
                Err(e) => f(Err(e)),
            }
        }
    }

    /// `init` and `exit` addresses, using offsets derived from the
    /// module's own relocations.
    pub fn entry_points(&self) -> (Option<u64>, Option<u64>) {
        let offs = exports::entry_offsets(&self.plan);
        let Some(tm) = self.section_bytes(self.plan.this_module_index) else { return (None, None) };
        let get = |o: Option<u64>| o.and_then(|o| exports::this_module_fn(tm, o).ok().flatten());
        (get(offs.init), get(offs.exit))
    }
}

/// `sizeof(struct module)` as recorded in an image (the size of its
/// `.gnu.linkonce.this_module`), for tools that have no running kernel.
pub fn module_struct_size_of(image: &[u8]) -> Option<u64> {
    let mut size = None;
    let _ = Plan::parse_reporting(image, &Config { module_struct_size: u64::MAX }, &mut |e| {
        if let Error::ThisModuleSize { found, .. } = e {
            size = Some(found);
        }
    })
    .map_err(|e| {
        if let Error::ThisModuleSize { found, .. } = e {
            size = Some(found);
        }
    });
    size
}
