// SPDX-License-Identifier: GPL-2.0

//! The load pipeline: from a complete module image to a live module.
//!
//! Stages, in order (each refuses the module with an errno and a `dmesg` line naming it):
//!
//! 1. Policy: `CAP_SYS_MODULE`, `modules_disabled`, LSM hooks ([`kapi::may_load`]).
//! 2. Validation of the ELF image ([`engine::Plan::parse`]).
//! 3. Layout of the allocated sections and of the kallsyms tables into memory types.
//! 4. One allocation of module memory per memory type; copy of the sections.
//! 5. Registration in the module list ([`kapi::Reserved::reserve`]): name reservation,
//!    version magic, taints, per-CPU area.
//! 6. Binding of every undefined symbol to an export, recording the dependency.
//! 7. Relocation.
//! 8. Kallsyms tables.
//! 9. Formation: the kernel's post-relocation fixups, protections, COMING, sysfs.
//! 10. The module's init function, then LIVE.

use crate::engine::{
    self,
    elf::{SectionIndex, SHF_ALLOC},
    error::Name,
    kallsyms, Config, LayoutOptions, MemType, Placement, Plan, Query, ResolveError, Resolved,
    Resolver, Target, MEM_TYPES,
};
use crate::kapi::{self, Elf, ModMem, Regions, Reserved, SectionHeader};
use crate::registry::{Entry, Registry};
use core::ptr::NonNull;
use kernel::{alloc::KVVec, bindings, prelude::*, str::CStr, time::Ktime};

/// The longest symbol name the kernel exports (`KSYM_NAME_LEN`).
const KSYM_NAME_LEN: usize = 512;

/// What a successful load reports.
pub(crate) struct Loaded {
    /// The module's name, NUL-padded.
    pub(crate) name: [u8; 56],
    /// Bytes of each memory region.
    pub(crate) sizes: [u64; MEM_TYPES],
    /// Relocations applied.
    pub(crate) relocations: usize,
    /// Undefined symbols bound to exports.
    pub(crate) bound: usize,
    /// Nanoseconds spent in each stage, in the order of [`STAGES`].
    pub(crate) stage_ns: [i64; STAGES.len()],
}

/// The stages whose time [`Loaded::stage_ns`] reports.
pub(crate) const STAGES: [&str; 7] = [
    "validate", "place", "register", "bind", "relocate", "form", "init",
];

/// Measures the time between successive stages.
struct Clock {
    last: Ktime,
    ns: [i64; STAGES.len()],
}

impl Clock {
    fn new() -> Self {
        Self {
            last: Ktime::ktime_get(),
            ns: [0; STAGES.len()],
        }
    }

    /// Charges the time since the previous call to stage `i`.
    fn lap(&mut self, i: usize) {
        let now = Ktime::ktime_get();
        if let Some(t) = self.ns.get_mut(i) {
            *t = now.to_ns().saturating_sub(self.last.to_ns());
        }
        self.last = now;
    }
}

/// The module name stored in the image's `struct module`, for messages.
fn module_name<'a>(plan: &Plan<'a>) -> &'a [u8] {
    let this = plan.section_data(plan.this_module_index);
    let field = this.get(kapi::MODULE_NAME_OFFSET..).unwrap_or(&[]);
    let field = field.get(..56).unwrap_or(field);
    let end = field.iter().position(|&c| c == 0).unwrap_or(field.len());
    field.get(..end).unwrap_or(&[])
}

/// Converts an engine errno (positive) into a kernel error.
fn errno(e: i32) -> Error {
    Error::from_errno(-e)
}

/// Binds undefined symbols through the kernel's export tables.
struct KernelResolver<'r, 'e> {
    module: &'r Reserved,
    elf: &'r Elf<'e>,
    /// An error other than "not found" or "not imported", returned instead of `ENOENT`.
    failure: Option<i32>,
    /// Undefined symbols bound.
    bound: usize,
}

