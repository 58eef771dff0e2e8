// SPDX-License-Identifier: GPL-2.0

//! Safe wrappers for the in-kernel loader registration interface.
//!
//! C header: [`include/linux/rloader.h`](srctree/include/linux/rloader.h)
//!
//! The wrappers live in this module rather than in `rust/kernel/` on purpose: every
//! non-inline function of the kernel crate is exported to all modules, which would hand the
//! `RLOADER` namespace to everyone. This is the only file of rloader that uses `bindings`.
//!
//! A load goes through three owners of the module memory, one type each:
//!
//! 1. [`ModMem`]: a region from `rloader_alloc_mem()`, freed on drop.
//! 2. [`Reserved`]: the module is on the kernel's list (`MODULE_STATE_UNFORMED`) and the kernel
//!    owns the memory; dropping it calls `rloader_module_abort()`.
//! 3. [`Formed`]: the module is `MODULE_STATE_COMING`; [`Formed::run_init`] starts it with
//!    `rloader_module_init()`, the kernel's own `do_init_module()`, which also unwinds a
//!    failed init.

use crate::engine::{kallsyms::Tables, MemType, PerMem, MODULE_NAME_LEN};
use core::{marker::PhantomData, ptr::NonNull};
use kernel::{
    alloc::KVVec,
    bindings,
    error::to_result,
    ffi::{c_char, c_int, c_ulong, c_void},
    fs::File,
    prelude::*,
    str::CStr,
    types::Opaque,
};

/// The size of `struct module` in the running kernel.
pub(crate) const MODULE_STRUCT_SIZE: usize = core::mem::size_of::<bindings::module>();

/// The alignment of `struct module`.
pub(crate) const MODULE_STRUCT_ALIGN: usize = core::mem::align_of::<bindings::module>();

/// The offset of `name` in `struct module`.
pub(crate) const MODULE_NAME_OFFSET: usize = core::mem::offset_of!(bindings::module, name);

/// The offset of `init` in `struct module`.
pub(crate) const MODULE_INIT_OFFSET: usize = core::mem::offset_of!(bindings::module, init);

/// The offset of `exit` in `struct module`.
pub(crate) const MODULE_EXIT_OFFSET: usize = core::mem::offset_of!(bindings::module, exit);

/// The size of `struct mod_kallsyms`.
pub(crate) const MOD_KALLSYMS_SIZE: usize = core::mem::size_of::<bindings::mod_kallsyms>();

/// The alignment of `struct mod_kallsyms`.
pub(crate) const MOD_KALLSYMS_ALIGN: usize = core::mem::align_of::<bindings::mod_kallsyms>();

// The engine's name limit is the kernel's: this only compiles if `struct module`'s `name` is
// a `char[MODULE_NAME_LEN]`.
const _: fn(&bindings::module) -> &[c_char; MODULE_NAME_LEN] = |m| &m.name;

/// `ENODATA`, which `kernel::error::code` does not declare.
pub(crate) fn enodata() -> Error {
    Error::from_errno(-(bindings::ENODATA as i32))
}

/// `EOPNOTSUPP`, which `kernel::error::code` does not declare.
#[cfg(not(CONFIG_MODULE_DECOMPRESS))]
pub(crate) fn eopnotsupp() -> Error {
    Error::from_errno(-(bindings::EOPNOTSUPP as i32))
}

/// A section header as the C side reads it.
pub(crate) type SectionHeader = bindings::elf64_shdr;

/// What the policy of a load found in its image.
pub(crate) struct Admitted {
    /// The length of the ELF object: the image without the signature that may follow it.
    pub(crate) elf_len: usize,
    /// The image carries a valid signature.
    pub(crate) sig_ok: bool,
}

