// SPDX-License-Identifier: GPL-2.0

//! Keeps `Documentation/rloader/engine.rst` in step with the engine's error table: the
//! documented rows (variant, kind, errno, meaning) must be exactly [`TABLE`]'s.
//!
//! `RLOADER_PRINT_ERROR_TABLE=1 cargo test --test docs` prints the table as it should read.

use rloader_tools::engine::error::{ErrorInfo, TABLE};

const DOC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../Documentation/rloader/engine.rst"
);
const BEGIN: &str = ".. error-table-begin";
const END: &str = ".. error-table-end";

/// The rows as the documentation should show them.
fn render(rows: &[ErrorInfo]) -> String {
    let mut out = String::from(".. list-table::\n   :header-rows: 1\n\n");
    out += "   * - Variant\n     - Kind\n     - errno\n     - Meaning\n";
    for r in rows {
        out += &format!(
            "   * - ``{}``\n     - ``{}``\n     - {}\n     - {}\n",
            r.variant,
            r.kind,
            r.errno_name,
            r.meaning.trim().replace('`', "``")
        );
    }
    out
}

#[test]
fn documented_errors_are_the_engines() {
    let expected = render(TABLE);
    if std::env::var_os("RLOADER_PRINT_ERROR_TABLE").is_some() {
        println!("{BEGIN}\n\n{expected}\n{END}");
    }
    let doc = std::fs::read_to_string(DOC).expect("engine.rst");
    let start = doc.find(BEGIN).expect("error table begin marker") + BEGIN.len();
    let end = doc.find(END).expect("error table end marker");
    let documented = doc[start..end].trim();
    assert_eq!(
        documented,
        expected.trim(),
        "engine.rst's error table differs from the engine's"
    );
}

#[test]
fn kinds_and_variants_are_unique() {
    for (i, a) in TABLE.iter().enumerate() {
        for b in &TABLE[i + 1..] {
            assert_ne!(a.kind, b.kind);
            assert_ne!(a.variant, b.variant);
        }
        assert!(!a.meaning.trim().is_empty(), "{} has no meaning", a.variant);
    }
}
