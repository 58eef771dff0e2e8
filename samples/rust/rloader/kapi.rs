// SPDX-License-Identifier: GPL-2.0

//! Safe wrappers for the in-kernel loader registration interface.
//!
//! C header: [`include/linux/rloader.h`](srctree/include/linux/rloader.h)
//!
//! The wrappers live in this module rather than in `rust/kernel/` on purpose: every
//! non-inline function of the kernel crate is exported to all modules, which would hand the
//! `RLOADER` namespace to everyone.
//!
//! A load goes through three owners of the module memory, one type each:
//!
//! 1. [`ModMem`]: a region from `rloader_alloc_mem()`, freed on drop.
//! 2. [`Reserved`]: the module is on the kernel's list (`MODULE_STATE_UNFORMED`) and the kernel
//!    owns the memory; dropping it calls `rloader_module_abort()`.
//! 3. [`Formed`]: the module is `MODULE_STATE_COMING`; [`Formed::run_init`] calls its init
//!    function and hands it to `rloader_module_live()`, which also unwinds a failed init.

use crate::engine::{MemType, MEM_TYPES};
use core::ptr::NonNull;
use kernel::{
    bindings,
    error::to_result,
    ffi::{c_char, c_ulong, c_void},
    prelude::*,
    str::CStr,
};

/// The size of `struct module` in the running kernel.
pub(crate) const MODULE_STRUCT_SIZE: usize = core::mem::size_of::<bindings::module>();

/// The size of `struct mod_kallsyms`.
pub(crate) const MOD_KALLSYMS_SIZE: usize = core::mem::size_of::<bindings::mod_kallsyms>();

/// The offset of `name` in `struct module`.
pub(crate) const MODULE_NAME_OFFSET: usize = core::mem::offset_of!(bindings::module, name);

/// A section header as the C side reads it.
pub(crate) type SectionHeader = bindings::elf64_shdr;

/// Applies the policy of `init_module(2)` to a complete image: `CAP_SYS_MODULE`,
/// `modules_disabled` and the LSM module-data hooks.
pub(crate) fn may_load(image: &[u8]) -> Result {
    let len = image.len() as c_ulong;
    // SAFETY: `image` is valid for reads of `len` bytes for the duration of the call.
    to_result(unsafe { bindings::rloader_may_load(image.as_ptr().cast(), len) })
}

/// Unloads the module called `name` like `delete_module(2)` with `flags`.
pub(crate) fn delete(name: &CStr, flags: u32) -> Result {
    // SAFETY: `name` is NUL-terminated and valid for the duration of the call.
    to_result(unsafe { bindings::rloader_module_delete(name.as_char_ptr(), flags) })
}

/// One region of module memory for one memory type, zeroed and writable.
///
/// # Invariants
///
/// `ptr` was returned by `rloader_alloc_mem()` for `size` bytes (a multiple of the page size)
/// and is owned by this value.
pub(crate) struct ModMem {
    ptr: NonNull<u8>,
    size: usize,
}

impl ModMem {
    /// Allocates `size` bytes (rounded up to whole pages) of module memory for `mem`.
    pub(crate) fn alloc(mem: MemType, size: usize) -> Result<Self> {
        let page = kernel::page::PAGE_SIZE;
        let size = size.checked_next_multiple_of(page).ok_or(ENOMEM)?;
        let c_size = u32::try_from(size).map_err(|_| ENOMEM)?;
        // SAFETY: Any type and size may be passed; the function checks both.
        let ptr = unsafe { bindings::rloader_alloc_mem(mem as bindings::mod_mem_type, c_size) };
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or(ENOMEM)?;
        // INVARIANT: `ptr` is a fresh allocation of `size` bytes.
        Ok(Self { ptr, size })
    }

    /// The address of the region.
    pub(crate) fn addr(&self) -> u64 {
        self.ptr.as_ptr() as u64
    }

    /// The page-rounded size of the region.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// The region's bytes.
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: By the type invariant the region is `size` bytes of memory owned by `self`,
        // and the `&mut self` borrow makes this the only access.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.size) }
    }

    /// Gives up ownership of the region (the kernel's module teardown frees it).
    fn into_raw(self) -> (NonNull<u8>, usize) {
        let this = core::mem::ManuallyDrop::new(self);
        (this.ptr, this.size)
    }
}

impl Drop for ModMem {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `ptr` came from `rloader_alloc_mem()` and is owned by
        // this value, which no one can use after the drop.
        unsafe { bindings::rloader_free_mem(self.ptr.as_ptr().cast()) };
    }
}

/// One kallsyms table: addresses of its symbol, string and type tables in module memory.
pub(crate) struct Kallsyms {
    /// Address of the `Elf64_Sym` array.
    pub(crate) symtab: u64,
    /// Number of symbols.
    pub(crate) count: u32,
    /// Address of the string table.
    pub(crate) strtab: u64,
    /// Address of the type table.
    pub(crate) typetab: u64,
}

impl Kallsyms {
    fn to_raw(&self) -> bindings::mod_kallsyms {
        bindings::mod_kallsyms {
            symtab: self.symtab as *mut bindings::elf64_sym,
            num_symtab: self.count,
            strtab: self.strtab as *mut c_char,
            typetab: self.typetab as *mut c_char,
        }
    }
}