/// Applies the policy of `init_module(2)` to a complete image: `CAP_SYS_MODULE`,
/// `modules_disabled` and the LSM module-data hooks, then the module signature policy, before
/// anything is allocated for the module.
pub(crate) fn may_load(image: &[u8]) -> Result<Admitted> {
    let mut len = image.len() as c_ulong;
    let mut sig_ok = false;
    // SAFETY: `image` is valid for reads of `len` bytes for the duration of the call, and
    // `len` and `sig_ok` are valid for writes.
    to_result(unsafe { bindings::rloader_may_load(image.as_ptr().cast(), &mut len, &mut sig_ok) })?;
    // `c_ulong` is `usize` on 64-bit kernels.
    let elf_len: usize = len;
    if elf_len > image.len() {
        return Err(EINVAL);
    }
    Ok(Admitted { elf_len, sig_ok })
}

/// Whether the opener of `file` may see module addresses, as in `/proc/modules`
/// (`kptr_restrict`, `CAP_SYSLOG`).
pub(crate) fn may_show_addresses(file: &File) -> bool {
    // SAFETY: `file` wraps a valid `struct file` for the duration of the call.
    unsafe { bindings::rloader_may_show_addresses(file.as_raw()) }
}

/// Unloads the module called `name` like `delete_module(2)` with `flags`.
pub(crate) fn delete(name: &CStr, flags: u32) -> Result {
    // SAFETY: `name` is NUL-terminated and valid for the duration of the call.
    to_result(unsafe { bindings::rloader_module_delete(name.as_char_ptr(), flags) })
}

/// A streaming decompressor for the format the kernel decompresses modules from.
///
/// # Invariants
///
/// `ptr` was returned by `rloader_decompress_begin()` and is owned by this value.
#[cfg(CONFIG_MODULE_DECOMPRESS)]
pub(crate) struct Decompressor {
    ptr: NonNull<bindings::rloader_decompressor>,
}

// SAFETY: The decompressor's state is plain memory used by one caller at a time (`&mut self`);
// it may be freed from any task.
#[cfg(CONFIG_MODULE_DECOMPRESS)]
unsafe impl Send for Decompressor {}

#[cfg(CONFIG_MODULE_DECOMPRESS)]
impl Decompressor {
    /// Starts decompressing a file whose first bytes are `head`, if the kernel decompresses
    /// modules of its format (`EINVAL` otherwise, logged as by the kernel's loader).
    pub(crate) fn new(head: &[u8]) -> Result<Self> {
        // SAFETY: `head` is valid for reads of its length for the duration of the call.
        let ptr = kernel::error::from_err_ptr(unsafe {
            bindings::rloader_decompress_begin(head.as_ptr().cast(), head.len())
        })?;
        // INVARIANT: A pointer that is not an error is a fresh decompressor.
        Ok(Self {
            ptr: NonNull::new(ptr).ok_or(ENOMEM)?,
        })
    }

    /// Decompresses from `input[*in_pos..]` into `output[*out_pos..]`, advancing both
    /// positions; returns whether the compressed stream has ended.
    pub(crate) fn run(
        &mut self,
        input: &[u8],
        in_pos: &mut usize,
        output: &mut [core::mem::MaybeUninit<u8>],
        out_pos: &mut usize,
    ) -> Result<bool> {
        let mut s = bindings::rloader_stream {
            in_: input.as_ptr().cast(),
            in_len: input.len(),
            in_pos: *in_pos,
            out: output.as_mut_ptr().cast(),
            out_len: output.len(),
            out_pos: *out_pos,
        };
        // SAFETY: By the type invariant `ptr` is a live decompressor, used only here through
        // `&mut self`; `s` describes `input` (valid for reads) and `output` (valid for writes),
        // and the function checks the positions against the lengths.
        let ret = unsafe { bindings::rloader_decompress(self.ptr.as_ptr(), &mut s) };
        to_result(ret)?;
        if s.in_pos > input.len() || s.out_pos > output.len() {
            return Err(EINVAL);
        }
        *in_pos = s.in_pos;
        *out_pos = s.out_pos;
        Ok(ret > 0)
    }
}

