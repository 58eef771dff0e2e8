// SPDX-License-Identifier: GPL-2.0

//! rloader: a kernel module loader written in Rust.
//!
//! The module registers the misc device `/dev/rloader` (mode 0600). A process with
//! `CAP_SYS_MODULE` writes a module image (a `.ko` file, signed or not, or compressed in the
//! format the kernel decompresses modules from) to it, in chunks of any size:
//! `cat mod.ko > /dev/rloader`. As soon as the image is complete (see
//! [`engine::completion`]: at the end of a compressed stream, at a signature trailer, at the
//! extent of the ELF object where the kernel does not check signatures, and otherwise at the
//! close) rloader loads it, and the write (or the close) that completed it returns the result
//! of the load. Closing a file whose image never became complete fails with `ENODATA`.
//!
//! The `RLOADER_IOC_UNLOAD` ioctl unloads a module by name, like `delete_module(2)`;
//! `RLOADER_IOC_SET_ARGS` passes parameters; `RLOADER_IOC_SET_MAX_SIZE` sets the image size
//! limit of an open file (64 MiB by default). Reading the device lists the modules rloader
//! loaded that are still loaded, with their regions, relocation counts and load times.
//!
//! See `Documentation/rloader/index.rst`.

use core::{
    pin::Pin,
    sync::atomic::{AtomicPtr, Ordering},
};
use kernel::{
    alloc::VVec,
    c_str,
    capability::{capable, Capability},
    fs::File,
    ioctl::_IOW,
    miscdevice::{MiscDevice, MiscDeviceOptions, MiscDeviceRegistration},
    new_mutex,
    prelude::*,
    str::CStr,
    sync::{
        lock::{mutex::MutexBackend, Guard},
        Mutex,
    },
    uaccess::{UserSlice, UserSliceReader, UserSliceWriter},
};

pub mod engine;
mod kapi;
mod loader;
mod registry;

use engine::MODULE_NAME_LEN;
use kapi::{ModuleEvent, ModuleNotifier};
use registry::Registry;

module! {
    type: RLoader,
    name: "rloader",
    author: "rloader developers",
    description: "Kernel module loader written in Rust",
    license: "GPL",
}

/// rloader calls the loader registration interface, exported into the `RLOADER` namespace;
/// the 6.12 `module!` macro cannot declare the import.
#[link_section = ".modinfo"]
#[used(compiler)]
static IMPORT_NS: [u8; 18] = *b"import_ns=RLOADER\0";

/// The default limit on the size of a module image, in bytes (64 MiB).
pub const DEFAULT_MAX_IMAGE_SIZE: usize = 64 * 1024 * 1024;

/// The highest limit `RLOADER_IOC_SET_MAX_SIZE` accepts (1 GiB).
pub const MAX_IMAGE_SIZE_CEILING: usize = 1024 * 1024 * 1024;

/// `O_NONBLOCK` from `<uapi/asm-generic/fcntl.h>`, the flag `rmmod` passes.
const O_NONBLOCK: u32 = 0o4000;

/// `RLOADER_IOC_UNLOAD`: unload the module whose NUL-terminated name the argument points to
/// (`char name[MODULE_NAME_LEN]`), like `delete_module(name, O_NONBLOCK)`.
pub const RLOADER_IOC_UNLOAD: u32 = _IOW::<[u8; MODULE_NAME_LEN]>(b'r' as u32, 1);

/// The size of the parameter buffer of `RLOADER_IOC_SET_ARGS`, NUL included.
pub const ARGS_LEN: usize = 1024;

/// `RLOADER_IOC_SET_ARGS`: set the parameters (`"name=value ..."`, NUL-terminated, in a
/// `char[1024]`) for the module this open file loads, like the `param_values` argument of
/// `init_module(2)`.
pub const RLOADER_IOC_SET_ARGS: u32 = _IOW::<[u8; ARGS_LEN]>(b'r' as u32, 2);

/// `RLOADER_IOC_SET_MAX_SIZE`: set the limit on the size of the module image of this open file,
/// in bytes (a `u64` the argument points to; 1 to 1 GiB), before its first write. Returns the
/// previous limit.
pub const RLOADER_IOC_SET_MAX_SIZE: u32 = _IOW::<u64>(b'r' as u32, 3);

/// The module: owns the registration of `/dev/rloader`, the module notifier and the list of
/// loaded modules (dropped in that order).
struct RLoader {
    _dev: Pin<KBox<MiscDeviceRegistration<RLoaderFile>>>,
    _notifier: Pin<KBox<ModuleNotifier>>,
    _registry: Pin<KBox<Registry>>,
}

