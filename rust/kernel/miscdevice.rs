// SPDX-License-Identifier: GPL-2.0

//! Miscdevice support.
//!
//! A misc device is a character device with the misc major number and a (usually dynamic) minor
//! number.  Implement [`MiscDevice`] for a type and register it with a pinned
//! [`MiscDeviceRegistration`]; the device node appears under `/dev` until the registration is
//! dropped.
//!
//! C headers: [`include/linux/miscdevice.h`](srctree/include/linux/miscdevice.h).
//!
//! Reference: <https://www.kernel.org/doc/html/latest/driver-api/misc_devices.html>

use crate::{
    alloc::{flags::GFP_KERNEL, KBox},
    bindings,
    error::{to_result, Error, Result, VTABLE_DEFAULT_ERROR},
    ffi::{c_char, c_int, c_long, c_uint, c_ulong},
    fs::File,
    init::{pin_init_from_closure, PinInit},
    prelude::*,
    str::CStr,
    types::{ForeignOwnable, Opaque},
    uaccess::{UserSlice, UserSliceReader, UserSliceWriter},
    ThisModule,
};
use core::{marker::PhantomData, ptr::NonNull};

/// Options for creating a misc device.
#[derive(Copy, Clone)]
pub struct MiscDeviceOptions {
    /// The name of the device node (`/dev/<name>`).
    pub name: &'static CStr,
    /// The permission bits of the device node (for example `0o600`); `0` keeps the default.
    pub mode: u16,
}

impl MiscDeviceOptions {
    /// Creates a raw `struct miscdevice` ready for registration, using the file operations at
    /// `fops`.
    pub const fn into_raw(self, fops: *const bindings::file_operations) -> bindings::miscdevice {
        // SAFETY: All zeros is a valid value for `bindings::miscdevice` (null pointers, zero
        // integers and an empty-but-unlinked list head that `misc_register` initializes).
        let mut result: bindings::miscdevice = unsafe { core::mem::zeroed() };
        result.minor = bindings::MISC_DYNAMIC_MINOR as c_int;
        result.name = self.name.as_char_ptr();
        result.mode = self.mode;
        result.fops = fops;
        result
    }
}

/// The file operations of one registration, allocated on the heap.
///
/// # Invariants
///
/// `ptr` is either `None` or comes from [`KBox::into_raw`] of a `KBox<file_operations>` owned by
/// this object.
struct FopsStorage {
    ptr: Option<NonNull<bindings::file_operations>>,
}

impl FopsStorage {
    fn new(fops: bindings::file_operations) -> Result<Self> {
        let boxed = KBox::new(fops, GFP_KERNEL)?;
        // INVARIANT: The pointer comes from `KBox::into_raw`.
        Ok(Self {
            ptr: NonNull::new(KBox::into_raw(boxed)),
        })
    }

    fn as_ptr(&self) -> *const bindings::file_operations {
        self.ptr
            .map_or(core::ptr::null(), |p| p.as_ptr().cast_const())
    }

    /// Gives up ownership without freeing: files may still point at the table.
    fn leak(&mut self) {
        self.ptr = None;
    }
}

impl Drop for FopsStorage {
    fn drop(&mut self) {
        if let Some(p) = self.ptr {
            // SAFETY: By the type invariant `p` comes from `KBox::into_raw` and is owned by us.
            drop(unsafe { KBox::from_raw(p.as_ptr()) });
        }
    }
}

/// A registration of a misc device.
///
/// The file operations of the device are built from the [`MiscDevice`] vtable of `T` when the
/// device is registered, with `owner` set to the registering module: every open file of the
/// device holds a reference on the module, so the module cannot be unloaded (and the code and
/// data behind the file freed) while the file is open.
///
/// # Invariants
///
/// - `inner` is a registered misc device (`misc_register` succeeded) whose `fops` points at the
///   table owned by `fops`, until the registration is dropped.
/// - The file operations table has `owner == module.as_ptr()` and the callbacks of `T`.
#[repr(C)]
#[pin_data(PinnedDrop)]
pub struct MiscDeviceRegistration<T> {
    #[pin]
    inner: Opaque<bindings::miscdevice>,
    fops: FopsStorage,
    module: &'static ThisModule,
    _t: PhantomData<T>,
}

// SAFETY: It is allowed to call `misc_deregister` on a different thread from where
// `misc_register` was called, and `ThisModule` is `Sync`.
unsafe impl<T> Send for MiscDeviceRegistration<T> {}