#[cfg(CONFIG_MODULE_DECOMPRESS)]
impl Drop for Decompressor {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `ptr` is owned by this value, unused after the drop.
        unsafe { bindings::rloader_decompress_end(self.ptr.as_ptr()) };
    }
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
    pub(crate) fn alloc(mem: MemType, size: u64) -> Result<Self> {
        let page = kernel::page::PAGE_SIZE;
        let size = usize::try_from(size).map_err(|_| ENOMEM)?;
        let size = size.checked_next_multiple_of(page).ok_or(ENOMEM)?;
        let c_size = u32::try_from(size).map_err(|_| ENOMEM)?;
        // SAFETY: Any type and size may be passed; the function checks both.
        let ptr = unsafe { bindings::rloader_alloc_mem(mem as bindings::mod_mem_type, c_size) };
        let ptr = NonNull::new(ptr.cast::<u8>()).ok_or(ENOMEM)?;
        // INVARIANT: `ptr` is a fresh allocation of `size` bytes.
        Ok(Self { ptr, size })
    }

    /// The address of the region, for relocation arithmetic.
    pub(crate) fn address(&self) -> u64 {
        self.ptr.as_ptr() as u64
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

/// The ELF description handed to the C side, with the section header table it points to.
///
/// # Invariants
///
/// `raw.hdr` and `raw.len` describe the image borrowed for `'a`; `raw.sechdrs` points to the
/// buffer of `_sechdrs`, which is never resized; `zero_percpu` holds the zeroed per-CPU
/// template that an entry of `sechdrs` may point to.
pub(crate) struct Elf<'a> {
    raw: bindings::rloader_elf,
    _sechdrs: KVVec<SectionHeader>,
    _zero_percpu: KVVec<u8>,
    _image: PhantomData<&'a [u8]>,
}

impl<'a> Elf<'a> {
    /// Describes `image`, whose section headers with their final addresses are `sechdrs`;
    /// `zero_percpu` is a zeroed per-CPU template the per-CPU section header may point to.
    pub(crate) fn new(
        image: &'a [u8],
        mut sechdrs: KVVec<SectionHeader>,
        zero_percpu: KVVec<u8>,
        modinfo: usize,
        symtab: usize,
        percpu: usize,
        sig_ok: bool,
    ) -> Result<Self> {
        let raw = bindings::rloader_elf {
            hdr: image.as_ptr().cast(),
            len: image.len() as c_ulong,
            sechdrs: sechdrs.as_mut_ptr(),
            modinfo_idx: u32::try_from(modinfo).map_err(|_| EINVAL)?,
            sym_idx: u32::try_from(symtab).map_err(|_| EINVAL)?,
            pcpu_idx: u32::try_from(percpu).map_err(|_| EINVAL)?,
            sig_ok,
            percpu: core::ptr::null_mut(),
        };
        // INVARIANT: `raw` describes `image` and the buffer of `sechdrs`, moved in below.
        Ok(Self {
            raw,
            _sechdrs: sechdrs,
            _zero_percpu: zero_percpu,
            _image: PhantomData,
        })
    }
}

/// A region of an unformed module, by address and size.
#[derive(Clone, Copy)]
struct RawRegion {
    ptr: NonNull<u8>,
    size: usize,
}

/// A reservation on the module list, aborted on drop.
///
/// # Invariants
///
/// `rloader_module_reserve()` succeeded for `module`, and neither `rloader_module_abort()` nor
/// `rloader_module_formed()` has been called yet.
struct Reservation {
    module: NonNull<bindings::module>,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the module is reserved and not yet formed or aborted;
        // after the drop no one uses it.
        unsafe { bindings::rloader_module_abort(self.module.as_ptr()) };
    }
}

/// A module on the kernel's module list, not yet formed, whose memory the kernel owns.
///
/// # Invariants
///
/// `reservation.module` points to the module's own `struct module` inside its `MOD_DATA`
/// region and was reserved with `elf`. `regions` are its memory regions, still writable.
pub(crate) struct Reserved<'a> {
    reservation: Reservation,
    regions: PerMem<Option<RawRegion>>,
    elf: Elf<'a>,
    args: &'a CStr,
}

