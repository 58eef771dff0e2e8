// SPDX-License-Identifier: GPL-2.0

//! Module images: read from a file or stdin, decompressed (gzip, xz, zstd,
//! as `kernel/module/decompress.c` and libkmod accept them), and the name
//! a module gives itself in `.modinfo`.

use std::io::{self, Read};

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const XZ_MAGIC: &[u8] = &[0xfd, b'7', b'z', b'X', b'Z', 0];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// Reads `path` (`-` for stdin) and decompresses it if it is compressed.
pub(crate) fn read(path: &str) -> io::Result<Vec<u8>> {
    let raw = if path == "-" {
        let mut v = Vec::new();
        io::stdin().lock().read_to_end(&mut v)?;
        v
    } else {
        std::fs::read(path)?
    };
    decompress(raw)
}

fn bad(what: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{what}: {e}"))
}

/// Decompresses `raw` by its magic; anything else is returned as it is.
pub(crate) fn decompress(raw: Vec<u8>) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    if raw.starts_with(GZIP_MAGIC) {
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| bad("gzip", e))?;
    } else if raw.starts_with(XZ_MAGIC) {
        lzma_rs::xz_decompress(&mut &raw[..], &mut out).map_err(|e| bad("xz", e))?;
    } else if raw.starts_with(ZSTD_MAGIC) {
        ruzstd::StreamingDecoder::new(&raw[..])
            .map_err(|e| bad("zstd", e))?
            .read_to_end(&mut out)
            .map_err(|e| bad("zstd", e))?;
    } else {
        return Ok(raw);
    }
    Ok(out)
}

fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(off..off.checked_add(2)?)?.try_into().ok()?,
    ))
}
fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(off..off.checked_add(4)?)?.try_into().ok()?,
    ))
}
fn u64_at(b: &[u8], off: usize) -> Option<usize> {
    usize::try_from(u64::from_le_bytes(
        b.get(off..off.checked_add(8)?)?.try_into().ok()?,
    ))
    .ok()
}

/// The contents of section `want` of an ELF64 little-endian image, found
/// through checked offsets; `None` for anything malformed.
fn section<'a>(img: &'a [u8], want: &[u8]) -> Option<&'a [u8]> {
    if !img.starts_with(b"\x7fELF\x02\x01") {
        return None;
    }
    let shoff = u64_at(img, 0x28)?;
    let shentsize = usize::from(u16_at(img, 0x3a)?);
    let shnum = usize::from(u16_at(img, 0x3c)?);
    let shstrndx = usize::from(u16_at(img, 0x3e)?);
    let hdr = |i: usize| -> Option<(usize, usize, usize)> {
        let h = shoff.checked_add(i.checked_mul(shentsize)?)?;
        let name = u32_at(img, h)? as usize;
        Some((
            name,
            u64_at(img, h.checked_add(0x18)?)?,
            u64_at(img, h.checked_add(0x20)?)?,
        ))
    };
    let (_, stroff, strsize) = hdr(shstrndx)?;
    let strtab = img.get(stroff..stroff.checked_add(strsize)?)?;
    (0..shnum).find_map(|i| {
        let (name, off, size) = hdr(i)?;
        let n = strtab.get(name..)?;
        let n = &n[..n.iter().position(|&c| c == 0)?];
        if n == want {
            img.get(off..off.checked_add(size)?)
        } else {
            None
        }
    })
}

/// The module's name: `name=` in `.modinfo` (what the kernel calls it).
pub(crate) fn module_name(img: &[u8]) -> Option<String> {
    section(img, b".modinfo")?
        .split(|&c| c == 0)
        .find_map(|kv| kv.strip_prefix(b"name="))
        .map(|n| String::from_utf8_lossy(n).into_owned())
}

/// The module name a file name suggests: the base name up to `.ko`, with
/// dashes turned into underscores, as kmod does.
pub(crate) fn name_from_path(path: &str) -> String {
    let base = path.rsplit('/').next().unwrap_or(path);
    let stem = base.split(".ko").next().unwrap_or(base);
    stem.replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_paths() {
        assert_eq!(
            name_from_path("/lib/modules/x/kernel/fs/fat/vfat.ko.xz"),
            "vfat"
        );
        assert_eq!(name_from_path("nls_iso8859-1.ko"), "nls_iso8859_1");
        assert_eq!(name_from_path("rl_chain_a"), "rl_chain_a");
    }

    #[test]
    fn plain_data_is_not_decompressed() {
        assert_eq!(decompress(b"plain".to_vec()).unwrap(), b"plain");
    }

    #[test]
    fn gzip_round_trip() {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"\x7fELF module").unwrap();
        assert_eq!(decompress(e.finish().unwrap()).unwrap(), b"\x7fELF module");
    }

    #[test]
    fn truncated_gzip_is_an_error() {
        assert!(decompress(vec![0x1f, 0x8b, 8, 0]).is_err());
    }

    #[test]
    fn no_modinfo_in_junk() {
        assert_eq!(module_name(b"\x7fELF\x02\x01junk"), None);
        assert_eq!(module_name(b""), None);
    }
}
