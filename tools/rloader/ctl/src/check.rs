// SPDX-License-Identifier: GPL-2.0

//! `rloaderctl check`: the host checker's verdict on a module against the
//! running kernel.
//!
//! The verdict is `rloader-check`'s (`tools/rloader/src/bin/rloader-check.rs`,
//! the ELF engine rloader runs, built for the host).  This is the only file
//! that knows about it, and it uses only its command line: `--exports FILE`
//! with System.map-style lines, the report on stdout, exit status 0 for
//! "verdict: OK" and 1 for "verdict: REFUSED".  The exports are the running
//! kernel's: every `__ksymtab_NAME` of `/proc/kallsyms` (vmlinux and the
//! loaded modules).  kallsyms does not say which exports are GPL-only or
//! namespaced, so those restrictions are not checked.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

/// Where hidden addresses are placed: the start of x86_64 kernel text
/// without KASLR.
const HIDDEN_BASE: u64 = 0xffff_ffff_8100_0000;

/// Finds `rloader-check`: `$RLOADER_CHECK`, beside rloaderctl, or in `$PATH`.
fn checker() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RLOADER_CHECK") {
        return Some(PathBuf::from(p));
    }
    let beside = std::env::current_exe()
        .ok()?
        .with_file_name("rloader-check");
    if beside.is_file() {
        return Some(beside);
    }
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| PathBuf::from(d).join("rloader-check"))
        .find(|p| p.is_file())
}

/// The running kernel's exports as System.map lines ("addr r name").
fn kernel_exports() -> Result<(String, usize), String> {
    let text =
        std::fs::read_to_string("/proc/kallsyms").map_err(|e| format!("/proc/kallsyms: {e}"))?;
    let mut out = String::new();
    let mut n = 0;
    for line in text.lines() {
        let mut f = line.split_whitespace();
        let (Some(addr), Some(_), Some(sym)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        if let Some(name) = sym.strip_prefix("__ksymtab_") {
            // A reader who may not see addresses gets zeros: stand in
            // addresses in kernel text, so that relocations stay in range.
            let addr = match u64::from_str_radix(addr, 16) {
                Ok(0) | Err(_) => format!("{:x}", HIDDEN_BASE + 16 * n as u64),
                Ok(_) => addr.to_string(),
            };
            out.push_str(&format!("{addr} r {name}\n"));
            n += 1;
        }
    }
    if n == 0 {
        return Err("/proc/kallsyms lists no exports (is CONFIG_KALLSYMS_ALL set?)".into());
    }
    Ok((out, n))
}

/// Runs the check on `image` (decompressed already); returns the report and
/// whether the verdict is OK.
pub(crate) fn run(path: &str, image: &[u8]) -> Result<(String, bool), String> {
    let checker = checker()
        .ok_or("rloader-check not found (install it beside rloaderctl or set RLOADER_CHECK)")?;
    let (exports, count) = kernel_exports()?;
    let dir = tempdir()?;
    let exp = dir.join("exports");
    let img = dir.join("module.ko");
    let res = (|| {
        std::fs::File::create(&exp)
            .and_then(|mut f| f.write_all(exports.as_bytes()))
            .map_err(|e| e.to_string())?;
        std::fs::write(&img, image).map_err(|e| e.to_string())?;
        let out = Command::new(&checker)
            .arg("--exports")
            .arg(&exp)
            .arg(&img)
            .output()
            .map_err(|e| format!("{}: {e}", checker.display()))?;
        let report = String::from_utf8_lossy(&out.stdout).replace(&img.display().to_string(), path);
        match out.status.code() {
            Some(0) | Some(1) => Ok((
                format!("kernel exports: {count} (/proc/kallsyms)\n{report}"),
                out.status.code() == Some(0),
            )),
            _ => Err(format!(
                "{} failed: {}",
                checker.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            )),
        }
    })();
    let _ = std::fs::remove_dir_all(&dir);
    res
}

fn tempdir() -> Result<PathBuf, String> {
    let base = std::env::temp_dir();
    for i in 0..100 {
        let d = base.join(format!("rloaderctl-{}-{i}", std::process::id()));
        if std::fs::create_dir(&d).is_ok() {
            return Ok(d);
        }
    }
    Err(format!("cannot create a directory in {}", base.display()))
}
