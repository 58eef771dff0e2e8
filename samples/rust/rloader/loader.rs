// SPDX-License-Identifier: GPL-2.0

//! The kernel's side of the load pipeline: [`engine::load::prepare`] and the init of what it
//! prepared run every stage; this file gives them the kernel's memory, registration and
//! exports (through [`kapi`]) and turns each failure into an errno and a kernel log line
//! naming the module and the reason.

use crate::engine::{
    self,
    elf::{SectionIndex, SHF_ALLOC},
    kallsyms::{self, Tables},
    load::{Cause, Env, Failure, Formed, Module, PerStage, Region, Registered, Stage, Summary},
    symbols::Unresolved,
    LayoutOptions, MemType, ModuleName, Name, PerMem, Query, ResolveError,
};
use crate::kapi::{self, Elf, ModMem, Reserved, SectionHeader};
use crate::registry::{Entry, Registry};
use core::{
    mem::size_of,
    ops::{Deref, DerefMut},
};
use kernel::{
    alloc::{KVVec, VVec},
    bindings::{EBADMSG, EKEYREJECTED, ENOKEY, ENOPKG},
    prelude::*,
    str::CStr,
    time::Ktime,
};

/// The running kernel's parameters of the pipeline.
const CONFIG: engine::Config = engine::Config {
    plan: engine::plan::Config {
        module_struct_size: kapi::MODULE_STRUCT_SIZE as u64,
        module_struct_align: kapi::MODULE_STRUCT_ALIGN as u64,
        module_name_offset: kapi::MODULE_NAME_OFFSET,
        module_init_offset: kapi::MODULE_INIT_OFFSET,
        module_exit_offset: kapi::MODULE_EXIT_OFFSET,
    },
    layout: LayoutOptions {
        unload: cfg!(CONFIG_MODULE_UNLOAD),
        page_size: kernel::page::PAGE_SIZE as u64,
    },
    kallsyms: kallsyms::Options {
        all: cfg!(CONFIG_KALLSYMS_ALL),
        struct_size: kapi::MOD_KALLSYMS_SIZE as u64,
        struct_align: kapi::MOD_KALLSYMS_ALIGN as u64,
    },
};

/// A load in the kernel: the image (borrowed for `'i`, until the module is formed), its
/// parameters and the listing to add it to (for `'r`).
struct Kernel<'i, 'r> {
    image: &'i [u8],
    sig_ok: bool,
    args: &'i CStr,
    registry: &'r Registry,
}

/// The largest allocation the slab allocator serves from its caches (`KMALLOC_MAX_CACHE_SIZE`
/// of SLUB); above it, `kmalloc()` takes a power-of-two block of pages.
const SLAB_MAX: usize = 2 * kernel::page::PAGE_SIZE;

/// A table of a load: slab memory up to [`SLAB_MAX`] bytes, vmalloc memory above, which is
/// page-granular where `kvmalloc()` would first try a power-of-two block of pages (32 KiB for
/// the 16 KiB of symbol values of a module with 2048 symbols).
enum Table<T> {
    Slab(KVVec<T>),
    Pages(VVec<T>),
}

impl<T> Deref for Table<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match self {
            Table::Slab(v) => v,
            Table::Pages(v) => v,
        }
    }
}

impl<T> DerefMut for Table<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            Table::Slab(v) => v,
            Table::Pages(v) => v,
        }
    }
}

impl Region for ModMem {
    fn bytes_mut(&mut self) -> &mut [u8] {
        ModMem::bytes_mut(self)
    }

    fn address(&self) -> u64 {
        ModMem::address(self)
    }
}

impl<'i, 'r> Env for Kernel<'i, 'r> {
    type Error = Error;
    type Table<T: Copy> = Table<T>;
    type Region = ModMem;
    type Registered = Listed<'i, 'r>;

    fn now(&self) -> u64 {
        now()
    }

    fn table<T: Copy>(&mut self, len: usize, value: T) -> Result<Table<T>> {
        let bytes = len.checked_mul(size_of::<T>()).ok_or(ENOMEM)?;
        Ok(if bytes <= SLAB_MAX {
            Table::Slab(KVVec::from_elem(value, len, GFP_KERNEL)?)
        } else {
            Table::Pages(VVec::from_elem(value, len, GFP_KERNEL)?)
        })
    }

    fn alloc(&mut self, mem: MemType, size: u64) -> Result<ModMem> {
        ModMem::alloc(mem, size)
    }

