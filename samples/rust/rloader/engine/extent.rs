// SPDX-License-Identifier: GPL-2.0

//! The extent of an image that arrives in pieces: how many bytes its ELF headers say it has.

use super::elf::*;
use super::error::Error;

/// How much of an image a writer still has to supply, from what arrived so
/// far (see [`extent`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extent {
    /// At least this many bytes are needed before more can be said.
    Incomplete(usize),
    /// The image ends at this offset: the ELF header, the section header
    /// table and every section with file bytes lie before it.
    Complete(usize),
}

/// Computes the extent of the image whose first bytes are `prefix`, so that
/// a loader fed in chunks knows when the image is complete. Refuses a
/// prefix that cannot start a module (wrong magic, header table size or
/// numbering) without waiting for the rest; everything else is left to
/// [`super::plan::Plan::parse`].
pub fn extent(prefix: &[u8]) -> Result<Extent, Error<'_>> {
    const MAGIC: &[u8; 4] = b"\x7fELF";
    let head = prefix.get(..MAGIC.len()).unwrap_or(prefix);
    if MAGIC.get(..head.len()) != Some(head) {
        return Err(Error::BadMagic);
    }
    if prefix.len() < EHDR_SIZE {
        return Ok(Extent::Incomplete(EHDR_SIZE));
    }
    let header = FileHeader::parse(prefix).ok_or(Error::BadMagic)?;
    if usize::from(header.e_shentsize) != SHDR_SIZE {
        return Err(Error::BadSectionHeaderSize {
            size: header.e_shentsize,
        });
    }
    if header.e_shnum == 0 {
        return Err(Error::ExtendedNumbering);
    }
    let oob = Error::SectionHeadersOutOfFile {
        offset: header.e_shoff,
        count: header.e_shnum,
    };
    let shoff = to_usize(header.e_shoff).ok_or(oob)?;
    let table_end = usize::from(header.e_shnum)
        .checked_mul(SHDR_SIZE)
        .and_then(|n| n.checked_add(shoff))
        .ok_or(oob)?;
    let mut end = table_end.max(EHDR_SIZE);
    if prefix.len() < end {
        return Ok(Extent::Incomplete(end));
    }
    for i in 0..usize::from(header.e_shnum) {
        let off = i
            .checked_mul(SHDR_SIZE)
            .and_then(|o| o.checked_add(shoff))
            .ok_or(oob)?;
        let h = SectionHeader::parse(prefix, off).ok_or(oob)?;
        if !h.has_file_bytes() {
            continue;
        }
        let bad = Error::SectionOutOfFile {
            section: SectionIndex(i),
            sh_type: h.sh_type,
        };
        let sec_end = h
            .sh_offset
            .checked_add(h.sh_size)
            .and_then(to_usize)
            .ok_or(bad)?;
        end = end.max(sec_end);
    }
    Ok(if prefix.len() < end {
        Extent::Incomplete(end)
    } else {
        Extent::Complete(end)
    })
}
