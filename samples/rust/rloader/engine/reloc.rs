// SPDX-License-Identifier: GPL-2.0

//! Relocation: applies every `SHT_RELA` section whose target is allocated, like the kernel's
//! `apply_relocations()`, with the arithmetic of [`super::x86_64::compute`]; livepatch
//! relocation sections are left to the livepatch core.

use super::elf::*;
use super::error::Error;
use super::plan::Plan;
use super::x86_64::{compute, ComputeError, Patch, R_X86_64_PC64, TYPES};

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
    /// Relocations of livepatch sections (`SHF_RELA_LIVEPATCH`), left to the livepatch core.
    pub livepatch: usize,
}

impl RelocStats {
    /// Total applied.
    pub fn applied(&self) -> usize {
        self.by_type
            .iter()
            .fold(0usize, |a, &b| a.saturating_add(b))
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
fn store_n<const N: usize>(
    mem: &mut [u8],
    start: usize,
    bytes: &[u8; 8],
) -> Result<(), StoreError> {
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
        let Some(rel) = Rela::from_entry(entry) else {
            continue;
        };
        let r_type = rel.r_type();
        let Some(&s) = symbols.get(rel.sym().0) else {
            return Err(Error::RelocBadSymbol {
                section,
                reloc: r,
                symbol: rel.sym(),
            });
        };
        let p = base.wrapping_add(rel.r_offset);
        let patch = match compute(r_type, s, rel.r_addend, p) {
            Ok(patch) => patch,
            Err(ComputeError::UnknownType) => {
                return Err(Error::RelocUnknownType {
                    section,
                    reloc: r,
                    r_type,
                })
            }
            Err(ComputeError::Overflow(value)) => {
                return Err(Error::RelocOverflow {
                    section,
                    reloc: r,
                    r_type,
                    value,
                })
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
                return Err(Error::RelocTargetNonzero {
                    section,
                    reloc: r,
                    r_type,
                })
            }
        }
        if let Some(c) = usize::try_from(r_type).ok().and_then(|t| counts.get_mut(t)) {
            *c = c.saturating_add(1);
        }
    }
    for (total, &t) in stats.by_type.iter_mut().zip(TYPES.iter()) {
        let n = usize::try_from(t)
            .ok()
            .and_then(|t| counts.get(t))
            .copied()
            .unwrap_or(0);
        *total = total.saturating_add(n);
    }
    Ok(())
}

/// Applies every `SHT_RELA` section whose target is allocated, like `apply_relocations()`,
/// but the livepatch ones, which the environment hands to the livepatch core once the
/// kallsyms tables hold the symbols. `symbols` holds the final symbol values from
/// [`super::symbols::resolve_symbols`]. Fails if a target field is not zero, a value
/// overflows, or the caller lacks memory for a target.
pub fn relocate<'a, T: Target + ?Sized>(
    plan: &Plan<'a>,
    symbols: &[u64],
    target: &mut T,
) -> Result<RelocStats, Error<'a>> {
    if symbols.len() != plan.symbol_count() {
        return Err(Error::TableSize {
            needed: plan.symbol_count(),
            given: symbols.len(),
        });
    }
    let mut stats = RelocStats::default();
    for i in 0..plan.section_count() {
        let section = SectionIndex(i);
        let Some(header) = plan.section_header(section) else {
            continue;
        };
        if header.sh_type != SHT_RELA {
            continue;
        }
        let tidx = SectionIndex(header.sh_info as usize);
        let body = plan.section_data(section);
        if !plan.is_allocated(tidx) {
            stats.skipped = stats.skipped.saturating_add(body.len() / RELA_SIZE);
            continue;
        }
        if header.sh_flags & SHF_RELA_LIVEPATCH != 0 {
            stats.livepatch = stats.livepatch.saturating_add(body.len() / RELA_SIZE);
            continue;
        }
        let (mem, base) = target
            .section(tidx)
            .ok_or(Error::NoTargetMemory { section: tidx })?;
        apply_section(section, body, symbols, mem, base, &mut stats)?;
    }
    Ok(stats)
}
