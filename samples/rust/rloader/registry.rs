// SPDX-License-Identifier: GPL-2.0

//! The list of modules rloader loaded, for diagnostics (reading `/dev/rloader`).
//!
//! The list is not a registry the kernel depends on: the modules are on the kernel's own
//! module list and unload through it. An entry is added once a module is formed and dropped
//! when a module notifier says the module goes away, whoever unloads it.

use crate::engine::{
    load::{PerStage, Stage},
    MemType, ModuleName, PerMem,
};
use core::fmt;
use kernel::{new_mutex, prelude::*, sync::Mutex};

/// What the listing says about one module.
#[derive(Clone, Copy)]
pub(crate) struct Entry {
    /// The module's `struct module`, as an identity only (never dereferenced).
    pub(crate) module: usize,
    /// The module name.
    pub(crate) name: ModuleName,
    /// The base address of its text, shown to readers allowed to see kernel addresses.
    pub(crate) text_base: usize,
    /// The size of each memory region.
    pub(crate) sizes: PerMem<u64>,
    /// Relocations applied.
    pub(crate) relocations: usize,
    /// Undefined symbols bound to exports.
    pub(crate) bound: usize,
    /// Nanoseconds each stage of the load took (all zero until the load completed).
    pub(crate) times: PerStage<u64>,
}

/// The modules rloader loaded that are still there.
#[pin_data]
pub(crate) struct Registry {
    #[pin]
    entries: Mutex<KVec<Entry>>,
}

impl Registry {
    /// Creates an empty registry.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            entries <- new_mutex!(KVec::new(), "rloader::Registry::entries"),
        })
    }

    /// Adds a module that rloader formed.
    pub(crate) fn add(&self, entry: Entry) -> Result {
        self.entries.lock().push(entry, GFP_KERNEL)?;
        Ok(())
    }

    /// Records the stage times of a completed load, if the module is still listed.
    pub(crate) fn set_times(&self, module: usize, times: PerStage<u64>) {
        if let Some(e) = self.entries.lock().iter_mut().find(|e| e.module == module) {
            e.times = times;
        }
    }

    /// Drops the entry of `module`, if any.
    pub(crate) fn forget(&self, module: usize) {
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

    /// Writes the listing: a header line, then one line per module. Text addresses are shown
    /// only if `show_addresses`, as `/proc/modules` does; otherwise as 0.
    pub(crate) fn list(&self, out: &mut KVec<u8>, show_addresses: bool) -> Result {
        let mut w = VecWriter(out);
        let res = (|| -> fmt::Result {
            fmt::Write::write_str(
                &mut w,
                "# name text_base text data rodata ro_after_init relocations symbols load_us",
            )?;
            for stage in Stage::ALL {
                fmt::Write::write_fmt(&mut w, format_args!(" {}_us", stage.name()))?;
            }
            fmt::Write::write_str(&mut w, "\n")?;
            for e in self.entries.lock().iter() {
                let base = if show_addresses { e.text_base } else { 0 };
                fmt::Write::write_fmt(
                    &mut w,
                    format_args!(
                        "{} {:#x} {} {} {} {} {} {} {}",
                        e.name,
                        base,
                        e.sizes[MemType::Text],
                        e.sizes[MemType::Data],
                        e.sizes[MemType::Rodata],
                        e.sizes[MemType::RoAfterInit],
                        e.relocations,
                        e.bound,
                        e.times.total() / 1000
                    ),
                )?;
                for (_, ns) in e.times.iter() {
                    fmt::Write::write_fmt(&mut w, format_args!(" {}", ns / 1000))?;
                }
                fmt::Write::write_str(&mut w, "\n")?;
            }
            Ok(())
        })();
        res.map_err(|_| ENOMEM)
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