/// The list of modules rloader loaded; set while the module is initialized.
static REGISTRY: AtomicPtr<Registry> = AtomicPtr::new(core::ptr::null_mut());

/// The list of modules rloader loaded.
fn registry() -> Result<&'static Registry> {
    let ptr = REGISTRY.load(Ordering::Acquire);
    // SAFETY: A non-null pointer was stored by `RLoader::init` and points to the pinned registry
    // that `RLoader` owns until the module exits, when it is cleared first. File operations,
    // the only callers, run only while the module is live: the device's owner is this module.
    unsafe { ptr.as_ref() }.ok_or(ENODEV)
}

/// Forgets a module in the listing when it goes away.
fn module_event(event: ModuleEvent, module: usize) {
    if event == ModuleEvent::Going {
        if let Ok(registry) = registry() {
            registry.forget(module);
        }
    }
}

impl kernel::Module for RLoader {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let registry = KBox::pin_init(Registry::new(), GFP_KERNEL)?;
        REGISTRY.store(
            (&*registry as *const Registry).cast_mut(),
            Ordering::Release,
        );
        let clear = |_: &Error| REGISTRY.store(core::ptr::null_mut(), Ordering::Release);
        let notifier =
            KBox::pin_init(ModuleNotifier::new(module_event), GFP_KERNEL).inspect_err(clear)?;
        let opts = MiscDeviceOptions {
            name: c_str!("rloader"),
            mode: 0o600,
        };
        let dev = KBox::pin_init(MiscDeviceRegistration::register(opts, module), GFP_KERNEL)
            .inspect_err(clear)?;
        Ok(RLoader {
            _dev: dev,
            _notifier: notifier,
            _registry: registry,
        })
    }
}

impl Drop for RLoader {
    fn drop(&mut self) {
        REGISTRY.store(core::ptr::null_mut(), Ordering::Release);
    }
}

/// Whether the kernel checks module signatures: then an image is the whole file, signature
/// included (see [`engine::completion`]).
const SIGNATURES: bool = cfg!(CONFIG_MODULE_SIG);

/// How much compressed input one call of the decompressor takes: the bound on the memory
/// the compressed file occupies.
#[cfg(CONFIG_MODULE_DECOMPRESS)]
const COMPRESSED_CHUNK: usize = 16 * 1024;

/// What the bytes written so far are.
enum Input {
    /// The first bytes, too few to tell a compressed file from an ELF object.
    Undecided {
        magic: [u8; engine::extent::MAGIC_MAX],
        len: usize,
    },
    /// An uncompressed image, collected in `Image::bytes`.
    Elf,
    /// A compressed file, decompressed into `Image::bytes` as it arrives.
    #[cfg(CONFIG_MODULE_DECOMPRESS)]
    Compressed {
        decompressor: kapi::Decompressor,
        chunk: KVec<u8>,
    },
}

/// How a write left the image.
enum Progress {
    /// More bytes are needed (or the close, see [`engine::Completion::AtClose`]).
    More,
    /// The image is complete: load it.
    Complete,
}

/// The image being written through one open file.
struct Image {
    /// What the bytes written so far are.
    input: Input,
    /// The image (decompressed, if the file is compressed) received so far, in vmalloc
    /// memory as `kernel_read_file()` reads a module into: page-granular, where
    /// `kvmalloc()` would first try the page allocator for a power-of-two block (256 KiB for
    /// an image of 150 KiB).
    bytes: VVec<u8>,
    /// How many bytes the image needs, as far as its headers tell yet.
    needed: usize,
    /// Where the ELF object ends, once its headers are in: the image is complete at the
    /// close unless a signature ends it first.
    elf_end: Option<usize>,
    /// The image was complete and handed to the loader.
    done: bool,
    /// Later writes are the rest of a file whose module was loaded, bytes the kernel's
    /// loader ignores too: accepted and dropped.
    discard: bool,
    /// The module parameters, NUL-terminated (empty: none).
    args: KVec<u8>,
    /// The limit on the image's size (decompressed), in bytes.
    max: usize,
}

/// The state of one open file of `/dev/rloader`.
#[pin_data]
struct RLoaderFile {
    #[pin]
    image: Mutex<Image>,
}

