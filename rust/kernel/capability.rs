// SPDX-License-Identifier: GPL-2.0

//! POSIX capabilities.
//!
//! C header: [`include/linux/capability.h`](srctree/include/linux/capability.h)

use crate::bindings;

/// A POSIX capability, as checked by [`capable`].
///
/// C header: [`include/uapi/linux/capability.h`](srctree/include/uapi/linux/capability.h)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capability(i32);

impl Capability {
    /// `CAP_SYS_MODULE`: insert and remove kernel modules.
    pub const SYS_MODULE: Self = Self(bindings::CAP_SYS_MODULE as i32);

    /// `CAP_SYS_ADMIN`: a broad set of system administration operations.
    pub const SYS_ADMIN: Self = Self(bindings::CAP_SYS_ADMIN as i32);

    /// Returns the C number of the capability (`CAP_*`).
    pub const fn as_raw(self) -> i32 {
        self.0
    }
}

/// Returns whether the current task has capability `cap` in the initial user namespace.
///
/// Like the C function, this marks the task as having used the capability (`PF_SUPERPRIV`) when
/// it succeeds, and an LSM may deny it.
///
/// C header: [`include/linux/capability.h`](srctree/include/linux/capability.h)
#[inline]
pub fn capable(cap: Capability) -> bool {
    // SAFETY: `capable` may be called from any process context with any capability number;
    // `Capability` only holds valid ones.
    unsafe { bindings::capable(cap.0) }
}
