// SPDX-License-Identifier: GPL-2.0

//! Writes generated modules into the directory given as argument (fuzz
//! seeds).

fn main() {
    let dir = std::env::args().nth(1).expect("usage: gen-seeds DIR");
    let dir = std::path::Path::new(&dir);
    std::fs::create_dir_all(dir).expect("create seed dir");
    std::fs::write(
        dir.join("sample.ko"),
        rloader_tools::builder::sample_module(),
    )
    .expect("write");
    std::fs::write(
        dir.join("relocs.ko"),
        rloader_tools::builder::many_relocs(64),
    )
    .expect("write");
}