    fn register(
        &mut self,
        module: &Module<'_, '_>,
        regions: PerMem<Option<ModMem>>,
    ) -> Result<Listed<'i, 'r>> {
        let elf = describe(self.image, module, self.sig_ok)?;
        // SAFETY: The pipeline placed `.gnu.linkonce.this_module` (validated to be
        // `MODULE_STRUCT_SIZE` bytes) at offset `module.this_module` of the `Data` region,
        // and `elf` gives every placed section its final address in `regions`.
        let reserved = unsafe { Reserved::reserve(module.this_module, elf, regions, self.args) }?;
        Ok(Listed {
            reserved,
            registry: self.registry,
        })
    }

    fn unknown_symbol(&mut self, module: &ModuleName, symbol: &Unresolved<'_>) {
        pr_warn!(
            "{}: Unknown symbol {} (err {})\n",
            module,
            Name(symbol.name),
            -symbol.error.errno()
        );
    }
}

/// The C view of the image: every section header with its final address, for the kernel's
/// own code, which finds sections by name and reads their bytes.
fn describe<'a>(image: &'a [u8], module: &Module<'_, '_>, sig_ok: bool) -> Result<Elf<'a>> {
    let plan = module.plan;
    let n = plan.section_count();
    let percpu = plan.special.percpu;
    // The kernel copies the per-CPU template from the section's address; give a section
    // without file bytes a zeroed template.
    let mut zero_percpu = KVVec::new();
    if let Some(h) = percpu.and_then(|i| plan.section_header(i)) {
        if !h.has_file_bytes() {
            let size = usize::try_from(h.sh_size).map_err(|_| ENOEXEC)?;
            zero_percpu = KVVec::from_elem(0u8, size, GFP_KERNEL)?;
        }
    }
    let mut sechdrs = KVVec::<SectionHeader>::with_capacity(n, GFP_KERNEL)?;
    for i in 0..n {
        let index = SectionIndex(i);
        let h = plan.section_header(index).ok_or(ENOEXEC)?;
        let placed = module.placements.get(i).copied().flatten().is_some();
        // The symbol and string tables are in init data, as the kernel's loader puts them
        // (the full kallsyms copies): allocated there, with those addresses.
        let kallsyms = if index == plan.symtab_index {
            Some(module.kallsyms.0)
        } else if index == plan.strtab_index {
            Some(module.kallsyms.1)
        } else {
            None
        };
        let sh_addr = if placed {
            module.addresses.get(i).copied().ok_or(EINVAL)?
        } else if let Some(address) = kallsyms {
            address
        } else if i == 0 {
            // Like the kernel's loader, leave the null section's address at 0: lookups of
            // absent sections land on it.
            0
        } else if Some(index) == percpu && !h.has_file_bytes() {
            zero_percpu.as_ptr() as u64
        } else if !h.has_file_bytes() {
            // Nothing in the image backs it: give C code no address to follow.
            0
        } else {
            // Validation checked that the section's bytes lie inside the image.
            (image.as_ptr() as u64).wrapping_add(h.sh_offset)
        };
        let sh_flags = if placed || kallsyms.is_some() {
            h.sh_flags | SHF_ALLOC
        } else {
            h.sh_flags & !SHF_ALLOC
        };
        sechdrs.push(
            SectionHeader {
                sh_name: h.sh_name,
                sh_type: h.sh_type,
                sh_flags,
                sh_addr,
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
    let modinfo = plan.modinfo_index.map_or(0, |i| i.0);
    Elf::new(
        image,
        sechdrs,
        zero_percpu,
        modinfo,
        plan.symtab_index.0,
        percpu.map_or(0, |i| i.0),
        sig_ok,
    )
}

/// A reserved module and the listing it joins once formed.
struct Listed<'i, 'r> {
    reserved: Reserved<'i>,
    registry: &'r Registry,
}

impl<'i, 'r> Registered for Listed<'i, 'r> {
    type Error = Error;
    type Formed = FormedEntry<'r>;

    fn percpu_base(&self) -> u64 {
        self.reserved.percpu_base()
    }

    fn memory(&mut self) -> PerMem<&mut [u8]> {
        self.reserved.memory()
    }

    fn resolve(&mut self, query: &Query<'_>) -> core::result::Result<u64, ResolveError> {
        // The name is passed to C code in place, NUL and all: no copy per symbol.
        let name = CStr::from_bytes_with_nul(query.c_name).map_err(|_| ResolveError::NotFound)?;
        self.reserved.resolve(name).map_err(|e| {
            if e == ENOENT {
                ResolveError::NotFound
            } else if e == EINVAL {
                ResolveError::MissingNamespace
            } else {
                ResolveError::Failed(-e.to_errno())
            }
        })
    }

    fn set_kallsyms(&mut self, tables: &Tables) -> Result {
        self.reserved.set_kallsyms(tables)
    }

    fn form(self) -> Result<FormedEntry<'r>> {
        Ok(FormedEntry {
            formed: self.reserved.form()?,
            registry: self.registry,
        })
    }
}

/// A formed module and the listing it joins.
struct FormedEntry<'r> {
    formed: kapi::Formed,
    registry: &'r Registry,
}