impl Resolver for KernelResolver<'_, '_> {
    fn resolve<'r>(
        &'r mut self,
        query: &Query<'_>,
    ) -> core::result::Result<Resolved, ResolveError<'r>> {
        let mut buf = [0u8; KSYM_NAME_LEN];
        let len = query.name.len();
        let Some(dst) = buf.get_mut(..len) else {
            return Err(ResolveError::NotFound);
        };
        dst.copy_from_slice(query.name);
        let Some(name) = buf
            .get(..=len)
            .and_then(|b| CStr::from_bytes_with_nul(b).ok())
        else {
            return Err(ResolveError::NotFound);
        };
        match self.module.resolve(self.elf, name) {
            Ok(address) => {
                self.bound = self.bound.saturating_add(1);
                Ok(Resolved { address, owner: 0 })
            }
            Err(e) if e == ENOENT.to_errno() => Err(ResolveError::NotFound),
            Err(e) if e == EINVAL.to_errno() => Err(ResolveError::MissingNamespace(b"")),
            Err(e) => {
                self.failure.get_or_insert(e);
                Err(ResolveError::NotFound)
            }
        }
    }
}

/// Gives the relocation pass the placed sections in module memory.
struct Sections<'r> {
    module: &'r mut Reserved,
    placements: &'r [Option<Placement>],
    plan: &'r Plan<'r>,
    addresses: &'r [u64],
}

impl Target for Sections<'_> {
    fn section(&mut self, index: SectionIndex) -> Option<(&mut [u8], u64)> {
        let p = (*self.placements.get(index.0)?)?;
        let size = usize::try_from(self.plan.section_header(index)?.sh_size).ok()?;
        let start = usize::try_from(p.offset).ok()?;
        let address = *self.addresses.get(index.0)?;
        let region = self.module.region_mut(p.mem)?;
        Some((region.get_mut(start..start.checked_add(size)?)?, address))
    }
}

/// Hands out disjoint pieces of a region at increasing offsets.
struct Carver<'m> {
    rest: &'m mut [u8],
    pos: u64,
}

impl<'m> Carver<'m> {
    fn new(region: &'m mut [u8]) -> Self {
        Self {
            rest: region,
            pos: 0,
        }
    }

    /// The `len` bytes at offset `off` of the region; `off` must not be below the end of the
    /// previous piece.
    fn take(&mut self, off: u64, len: u64) -> Result<&'m mut [u8]> {
        let skip = usize::try_from(off.checked_sub(self.pos).ok_or(EINVAL)?).map_err(|_| EINVAL)?;
        let len_us = usize::try_from(len).map_err(|_| EINVAL)?;
        let rest = core::mem::take(&mut self.rest);
        if skip.checked_add(len_us).ok_or(EINVAL)? > rest.len() {
            return Err(EINVAL);
        }
        let (_, tail) = rest.split_at_mut(skip);
        let (out, tail) = tail.split_at_mut(len_us);
        self.rest = tail;
        self.pos = off.checked_add(len).ok_or(EINVAL)?;
        Ok(out)
    }
}

