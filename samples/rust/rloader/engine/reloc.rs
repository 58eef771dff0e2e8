// SPDX-License-Identifier: GPL-2.0

//! Relocation: the x86_64 `SHT_RELA` types the 6.12 module loader accepts
//! (`__write_relocate_add()` in `arch/x86/kernel/module.c`).
//!
//! Notation: `S` is the symbol's final value, `A` the addend, `P` the
//! address of the patched field. All arithmetic is modulo 2^64.

use super::elf::*;
use super::error::Error;
use super::plan::Plan;

/// `R_X86_64_NONE`: no-op; nothing is written.
pub const R_X86_64_NONE: u32 = 0;
/// `R_X86_64_64`: `S + A`, 64 bits.
pub const R_X86_64_64: u32 = 1;
/// `R_X86_64_PC32`: `S + A - P`, 32 bits, must fit signed 32 bits.
pub const R_X86_64_PC32: u32 = 2;
/// `R_X86_64_PLT32`: as `PC32` (no PLT in modules): `S + A - P`.
pub const R_X86_64_PLT32: u32 = 4;
/// `R_X86_64_32`: `S + A`, 32 bits, must zero-extend back to the value.
pub const R_X86_64_32: u32 = 10;
/// `R_X86_64_32S`: `S + A`, 32 bits, must sign-extend back to the value.
pub const R_X86_64_32S: u32 = 11;
/// `R_X86_64_PC64`: `S + A - P`, 64 bits.
pub const R_X86_64_PC64: u32 = 24;

/// The accepted types, in the order of [`RelocStats::by_type`].
pub const TYPES: [u32; 7] = [
    R_X86_64_NONE,
    R_X86_64_64,
    R_X86_64_PC32,
    R_X86_64_PLT32,
    R_X86_64_32,
    R_X86_64_32S,
    R_X86_64_PC64,
];

/// The slot of an accepted type in [`TYPES`].
pub fn type_slot(r_type: u32) -> Option<usize> {
    TYPES.iter().position(|&t| t == r_type)
}

/// Width in bytes of the field a type patches; `None` for types the
/// kernel rejects.
#[inline]
pub fn width(r_type: u32) -> Option<usize> {
    match r_type {
        R_X86_64_NONE => Some(0),
        R_X86_64_64 | R_X86_64_PC64 => Some(8),
        R_X86_64_32 | R_X86_64_32S | R_X86_64_PC32 | R_X86_64_PLT32 => Some(4),
        _ => None,
    }
}

/// The psABI name of a type number (also for rejected ones).
pub fn type_name(r_type: u32) -> &'static str {
    match r_type {
        0 => "R_X86_64_NONE",
        1 => "R_X86_64_64",
        2 => "R_X86_64_PC32",
        3 => "R_X86_64_GOT32",
        4 => "R_X86_64_PLT32",
        5 => "R_X86_64_COPY",
        6 => "R_X86_64_GLOB_DAT",
        7 => "R_X86_64_JUMP_SLOT",
        8 => "R_X86_64_RELATIVE",
        9 => "R_X86_64_GOTPCREL",
        10 => "R_X86_64_32",
        11 => "R_X86_64_32S",
        12 => "R_X86_64_16",
        13 => "R_X86_64_PC16",
        14 => "R_X86_64_8",
        15 => "R_X86_64_PC8",
        16 => "R_X86_64_DTPMOD64",
        17 => "R_X86_64_DTPOFF64",
        18 => "R_X86_64_TPOFF64",
        19 => "R_X86_64_TLSGD",
        20 => "R_X86_64_TLSLD",
        21 => "R_X86_64_DTPOFF32",
        22 => "R_X86_64_GOTTPOFF",
        23 => "R_X86_64_TPOFF32",
        24 => "R_X86_64_PC64",
        25 => "R_X86_64_GOTOFF64",
        26 => "R_X86_64_GOTPC32",
        27 => "R_X86_64_GOT64",
        28 => "R_X86_64_GOTPCREL64",
        29 => "R_X86_64_GOTPC64",
        30 => "R_X86_64_GOTPLT64",
        31 => "R_X86_64_PLTOFF64",
        32 => "R_X86_64_SIZE32",
        33 => "R_X86_64_SIZE64",
        34 => "R_X86_64_GOTPC32_TLSDESC",
        35 => "R_X86_64_TLSDESC_CALL",
        36 => "R_X86_64_TLSDESC",
        37 => "R_X86_64_IRELATIVE",
        38 => "R_X86_64_RELATIVE64",
        41 => "R_X86_64_GOTPCRELX",
        42 => "R_X86_64_REX_GOTPCRELX",
        _ => "unknown",
    }
}

