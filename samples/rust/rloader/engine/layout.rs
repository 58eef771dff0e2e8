// SPDX-License-Identifier: GPL-2.0

//! Layout: assigns every allocated section a memory type and an offset, following the kernel's
//! `layout_sections()`/`__layout_sections()`.

use super::elf::*;
use super::error::Error;
use super::mem::{MemType, PerMem};
use super::plan::{Plan, Section};

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
    /// `CONFIG_MODULE_UNLOAD`: when false, `.exit*` sections go to init memory (they can never
    /// run).
    pub unload: bool,
    /// Page size used to round region sizes (4096 on x86_64).
    pub page_size: u64,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        LayoutOptions {
            unload: true,
            page_size: 4096,
        }
    }
}

/// Per-type sizes computed by [`layout`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Exact size of each region (`mod->mem[type].size`).
    pub size: PerMem<u64>,
    /// Largest section alignment in each region.
    pub align: PerMem<u64>,
    /// The page size the layout was made for.
    pub page_size: u64,
    /// Number of sections placed.
    pub placed: usize,
}

impl Layout {
    /// Exact size of region `mem`.
    pub fn size(&self, mem: MemType) -> u64 {
        self.size[mem]
    }

    /// Size of region `mem` rounded up to the page size; `None` on overflow.
    pub fn page_size_of(&self, mem: MemType) -> Option<u64> {
        round_up(self.size[mem], self.page_size)
    }

    /// Appends `len` bytes aligned to `align` to region `mem`; returns their offset, or `None`
    /// when the region's page-rounded size would overflow.
    pub fn append(&mut self, mem: MemType, align: u64, len: u64) -> Option<u64> {
        let offset = round_up(self.size[mem], align)?;
        let end = offset.checked_add(len)?;
        round_up(end, self.page_size)?;
        self.size[mem] = end;
        self.align[mem] = self.align[mem].max(align.max(1));
        Some(offset)
    }
}

/// Where placed section `index` lies: its memory type and the range of its `sh_size` bytes in
/// that region (`None` if it is not placed).
pub fn span(
    plan: &Plan<'_>,
    placements: &[Option<Placement>],
    index: SectionIndex,
) -> Option<(MemType, core::ops::Range<usize>)> {
    let p = (*placements.get(index.0)?)?;
    let size = usize::try_from(plan.section_header(index)?.sh_size).ok()?;
    let start = usize::try_from(p.offset).ok()?;
    Some((p.mem, start..start.checked_add(size)?))
}

/// Rounds `v` up to a power-of-two `align` (0 and 1 mean 1).
pub fn round_up(v: u64, align: u64) -> Option<u64> {
    let a = align.max(1);
    if !a.is_power_of_two() {
        return None;
    }
    Some(v.checked_add(a - 1)? & !(a - 1))
}

/// `module_init_layout_section()`.
pub fn is_init_section(name: &[u8], unload: bool) -> bool {
    (!unload && name.starts_with(b".exit")) || name.starts_with(b".init")
}

/// One row of the kernel's `masks[]` (with `ARCH_SHF_SMALL == 0` on x86, whose fifth row
/// matches nothing the others did not take): the flags a section needs, the flags it must
/// not have, and the core and init memory types it then goes to (`None`: the kernel WARNs
/// and leaves the section to a later row).
const ROWS: [(u64, u64, MemType, Option<MemType>); 4] = [
    (
        SHF_EXECINSTR | SHF_ALLOC,
        0,
        MemType::Text,
        Some(MemType::InitText),
    ),
    (
        SHF_ALLOC,
        SHF_WRITE,
        MemType::Rodata,
        Some(MemType::InitRodata),
    ),
    (SHF_RO_AFTER_INIT | SHF_ALLOC, 0, MemType::RoAfterInit, None),
    (
        SHF_WRITE | SHF_ALLOC,
        0,
        MemType::Data,
        Some(MemType::InitData),
    ),
];