/// Makes room in `bytes` for `len` bytes in total, growing the buffer geometrically (so that
/// many small writes copy every byte a bounded number of times) but never beyond
/// `max` or, once it is known, the image's extent `needed`.
fn grow(bytes: &mut VVec<u8>, len: usize, needed: usize, max: usize) -> Result {
    let cap = bytes.capacity();
    if len <= cap {
        return Ok(());
    }
    let limit = if needed >= len { needed } else { max };
    let target = cap.saturating_mul(2).max(len).max(4096).min(limit).max(len);
    let additional = target.checked_sub(bytes.len()).ok_or(EINVAL)?;
    if target >= cap.saturating_mul(2) {
        // `reserve` allocates `max(2 * cap, len + additional)` == `target`.
        bytes.reserve(additional, GFP_KERNEL_ACCOUNT)?;
    } else {
        // Doubling would exceed the limit: allocate exactly the target.
        let mut bigger = VVec::with_capacity(target, GFP_KERNEL_ACCOUNT)?;
        bigger.extend_from_slice(bytes, GFP_KERNEL_ACCOUNT)?;
        *bytes = bigger;
    }
    Ok(())
}

/// Refuses an image larger than the limit.
fn too_large(max: usize) -> Error {
    pr_err!("image too large: more than the limit of {} bytes\n", max);
    EFBIG
}

impl Image {
    fn new() -> Self {
        Image {
            input: Input::Undecided {
                magic: [0; engine::extent::MAGIC_MAX],
                len: 0,
            },
            bytes: VVec::new(),
            needed: 0,
            elf_end: None,
            done: false,
            discard: false,
            args: KVec::new(),
            max: DEFAULT_MAX_IMAGE_SIZE,
        }
    }

    /// Whether bytes after the complete image may still come: after the extent of an ELF
    /// object where the kernel does not check signatures (a signature it ignores), or after
    /// the end of a compressed stream.
    fn may_trail(&self) -> bool {
        match self.input {
            Input::Elf => !SIGNATURES,
            #[cfg(CONFIG_MODULE_DECOMPRESS)]
            Input::Compressed { .. } => true,
            Input::Undecided { .. } => false,
        }
    }

    /// Whether nothing was written yet.
    fn is_empty(&self) -> bool {
        matches!(self.input, Input::Undecided { len: 0, .. })
    }

    /// Takes in what `buf` holds.
    fn append(&mut self, buf: &mut UserSliceReader) -> Result<Progress> {
        let (magic, len) = match &mut self.input {
            Input::Elf => return self.append_elf(buf),
            #[cfg(CONFIG_MODULE_DECOMPRESS)]
            Input::Compressed { .. } => return self.append_compressed(buf),
            Input::Undecided { magic, len } => (magic, len),
        };
        let room = magic.get_mut(*len..).ok_or(EINVAL)?;
        let n = room.len().min(buf.len());
        buf.read_slice(room.get_mut(..n).ok_or(EINVAL)?)?;
        *len += n;
        // A copy: the first bytes go on to the image or the decompressor.
        let (first, first_len) = (*magic, *len);
        let first = first.get(..first_len).ok_or(EINVAL)?;
        match engine::detect(first) {
            engine::Format::Undecided => Ok(Progress::More),
            engine::Format::Elf => {
                self.input = Input::Elf;
                // Room for all this write brings at once: one allocation for an image
                // written whole, instead of a first small one that the rest replaces.
                let len = first_len.checked_add(buf.len()).ok_or(EINVAL)?;
                if len > self.max {
                    return Err(too_large(self.max));
                }
                grow(&mut self.bytes, len, 0, self.max)?;
                self.bytes.extend_from_slice(first, GFP_KERNEL_ACCOUNT)?;
                self.append_elf(buf)
            }
            #[cfg(CONFIG_MODULE_DECOMPRESS)]
            engine::Format::Compressed(_) => {
                // The kernel's own check refuses a format it does not decompress.
                self.input = Input::Compressed {
                    decompressor: kapi::Decompressor::new(first)?,
                    chunk: KVec::from_elem(0, COMPRESSED_CHUNK, GFP_KERNEL_ACCOUNT)?,
                };
                if self.decompress(first)? {
                    return Ok(Progress::Complete);
                }
                self.append_compressed(buf)
            }
            // As finit_module(2) answers for a compressed file where the kernel does not
            // decompress modules.
            #[cfg(not(CONFIG_MODULE_DECOMPRESS))]
            engine::Format::Compressed(c) => {
                pr_err!(
                    "invalid module image: {} compressed, but this kernel does not decompress modules (CONFIG_MODULE_DECOMPRESS)\n",
                    c.name()
                );
                Err(kapi::eopnotsupp())
            }
        }
    }