impl<'a> Reserved<'a> {
    /// Records `regions` in the image's `struct module` at offset `this_module` of the `Data`
    /// region and adds the module to the list; `args` are its parameters.
    ///
    /// On failure the regions are freed.
    ///
    /// # Safety
    ///
    /// The `this_module` offset of the `Data` region must hold the module's `struct module`
    /// (its `.gnu.linkonce.this_module` section, `MODULE_STRUCT_SIZE` bytes), and `elf` must
    /// describe the image with every placed section at its final address in `regions`.
    pub(crate) unsafe fn reserve(
        this_module: usize,
        mut elf: Elf<'a>,
        mut regions: PerMem<Option<ModMem>>,
        args: &'a CStr,
    ) -> Result<Self> {
        let data = regions[MemType::Data].as_mut().ok_or(ENOEXEC)?;
        let end = this_module.checked_add(MODULE_STRUCT_SIZE).ok_or(ENOEXEC)?;
        let field = data.bytes_mut().get_mut(this_module..end).ok_or(ENOEXEC)?;
        let m = field.as_mut_ptr().cast::<bindings::module>();
        if (m as usize) % MODULE_STRUCT_ALIGN != 0 {
            return Err(ENOEXEC);
        }
        // SAFETY: `m` is an aligned pointer to `MODULE_STRUCT_SIZE` bytes of the `Data` region
        // we own, which by the caller's guarantee hold the module's `struct module`; nothing
        // else accesses it yet. Every slot is written, so none keeps what the image held.
        let mems = unsafe { &mut (*m).mem };
        for (slot, (_, region)) in mems.iter_mut().zip(regions.iter()) {
            let (base, size) = match region {
                Some(r) => (r.ptr.as_ptr().cast::<c_void>(), r.size),
                None => (core::ptr::null_mut(), 0),
            };
            slot.base = base;
            slot.size = u32::try_from(size).map_err(|_| ENOMEM)?;
        }
        // SAFETY: `m` and `elf.raw` satisfy the function's contract by the caller's
        // guarantees; on failure the caller (we) still owns the memory.
        to_result(unsafe { bindings::rloader_module_reserve(m, &mut elf.raw) })?;
        let regions = regions.map(|_, r| {
            r.map(|r| {
                let (ptr, size) = r.into_raw();
                RawRegion { ptr, size }
            })
        });
        // `m` points into a region: it is not null.
        let module = NonNull::new(m).ok_or(EINVAL)?;
        // INVARIANT: `rloader_module_reserve()` succeeded; the memory now belongs to the
        // module.
        Ok(Self {
            reservation: Reservation { module },
            regions,
            elf,
            args,
        })
    }

    /// The address of the module's per-CPU area (0 if it has none), for symbol values.
    pub(crate) fn percpu_base(&self) -> u64 {
        self.elf.raw.percpu as u64
    }

    /// The bytes of every region (empty for empty memory types), still writable because the
    /// module is not formed.
    pub(crate) fn memory(&mut self) -> PerMem<&mut [u8]> {
        self.regions.map(|_, r| match r {
            // SAFETY: By the type invariant each region is `size` bytes of the unformed
            // module's memory, which nothing else accesses; the regions are different
            // allocations, so the slices do not overlap, and `&mut self` makes them the only
            // Rust references while they live.
            Some(r) => unsafe { core::slice::from_raw_parts_mut(r.ptr.as_ptr(), r.size) },
            None => &mut [],
        })
    }

    /// Binds `name` to an export of the kernel or a module, recording the dependency.
    ///
    /// Returns the address, or the error of the lookup.
    pub(crate) fn resolve(&self, name: &CStr) -> Result<u64> {
        let mut value: c_ulong = 0;
        // SAFETY: By the type invariant the module is reserved with `elf`; `name` is
        // NUL-terminated and `value` is a valid out pointer.
        let ret = unsafe {
            bindings::rloader_resolve_symbol(
                self.reservation.module.as_ptr(),
                &self.elf.raw,
                name.as_char_ptr(),
                &mut value,
            )
        };
        to_result(ret).map(|()| value as u64)
    }

