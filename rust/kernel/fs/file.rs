// SPDX-License-Identifier: GPL-2.0

//! Files.
//!
//! C headers: [`include/linux/fs.h`](srctree/include/linux/fs.h) and
//! [`include/linux/file.h`](srctree/include/linux/file.h)

use crate::{bindings, types::Opaque};

/// Flags associated with a [`File`], as returned by [`File::flags`].
pub mod flags {
    /// The file is opened in append mode.
    pub const O_APPEND: u32 = bindings::O_APPEND;

    /// Mask for the access mode of the file (read, write or both).
    pub const O_ACCMODE: u32 = bindings::O_ACCMODE;

    /// The file is open for reading only.
    pub const O_RDONLY: u32 = bindings::O_RDONLY;

    /// The file is open for writing only.
    pub const O_WRONLY: u32 = bindings::O_WRONLY;

    /// The file is open for reading and writing.
    pub const O_RDWR: u32 = bindings::O_RDWR;

    /// Operations on the file should not block.
    pub const O_NONBLOCK: u32 = bindings::O_NONBLOCK;
}

/// A reference to a `struct file`, as the file operations of a device receive it.
///
/// The C side guarantees that the file stays valid for the duration of each file operation; a
/// `&File` therefore never outlives the callback that received it.  This type does not manage
/// the reference count of the file (`fget`/`fput`).
///
/// # Invariants
///
/// The wrapped `struct file` is valid (its reference count is non-zero) for as long as the
/// `&File` exists.
#[repr(transparent)]
pub struct File {
    inner: Opaque<bindings::file>,
}

// SAFETY: A `struct file` may be accessed from any thread; the fields `File` reads are either
// immutable after open or read with the same atomicity the C code relies on.
unsafe impl Send for File {}

// SAFETY: All methods taking `&File` are safe to call concurrently from several threads, as C
// file operations are.
unsafe impl Sync for File {}

impl File {
    /// Creates a reference to a [`File`] from a valid pointer.
    ///
    /// # Safety
    ///
    /// The caller must ensure that `ptr` points at a valid `struct file` and that the file stays
    /// valid (its reference count does not drop to zero) for the whole lifetime `'a`.
    #[inline]
    pub unsafe fn from_raw_file<'a>(ptr: *const bindings::file) -> &'a File {
        // INVARIANT: The caller guarantees that the file is valid for `'a`.
        // SAFETY: `File` is `repr(transparent)` over `Opaque<bindings::file>`, which has the
        // layout of `bindings::file`, and the caller guarantees validity for `'a`.
        unsafe { &*ptr.cast::<File>() }
    }

    /// Returns the raw `struct file` pointer.
    #[inline]
    pub fn as_raw(&self) -> *mut bindings::file {
        self.inner.get()
    }

    /// Returns the flags the file was opened with (`O_*`, see [`flags`]).
    ///
    /// The flags can change concurrently through `fcntl(F_SETFL)`; the value is a snapshot.
    #[inline]
    pub fn flags(&self) -> u32 {
        // SAFETY: The file is valid by the type invariant.  `f_flags` may be updated
        // concurrently by `fcntl(F_SETFL)`, so it is read once with a volatile load, as
        // `READ_ONCE()` does in C.
        unsafe { core::ptr::addr_of!((*self.as_raw()).f_flags).read_volatile() }
    }

    /// Returns whether the credentials the file was opened with carry capability `cap` in the
    /// initial user namespace.
    ///
    /// This checks the opener of the file, not the current task; see
    /// [`file_ns_capable()`](srctree/kernel/capability.c).
    #[inline]
    pub fn opener_capable(&self, cap: i32) -> bool {
        // SAFETY: The file is valid by the type invariant and `init_user_ns` is a static
        // object that lives forever; `file_ns_capable` only reads `f_cred`, which is immutable
        // for the lifetime of the file.
        unsafe {
            bindings::file_ns_capable(
                self.as_raw(),
                core::ptr::addr_of_mut!(bindings::init_user_ns),
                cap,
            )
        }
    }
}