/// The bytes to store for one relocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Patch {
    /// Little-endian value; only the first `width` bytes are stored.
    pub bytes: [u8; 8],
    /// Field width (0 for `R_X86_64_NONE`).
    pub width: usize,
}

impl Patch {
    /// The bytes to write.
    pub fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.width).unwrap_or(&[])
    }
}

/// Why [`compute`] failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComputeError {
    /// Not a type the x86_64 module loader accepts.
    UnknownType,
    /// The value does not fit the field; carries the full 64-bit value.
    Overflow(u64),
}

/// Relocation arithmetic: `(type, S, A, P)` to the bytes to store.
///
/// * `R_X86_64_NONE`: nothing.
/// * `R_X86_64_64`: `S + A` (8 bytes).
/// * `R_X86_64_32`: `S + A` (4 bytes), overflow unless `S + A < 2^32`.
/// * `R_X86_64_32S`: `S + A` (4 bytes), overflow unless the value
///   sign-extends from 32 bits.
/// * `R_X86_64_PC32`, `R_X86_64_PLT32`: `S + A - P` (4 bytes), overflow
///   unless it sign-extends from 32 bits. (The 6.12 kernel truncates
///   silently here; the engine is stricter.)
/// * `R_X86_64_PC64`: `S + A - P` (8 bytes).
#[inline]
pub fn compute(r_type: u32, s: u64, a: i64, p: u64) -> Result<Patch, ComputeError> {
    let val = s.wrapping_add_signed(a);
    let (v, width) = match r_type {
        R_X86_64_NONE => (0, 0),
        R_X86_64_64 => (val, 8),
        R_X86_64_32 => {
            if u32::try_from(val).is_err() {
                return Err(ComputeError::Overflow(val));
            }
            (val, 4)
        }
        R_X86_64_32S => {
            if i32::try_from(val as i64).is_err() {
                return Err(ComputeError::Overflow(val));
            }
            (val, 4)
        }
        R_X86_64_PC32 | R_X86_64_PLT32 => {
            let pc = val.wrapping_sub(p);
            if i32::try_from(pc as i64).is_err() {
                return Err(ComputeError::Overflow(pc));
            }
            (pc, 4)
        }
        R_X86_64_PC64 => (val.wrapping_sub(p), 8),
        _ => return Err(ComputeError::UnknownType),
    };
    Ok(Patch { bytes: v.to_le_bytes(), width })
}

/// Gives the relocation pass write access to placed sections.
pub trait Target {
    /// The writable memory of section `index` (exactly `sh_size` bytes,
    /// already holding the file contents, zero for `SHT_NOBITS`) and its
    /// final address; `None` if the caller has no memory for it.
    fn section(&mut self, index: SectionIndex) -> Option<(&mut [u8], u64)>;
}

/// Counts from the relocation pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RelocStats {
    /// Applied relocations per type, indexed like [`TYPES`].
    pub by_type: [usize; 7],
    /// Relocations skipped because their target is not allocated.
    pub skipped: usize,
}

impl RelocStats {
    /// Total applied.
    pub fn applied(&self) -> usize {
        self.by_type.iter().fold(0usize, |a, &b| a.saturating_add(b))
    }
}

/// Why [`store`] refused a patch.
enum StoreError {
    /// The field does not lie inside the section.
    OutOfSection,
    /// The field already holds a non-zero byte.
    Nonzero,
}

/// Stores `patch` at `start` in `mem`, refusing a field that is not all
/// zero. The common widths get fixed-size copies instead of byte loops.
#[inline]
fn store(mem: &mut [u8], start: usize, patch: &Patch) -> Result<(), StoreError> {
    match patch.width {
        8 => store_n::<8>(mem, start, &patch.bytes),
        4 => store_n::<4>(mem, start, &patch.bytes),
        width => {
            let end = start.checked_add(width).ok_or(StoreError::OutOfSection)?;
            let field = mem.get_mut(start..end).ok_or(StoreError::OutOfSection)?;
            if field.iter().any(|&b| b != 0) {
                return Err(StoreError::Nonzero);
            }
            for (d, v) in field.iter_mut().zip(patch.as_slice()) {
                *d = *v;
            }
            Ok(())
        }
    }
}