/// The memory regions of a module being loaded, indexed by memory type.
pub(crate) type Regions = [Option<ModMem>; MEM_TYPES];

/// The ELF description handed to the C side.
pub(crate) struct Elf<'a> {
    raw: bindings::rloader_elf,
    _image: core::marker::PhantomData<&'a [u8]>,
}

impl<'a> Elf<'a> {
    /// Describes `image`, whose section headers (with final addresses) are `sechdrs`.
    ///
    /// `sechdrs` must outlive every use of the returned value by the interface; it is borrowed
    /// mutably because the C side may adjust the entries it owns.
    pub(crate) fn new(
        image: &'a [u8],
        sechdrs: &'a mut [SectionHeader],
        modinfo: usize,
        percpu: usize,
    ) -> Result<Self> {
        let modinfo_idx = u32::try_from(modinfo).map_err(|_| EINVAL)?;
        let pcpu_idx = u32::try_from(percpu).map_err(|_| EINVAL)?;
        Ok(Self {
            raw: bindings::rloader_elf {
                hdr: image.as_ptr().cast(),
                len: image.len() as c_ulong,
                sechdrs: sechdrs.as_mut_ptr(),
                modinfo_idx,
                pcpu_idx,
                percpu: core::ptr::null_mut(),
            },
            _image: core::marker::PhantomData,
        })
    }
}

/// A module on the kernel's module list, not yet formed, whose memory the kernel owns.
///
/// # Invariants
///
/// `module` points to the module's own `struct module` inside its `MOD_DATA` region, for which
/// `rloader_module_reserve()` succeeded, and neither `rloader_module_abort()` nor
/// `rloader_module_formed()` has been called yet. `regions` are its memory regions, still
/// writable.
pub(crate) struct Reserved {
    module: NonNull<bindings::module>,
    regions: [(u64, usize); MEM_TYPES],
}

impl Reserved {
    /// Records `regions` in the `struct module` at `module` and adds the module to the list.
    ///
    /// On failure the regions are freed.
    ///
    /// # Safety
    ///
    /// `module` must point to the module's `struct module` (its `.gnu.linkonce.this_module`
    /// section, `MODULE_STRUCT_SIZE` bytes, suitably aligned) inside the `MemType::Data`
    /// region of `regions`, and `elf` must describe the image with every placed section at
    /// its final address in `regions`.
    pub(crate) unsafe fn reserve(
        module: NonNull<bindings::module>,
        elf: &mut Elf<'_>,
        regions: Regions,
    ) -> Result<Self> {
        let m = module.as_ptr();
        // SAFETY: The caller guarantees `m` points to a `struct module` in memory we own and
        // nothing else accesses yet.
        let mems = unsafe { &mut (*m).mem };
        for (slot, region) in mems.iter_mut().zip(regions.iter()) {
            if let Some(r) = region {
                slot.base = r.addr() as *mut c_void;
                slot.size = u32::try_from(r.size()).map_err(|_| ENOMEM)?;
            }
        }
        // SAFETY: `m` and `elf.raw` satisfy the function's contract by the caller's
        // guarantees; on failure the caller (we) still owns the memory.
        to_result(unsafe { bindings::rloader_module_reserve(m, &mut elf.raw) })?;
        let mut raw_regions = [(0u64, 0usize); MEM_TYPES];
        for (slot, region) in raw_regions.iter_mut().zip(regions) {
            if let Some(r) = region {
                let (ptr, size) = r.into_raw();
                *slot = (ptr.as_ptr() as u64, size);
            }
        }
        // INVARIANT: `rloader_module_reserve()` succeeded; the memory now belongs to the
        // module.
        Ok(Self {
            module,
            regions: raw_regions,
        })
    }

    /// The address of the module's per-CPU area (0 if it has none).
    pub(crate) fn percpu_base(elf: &Elf<'_>) -> u64 {
        elf.raw.percpu as u64
    }

    /// The bytes of region `mem`, still writable because the module is not formed.
    pub(crate) fn region_mut(&mut self, mem: MemType) -> Option<&mut [u8]> {
        let &(addr, size) = self.regions.get(mem.index())?;
        if addr == 0 {
            return None;
        }
        // SAFETY: By the type invariant the region is `size` bytes of the module's memory; the
        // module is unformed, so nothing else accesses it, and `&mut self` makes this the only
        // Rust reference.
        Some(unsafe { core::slice::from_raw_parts_mut(addr as *mut u8, size) })
    }

    /// Binds `name` to an export of the kernel or a module, recording the dependency.
    ///
    /// Returns the address, or the negative errno of the lookup.
    pub(crate) fn resolve(&self, elf: &Elf<'_>, name: &CStr) -> core::result::Result<u64, i32> {
        let mut value: c_ulong = 0;
        // SAFETY: By the type invariant the module is reserved; `name` is NUL-terminated and
        // `value` is a valid out pointer.
        let ret = unsafe {
            bindings::rloader_resolve_symbol(
                self.module.as_ptr(),
                &elf.raw,
                name.as_char_ptr(),
                &mut value,
            )
        };
        if ret < 0 {
            Err(ret)
        } else {
            Ok(value as u64)
        }
    }