/// Writes the kallsyms tables into the module's data regions and points the module at them.
fn install_kallsyms(
    module: &mut Reserved,
    plan: &Plan<'_>,
    placements: &[Option<Placement>],
    opts: &kallsyms::Options,
    t: &kallsyms::Tables,
    values: &[u64],
) -> Result {
    let bases = module.bases();
    let init_base = bases.get(MemType::InitData.index()).copied().unwrap_or(0);
    let core_base = bases.get(MemType::Data.index()).copied().unwrap_or(0);
    let (init, core) = module
        .two_regions_mut(MemType::InitData, MemType::Data)
        .ok_or(EINVAL)?;
    let full_bytes = (t.full_count as u64).checked_mul(24).ok_or(EINVAL)?;
    let core_bytes = (t.core_count as u64).checked_mul(24).ok_or(EINVAL)?;
    let mut init = Carver::new(init);
    let full_symtab = init.take(t.full_symtab, full_bytes)?;
    let full_strtab = init.take(t.full_strtab, t.full_strtab_size)?;
    let _struct = init.take(t.full_struct, opts.struct_size)?;
    let full_typetab = init.take(t.full_typetab, t.full_count as u64)?;
    let mut core = Carver::new(core);
    let core_symtab = core.take(t.core_symtab, core_bytes)?;
    let core_strtab = core.take(t.core_strtab, t.core_strtab_size)?;
    let core_typetab = core.take(t.core_typetab, t.core_count as u64)?;
    let mut out = kallsyms::Out {
        full_symtab,
        full_strtab,
        full_typetab,
        core_symtab,
        core_strtab,
        core_typetab,
    };
    kallsyms::write(plan, placements, opts, values, &mut out).map_err(|e| errno(e.errno()))?;
    let at = |base: u64, off: u64| base.checked_add(off).ok_or(EINVAL);
    let full = kapi::Kallsyms {
        symtab: at(init_base, t.full_symtab)?,
        count: u32::try_from(t.full_count).map_err(|_| EINVAL)?,
        strtab: at(init_base, t.full_strtab)?,
        typetab: at(init_base, t.full_typetab)?,
    };
    let core = kapi::Kallsyms {
        symtab: at(core_base, t.core_symtab)?,
        count: u32::try_from(t.core_count).map_err(|_| EINVAL)?,
        strtab: at(core_base, t.core_strtab)?,
        typetab: at(core_base, t.core_typetab)?,
    };
    module.set_kallsyms(t.full_struct, &full, &core)
}

