// SPDX-License-Identifier: GPL-2.0

//! Layout: assigns every allocated section a memory type and an offset,
//! following the kernel's `layout_sections()`/`__layout_sections()`.

use super::elf::*;
use super::error::Error;
use super::plan::Plan;

/// The kernel's `enum mod_mem_type`, same order and values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MemType {
    /// `MOD_TEXT`: core code, read-only + executable.
    Text = 0,
    /// `MOD_DATA`: core writable data.
    Data = 1,
    /// `MOD_RODATA`: core read-only data.
    Rodata = 2,
    /// `MOD_RO_AFTER_INIT`: writable until init returns, then read-only.
    RoAfterInit = 3,
    /// `MOD_INIT_TEXT`: init code, freed after init.
    InitText = 4,
    /// `MOD_INIT_DATA`: init writable data.
    InitData = 5,
    /// `MOD_INIT_RODATA`: init read-only data.
    InitRodata = 6,
}

/// Number of memory types (`MOD_MEM_NUM_TYPES`).
pub const MEM_TYPES: usize = 7;

/// Memory permissions of a region once the module is live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Perms {
    /// Readable.
    pub read: bool,
    /// Writable (for `RoAfterInit`: until init completes).
    pub write: bool,
    /// Executable.
    pub exec: bool,
}

impl MemType {
    /// All types in `enum mod_mem_type` order.
    pub const ALL: [MemType; MEM_TYPES] = [
        MemType::Text,
        MemType::Data,
        MemType::Rodata,
        MemType::RoAfterInit,
        MemType::InitText,
        MemType::InitData,
        MemType::InitRodata,
    ];

    /// The index of this type in per-type arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// True for the types freed after init.
    pub fn is_init(self) -> bool {
        matches!(self, MemType::InitText | MemType::InitData | MemType::InitRodata)
    }

    /// The kernel's name for the type.
    pub fn name(self) -> &'static str {
        match self {
            MemType::Text => "MOD_TEXT",
            MemType::Data => "MOD_DATA",
            MemType::Rodata => "MOD_RODATA",
            MemType::RoAfterInit => "MOD_RO_AFTER_INIT",
            MemType::InitText => "MOD_INIT_TEXT",
            MemType::InitData => "MOD_INIT_DATA",
            MemType::InitRodata => "MOD_INIT_RODATA",
        }
    }

    /// Final permissions (`module_enable_rodata_ro()` and friends).
    pub fn perms(self) -> Perms {
        match self {
            MemType::Text | MemType::InitText => Perms { read: true, write: false, exec: true },
            MemType::Data | MemType::InitData => Perms { read: true, write: true, exec: false },
            MemType::Rodata | MemType::InitRodata => Perms { read: true, write: false, exec: false },
            MemType::RoAfterInit => Perms { read: true, write: true, exec: false },
        }
    }
}

/// Where one section goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The memory type (region).
    pub mem: MemType,
    /// Offset of the section within that region.
    pub offset: u64,
}

/// Options that depend on the running kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayoutOptions {
    /// `CONFIG_MODULE_UNLOAD`: when false, `.exit*` sections go to init
    /// memory (they can never run).
    pub unload: bool,
    /// Page size used to round region sizes (4096 on x86_64).
    pub page_size: u64,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        LayoutOptions { unload: true, page_size: 4096 }
    }
}

/// Per-type sizes computed by [`layout`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Exact size of each region (`mod->mem[type].size`).
    pub size: [u64; MEM_TYPES],
    /// Largest section alignment in each region.
    pub align: [u64; MEM_TYPES],
    /// The page size the layout was made for.
    pub page_size: u64,
    /// Number of sections placed.
    pub placed: usize,
}

impl Layout {
    /// Exact size of region `mem`.
    pub fn size(&self, mem: MemType) -> u64 {
        self.size.get(mem.index()).copied().unwrap_or(0)
    }

    /// Size of region `mem` rounded up to the page size (what the caller
    /// allocates); `None` on overflow or a page size that is not a power of
    /// two.
    pub fn page_size_of(&self, mem: MemType) -> Option<u64> {
        round_up(self.size(mem), self.page_size)
    }
}

/// Rounds `v` up to a power-of-two `align` (0 and 1 mean 1).
pub fn round_up(v: u64, align: u64) -> Option<u64> {
    let a = if align <= 1 { 1 } else { align };
    if !a.is_power_of_two() {
        return None;
    }
    Some(v.checked_add(a - 1)? & !(a - 1))
}

fn starts_with(name: &[u8], prefix: &[u8]) -> bool {
    name.starts_with(prefix)
}

/// `module_init_layout_section()`.
pub fn is_init_section(name: &[u8], unload: bool) -> bool {
    (!unload && starts_with(name, b".exit")) || starts_with(name, b".init")
}