    /// The base addresses of the regions (0 for an empty one).
    pub(crate) fn bases(&self) -> [u64; MEM_TYPES] {
        self.regions.map(|(addr, _)| addr)
    }

    /// The bytes of two different regions at once.
    pub(crate) fn two_regions_mut(
        &mut self,
        a: MemType,
        b: MemType,
    ) -> Option<(&mut [u8], &mut [u8])> {
        if a == b {
            return None;
        }
        let &(addr_a, size_a) = self.regions.get(a.index())?;
        let &(addr_b, size_b) = self.regions.get(b.index())?;
        if addr_a == 0 || addr_b == 0 {
            return None;
        }
        // SAFETY: By the type invariant both are regions of the unformed module, which nothing
        // else accesses; they are different allocations, so the slices do not overlap, and
        // `&mut self` makes them the only Rust references.
        unsafe {
            Some((
                core::slice::from_raw_parts_mut(addr_a as *mut u8, size_a),
                core::slice::from_raw_parts_mut(addr_b as *mut u8, size_b),
            ))
        }
    }

    /// Installs the module's kallsyms tables: `full` (every symbol, valid until init memory is
    /// freed) with its `struct mod_kallsyms` at offset `full_struct` of the init data region,
    /// and `core` (the symbols kept after init) in `struct module` itself.
    pub(crate) fn set_kallsyms(
        &mut self,
        full_struct: u64,
        full: &Kallsyms,
        core: &Kallsyms,
    ) -> Result {
        let &(base, size) = self.regions.get(MemType::InitData.index()).ok_or(EINVAL)?;
        let off = usize::try_from(full_struct).map_err(|_| EINVAL)?;
        let end = off.checked_add(MOD_KALLSYMS_SIZE).ok_or(EINVAL)?;
        let addr = base.checked_add(full_struct).ok_or(EINVAL)?;
        if base == 0
            || end > size
            || addr % (core::mem::align_of::<bindings::mod_kallsyms>() as u64) != 0
        {
            return Err(EINVAL);
        }
        let ptr = addr as *mut bindings::mod_kallsyms;
        let m = self.module.as_ptr();
        // SAFETY: `ptr` is aligned and lies inside the init data region of the unformed module
        // (checked above), which nothing else accesses; by the type invariant `m` is its
        // `struct module`, whose kallsyms fields the kernel does not read before the module
        // is formed.
        unsafe {
            ptr.write(full.to_raw());
            (*m).kallsyms = ptr;
            (*m).core_kallsyms = core.to_raw();
        }
        Ok(())
    }

    /// Runs the kernel's steps up to `MODULE_STATE_COMING` with parameters `args`.
    ///
    /// On failure the kernel has torn the module down.
    pub(crate) fn form(self, elf: &Elf<'_>, args: &CStr) -> Result<Formed> {
        let this = core::mem::ManuallyDrop::new(self);
        let mut freeinit: *mut bindings::mod_initfree = core::ptr::null_mut();
        // SAFETY: By the type invariant the module is reserved and has not been formed or
        // aborted; `this` is never dropped, so abort is not called afterwards.
        to_result(unsafe {
            bindings::rloader_module_formed(
                this.module.as_ptr(),
                &elf.raw,
                args.as_char_ptr(),
                &mut freeinit,
            )
        })?;
        // INVARIANT: `rloader_module_formed()` succeeded.
        Ok(Formed {
            module: this.module,
            freeinit,
        })
    }
}

impl Drop for Reserved {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the module is reserved and not yet formed or aborted;
        // after the drop no one uses it.
        unsafe { bindings::rloader_module_abort(self.module.as_ptr()) };
    }
}

/// A module in `MODULE_STATE_COMING`, ready for its init function.
///
/// # Invariants
///
/// `rloader_module_formed()` succeeded for `module` and returned `freeinit`, and
/// `rloader_module_live()` has not been called yet.
pub(crate) struct Formed {
    module: NonNull<bindings::module>,
    freeinit: *mut bindings::mod_initfree,
}

impl Formed {
    /// The module's `struct module` address, as an identity.
    pub(crate) fn id(&self) -> usize {
        self.module.as_ptr() as usize
    }

    /// Calls the module's init function and makes the module live, or tears it down if init
    /// fails; returns init's error in that case.
    pub(crate) fn run_init(self) -> Result {
        let m = self.module.as_ptr();
        // SAFETY: By the type invariant `m` is a formed module, whose `init` field holds its
        // relocated init function or NULL.
        let init = unsafe { (*m).init };
        let ret = match init {
            // SAFETY: The module is COMING: its text is mapped executable and its constructors
            // ran, which is when the kernel calls init.
            Some(f) => unsafe { f() },
            None => 0,
        };
        // SAFETY: By the type invariant the module is formed and `freeinit` is what
        // `rloader_module_formed()` returned; `self` is consumed, so this is the only call.
        to_result(unsafe { bindings::rloader_module_live(m, self.freeinit, ret) })
    }
}