impl Formed for FormedEntry<'_> {
    type Error = Error;
    type Live = usize;

    fn init(self, summary: &Summary) -> Result<usize> {
        let id = self.formed.id();
        let entry = Entry {
            module: id,
            name: summary.name,
            text_base: summary.bases[MemType::Text] as usize,
            sizes: summary.sizes,
            relocations: summary.relocations,
            bound: summary.bound,
            times: PerStage::default(),
        };
        // Listed from COMING on, so that the GOING notifier also drops a module whose init
        // fails.
        if self.registry.add(entry).is_err() {
            pr_warn!("{}: not listed (out of memory)\n", summary.name);
        }
        self.formed.run_init()?;
        Ok(id)
    }
}

/// Loads the module in `image` with parameters `args` and runs its init function.
///
/// As `load_module()` frees its copy of the file before `do_init_module()`, the image is freed
/// once the module is formed: init runs without it. Like `init_module(2)`, a successful load
/// logs nothing; the listing has its counts and stage times.
pub(crate) fn load(image: VVec<u8>, args: &CStr, registry: &Registry) -> Result {
    let admitted = kapi::may_load(&image).inspect_err(|e| {
        // The errors of module_sig_check(): a bad, unknown or missing signature.
        let signature = [EKEYREJECTED, EBADMSG, ENOPKG, ENOKEY].map(|c| -(c as i32));
        let what = if signature.contains(&e.to_errno()) {
            "the signature check"
        } else {
            "policy"
        };
        pr_err!("loading refused by {} (error {})\n", what, e.to_errno());
    })?;
    // The ELF object, without the signature that may follow it.
    let elf = image.get(..admitted.elf_len).ok_or(EINVAL)?;
    let mut env = Kernel {
        image: elf,
        sig_ok: admitted.sig_ok,
        args,
        registry,
    };
    let ready = engine::prepare(&mut env, elf, &CONFIG)
        .map_err(|f| report(elf, f))?
        .detach();
    drop(image);
    // Only init can fail from here on: its report does not need the image.
    let (module, times) = ready.init(now).map_err(|f| report(&[], f))?;
    registry.set_times(module, times);
    Ok(())
}

/// The monotonic clock of the stage times, in nanoseconds.
fn now() -> u64 {
    u64::try_from(Ktime::ktime_get().to_ns()).unwrap_or(0)
}

/// Logs why a load failed and returns its error.
fn report(image: &[u8], f: Failure<'_, Error>) -> Error {
    let name = f.name;
    match (f.stage, f.cause) {
        (Stage::Validate, Cause::Image(e)) => {
            pr_err!("invalid module image: {}\n", e);
            Error::from_errno(-e.errno())
        }
        // Each unknown symbol was reported as it was found.
        (Stage::Bind, Cause::Image(e @ engine::Error::Unresolved { .. })) => {
            Error::from_errno(-e.errno())
        }
        (_, Cause::Image(e)) => {
            pr_err!("{}: {}\n", name, e);
            Error::from_errno(-e.errno())
        }
        (_, Cause::Memory { mem, size, error }) => {
            pr_err!(
                "{}: cannot allocate {} bytes of {}\n",
                name,
                size,
                mem.name()
            );
            error
        }
        (Stage::Register, Cause::Env(e)) => {
            if e == EEXIST {
                pr_err!("{}: a module of this name is already loaded\n", name);
            } else if e == ENOEXEC && !has_vermagic(image) {
                pr_err!("{}: no version magic in .modinfo\n", name);
            } else {
                pr_err!(
                    "{}: cannot register the module (error {})\n",
                    name,
                    e.to_errno()
                );
            }
            e
        }
        // As for init_module(2), a failing init is reported by its errno alone.
        (Stage::Init, Cause::Env(e)) => e,
        (Stage::Form, Cause::Env(e)) => {
            pr_err!("{}: formation failed (error {})\n", name, e.to_errno());
            e
        }
        (stage, Cause::Env(e)) => {
            pr_err!(
                "{}: {} failed (error {})\n",
                name,
                stage.name(),
                e.to_errno()
            );
            e
        }
    }
}

/// Whether the image (which validated) has a version magic, to explain a refused
/// registration.
fn has_vermagic(image: &[u8]) -> bool {
    engine::Plan::parse(image, &CONFIG.plan).is_ok_and(|p| p.modinfo().vermagic().is_some())
}