// SAFETY: All `&self` methods on this type are read-only and `misc_register`/`misc_deregister`
// serialize on the misc mutex.
unsafe impl<T> Sync for MiscDeviceRegistration<T> {}

impl<T: MiscDevice> MiscDeviceRegistration<T> {
    /// Registers a misc device owned by `module` (pass `THIS_MODULE`).
    pub fn register(
        opts: MiscDeviceOptions,
        module: &'static ThisModule,
    ) -> impl PinInit<Self, Error> {
        // The table is allocated here, so that its address is known when `inner` is
        // initialised; it moves into the registration with the `FopsStorage`.
        let fops = FopsStorage::new(create_fops::<T>(module));
        let fops_ptr = fops.as_ref().map_or(core::ptr::null(), FopsStorage::as_ptr);
        let init_inner = move |slot: *mut Opaque<bindings::miscdevice>| -> Result {
            let raw = Opaque::raw_get(slot);
            // SAFETY: `slot` is valid for writes and pinned; `fops_ptr` points at the table
            // owned by the `fops` field, initialised before `inner`, which lives as long as
            // the registration.
            unsafe { raw.write(opts.into_raw(fops_ptr)) };
            // SAFETY: `raw` points at an initialised `miscdevice` that will not move.
            to_result(unsafe { bindings::misc_register(raw) })
        };
        // SAFETY: The closure fully initialises `slot` before returning `Ok`, and leaves
        // nothing to clean up when it returns `Err`: `misc_register` undoes its own work on
        // failure.
        let inner = unsafe { pin_init_from_closure(init_inner) };
        try_pin_init!(Self {
            fops: fops?,
            module,
            _t: PhantomData,
            inner <- inner,
        }? Error)
    }

    /// Returns a raw pointer to the misc device.
    pub fn as_raw(&self) -> *mut bindings::miscdevice {
        self.inner.get()
    }

    /// Returns the module that owns the device.
    pub fn module(&self) -> &'static ThisModule {
        self.module
    }
}

#[pinned_drop]
impl<T> PinnedDrop for MiscDeviceRegistration<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: By the type invariant `inner` is registered; after this call no new file can
        // be opened through it.
        unsafe { bindings::misc_deregister(self.inner.get()) };

        let module = self.module.as_ptr();
        // Files opened earlier may still be open and use the file operations table.  Each of
        // them holds a reference on `module`, so when the module is being unloaded (the only
        // case where its reference count is known to be zero) none is left and the table can
        // be freed.  A registration dropped while its module stays loaded (or a built-in one)
        // leaks the table instead of risking a use-after-free.
        let going = !module.is_null()
            // SAFETY: `module` is `THIS_MODULE` of a loaded module, a valid object; `state` is
            // read once, as C does with `READ_ONCE`-style checks of the module state.
            && unsafe { core::ptr::addr_of!((*module).state).read_volatile() }
                == bindings::module_state_MODULE_STATE_GOING;
        if !going {
            // SAFETY: `fops` is not structurally pinned; we only update it in place.
            unsafe { self.get_unchecked_mut() }.fops.leak();
        }
    }
}

/// Trait implemented by the private data of an open misc device.
#[vtable]
pub trait MiscDevice: Sized {
    /// What kind of pointer should `Self` be wrapped in.
    type Ptr: ForeignOwnable + Send + Sync;

    /// Called when the misc device is opened.
    ///
    /// The returned pointer is stored as the private data of the file and passed to the other
    /// file operations.
    fn open(file: &File, misc: &MiscDeviceRegistration<Self>) -> Result<Self::Ptr>;

    /// Called when the last reference to the file is gone (the file is closed).
    fn release(device: Self::Ptr, _file: &File) {
        drop(device);
    }

