// SPDX-License-Identifier: GPL-2.0

//! When an image that arrives in pieces is complete: how many bytes its ELF headers say it
//! has, whether a signature ends it, and whether it is compressed.

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

/// A compression format module files come in (`.ko.gz`, `.ko.xz`, `.ko.zst`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// gzip (`1f 8b 08`, deflate).
    Gzip,
    /// xz (`fd 37 7a 58 5a 00`).
    Xz,
    /// zstd (`28 b5 2f fd`).
    Zstd,
}

impl Compression {
    /// The name `/sys/module/compression` uses.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
        }
    }

    fn magic(self) -> &'static [u8] {
        match self {
            Compression::Gzip => b"\x1f\x8b\x08",
            Compression::Xz => b"\xfd7zXZ\x00",
            Compression::Zstd => b"\x28\xb5\x2f\xfd",
        }
    }
}

/// The longest magic number [`detect`] compares.
pub const MAGIC_MAX: usize = 6;

/// What the first bytes of an image say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The bytes so far start the magic of a compression format: more are needed.
    Undecided,
    /// Not compressed: an ELF object (or nothing valid, which [`extent`] refuses).
    Elf,
    /// A compressed file of this format.
    Compressed(Compression),
}

/// Tells a compressed image from an ELF one by its first bytes.
pub fn detect(prefix: &[u8]) -> Format {
    let mut format = Format::Elf;
    for c in [Compression::Gzip, Compression::Xz, Compression::Zstd] {
        let magic = c.magic();
        let n = prefix.len().min(magic.len());
        if prefix.get(..n) == magic.get(..n) {
            if n == magic.len() {
                return Format::Compressed(c);
            }
            format = Format::Undecided;
        }
    }
    format
}

/// The marker that ends a signed module (`MODULE_SIG_STRING`).
pub const SIGNATURE_MARKER: &[u8] = b"~Module signature appended~\n";

/// The size of `struct module_signature`, which precedes the marker.
const SIGNATURE_INFO_SIZE: usize = 12;

/// `PKEY_ID_PKCS7`, the only signature type modules carry.
const PKEY_ID_PKCS7: u8 = 2;

/// If `bytes` end with a well-formed module signature trailer (a PKCS#7 signature, its
/// `struct module_signature` and the marker, as `mod_check_sig()` reads them), the length of
/// what precedes the signature. Whether the signature is valid is the kernel's to check.
pub fn signed_length(bytes: &[u8]) -> Option<usize> {
    let before_marker = bytes.len().checked_sub(SIGNATURE_MARKER.len())?;
    if bytes.get(before_marker..)? != SIGNATURE_MARKER {
        return None;
    }
    let info_start = before_marker.checked_sub(SIGNATURE_INFO_SIZE)?;
    let info = bytes.get(info_start..before_marker)?;
    // algo, hash, id_type, signer_len, key_id_len, __pad[3], sig_len (big-endian).
    if info.get(..8)? != [0, 0, PKEY_ID_PKCS7, 0, 0, 0, 0, 0] {
        return None;
    }
    let sig_len = u32::from_be_bytes(*info.get(8..)?.first_chunk::<4>()?);
    let sig_len = usize::try_from(sig_len).ok()?;
    info_start.checked_sub(sig_len).filter(|&n| n > 0)
}

/// Whether an uncompressed image that arrives in pieces is complete (see [`completion`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completion {
    /// At least this many bytes are needed.
    Incomplete(usize),
    /// The image is complete: load it now.
    Complete,
    /// The ELF object, which ends at this offset, is complete, but a signature may still
    /// follow: the image is complete when the writer closes it, or when a signature ends it.
    AtClose(usize),
}

/// Tells from the bytes received so far whether an uncompressed image is complete.
///
/// Without signatures (`signatures` false: the kernel cannot check them) the image is
/// complete at the extent of its ELF object. Where the kernel checks signatures, the image
/// is the whole file, as `finit_module(2)` reads it: it is complete once the bytes received
/// end with a well-formed signature trailer after the ELF object, and otherwise when it is
/// closed. `elf_end` is the extent found by an earlier call, if any, which spares parsing
/// the headers again.
pub fn completion(
    bytes: &[u8],
    signatures: bool,
    elf_end: Option<usize>,
) -> Result<Completion, Error<'_>> {
    let end = match elf_end {
        Some(end) if end <= bytes.len() => end,
        _ => match extent(bytes)? {
            Extent::Incomplete(n) => return Ok(Completion::Incomplete(n)),
            Extent::Complete(end) => end,
        },
    };
    if !signatures || signed_length(bytes).is_some_and(|n| n >= end) {
        Ok(Completion::Complete)
    } else {
        Ok(Completion::AtClose(end))
    }
}