/// Loads the module in `image` with parameters `args` and runs its init function.
pub(crate) fn load(image: &[u8], args: &CStr, registry: &Registry) -> Result<Loaded> {
    if let Err(e) = kapi::may_load(image) {
        pr_err!("loading refused by policy (error {})\n", e.to_errno());
        return Err(e);
    }

    let mut clock = Clock::new();

    // Validate.
    let cfg = Config {
        module_struct_size: kapi::MODULE_STRUCT_SIZE as u64,
    };
    let plan = Plan::parse(image, &cfg).map_err(|e| {
        pr_err!("invalid module image: {}\n", e);
        errno(e.errno())
    })?;
    let name = Name(module_name(&plan));
    if plan.modinfo().get(b"livepatch").is_some() {
        // The kernel applies a livepatch module's own relocations later, from a copy of its
        // ELF sections that only its loader keeps.
        pr_err!("{}: livepatch modules are not supported by rloader\n", name);
        return Err(ENOEXEC);
    }
    clock.lap(0);

    // Lay out the sections and the kallsyms tables.
    let n = plan.section_count();
    let mut placements = KVVec::<Option<Placement>>::from_elem(None, n, GFP_KERNEL)?;
    let opts = LayoutOptions {
        unload: true,
        page_size: kernel::page::PAGE_SIZE as u64,
    };
    let report = |e: engine::Error<'_>| {
        pr_err!("{}: {}\n", name, e);
        errno(e.errno())
    };
    let mut lay = engine::layout(&plan, &opts, &mut placements).map_err(report)?;
    let ksyms = kallsyms::Options {
        all: cfg!(CONFIG_KALLSYMS_ALL),
        struct_size: kapi::MOD_KALLSYMS_SIZE as u64,
        struct_align: core::mem::align_of::<bindings::mod_kallsyms>() as u64,
    };
    let tables = kallsyms::plan(&plan, &placements, &ksyms, &mut lay).map_err(report)?;

    // Allocate one region per memory type and copy the sections in.
    let mut regions: Regions = Default::default();
    let mut bases = [0u64; MEM_TYPES];
    for mem in MemType::ALL {
        let size = usize::try_from(lay.size(mem)).map_err(|_| ENOMEM)?;
        if size == 0 {
            continue;
        }
        let region = ModMem::alloc(mem, size).inspect_err(|_| {
            pr_err!(
                "{}: cannot allocate {} bytes of {}\n",
                name,
                size,
                mem.name()
            );
        })?;
        if let Some(b) = bases.get_mut(mem.index()) {
            *b = region.addr();
        }
        if let Some(slot) = regions.get_mut(mem.index()) {
            *slot = Some(region);
        }
    }
    // The kernel copies the per-CPU template from the image; give a section without file
    // bytes a zeroed one instead.
    let mut zero_percpu = KVVec::<u8>::new();
    if let Some(h) = plan.percpu_index.and_then(|i| plan.section_header(i)) {
        if !h.has_file_bytes() {
            let size = usize::try_from(h.sh_size).map_err(|_| ENOEXEC)?;
            zero_percpu = KVVec::from_elem(0, size, GFP_KERNEL)?;
        }
    }
    let mut sechdrs = KVVec::<SectionHeader>::with_capacity(n, GFP_KERNEL)?;
    let mut addresses = KVVec::<u64>::from_elem(0, n, GFP_KERNEL)?;
    for (i, placement) in placements.iter().enumerate() {
        let h = plan.section_header(SectionIndex(i)).ok_or(ENOEXEC)?;
        let mut flags = h.sh_flags & !SHF_ALLOC;
        // Like the kernel's loader, leave the null section's address at 0: lookups of absent
        // sections land on it.
        let mut addr = if i == 0 {
            0
        } else if Some(SectionIndex(i)) == plan.percpu_index && !h.has_file_bytes() {
            zero_percpu.as_ptr() as u64
        } else {
            (image.as_ptr() as u64).wrapping_add(h.sh_offset)
        };
        if let Some(p) = placement {
            let region = regions
                .get_mut(p.mem.index())
                .and_then(|r| r.as_mut())
                .ok_or(EINVAL)?;
            addr = region.addr().checked_add(p.offset).ok_or(EINVAL)?;
            flags |= SHF_ALLOC;
            let body = plan.section_data(SectionIndex(i));
            let start = usize::try_from(p.offset).map_err(|_| EINVAL)?;
            let end = start.checked_add(body.len()).ok_or(EINVAL)?;
            region
                .bytes_mut()
                .get_mut(start..end)
                .ok_or(EINVAL)?
                .copy_from_slice(body);
        }
        if let Some(a) = addresses.get_mut(i) {
            *a = if placement.is_some() { addr } else { 0 };
        }
        sechdrs.push(
            SectionHeader {
                sh_name: h.sh_name,
                sh_type: h.sh_type,
                sh_flags: flags,
                sh_addr: addr,
                sh_offset: h.sh_offset,
                sh_size: h.sh_size,
                sh_link: h.sh_link,
                sh_info: h.sh_info,
                sh_addralign: h.sh_addralign,
                sh_entsize: h.sh_entsize,
            },
            GFP_KERNEL,
        )?;
    }

    // The module's own struct module, in its core data.
    let this = plan.this_module_index;
    let module = match placements.get(this.0).copied().flatten() {
        Some(p) if p.mem == MemType::Data => bases
            .get(MemType::Data.index())
            .and_then(|b| b.checked_add(p.offset))
            .filter(|a| a % (core::mem::align_of::<bindings::module>() as u64) == 0)
            .and_then(|a| NonNull::new(a as *mut bindings::module)),
        _ => None,
    };
    let Some(module) = module else {
        pr_err!(
            "{}: .gnu.linkonce.this_module is not writable, aligned data\n",
            name
        );
        return Err(ENOEXEC);
    };

    clock.lap(1);

    let modinfo = plan.modinfo_index.map_or(0, |i| i.0);
    let percpu = plan.percpu_index.map_or(0, |i| i.0);
    let mut elf = Elf::new(image, &mut sechdrs, modinfo, percpu)?;
    // SAFETY: `module` is the `.gnu.linkonce.this_module` section (checked by the engine to be
    // `MODULE_STRUCT_SIZE` bytes), copied into the `Data` region at an aligned address, and
    // `elf` gives every placed section its address in `regions`.
    let mut reserved =
        unsafe { Reserved::reserve(module, &mut elf, regions) }.inspect_err(|e| {
            if *e == EEXIST {
                pr_err!("{}: a module of this name is already loaded\n", name);
            } else if *e == ENOEXEC && plan.modinfo().vermagic().is_none() {
                pr_err!("{}: no version magic in .modinfo\n", name);
            } else {
                pr_err!(
                    "{}: cannot register the module (error {})\n",
                    name,
                    e.to_errno()
                );
            }
        })?;

    clock.lap(2);

    // The per-CPU section's symbols resolve into the area the kernel allocated.
    layout_percpu(&plan, &mut addresses, Reserved::percpu_base(&elf));

    // Bind.
    let mut values = KVVec::<u64>::from_elem(0, plan.symbol_count(), GFP_KERNEL)?;
    let mut resolver = KernelResolver {
        module: &reserved,
        elf: &elf,
        failure: None,
        bound: 0,
    };
    let bound = engine::resolve_symbols(&plan, &addresses, &mut resolver, &mut values, &mut |u| {
        pr_err!(
            "{}: Unknown symbol {} (err {})\n",
            name,
            Name(u.name),
            -u.error.errno()
        );
    });
    let failure = resolver.failure;
    let bound_count = resolver.bound;
    if let Err(e) = bound {
        return Err(failure.map_or_else(|| errno(e.errno()), Error::from_errno));
    }

    clock.lap(3);

    // Relocate.
    let mut target = Sections {
        module: &mut reserved,
        placements: &placements,
        plan: &plan,
        addresses: &addresses,
    };
    let stats = engine::relocate(&plan, &values, &mut target).map_err(report)?;

    // Kallsyms.
    install_kallsyms(&mut reserved, &plan, &placements, &ksyms, &tables, &values).inspect_err(
        |e| {
            pr_err!(
                "{}: cannot set up kallsyms (error {})\n",
                name,
                e.to_errno()
            )
        },
    )?;

    clock.lap(4);

    // Formation, init, live.
    let bases = reserved.bases();
    let formed = reserved.form(&elf, args).inspect_err(|e| {
        pr_err!("{}: formation failed (error {})\n", name, e.to_errno());
    })?;
    clock.lap(5);
    let id = formed.id();
    let mut entry = Entry {
        module: id,
        name: [0; 56],
        bases,
        sizes: lay.size,
        relocations: stats.applied(),
        bound: bound_count,
        load_ns: clock.ns.iter().sum(),
    };
    for (d, s) in entry.name.iter_mut().zip(name.0) {
        *d = *s;
    }
    // Listed from COMING on, so that the GOING notifier also drops a module whose init fails.
    if registry.add(entry).is_err() {
        pr_warn!("{}: not listed (out of memory)\n", name);
    }
    formed.run_init().inspect_err(|e| {
        pr_err!("{}: init failed with error {}\n", name, e.to_errno());
    })?;
    clock.lap(6);
    registry.set_load_time(id, clock.ns.iter().sum());

    let mut out = Loaded {
        name: [0; 56],
        sizes: lay.size,
        relocations: stats.applied(),
        bound: bound_count,
        stage_ns: clock.ns,
    };
    for (d, s) in out.name.iter_mut().zip(name.0) {
        *d = *s;
    }
    Ok(out)
}

/// Points the per-CPU section's address at the module's per-CPU area.
fn layout_percpu(plan: &Plan<'_>, addresses: &mut [u64], base: u64) {
    if let Some(a) = plan.percpu_index.and_then(|i| addresses.get_mut(i.0)) {
        *a = base;
    }
}