    /// Reads from this file into `buf`, starting at `*pos`; returns the number of bytes read
    /// and advances `*pos`.
    fn read(
        _device: <Self::Ptr as ForeignOwnable>::Borrowed<'_>,
        _file: &File,
        _buf: UserSliceWriter,
        _pos: &mut i64,
    ) -> Result<usize> {
        crate::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Writes `buf` to this file at `*pos`; returns the number of bytes written.
    fn write(
        _device: <Self::Ptr as ForeignOwnable>::Borrowed<'_>,
        _file: &File,
        _buf: UserSliceReader,
        _pos: &mut i64,
    ) -> Result<usize> {
        crate::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Called on every `close()` of a file descriptor of this file (there may be several, for
    /// example after `dup()`); an error is what `close()` returns.
    fn flush(_device: <Self::Ptr as ForeignOwnable>::Borrowed<'_>, _file: &File) -> Result {
        crate::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Handles ioctls defined for this device.
    fn ioctl(
        _device: <Self::Ptr as ForeignOwnable>::Borrowed<'_>,
        _file: &File,
        _cmd: u32,
        _arg: usize,
    ) -> Result<isize> {
        crate::build_error(VTABLE_DEFAULT_ERROR)
    }

    /// Handles ioctls of 32-bit processes on a 64-bit kernel.
    ///
    /// Without this method, 32-bit processes get `ENOTTY`.
    #[cfg(CONFIG_COMPAT)]
    fn compat_ioctl(
        _device: <Self::Ptr as ForeignOwnable>::Borrowed<'_>,
        _file: &File,
        _cmd: u32,
        _arg: usize,
    ) -> Result<isize> {
        crate::build_error(VTABLE_DEFAULT_ERROR)
    }
}

/// Builds the file operations for `T`, owned by `module`.
fn create_fops<T: MiscDevice>(module: &'static ThisModule) -> bindings::file_operations {
    // SAFETY: All zeros is a valid `file_operations`: no callbacks, no owner, no flags.
    let mut fops: bindings::file_operations = unsafe { core::mem::zeroed() };
    fops.owner = module.as_ptr();
    fops.open = Some(fops_open::<T>);
    fops.release = Some(fops_release::<T>);
    if T::HAS_READ {
        fops.read = Some(fops_read::<T>);
    }
    if T::HAS_WRITE {
        fops.write = Some(fops_write::<T>);
    }
    if T::HAS_FLUSH {
        fops.flush = Some(fops_flush::<T>);
    }
    if T::HAS_IOCTL {
        fops.unlocked_ioctl = Some(fops_ioctl::<T>);
    }
    #[cfg(CONFIG_COMPAT)]
    if T::HAS_COMPAT_IOCTL {
        fops.compat_ioctl = Some(fops_compat_ioctl::<T>);
    }
    fops
}

/// # Safety
///
/// `file` and `inode` must be the file and inode of a file being opened through `misc_open`,
/// with `file->private_data` pointing at the `struct miscdevice` embedded in a live
/// `MiscDeviceRegistration<T>` (`misc_open` holds the misc mutex, so the registration cannot be
/// dropped concurrently).
unsafe extern "C" fn fops_open<T: MiscDevice>(
    _inode: *mut bindings::inode,
    raw_file: *mut bindings::file,
) -> c_int {
    // SAFETY: The caller guarantees that `raw_file` is valid for the duration of this call.
    let file = unsafe { File::from_raw_file(raw_file) };
    // SAFETY: `private_data` was set by `misc_open` to the misc device being opened.
    let misc_ptr = unsafe { (*raw_file).private_data }.cast::<Opaque<bindings::miscdevice>>();
    // SAFETY: The misc device is the `inner` field of a `MiscDeviceRegistration<T>` (only
    // `register` creates devices with these file operations), which is alive while `misc_open`
    // holds the misc mutex, i.e. for the duration of this call.
    let misc = unsafe { &*crate::container_of!(misc_ptr, MiscDeviceRegistration<T>, inner) };

    let ptr = match T::open(file, misc) {
        Ok(ptr) => ptr,
        Err(err) => return err.to_errno(),
    };

    // SAFETY: The file is being opened and not yet shared with other threads; `release`
    // reclaims the pointer with `from_foreign`.
    unsafe { (*raw_file).private_data = ptr.into_foreign().cast_mut() };
    0
}

/// # Safety
///
/// `file` must be a file of a device registered with `MiscDeviceRegistration<T>` whose `open`
/// succeeded, being released; no other file operation runs concurrently or later.
unsafe extern "C" fn fops_release<T: MiscDevice>(
    _inode: *mut bindings::inode,
    file: *mut bindings::file,
) -> c_int {
    // SAFETY: The release call of a file owns the private data that `fops_open` set.
    let private = unsafe { (*file).private_data };
    // SAFETY: `private` comes from `into_foreign` in `fops_open` and no borrow of it is alive:
    // this is the last operation on the file.
    let ptr = unsafe { <T::Ptr as ForeignOwnable>::from_foreign(private) };
    // SAFETY: The file is valid for the duration of this call.
    T::release(ptr, unsafe { File::from_raw_file(file) });
    0
}

/// Runs `f` with the borrowed private data and the [`File`] of an open file.
///
/// # Safety
///
/// `file` must be a file of a device registered with `MiscDeviceRegistration<T>` whose `open`
/// succeeded and that is not yet released; it must stay valid during the call.
unsafe fn with_device<T: MiscDevice, R>(
    file: *mut bindings::file,
    f: impl FnOnce(<T::Ptr as ForeignOwnable>::Borrowed<'_>, &File) -> R,
) -> R {
    // SAFETY: The file is valid and open, so `private_data` was set by `fops_open`.
    let private = unsafe { (*file).private_data };
    // SAFETY: `private` comes from `into_foreign` and `from_foreign` is only called in
    // `fops_release`, which cannot run while this file operation is in progress.
    let device = unsafe { <T::Ptr as ForeignOwnable>::borrow(private) };
    // SAFETY: The file is valid for the duration of this call.
    f(device, unsafe { File::from_raw_file(file) })
}

/// Converts the result of a read or write into the C return value.
fn rw_result(res: Result<usize>) -> isize {
    match res {
        Ok(n) => isize::try_from(n).unwrap_or(isize::MAX),
        Err(err) => err.to_errno() as isize,
    }
}

/// # Safety
///
/// `file` must be an open file of a `MiscDeviceRegistration<T>` device, `buf` a user pointer
/// of `count` bytes and `pos` null or valid for reads and writes for the duration of the call.
unsafe extern "C" fn fops_read<T: MiscDevice>(
    file: *mut bindings::file,
    buf: *mut c_char,
    count: usize,
    pos: *mut bindings::loff_t,
) -> isize {
    let mut stream_pos = 0;
    let pos = if pos.is_null() {
        &mut stream_pos
    } else {
        // SAFETY: The caller guarantees that a non-null `pos` is valid and exclusively ours.
        unsafe { &mut *pos }
    };
    let writer = UserSlice::new(buf as usize, count).writer();
    // SAFETY: The caller guarantees that the file is open and valid.
    rw_result(unsafe { with_device::<T, _>(file, |dev, f| T::read(dev, f, writer, pos)) })
}

/// # Safety
///
/// `file` must be an open file of a `MiscDeviceRegistration<T>` device, `buf` a user pointer
/// of `count` bytes and `pos` null or valid for reads and writes for the duration of the call.
unsafe extern "C" fn fops_write<T: MiscDevice>(
    file: *mut bindings::file,
    buf: *const c_char,
    count: usize,
    pos: *mut bindings::loff_t,
) -> isize {
    let mut stream_pos = 0;
    let pos = if pos.is_null() {
        &mut stream_pos
    } else {
        // SAFETY: The caller guarantees that a non-null `pos` is valid and exclusively ours.
        unsafe { &mut *pos }
    };
    let reader = UserSlice::new(buf as usize, count).reader();
    // SAFETY: The caller guarantees that the file is open and valid.
    rw_result(unsafe { with_device::<T, _>(file, |dev, f| T::write(dev, f, reader, pos)) })
}

/// # Safety
///
/// `file` must be an open file of a `MiscDeviceRegistration<T>` device.
unsafe extern "C" fn fops_flush<T: MiscDevice>(
    file: *mut bindings::file,
    _id: bindings::fl_owner_t,
) -> c_int {
    // SAFETY: The caller guarantees that the file is open and valid.
    match unsafe { with_device::<T, _>(file, |dev, f| T::flush(dev, f)) } {
        Ok(()) => 0,
        Err(err) => err.to_errno(),
    }
}

/// # Safety
///
/// `file` must be an open file of a `MiscDeviceRegistration<T>` device.
unsafe extern "C" fn fops_ioctl<T: MiscDevice>(
    file: *mut bindings::file,
    cmd: c_uint,
    arg: c_ulong,
) -> c_long {
    // SAFETY: The caller guarantees that the file is open and valid.
    let res = unsafe { with_device::<T, _>(file, |dev, f| T::ioctl(dev, f, cmd, arg)) };
    match res {
        Ok(ret) => ret as c_long,
        Err(err) => err.to_errno() as c_long,
    }
}

/// # Safety
///
/// `file` must be an open file of a `MiscDeviceRegistration<T>` device.
#[cfg(CONFIG_COMPAT)]
unsafe extern "C" fn fops_compat_ioctl<T: MiscDevice>(
    file: *mut bindings::file,
    cmd: c_uint,
    arg: c_ulong,
) -> c_long {
    // SAFETY: The caller guarantees that the file is open and valid.
    let res = unsafe { with_device::<T, _>(file, |dev, f| T::compat_ioctl(dev, f, cmd, arg)) };
    match res {
        Ok(ret) => ret as c_long,
        Err(err) => err.to_errno() as c_long,
    }
}
