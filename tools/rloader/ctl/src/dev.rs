// SPDX-License-Identifier: GPL-2.0

//! The requests of `/dev/rloader`: load an image with parameters, unload a
//! module by name, read the listing.
//!
//! See `Documentation/rloader/index.rst`, "The device"; the ioctl numbers
//! are those of `samples/rust/rloader/rloader.rs`.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, IntoRawFd};

/// The device.
pub(crate) const DEV: &str = "/dev/rloader";
/// `MODULE_NAME_LEN`: the size of the name buffer of `RLOADER_IOC_UNLOAD`.
pub(crate) const MODULE_NAME_LEN: usize = 56;
/// The size of the parameter buffer of `RLOADER_IOC_SET_ARGS`.
pub(crate) const ARGS_LEN: usize = 1024;

/// `_IOW(type, nr, size)` of `include/uapi/asm-generic/ioctl.h`.
const fn iow(ty: u8, nr: u8, size: usize) -> libc::c_ulong {
    (1 << 30) | ((size as libc::c_ulong) << 16) | ((ty as libc::c_ulong) << 8) | nr as libc::c_ulong
}
const RLOADER_IOC_UNLOAD: libc::c_ulong = iow(b'r', 1, MODULE_NAME_LEN);
const RLOADER_IOC_SET_ARGS: libc::c_ulong = iow(b'r', 2, ARGS_LEN);

/// Why a request failed: the step and the error.
#[derive(Debug)]
pub(crate) struct DevError {
    /// What failed: "open", "parameters", "load".
    pub(crate) step: &'static str,
    pub(crate) err: io::Error,
}

impl DevError {
    fn new(step: &'static str, err: io::Error) -> Self {
        Self { step, err }
    }

    /// The errno, if the kernel gave one.
    pub(crate) fn errno(&self) -> i32 {
        self.err.raw_os_error().unwrap_or(0)
    }
}

fn open_dev() -> Result<File, DevError> {
    OpenOptions::new()
        .write(true)
        .open(DEV)
        .map_err(|e| DevError::new("open", e))
}

/// Loads the module in `image` with the parameters `args` ("a=1 b=2").
/// The load happens in the write that completes the image; a short image
/// fails at close with `ENODATA`, which `File`'s drop would swallow, so
/// the descriptor is closed by hand.
pub(crate) fn load(image: &[u8], args: &str) -> Result<(), DevError> {
    let mut f = open_dev()?;
    if !args.is_empty() {
        let mut buf = [0u8; ARGS_LEN];
        if args.len() >= ARGS_LEN {
            return Err(DevError::new(
                "parameters",
                io::Error::from_raw_os_error(libc::E2BIG),
            ));
        }
        buf[..args.len()].copy_from_slice(args.as_bytes());
        // SAFETY: RLOADER_IOC_SET_ARGS reads ARGS_LEN bytes from `buf`,
        // which has that many; `f` is an open descriptor.
        if unsafe { libc::ioctl(f.as_raw_fd(), RLOADER_IOC_SET_ARGS, buf.as_ptr()) } < 0 {
            return Err(DevError::new("parameters", io::Error::last_os_error()));
        }
    }
    f.write_all(image).map_err(|e| DevError::new("load", e))?;
    let fd = f.into_raw_fd();
    // SAFETY: `fd` is ours (taken out of the File) and closed exactly once.
    if unsafe { libc::close(fd) } < 0 {
        return Err(DevError::new("load", io::Error::last_os_error()));
    }
    Ok(())
}

/// Unloads module `name` (`delete_module(2)` semantics: `EAGAIN` while it
/// is in use, `ENOENT` if there is none).
pub(crate) fn unload(name: &str) -> Result<(), DevError> {
    if name.len() >= MODULE_NAME_LEN || name.contains('\0') {
        return Err(DevError::new(
            "unload",
            io::Error::from_raw_os_error(libc::ENAMETOOLONG),
        ));
    }
    let f = open_dev()?;
    let mut buf = [0u8; MODULE_NAME_LEN];
    buf[..name.len()].copy_from_slice(name.as_bytes());
    // SAFETY: RLOADER_IOC_UNLOAD reads MODULE_NAME_LEN bytes from `buf`,
    // which has that many; `f` is an open descriptor.
    if unsafe { libc::ioctl(f.as_raw_fd(), RLOADER_IOC_UNLOAD, buf.as_ptr()) } < 0 {
        return Err(DevError::new("unload", io::Error::last_os_error()));
    }
    Ok(())
}

/// The device's listing: the field names of its header and one row of
/// fields per module.
pub(crate) struct Listing {
    pub(crate) fields: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// Reads the listing.
pub(crate) fn listing() -> Result<Listing, DevError> {
    let mut text = String::new();
    File::open(DEV)
        .and_then(|mut f| f.read_to_string(&mut text))
        .map_err(|e| DevError::new("open", e))?;
    let mut fields = Vec::new();
    let mut rows = Vec::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix('#') {
            fields = h.split_whitespace().map(str::to_string).collect();
        } else if !line.trim().is_empty() {
            rows.push(line.split_whitespace().map(str::to_string).collect());
        }
    }
    Ok(Listing { fields, rows })
}