    /// A pointer to `len` bytes at offset `off` of region `mem`, if they lie inside it.
    fn at(&self, mem: MemType, off: u64, len: u64) -> Result<*mut u8> {
        let r = self.regions[mem].ok_or(EINVAL)?;
        let off = usize::try_from(off).map_err(|_| EINVAL)?;
        let end = off
            .checked_add(usize::try_from(len).map_err(|_| EINVAL)?)
            .ok_or(EINVAL)?;
        if end > r.size {
            return Err(EINVAL);
        }
        // SAFETY: `off + len <= size`: the result stays inside the region's allocation.
        Ok(unsafe { r.ptr.as_ptr().add(off) })
    }

    /// Points the module at its kallsyms tables, which lie where `t` says: the full table
    /// (every symbol, valid until init memory is freed) with its `struct mod_kallsyms` in the
    /// init data region, and the core table (the symbols kept after init) in core data.
    pub(crate) fn set_kallsyms(&mut self, t: &Tables) -> Result {
        let sym = |n: usize| (n as u64).checked_mul(24).ok_or(EINVAL);
        let count = |n: usize| u32::try_from(n).map_err(|_| EINVAL);
        let full = bindings::mod_kallsyms {
            symtab: self
                .at(MemType::InitData, t.full_symtab, sym(t.full_count)?)?
                .cast(),
            num_symtab: count(t.full_count)?,
            strtab: self
                .at(MemType::InitData, t.full_strtab, t.full_strtab_size)?
                .cast::<c_char>(),
            typetab: self
                .at(MemType::InitData, t.full_typetab, t.full_count as u64)?
                .cast(),
        };
        let core = bindings::mod_kallsyms {
            symtab: self
                .at(MemType::Data, t.core_symtab, sym(t.core_count)?)?
                .cast(),
            num_symtab: count(t.core_count)?,
            strtab: self
                .at(MemType::Data, t.core_strtab, t.core_strtab_size)?
                .cast::<c_char>(),
            typetab: self
                .at(MemType::Data, t.core_typetab, t.core_count as u64)?
                .cast(),
        };
        let size = MOD_KALLSYMS_SIZE as u64;
        let ptr = self
            .at(MemType::InitData, t.full_struct, size)?
            .cast::<bindings::mod_kallsyms>();
        if (ptr as usize) % MOD_KALLSYMS_ALIGN != 0 {
            return Err(EINVAL);
        }
        let m = self.reservation.module.as_ptr();
        // SAFETY: `ptr` is aligned and lies inside the init data region of the unformed module
        // (checked by `at`), which nothing else accesses; by the type invariant `m` is its
        // `struct module`, whose kallsyms fields the kernel does not read before the module
        // is formed.
        unsafe {
            ptr.write(full);
            (*m).kallsyms = ptr;
            (*m).core_kallsyms = core;
        }
        Ok(())
    }

    /// Runs the kernel's steps up to `MODULE_STATE_COMING` with the module's parameters.
    ///
    /// On failure the kernel has torn the module down.
    pub(crate) fn form(self) -> Result<Formed> {
        let Reserved {
            reservation,
            elf,
            args,
            ..
        } = self;
        let module = reservation.module;
        // Formation either forms the module or tears it down: never abort it afterwards.
        core::mem::forget(reservation);
        // SAFETY: By the type invariant the module is reserved with `elf` and has not been
        // formed or aborted.
        to_result(unsafe {
            bindings::rloader_module_formed(module.as_ptr(), &elf.raw, args.as_char_ptr())
        })?;
        // INVARIANT: `rloader_module_formed()` succeeded.
        Ok(Formed { module })
    }
}