/// Lays out every allocated section of `plan`. `out` must have
/// [`Plan::section_count`] entries; entry `i` receives the placement of
/// section `i` or `None` if the section is not loaded.
pub fn layout<'a>(
    plan: &Plan<'a>,
    opts: &LayoutOptions,
    out: &mut [Option<Placement>],
) -> Result<Layout, Error<'a>> {
    let n = plan.section_count();
    if out.len() != n {
        return Err(Error::TableSize { needed: n, given: out.len() });
    }
    if round_up(0, opts.page_size).is_none() {
        return Err(Error::TableSize { needed: 0, given: 0 });
    }
    for o in out.iter_mut() {
        *o = None;
    }
    let mut lay = Layout {
        size: [0; MEM_TYPES],
        align: [1; MEM_TYPES],
        page_size: opts.page_size,
        placed: 0,
    };
    // (required flags, forbidden flags) like the kernel's masks[] with
    // ARCH_SHF_SMALL == 0 on x86 (so the fifth, "small" row matches
    // nothing that the others did not take).
    const MASKS: [(u64, u64); 4] = [
        (SHF_EXECINSTR | SHF_ALLOC, 0),
        (SHF_ALLOC, SHF_WRITE),
        (SHF_RO_AFTER_INIT | SHF_ALLOC, 0),
        (SHF_WRITE | SHF_ALLOC, 0),
    ];
    const CORE: [Option<MemType>; 4] = [
        Some(MemType::Text),
        Some(MemType::Rodata),
        Some(MemType::RoAfterInit),
        Some(MemType::Data),
    ];
    const INIT: [Option<MemType>; 4] = [
        Some(MemType::InitText),
        Some(MemType::InitRodata),
        None,
        Some(MemType::InitData),
    ];
    for is_init in [false, true] {
        for (m, &(need, forbid)) in MASKS.iter().enumerate() {
            let mem = if is_init { INIT.get(m) } else { CORE.get(m) };
            let mem = mem.copied().flatten();
            for i in 0..n {
                let idx = SectionIndex(i);
                if !plan.is_allocated(idx) {
                    continue;
                }
                let Some(sec) = plan.section(idx) else { continue };
                let mut flags = sec.header.sh_flags & !SHF_RO_AFTER_INIT;
                if Some(idx) == plan.ro_after_init_index || Some(idx) == plan.jump_table_index {
                    flags |= SHF_RO_AFTER_INIT;
                }
                if flags & need != need
                    || flags & forbid != 0
                    || is_init != is_init_section(sec.name, opts.unload)
                {
                    continue;
                }
                let Some(slot) = out.get_mut(i) else { continue };
                if slot.is_some() {
                    continue;
                }
                // The kernel WARNs and skips ro_after_init sections named
                // .init*; they are then laid out by the data row.
                let Some(mem) = mem else { continue };
                let t = mem.index();
                let cur = lay.size.get(t).copied().unwrap_or(0);
                let align = sec.header.sh_addralign.max(1);
                let offset = round_up(cur, align).ok_or(Error::LayoutOverflow { section: idx })?;
                let end = offset
                    .checked_add(sec.header.sh_size)
                    .ok_or(Error::LayoutOverflow { section: idx })?;
                // Keep the page-rounded size representable too.
                round_up(end, opts.page_size).ok_or(Error::LayoutOverflow { section: idx })?;
                if let Some(s) = lay.size.get_mut(t) {
                    *s = end;
                }
                if let Some(a) = lay.align.get_mut(t) {
                    *a = (*a).max(align);
                }
                *slot = Some(Placement { mem, offset });
                lay.placed = lay.placed.saturating_add(1);
            }
        }
    }
    Ok(lay)
}

/// Computes each section's final address from the per-type base addresses
/// the caller allocated. Unplaced sections get 0, except the per-CPU
/// section, which gets `percpu_base`. `out` must have
/// [`Plan::section_count`] entries.
pub fn section_addresses<'a>(
    plan: &Plan<'a>,
    placements: &[Option<Placement>],
    bases: &[u64; MEM_TYPES],
    percpu_base: u64,
    out: &mut [u64],
) -> Result<(), Error<'a>> {
    let n = plan.section_count();
    if placements.len() != n || out.len() != n {
        return Err(Error::TableSize { needed: n, given: out.len().min(placements.len()) });
    }
    for (i, (o, p)) in out.iter_mut().zip(placements.iter()).enumerate() {
        *o = match p {
            Some(p) => bases
                .get(p.mem.index())
                .and_then(|b| b.checked_add(p.offset))
                .ok_or(Error::LayoutOverflow { section: SectionIndex(i) })?,
            None if Some(SectionIndex(i)) == plan.percpu_index => percpu_base,
            None => 0,
        };
    }
    Ok(())
}
