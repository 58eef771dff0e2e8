// SPDX-License-Identifier: GPL-2.0

//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Every `*.ko` under `$RLOADER_FIXTURES`, recursively. Panics with a clear
/// message when the variable is unset or the directory has no modules:
/// fixture tests must fail, not skip.
pub fn fixtures() -> Vec<PathBuf> {
    let dir = std::env::var_os("RLOADER_FIXTURES").unwrap_or_else(|| {
        panic!(
            "RLOADER_FIXTURES is unset: set it to a directory containing .ko files, \
             e.g. RLOADER_FIXTURES=build/out/distro cargo test --test fixtures"
        )
    });
    let mut out = Vec::new();
    walk(Path::new(&dir), &mut out);
    out.sort();
    out.dedup();
    assert!(
        !out.is_empty(),
        "RLOADER_FIXTURES={:?} contains no .ko files",
        dir
    );
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            walk(&p, out);
        } else if ft.is_file() && p.extension().is_some_and(|x| x == "ko") {
            out.push(p);
        }
    }
}