/// A module in `MODULE_STATE_COMING`, ready for its init function.
///
/// # Invariants
///
/// `rloader_module_formed()` succeeded for `module`, and `rloader_module_init()` has not been
/// called yet.
pub(crate) struct Formed {
    module: NonNull<bindings::module>,
}

impl Formed {
    /// The module's `struct module` address, as an identity.
    pub(crate) fn id(&self) -> usize {
        self.module.as_ptr() as usize
    }

    /// Runs the module's constructors and init function as `init_module(2)` does, and makes
    /// the module live, or tears it down if init fails; returns init's error in that case.
    pub(crate) fn run_init(self) -> Result {
        // SAFETY: By the type invariant the module is formed and not yet started; `self` is
        // consumed, so this is the only call.
        to_result(unsafe { bindings::rloader_module_init(self.module.as_ptr()) })
    }
}

/// The events of a module's life a [`ModuleNotifier`] reports.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModuleEvent {
    /// The module is going away (`MODULE_STATE_GOING`).
    Going,
    /// Anything else.
    Other,
}

/// A registered module notifier (`register_module_notifier()`), unregistered on drop.
///
/// # Invariants
///
/// `nb` is on the module notifier chain; its callback reports to `listener`.
#[pin_data(PinnedDrop)]
pub(crate) struct ModuleNotifier {
    #[pin]
    nb: Opaque<bindings::notifier_block>,
    listener: fn(ModuleEvent, usize),
}

// SAFETY: The notifier block is written only before registration and then read by the
// notifier chain under its own lock; `listener` is a plain function.
unsafe impl Send for ModuleNotifier {}

// SAFETY: See `Send`.
unsafe impl Sync for ModuleNotifier {}

impl ModuleNotifier {
    /// Registers a notifier that calls `listener` with every event and the identity (the
    /// `struct module` address) of the module it is about.
    pub(crate) fn new(listener: fn(ModuleEvent, usize)) -> impl PinInit<Self, Error> {
        let register = |slot: *mut Opaque<bindings::notifier_block>| {
            let nb = Opaque::raw_get(slot);
            // SAFETY: `nb` is valid for writes; all zeros is a valid notifier block.
            unsafe {
                nb.write(core::mem::zeroed());
                (*nb).notifier_call = Some(Self::call);
            }
            // SAFETY: `nb` is initialized and pinned inside `Self`, and `PinnedDrop`
            // unregisters it before it goes away.
            to_result(unsafe { bindings::register_module_notifier(nb) })
        };
        // `nb` comes last: once it is registered nothing can fail, so a registered block is
        // always inside a complete `Self`, whose drop unregisters it.
        try_pin_init!(Self {
            listener,
            // SAFETY: `register` initializes the whole slot when it succeeds; on failure the
            // slot holds nothing that needs dropping (`Opaque` is never dropped in place).
            nb <- unsafe { kernel::init::pin_init_from_closure(register) },
        }? Error)
    }

    /// The notifier callback.
    ///
    /// # Safety
    ///
    /// `nb` must be the `nb` field of a registered `ModuleNotifier`.
    unsafe extern "C" fn call(
        nb: *mut bindings::notifier_block,
        action: c_ulong,
        data: *mut c_void,
    ) -> c_int {
        let nb = nb.cast::<Opaque<bindings::notifier_block>>();
        // SAFETY: By the function's contract `nb` is the `nb` field of a `ModuleNotifier`,
        // which stays alive while it is registered, i.e. during every call.
        let this = unsafe { &*kernel::container_of!(nb, Self, nb) };
        let event = if action == bindings::module_state_MODULE_STATE_GOING as c_ulong {
            ModuleEvent::Going
        } else {
            ModuleEvent::Other
        };
        (this.listener)(event, data as usize);
        bindings::NOTIFY_OK as c_int
    }
}

#[pinned_drop]
impl PinnedDrop for ModuleNotifier {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: The notifier was registered by `new` (the value only exists if that
        // succeeded) and is unregistered only here.
        unsafe { bindings::unregister_module_notifier(self.nb.get()) };
    }
}