/// [`store`] for a field of `N` bytes, the first `N` of `bytes`.
#[inline]
fn store_n<const N: usize>(mem: &mut [u8], start: usize, bytes: &[u8; 8]) -> Result<(), StoreError> {
    let end = start.checked_add(N).ok_or(StoreError::OutOfSection)?;
    let field = mem
        .get_mut(start..end)
        .and_then(|f| f.first_chunk_mut::<N>())
        .ok_or(StoreError::OutOfSection)?;
    let value = bytes.first_chunk::<N>().ok_or(StoreError::OutOfSection)?;
    if *field != [0; N] {
        return Err(StoreError::Nonzero);
    }
    *field = *value;
    Ok(())
}

/// Applies the entries of relocation section `section` (`body`) to the
/// memory `mem` of its target, placed at address `base`; counts them into
/// `stats`.
fn apply_section<'a>(
    section: SectionIndex,
    body: &[u8],
    symbols: &[u64],
    mem: &mut [u8],
    base: u64,
    stats: &mut RelocStats,
) -> Result<(), Error<'a>> {
    // Applied relocations by type number (every accepted type is at most
    // R_X86_64_PC64): a plain index instead of a search per relocation.
    let mut counts = [0usize; R_X86_64_PC64 as usize + 1];
    for (r, entry) in body.chunks_exact(RELA_SIZE).enumerate() {
        let Some(rel) = Rela::from_entry(entry) else { continue };
        let r_type = rel.r_type();
        let Some(&s) = symbols.get(rel.sym().0) else {
            return Err(Error::RelocBadSymbol { section, reloc: r, symbol: rel.sym() });
        };
        let p = base.wrapping_add(rel.r_offset);
        let patch = match compute(r_type, s, rel.r_addend, p) {
            Ok(patch) => patch,
            Err(ComputeError::UnknownType) => {
                return Err(Error::RelocUnknownType { section, reloc: r, r_type })
            }
            Err(ComputeError::Overflow(value)) => {
                return Err(Error::RelocOverflow { section, reloc: r, r_type, value })
            }
        };
        let stored = match to_usize(rel.r_offset) {
            Some(start) => store(mem, start, &patch),
            None => Err(StoreError::OutOfSection),
        };
        match stored {
            Ok(()) => {}
            Err(StoreError::OutOfSection) => {
                return Err(Error::RelocOutOfSection {
                    section,
                    reloc: r,
                    offset: rel.r_offset,
                    size: mem.len() as u64,
                })
            }
            Err(StoreError::Nonzero) => {
                return Err(Error::RelocTargetNonzero { section, reloc: r, r_type })
            }
        }
        if let Some(c) = usize::try_from(r_type).ok().and_then(|t| counts.get_mut(t)) {
            *c = c.saturating_add(1);
        }
    }
    for (total, &t) in stats.by_type.iter_mut().zip(TYPES.iter()) {
        let n = usize::try_from(t).ok().and_then(|t| counts.get(t)).copied().unwrap_or(0);
        *total = total.saturating_add(n);
    }
    Ok(())
}

/// Applies every `SHT_RELA` section whose target is allocated, like
/// `apply_relocations()`. `symbols` holds the final symbol values from
/// [`super::symbols::resolve_symbols`]. Fails if a target field is not
/// zero, a value overflows, or the caller lacks memory for a target.
pub fn relocate<'a, T: Target + ?Sized>(
    plan: &Plan<'a>,
    symbols: &[u64],
    target: &mut T,
) -> Result<RelocStats, Error<'a>> {
    if symbols.len() != plan.symbol_count() {
        return Err(Error::TableSize { needed: plan.symbol_count(), given: symbols.len() });
    }
    let mut stats = RelocStats::default();
    for i in 0..plan.section_count() {
        let section = SectionIndex(i);
        let Some(header) = plan.section_header(section) else { continue };
        if header.sh_type != SHT_RELA {
            continue;
        }
        let tidx = SectionIndex(header.sh_info as usize);
        let body = plan.section_data(section);
        if !plan.is_allocated(tidx) {
            stats.skipped = stats.skipped.saturating_add(body.len() / RELA_SIZE);
            continue;
        }
        let (mem, base) = target
            .section(tidx)
            .ok_or(Error::NoTargetMemory { section: tidx })?;
        apply_section(section, body, symbols, mem, base, &mut stats)?;
    }
    Ok(stats)
}
