// SPDX-License-Identifier: GPL-2.0

//! rloader: a kernel module loader written in Rust.
//!
//! The module registers the misc device `/dev/rloader` (mode 0600).  A process with
//! `CAP_SYS_MODULE` opens it and writes a module image (a `.ko` file) to it, in chunks of any
//! size; the image is collected per open file and handed over when the file is closed.
//!
//! Reading the device returns a short status of the open file.

use core::pin::Pin;
use kernel::{
    alloc::KVVec,
    c_str, fmt,
    fs::File,
    miscdevice::{capable, Capability, MiscDevice, MiscDeviceOptions, MiscDeviceRegistration},
    new_mutex,
    prelude::*,
    str::CString,
    sync::Mutex,
    uaccess::{UserSliceReader, UserSliceWriter},
};

pub mod engine;

module! {
    type: RLoader,
    name: "rloader",
    author: "rloader developers",
    description: "Kernel module loader written in Rust",
    license: "GPL",
}

/// The largest module image accepted, in bytes (64 MiB).
pub const MAX_IMAGE_SIZE: usize = 64 * 1024 * 1024;

/// The initial capacity of the image buffer of an open file.
const INITIAL_CAPACITY: usize = 4096;

/// The module: owns the registration of `/dev/rloader`.
struct RLoader {
    _dev: Pin<KBox<MiscDeviceRegistration<RLoaderFile>>>,
}

impl kernel::Module for RLoader {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let opts = MiscDeviceOptions {
            name: c_str!("rloader"),
            mode: 0o600,
        };
        let dev = KBox::pin_init(MiscDeviceRegistration::register(opts, module), GFP_KERNEL)?;
        Ok(RLoader { _dev: dev })
    }
}

/// The state of one open file of `/dev/rloader`: the image written so far.
#[pin_data]
struct RLoaderFile {
    #[pin]
    image: Mutex<KVVec<u8>>,
}

/// Makes room in `image` for `len` bytes in total, growing the buffer geometrically (so that
/// many small writes copy every byte a bounded number of times) but never beyond
/// [`MAX_IMAGE_SIZE`].
fn grow(image: &mut KVVec<u8>, len: usize) -> Result {
    let cap = image.capacity();
    if len <= cap {
        return Ok(());
    }
    let wanted = cap.saturating_mul(2).max(len).max(INITIAL_CAPACITY);
    let target = if wanted > MAX_IMAGE_SIZE {
        MAX_IMAGE_SIZE
    } else {
        wanted
    };
    if target >= cap.saturating_mul(2) {
        // `reserve` allocates `max(2 * cap, image.len() + additional)` == `target`.
        let additional = target.checked_sub(image.len()).ok_or(EINVAL)?;
        image.reserve(additional, GFP_KERNEL)?;
    } else {
        // Doubling would exceed the limit: allocate exactly the limit.
        let mut bigger = KVVec::with_capacity(target, GFP_KERNEL)?;
        bigger.extend_from_slice(image, GFP_KERNEL)?;
        *image = bigger;
    }
    Ok(())
}

#[vtable]
impl MiscDevice for RLoaderFile {
    type Ptr = Pin<KBox<Self>>;

    fn open(_file: &File, _misc: &MiscDeviceRegistration<Self>) -> Result<Pin<KBox<Self>>> {
        if !capable(Capability::SYS_MODULE) {
            return Err(EPERM);
        }
        KBox::try_pin_init(
            try_pin_init!(RLoaderFile {
                image <- new_mutex!(KVVec::new(), "RLoaderFile::image"),
            }? Error),
            GFP_KERNEL,
        )
    }

    fn release(device: Pin<KBox<Self>>, _file: &File) {
        let len = device.image.lock().len();
        pr_info!("received {} bytes\n", len);
    }

    fn write(
        device: Pin<&Self>,
        _file: &File,
        mut buf: UserSliceReader,
        _pos: &mut i64,
    ) -> Result<usize> {
        // The writer, not only the opener, must be allowed to load modules: the file may have
        // been passed to a less privileged process.
        if !capable(Capability::SYS_MODULE) {
            return Err(EPERM);
        }
        let count = buf.len();
        let mut image = device.image.lock();
        let old_len = image.len();
        let new_len = match old_len.checked_add(count) {
            Some(n) if n <= MAX_IMAGE_SIZE => n,
            _ => {
                pr_err!(
                    "image too large: more than the limit of {} bytes\n",
                    MAX_IMAGE_SIZE
                );
                return Err(EFBIG);
            }
        };
        grow(&mut image, new_len)?;
        let spare = image.spare_capacity_mut().get_mut(..count).ok_or(ENOMEM)?;
        buf.read_raw(spare)?;
        // SAFETY: `grow` made the capacity at least `new_len`, and `read_raw` succeeded, so
        // the `count` elements after the old length are initialised.
        unsafe { image.set_len(new_len) };
        Ok(count)
    }

    fn read(
        device: Pin<&Self>,
        _file: &File,
        mut buf: UserSliceWriter,
        pos: &mut i64,
    ) -> Result<usize> {
        let len = device.image.lock().len();
        let status = CString::try_from_fmt(fmt!("received {} bytes\n", len))?;
        let bytes = status.as_bytes();
        let start = usize::try_from(*pos).map_err(|_| EINVAL)?;
        let rest = bytes.get(start..).unwrap_or(&[]);
        let chunk = rest.get(..buf.len()).unwrap_or(rest);
        buf.write_slice(chunk)?;
        *pos = pos
            .checked_add(i64::try_from(chunk.len()).map_err(|_| EINVAL)?)
            .ok_or(EINVAL)?;
        Ok(chunk.len())
    }
}
