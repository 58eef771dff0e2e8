// SPDX-License-Identifier: GPL-2.0

//! The list of modules rloader loaded, for diagnostics (reading `/dev/rloader`).
//!
//! The list is not a registry the kernel depends on: the modules are on the kernel's own
//! module list and unload through it. An entry is added once a module is formed and dropped
//! by a module notifier when the module goes away, whoever unloads it.

use crate::engine::{MemType, MEM_TYPES};
use core::{fmt, pin::Pin};
use kernel::{
    bindings,
    ffi::{c_int, c_ulong, c_void},
    new_mutex,
    prelude::*,
    sync::Mutex,
    types::Opaque,
};

/// What the listing says about one module.
#[derive(Clone, Copy)]
pub(crate) struct Entry {
    /// The module's `struct module`, as an identity only (never dereferenced).
    pub(crate) module: usize,
    /// The module name, NUL-padded.
    pub(crate) name: [u8; 56],
    /// The base address of each memory region (0 if empty).
    pub(crate) bases: [u64; MEM_TYPES],
    /// The size of each memory region.
    pub(crate) sizes: [u64; MEM_TYPES],
    /// Relocations applied.
    pub(crate) relocations: usize,
    /// Undefined symbols bound to exports.
    pub(crate) bound: usize,
    /// Nanoseconds the load took, init included once it ran.
    pub(crate) load_ns: i64,
}

/// The modules rloader loaded that are still there.
#[pin_data(PinnedDrop)]
pub(crate) struct Registry {
    #[pin]
    entries: Mutex<KVec<Entry>>,
    #[pin]
    notifier: Opaque<bindings::notifier_block>,
}

// SAFETY: The notifier block is only written before registration (in `new`) and read by the
// notifier chain under its own lock; the entries are behind a mutex.
unsafe impl Send for Registry {}

// SAFETY: See `Send`: all shared access goes through the mutex or the notifier chain.
unsafe impl Sync for Registry {}

/// The module notifier callback: forgets a module when it goes away.
///
/// # Safety
///
/// `nb` must be the `notifier` field of a registered [`Registry`], and `data` the
/// `struct module` the notification is about.
unsafe extern "C" fn module_event(
    nb: *mut bindings::notifier_block,
    action: c_ulong,
    data: *mut c_void,
) -> c_int {
    if action == bindings::module_state_MODULE_STATE_GOING as c_ulong {
        let nb = nb.cast::<Opaque<bindings::notifier_block>>();
        // SAFETY: By the function's contract `nb` is the `notifier` field of a `Registry`,
        // which stays alive while it is registered, i.e. during every call.
        let registry = unsafe { &*kernel::container_of!(nb, Registry, notifier) };
        registry.forget(data as usize);
    }
    bindings::NOTIFY_OK as c_int
}

impl Registry {
    /// Creates the registry and registers its module notifier.
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            entries <- new_mutex!(KVec::new(), "rloader::Registry::entries"),
            notifier <- Opaque::ffi_init(|nb: *mut bindings::notifier_block| {
                // SAFETY: `nb` is valid for writes; all zeros is a valid notifier block.
                unsafe {
                    nb.write(core::mem::zeroed());
                    (*nb).notifier_call = Some(module_event);
                }
                // SAFETY: `nb` is initialized and pinned inside the registry, and `PinnedDrop`
                // unregisters it before it goes away. Registering fails only for a block that
                // is already on the chain, which a new one is not.
                let _ = unsafe { bindings::register_module_notifier(nb) };
            }),
        }? Error)
    }

    /// Adds a module that rloader formed.
    pub(crate) fn add(&self, entry: Entry) -> Result {
        self.entries.lock().push(entry, GFP_KERNEL)?;
        Ok(())
    }

    /// Records the final load time of a module, if it is still listed.
    pub(crate) fn set_load_time(&self, module: usize, load_ns: i64) {
        if let Some(e) = self.entries.lock().iter_mut().find(|e| e.module == module) {
            e.load_ns = load_ns;
        }
    }

    /// Drops the entry of `module`, if any.
    fn forget(&self, module: usize) {
        let mut entries = self.entries.lock();
        let mut kept = 0;
        for i in 0..entries.len() {
            let Some(&e) = entries.get(i) else { break };
            if e.module != module {
                if let Some(slot) = entries.get_mut(kept) {
                    *slot = e;
                }
                kept += 1;
            }
        }
        // SAFETY: `kept` <= the length, and the first `kept` elements are initialized
        // (`Entry` is `Copy`, so nothing is dropped).
        unsafe { entries.set_len(kept) };
    }

    /// Writes the listing: a header line, then one line per module.
    pub(crate) fn list(&self, out: &mut KVec<u8>) -> Result {
        let mut w = VecWriter(out);
        let res = (|| -> fmt::Result {
            fmt::Write::write_str(
                &mut w,
                "# name text_base text data rodata ro_after_init relocations symbols load_us\n",
            )?;
            for e in self.entries.lock().iter() {
                let end = e.name.iter().position(|&c| c == 0).unwrap_or(e.name.len());
                let size = |m: MemType| e.sizes.get(m.index()).copied().unwrap_or(0);
                fmt::Write::write_fmt(
                    &mut w,
                    format_args!(
                        "{} {:#x} {} {} {} {} {} {} {}\n",
                        crate::engine::error::Name(e.name.get(..end).unwrap_or(&[])),
                        e.bases.get(MemType::Text.index()).copied().unwrap_or(0),
                        size(MemType::Text),
                        size(MemType::Data),
                        size(MemType::Rodata),
                        size(MemType::RoAfterInit),
                        e.relocations,
                        e.bound,
                        e.load_ns / 1000
                    ),
                )?;
            }
            Ok(())
        })();
        res.map_err(|_| ENOMEM)
    }
}

#[pinned_drop]
impl PinnedDrop for Registry {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: The notifier was registered by `new` (a `Registry` only exists if that
        // succeeded) and is unregistered only here.
        unsafe { bindings::unregister_module_notifier(self.notifier.get()) };
    }
}

/// Appends formatted text to a vector.
struct VecWriter<'a>(&'a mut KVec<u8>);

impl fmt::Write for VecWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0
            .extend_from_slice(s.as_bytes(), GFP_KERNEL)
            .map_err(|_| fmt::Error)
    }
}
