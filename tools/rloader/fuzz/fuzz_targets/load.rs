// SPDX-License-Identifier: GPL-2.0

//! libFuzzer target: validate + modinfo + layout + symbols + relocate +
//! export decoding with a fake resolver, on arbitrary bytes. The module
//! size is taken from the input itself so that real modules get deep.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rloader_tools::engine::layout::LayoutOptions;
use rloader_tools::engine::plan::{Config, Plan};
use rloader_tools::host::{self, MapResolver};

fuzz_target!(|data: &[u8]| {
    let size = host::module_struct_size_of(data).unwrap_or(1280);
    let cfg = Config { module_struct_size: size };
    let mut n = 0usize;
    let _ = Plan::parse_reporting(data, &cfg, &mut |e| {
        n += e.to_string().len();
        let _ = e.errno();
    });
    if let Ok(plan) = Plan::parse(data, &cfg) {
        let mi = plan.modinfo();
        for (k, v) in mi.entries() {
            n += k.len() + v.len();
        }
        n += mi.params().count() + mi.import_ns().count();
        let _ = mi.check_vermagic(b"6.12.0 SMP mod_unload ", plan.versions_index.is_some(), false);
        let _ = mi.is_gpl_compatible();
    }
    for unload in [true, false] {
        let opts = LayoutOptions { unload, page_size: 4096 };
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