    /// Appends what `buf` holds to an uncompressed image.
    fn append_elf(&mut self, buf: &mut UserSliceReader) -> Result<Progress> {
        let count = buf.len();
        let old_len = self.bytes.len();
        let max = self.max;
        let new_len = match old_len.checked_add(count) {
            Some(n) if n <= max => n,
            _ => return Err(too_large(max)),
        };
        grow(&mut self.bytes, new_len, self.needed, max)?;
        let spare = self
            .bytes
            .spare_capacity_mut()
            .get_mut(..count)
            .ok_or(ENOMEM)?;
        buf.read_raw(spare)?;
        // SAFETY: `grow` made the capacity at least `new_len`, and `read_raw` succeeded, so
        // the `count` elements after the old length are initialised.
        unsafe { self.bytes.set_len(new_len) };
        self.check_elf()
    }

    /// Tells whether the uncompressed image is complete.
    fn check_elf(&mut self) -> Result<Progress> {
        if self.bytes.len() < self.needed {
            return Ok(Progress::More);
        }
        let max = self.max;
        match engine::completion(&self.bytes, SIGNATURES, self.elf_end) {
            Ok(engine::Completion::Incomplete(n)) if n > max => {
                pr_err!(
                    "image too large: its headers need {} bytes, the limit is {}\n",
                    n,
                    max
                );
                Err(EFBIG)
            }
            Ok(engine::Completion::Incomplete(n)) => {
                self.needed = n;
                Ok(Progress::More)
            }
            Ok(engine::Completion::AtClose(end)) => {
                self.elf_end = Some(end);
                Ok(Progress::More)
            }
            Ok(engine::Completion::Complete) => Ok(Progress::Complete),
            Err(e) => {
                pr_err!("invalid module image: {}\n", e);
                Err(Error::from_errno(-e.errno()))
            }
        }
    }

    /// Decompresses what `buf` holds, a bounded chunk at a time.
    #[cfg(CONFIG_MODULE_DECOMPRESS)]
    fn append_compressed(&mut self, buf: &mut UserSliceReader) -> Result<Progress> {
        while !buf.is_empty() {
            let Input::Compressed { chunk, .. } = &mut self.input else {
                return Err(EINVAL);
            };
            let n = buf.len().min(COMPRESSED_CHUNK);
            buf.read_slice(chunk.get_mut(..n).ok_or(EINVAL)?)?;
            let input = core::mem::take(chunk);
            let ended = self.decompress(input.get(..n).ok_or(EINVAL)?);
            if let Input::Compressed { chunk, .. } = &mut self.input {
                // Keep the buffer for the next chunk.
                *chunk = input;
            }
            if ended? {
                // Bytes after the end of the compressed stream are ignored, as by the
                // kernel's own decompression.
                return Ok(Progress::Complete);
            }
        }
        Ok(Progress::More)
    }

    /// Decompresses `input` into the image; returns whether the compressed stream ended.
    #[cfg(CONFIG_MODULE_DECOMPRESS)]
    fn decompress(&mut self, input: &[u8]) -> Result<bool> {
        let Input::Compressed { decompressor, .. } = &mut self.input else {
            return Err(EINVAL);
        };
        let max = self.max;
        let mut in_pos = 0;
        loop {
            let len = self.bytes.len();
            if len == self.bytes.capacity() && len < max {
                let want = len.saturating_add(len.max(64 * 1024)).min(max);
                grow(&mut self.bytes, want, 0, max)?;
            }
            let mut out_pos = 0;
            let before = in_pos;
            let ended = decompressor.run(
                input,
                &mut in_pos,
                self.bytes.spare_capacity_mut(),
                &mut out_pos,
            )?;
            // SAFETY: The decompressor initialised the first `out_pos` spare elements.
            unsafe { self.bytes.set_len(len + out_pos) };
            if ended {
                return Ok(true);
            }
            if in_pos == input.len() {
                return Ok(false);
            }
            if in_pos == before && out_pos == 0 {
                // No room left to decompress into.
                return Err(too_large(max));
            }
        }
    }
}

