// SPDX-License-Identifier: GPL-2.0

//! libFuzzer target: the whole load pipeline in the host environment (validate, layout with
//! the kallsyms tables, allocate, place, bind with a fake resolver, relocate, kallsyms
//! tables), the extent of every prefix length the device would see, `.modinfo`, the version
//! magic check and export decoding, on arbitrary bytes. The module size is taken from the
//! input itself so that real modules get deep.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rloader_tools::engine::layout::LayoutOptions;
use rloader_tools::engine::plan::{Config, Plan};
use rloader_tools::engine::{extent, Extent};
use rloader_tools::host::{self, MapResolver};
use rloader_tools::vermagic;

fuzz_target!(|data: &[u8]| {
    let mut cfg = host::module_config_of(data, None);
    if cfg.module_struct_size == 0 {
        cfg.module_struct_size = 1280;
    }
    let mut n = 0usize;
    // The device asks for the extent after each write: follow its answers.
    let mut len = 1.min(data.len());
    while len <= data.len() {
        match extent(&data[..len]) {
            Ok(Extent::Incomplete(need)) if need > len => len = need,
            Ok(Extent::Incomplete(_)) => break,
            Ok(Extent::Complete(end)) => {
                assert!(end <= len);
                break;
            }
            Err(e) => {
                n += e.to_string().len();
                break;
            }
        }
    }
    let _ = Plan::parse_reporting(data, &cfg, &mut |e| {
        n += e.to_string().len() + e.kind().len();
        let _ = e.errno();
    });
    if let Ok(plan) = Plan::parse(data, &cfg) {
        let mi = plan.modinfo();
        for (k, v) in mi.entries() {
            n += k.len() + v.len();
        }
        n += mi.import_ns().count();
        let magic = b"6.12.0 SMP mod_unload ";
        let _ = vermagic::check(&mi, magic, plan.versions_index.is_some(), false);
        let _ = mi.is_gpl_compatible();
    }
    for unload in [true, false] {
        let opts = LayoutOptions {
            unload,
            page_size: 4096,
        };
        let mut r = MapResolver::fake();
        match host::load(data, &cfg, &opts, &mut r, &mut |name, _| n += name.len()) {
            Ok(l) => {
                l.exports(&mut |e| {
                    if let Ok(x) = e {
                        n += x.name.len();
                    }
                });
                let _ = l.entry_points();
            }
            Err(e) => n += e.to_string().len(),
        }
    }
    std::hint::black_box(n);
});
