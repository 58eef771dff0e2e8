// SPDX-License-Identifier: GPL-2.0

//! The input model: when an image written in pieces is complete, for every chunking, with and
//! without a signature, and how compressed images are told apart.

mod common;

use rloader_tools::engine::extent::{signed_length, MAGIC_MAX, SIGNATURE_MARKER};
use rloader_tools::engine::{completion, detect, extent, Completion, Compression, Extent, Format};

/// Appends a signature trailer as `scripts/sign-file` writes it: the PKCS#7 blob, the
/// `struct module_signature` and the marker.
fn sign(image: &[u8], sig_len: usize) -> Vec<u8> {
    let mut out = image.to_vec();
    out.extend((0..sig_len).map(|i| (i * 7 + 3) as u8));
    out.extend_from_slice(&[0, 0, 2, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&(sig_len as u32).to_be_bytes());
    out.extend_from_slice(SIGNATURE_MARKER);
    out
}

/// Feeds `file` in writes of `chunk` bytes, as the device collects it, and returns after how
/// many bytes the image was complete (`None`: only at the close) and the ELF extent found.
fn feed(file: &[u8], chunk: usize, signatures: bool) -> (Option<usize>, Option<usize>) {
    let mut needed = 0;
    let mut elf_end = None;
    let mut got = 0;
    while got < file.len() {
        got = (got + chunk).min(file.len());
        let bytes = &file[..got];
        if bytes.len() < needed {
            continue;
        }
        match completion(bytes, signatures, elf_end).expect("a valid module") {
            Completion::Incomplete(n) => needed = n,
            Completion::AtClose(end) => elf_end = Some(end),
            Completion::Complete => return (Some(got), elf_end),
        }
    }
    (None, elf_end)
}

const CHUNKS: &[usize] = &[1, 3, 64, 511, 4096, 65536, usize::MAX];

fn elf_extent(image: &[u8]) -> usize {
    match extent(image).expect("a valid module") {
        Extent::Complete(n) => n,
        Extent::Incomplete(n) => panic!("a whole module needs {n} bytes"),
    }
}

#[test]
fn every_chunking_completes_where_the_file_ends() {
    let fixtures = common::fixtures();
    for path in fixtures.iter().take(12) {
        let image = std::fs::read(path).unwrap();
        let end = elf_extent(&image);
        assert_eq!(
            end,
            image.len(),
            "{}: the ELF object is the file",
            path.display()
        );
        let signed = sign(&image, 467);
        for &chunk in CHUNKS {
            // Without signature checks: at the ELF extent, signed or not.
            assert_eq!(
                feed(&image, chunk, false).0,
                Some(end),
                "{}",
                path.display()
            );
            let (at, _) = feed(&signed, chunk, false);
            assert!(
                at.is_some_and(|n| n >= end),
                "{}: chunk {chunk}",
                path.display()
            );
            // With them: a signed file when its trailer arrives, an unsigned one at close.
            assert_eq!(
                feed(&signed, chunk, true).0,
                Some(signed.len()),
                "{}: chunk {chunk}",
                path.display()
            );
            assert_eq!(
                feed(&image, chunk, true),
                (None, Some(end)),
                "{}",
                path.display()
            );
        }
    }
}

#[test]
fn signature_trailers() {
    let image = std::fs::read(&common::fixtures()[0]).unwrap();
    let signed = sign(&image, 300);
    assert_eq!(signed_length(&signed), Some(image.len()));
    assert_eq!(signed_length(&image), None);
    // Each field mod_check_sig() insists on.
    let info = signed.len() - SIGNATURE_MARKER.len() - 12;
    for (field, value) in [(0, 1), (1, 1), (2, 1), (3, 4), (4, 8), (5, 1), (7, 1)] {
        let mut bad = signed.clone();
        bad[info + field] = value;
        assert_eq!(signed_length(&bad), None, "field {field}");
    }
    // A signature as long as everything before it, or longer.
    let mut bad = signed.clone();
    bad[info + 8..info + 12].copy_from_slice(&(info as u32).to_be_bytes());
    assert_eq!(signed_length(&bad), None);
    bad[info + 8..info + 12].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(signed_length(&bad), None);
    // A truncated marker, and a trailer with nothing before it.
    assert_eq!(signed_length(&signed[..signed.len() - 1]), None);
    assert_eq!(signed_length(&signed[info..]), None);
    // A trailer that ends the bytes before the ELF object is complete does not complete it.
    let early = sign(&image[..200], 20);
    assert!(
        matches!(
            completion(&early, true, None),
            Ok(Completion::Incomplete(_))
        ) || completion(&early, true, None).is_err()
    );
}

#[test]
fn compressed_images_are_told_by_their_magic() {
    let cases: &[(&[u8], Compression)] = &[
        (
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03",
            Compression::Gzip,
        ),
        (b"\xfd7zXZ\x00\x00\x04", Compression::Xz),
        (b"\x28\xb5\x2f\xfd\x24\x00", Compression::Zstd),
    ];
    for &(file, c) in cases {
        let magic_len = match c {
            Compression::Gzip => 3,
            Compression::Xz => 6,
            Compression::Zstd => 4,
        };
        assert!(magic_len <= MAGIC_MAX);
        for n in 1..magic_len {
            assert_eq!(
                detect(&file[..n]),
                Format::Undecided,
                "{} prefix {n}",
                c.name()
            );
        }
        for n in magic_len..=file.len() {
            assert_eq!(detect(&file[..n]), Format::Compressed(c), "{}", c.name());
        }
    }
    assert_eq!(detect(b""), Format::Undecided);
    assert_eq!(detect(b"\x7f"), Format::Elf);
    assert_eq!(detect(b"\x7fELF\x02\x01"), Format::Elf);
    assert_eq!(detect(b"\x1f\x8b\x09"), Format::Elf);
    assert_eq!(detect(b"\xfd7zXY"), Format::Elf);
    let image = std::fs::read(&common::fixtures()[0]).unwrap();
    assert_eq!(detect(&image[..MAGIC_MAX]), Format::Elf);
}