/// The memory type the kernel's `__layout_sections()` gives section `sec`: the first row of
/// [`ROWS`] whose flags it has, core or init by its name, skipping a row without a memory
/// type of that kind (`None`: the section is not placed).
fn class(plan: &Plan<'_>, sec: &Section<'_>, unload: bool) -> Option<MemType> {
    let mut flags = sec.header.sh_flags & !SHF_RO_AFTER_INIT;
    if Some(sec.index) == plan.special.ro_after_init || Some(sec.index) == plan.special.jump_table {
        flags |= SHF_RO_AFTER_INIT;
    }
    let is_init = is_init_section(sec.name, unload);
    ROWS.iter()
        .filter(|&&(need, forbid, _, _)| flags & need == need && flags & forbid == 0)
        .find_map(|&(_, _, core, init)| if is_init { init } else { Some(core) })
}

/// Lays out every allocated section of `plan`. `out` must have [`Plan::section_count`]
/// entries; entry `i` receives the placement of section `i` or `None` if the section is not
/// loaded.
///
/// The kernel walks every section once per row of [`ROWS`] and per core/init pass; as each
/// row of a pass has a memory type of its own, a region receives its sections in index order
/// whatever the order of the rows, so one walk gives the same offsets.
pub fn layout<'a>(
    plan: &Plan<'a>,
    opts: &LayoutOptions,
    out: &mut [Option<Placement>],
) -> Result<Layout, Error<'a>> {
    let n = plan.section_count();
    if out.len() != n || round_up(0, opts.page_size).is_none() {
        return Err(Error::TableSize {
            needed: n,
            given: out.len(),
        });
    }
    let mut lay = Layout {
        size: PerMem([0; super::mem::MEM_TYPES]),
        align: PerMem([1; super::mem::MEM_TYPES]),
        page_size: opts.page_size,
        placed: 0,
    };
    for (i, slot) in out.iter_mut().enumerate() {
        let section = SectionIndex(i);
        *slot = None;
        let Some(sec) = plan.section(section).filter(|_| plan.is_allocated(section)) else {
            continue;
        };
        let Some(mem) = class(plan, &sec, opts.unload) else {
            continue;
        };
        let offset = lay
            .append(mem, sec.header.sh_addralign.max(1), sec.header.sh_size)
            .ok_or(Error::LayoutOverflow { section })?;
        *slot = Some(Placement { mem, offset });
        lay.placed = lay.placed.saturating_add(1);
    }
    Ok(lay)
}

/// The kernel gives every placed section with contents a file of its name in
/// `/sys/module/<name>/sections/`; two such sections of one name make sysfs refuse the second
/// with a warning. Refuses that, in O(n log n): `scratch` (one entry per section, its
/// contents lost) receives, for each such section, a 48-bit hash of its name above its
/// index, sorted by hash and, for equal hashes, by name.
pub fn check_unique_names<'a>(
    plan: &Plan<'a>,
    placements: &[Option<Placement>],
    scratch: &mut [u64],
) -> Result<(), Error<'a>> {
    let shstrtab = plan.shstrtab;
    let name_of = |h: &SectionHeader| c_str_at(shstrtab, h.sh_name as usize).unwrap_or(&[]);
    let name = |key: u64| {
        let index = SectionIndex((key & 0xffff) as usize);
        plan.section_header(index).map_or(&[][..], |h| name_of(&h))
    };
    let mut k = 0usize;
    for (i, p) in placements.iter().enumerate() {
        let Some(h) = p.and_then(|_| plan.section_header(SectionIndex(i))) else {
            continue;
        };
        // `e_shnum` is 16 bits wide: every index fits below the hash.
        let (Some(slot), Ok(index)) = (scratch.get_mut(k), u16::try_from(i)) else {
            continue;
        };
        if h.sh_size == 0 {
            continue;
        }
        *slot = (fnv1a(name_of(&h)) & !0xffff) | u64::from(index);
        k = k.saturating_add(1);
    }
    let keys = scratch.get_mut(..k).unwrap_or(&mut []);
    keys.sort_unstable_by(|&a, &b| (a >> 16).cmp(&(b >> 16)).then_with(|| name(a).cmp(name(b))));
    match keys
        .windows(2)
        .find(|w| matches!(w, [a, b] if a >> 16 == b >> 16 && name(*a) == name(*b)))
    {
        Some(&[_, b]) => Err(Error::DuplicateSectionName { name: name(b) }),
        _ => Ok(()),
    }
}

/// The 64-bit FNV-1a hash of `bytes`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
