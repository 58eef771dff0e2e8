// SPDX-License-Identifier: GPL-2.0

//! `rloaderctl list`: rloader's listing as a table.
//!
//! Addresses follow the rule of `/proc/modules` (`kallsyms_show_value()`
//! in `kernel/ksyms_common.c`): shown when `kptr_restrict` is 0 and
//! `perf_event_paranoid` <= 1, or when `kptr_restrict` <= 1 and the reader
//! has `CAP_SYSLOG`; otherwise printed as zero.

use crate::dev::{self, Listing};

/// `CAP_SYSLOG` in `include/uapi/linux/capability.h`.
const CAP_SYSLOG: u32 = 34;

fn sysctl(name: &str) -> Option<i64> {
    std::fs::read_to_string(format!("/proc/sys/kernel/{name}"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn has_cap_syslog() -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .is_some_and(|caps| caps & (1 << CAP_SYSLOG) != 0)
}

/// Whether this reader may see kernel addresses.
pub(crate) fn may_see_addresses() -> bool {
    let restrict = sysctl("kptr_restrict").unwrap_or(2);
    // Without CONFIG_PERF_EVENTS there is no perf_event_paranoid and
    // kallsyms_for_perf() is false.
    let for_perf = sysctl("perf_event_paranoid").is_some_and(|p| p <= 1);
    (restrict == 0 && for_perf) || (restrict <= 1 && has_cap_syslog())
}

/// The "Used by" column of lsmod, from sysfs.
fn used_by(name: &str) -> String {
    let base = format!("/sys/module/{name}");
    let refcnt = std::fs::read_to_string(format!("{base}/refcnt"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "-".into());
    let mut holders: Vec<String> = std::fs::read_dir(format!("{base}/holders"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    holders.sort();
    if holders.is_empty() {
        refcnt
    } else {
        format!("{refcnt} {}", holders.join(","))
    }
}

/// Formats the listing as a table.
pub(crate) fn table(l: &Listing, show_addr: bool) -> String {
    let col = |row: &[String], f: &str| -> String {
        l.fields
            .iter()
            .position(|x| x == f)
            .and_then(|i| row.get(i))
            .cloned()
            .unwrap_or_else(|| "-".into())
    };
    let size = |row: &[String]| -> u64 {
        ["text", "data", "rodata", "ro_after_init"]
            .iter()
            .filter_map(|f| col(row, f).parse::<u64>().ok())
            .sum()
    };
    let mut out = format!(
        "{:<24} {:<18} {:>8} {:>8} {:>8} {:>8} {:>6} {:>8} {:>8}  {}\n",
        "Module",
        "Address",
        "Size",
        "Text",
        "Data",
        "Rodata",
        "Relocs",
        "Symbols",
        "Load_us",
        "Used by"
    );
    for row in &l.rows {
        let name = col(row, "name");
        let addr = if show_addr {
            col(row, "text_base")
        } else {
            format!("{:#018x}", 0)
        };
        out.push_str(&format!(
            "{:<24} {:<18} {:>8} {:>8} {:>8} {:>8} {:>6} {:>8} {:>8}  {}\n",
            name,
            addr,
            size(row),
            col(row, "text"),
            col(row, "data"),
            col(row, "rodata"),
            col(row, "relocations"),
            col(row, "symbols"),
            col(row, "load_us"),
            used_by(&name)
        ));
    }
    out
}

/// `rloaderctl list`.
pub(crate) fn run() -> Result<String, dev::DevError> {
    Ok(table(&dev::listing()?, may_see_addresses()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Listing {
        Listing {
            fields: "name text_base text data rodata ro_after_init relocations symbols load_us"
                .split(' ')
                .map(String::from)
                .collect(),
            rows: vec!["rl_x 0xffffffffa002a000 34 1857 200 0 18 1 30590"
                .split(' ')
                .map(String::from)
                .collect()],
        }
    }

    #[test]
    fn addresses_hidden() {
        let t = table(&sample(), false);
        assert!(t.contains("rl_x"));
        assert!(t.contains("0x0000000000000000"));
        assert!(!t.contains("ffffffffa002a000"));
        assert!(t.contains(" 2091 "));
    }

    #[test]
    fn addresses_shown() {
        assert!(table(&sample(), true).contains("0xffffffffa002a000"));
    }
}