/// Loads the complete image of a file, whose lock `image` holds: the lock is dropped before the
/// load, and the file takes no more bytes.
fn start(mut image: Guard<'_, Image, MutexBackend>) -> Result {
    image.done = true;
    image.input = Input::Elf;
    let bytes = core::mem::replace(&mut image.bytes, VVec::new());
    let args = core::mem::take(&mut image.args);
    drop(image);
    let args = match args.last() {
        Some(0) => CStr::from_bytes_with_nul(&args)?,
        _ => c_str!(""),
    };
    loader::load(bytes, args, registry()?)
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
                image <- new_mutex!(Image::new(), "RLoaderFile::image"),
            }? Error),
            GFP_KERNEL,
        )
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
        if image.done {
            if image.discard {
                return Ok(count);
            }
            pr_err!("the image of this file was already loaded; open the device again\n");
            return Err(EBUSY);
        }
        match image.append(&mut buf) {
            Ok(Progress::More) => Ok(count),
            Ok(Progress::Complete) => {
                let trail = image.may_trail();
                start(image)?;
                if trail {
                    device.image.lock().discard = true;
                }
                Ok(count)
            }
            Err(e) => {
                // A refused image cannot become valid: stop collecting it.
                image.done = true;
                image.bytes = VVec::new();
                image.input = Input::Elf;
                Err(e)
            }
        }
    }

    fn read(
        _device: Pin<&Self>,
        file: &File,
        mut buf: UserSliceWriter,
        pos: &mut i64,
    ) -> Result<usize> {
        let mut text = KVec::new();
        registry()?.list(&mut text, kapi::may_show_addresses(file))?;
        let start = usize::try_from(*pos).map_err(|_| EINVAL)?;
        let rest = text.get(start..).unwrap_or(&[]);
        let chunk = rest.get(..buf.len()).unwrap_or(rest);
        buf.write_slice(chunk)?;
        *pos = pos
            .checked_add(i64::try_from(chunk.len()).map_err(|_| EINVAL)?)
            .ok_or(EINVAL)?;
        Ok(chunk.len())
    }

    fn flush(device: Pin<&Self>, _file: &File) -> Result {
        let image = device.image.lock();
        if image.done || image.is_empty() {
            return Ok(());
        }
        if matches!(image.input, Input::Elf) && image.elf_end.is_some() {
            // An ELF object without a signature ending it: the file is complete now.
            return start(image);
        }
        match image.input {
            Input::Undecided { len, .. } => {
                pr_err!("incomplete module image: {} bytes received\n", len)
            }
            Input::Elf => pr_err!(
                "incomplete module image: {} of {} bytes received\n",
                image.bytes.len(),
                image.needed
            ),
            #[cfg(CONFIG_MODULE_DECOMPRESS)]
            Input::Compressed { .. } => {
                pr_err!("incomplete module image: its compressed stream did not end\n")
            }
        }
        Err(kapi::enodata())
    }

    fn ioctl(device: Pin<&Self>, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        if cmd != RLOADER_IOC_UNLOAD
            && cmd != RLOADER_IOC_SET_ARGS
            && cmd != RLOADER_IOC_SET_MAX_SIZE
        {
            return Err(ENOTTY);
        }
        if !capable(Capability::SYS_MODULE) {
            return Err(EPERM);
        }
        if cmd == RLOADER_IOC_SET_MAX_SIZE {
            let max = UserSlice::new(arg, core::mem::size_of::<u64>())
                .reader()
                .read::<u64>()?;
            let max = usize::try_from(max)
                .ok()
                .filter(|m| (1..=MAX_IMAGE_SIZE_CEILING).contains(m))
                .ok_or(EINVAL)?;
            let mut image = device.image.lock();
            if image.done || !image.is_empty() {
                return Err(EBUSY);
            }
            let old = core::mem::replace(&mut image.max, max);
            return isize::try_from(old).map_err(|_| EINVAL);
        }
        if cmd == RLOADER_IOC_SET_ARGS {
            let mut buf = KVec::from_elem(0u8, ARGS_LEN, GFP_KERNEL)?;
            UserSlice::new(arg, ARGS_LEN)
                .reader()
                .read_slice(&mut buf)?;
            let end = buf.iter().position(|&c| c == 0).ok_or(EINVAL)?;
            let mut args = KVec::new();
            args.extend_from_slice(buf.get(..=end).ok_or(EINVAL)?, GFP_KERNEL)?;
            let mut image = device.image.lock();
            if image.done || !image.is_empty() {
                return Err(EBUSY);
            }
            image.args = args;
            return Ok(0);
        }
        let mut name = [0u8; MODULE_NAME_LEN];
        UserSlice::new(arg, MODULE_NAME_LEN)
            .reader()
            .read_slice(&mut name)?;
        let end = name.iter().position(|&c| c == 0).ok_or(EINVAL)?;
        let name = CStr::from_bytes_with_nul(name.get(..=end).ok_or(EINVAL)?)?;
        kapi::delete(name, O_NONBLOCK).inspect_err(|e| {
            pr_err!("{}: cannot unload (error {})\n", name, e.to_errno());
        })?;
        Ok(0)
    }
}
