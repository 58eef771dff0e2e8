// SPDX-License-Identifier: GPL-2.0

//! `rloader-check`: explains what rloader would do with a module.
//!
//! Usage: `rloader-check [--module-size N] [--vermagic STR] [--no-unload]
//! [--exports FILE] MODULE.ko`

use std::collections::BTreeMap;
use std::process::ExitCode;

use rloader_tools::engine::elf::{SectionIndex, SHN_UNDEF, STB_WEAK};
use rloader_tools::engine::layout::LayoutOptions;
use rloader_tools::engine::mem::MemType;
use rloader_tools::engine::names::Name;
use rloader_tools::engine::plan::Plan;
use rloader_tools::engine::symbols::ResolveError;
use rloader_tools::engine::x86_64::{type_name, TYPES};
use rloader_tools::host::{self, KnownSymbol, MapResolver};
use rloader_tools::vermagic;

struct Args {
    module_size: Option<u64>,
    vermagic: Option<String>,
    unload: bool,
    exports: Option<String>,
    file: String,
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: rloader-check [--module-size N] [--vermagic STR] [--no-unload] \
         [--exports FILE] MODULE.ko"
    );
    ExitCode::from(2)
}

fn parse_args() -> Option<Args> {
    let mut a = Args {
        module_size: None,
        vermagic: None,
        unload: true,
        exports: None,
        file: String::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--module-size" => a.module_size = Some(it.next()?.parse().ok()?),
            "--vermagic" => a.vermagic = Some(it.next()?),
            "--no-unload" => a.unload = false,
            "--exports" => a.exports = Some(it.next()?),
            s if s.starts_with('-') => return None,
            s => a.file = s.to_string(),
        }
    }
    if a.file.is_empty() {
        None
    } else {
        Some(a)
    }
}

/// Parses System.map (`addr type name`) or Module.symvers
/// (`crc\tname\tmodule\tEXPORT_SYMBOL[_GPL]\tns`) lines.
fn parse_exports(text: &str) -> BTreeMap<Vec<u8>, KnownSymbol> {
    let mut map = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let tabs: Vec<&str> = line.split('\t').collect();
        if tabs.len() >= 4 && tabs[3].starts_with("EXPORT_SYMBOL") {
            map.insert(
                tabs[1].as_bytes().to_vec(),
                KnownSymbol {
                    address: host::KERNEL_BASE + 16 * n as u64,
                    gpl_only: tabs[3] == "EXPORT_SYMBOL_GPL",
                    namespace: tabs
                        .get(4)
                        .map(|s| s.trim().as_bytes().to_vec())
                        .unwrap_or_default(),
                },
            );
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() >= 3 {
            if let Ok(addr) = u64::from_str_radix(f[0], 16) {
                map.insert(
                    f[2].as_bytes().to_vec(),
                    KnownSymbol {
                        address: addr,
                        gpl_only: false,
                        namespace: Vec::new(),
                    },
                );
            }
        }
    }
    map
}

fn main() -> ExitCode {
    let Some(args) = parse_args() else {
        return usage();
    };
    let image = match std::fs::read(&args.file) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{}: {}", args.file, e);
            return ExitCode::from(2);
        }
    };
    let cfg = host::module_config_of(&image, args.module_size);
    let module_size = cfg.module_struct_size;
    let opts = LayoutOptions {
        unload: args.unload,
        page_size: 4096,
    };
    let mut reasons: Vec<String> = Vec::new();

    println!("module: {}", args.file);
    println!(
        "sizeof(struct module): {}{}",
        module_size,
        if args.module_size.is_none() {
            " (taken from the file)"
        } else {
            ""
        }
    );
    let plan = match Plan::parse_reporting(&image, &cfg, &mut |e| {
        reasons.push(format!("{} [{}, errno {}]", e, e.kind(), e.errno()))
    }) {
        Ok(p) => p,
        Err(e) => {
            if reasons.is_empty() {
                reasons.push(format!("{} [{}, errno {}]", e, e.kind(), e.errno()));
            }
            println!("verdict: REFUSED");
            for r in &reasons {
                println!("  reason: {}", r);
            }
            return ExitCode::from(1);
        }
    };

    let mi = plan.modinfo();
    println!("modinfo:");
    for (k, v) in mi.entries() {
        println!("  {}={}", Name(k), Name(v));
    }
    println!("  gpl-compatible: {}", mi.is_gpl_compatible());
    if let Some(vm) = &args.vermagic {
        if let Err(e) = vermagic::check(&mi, vm.as_bytes(), plan.versions_index.is_some(), false) {
            reasons.push(format!("{} [{}, errno 8]", e, e.kind()));
        }
    }

    println!("undefined symbols:");
    for k in 1..plan.symbol_count() {
        let Some(s) = plan.symbol(rloader_tools::engine::SymbolIndex(k)) else {
            continue;
        };
        if s.st_shndx == SHN_UNDEF && s.st_name != 0 {
            println!(
                "  {}{}",
                Name(plan.symbol_name(&s)),
                if s.bind() == STB_WEAK { " (weak)" } else { "" }
            );
        }
    }

    let mut resolver = match &args.exports {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(t) => MapResolver {
                symbols: parse_exports(&t),
                ..Default::default()
            },
            Err(e) => {
                eprintln!("{}: {}", path, e);
                return ExitCode::from(2);
            }
        },
        None => MapResolver::fake(),
    };
    let mut unresolved: Vec<String> = Vec::new();
    let loaded = host::load(&image, &cfg, &opts, &mut resolver, &mut |name, err| {
        let why = match err {
            ResolveError::NotFound => "not exported".to_string(),
            ResolveError::GplOnly => "GPL-only symbol, module is not GPL-compatible".to_string(),
            ResolveError::MissingNamespace => "namespace not imported".to_string(),
            ResolveError::Failed(e) => format!("lookup failed with errno {e}"),
        };
        unresolved.push(format!("{}: {}", Name(name), why));
    });
    for u in &unresolved {
        println!("  unresolved: {}", u);
    }
    match loaded {
        Err(e) => {
            reasons.push(format!("{} [{}, errno {}]", e, e.kind(), e.errno()));
        }
        Ok(l) => {
            println!("layout:");
            for t in MemType::ALL {
                let p = perms(t);
                println!(
                    "  {:<18} size {:>8} pages-size {:>8} align {:>4} {}{}{}",
                    t.name(),
                    l.layout.size(t),
                    l.layout.page_size_of(t).unwrap_or(0),
                    l.layout.align[t],
                    if p.0 { 'r' } else { '-' },
                    if p.1 { 'w' } else { '-' },
                    if p.2 { 'x' } else { '-' }
                );
            }
            for (i, p) in l.placements.iter().enumerate() {
                if let (Some(p), Some(s)) = (p, plan.section(SectionIndex(i))) {
                    println!(
                        "    [{:>3}] {:<32} {:<18} +{:#x} size {:#x}",
                        i,
                        Name(s.name).to_string(),
                        p.mem.name(),
                        p.offset,
                        s.header.sh_size
                    );
                }
            }
            println!(
                "relocations: {} applied, {} skipped (non-allocated targets)",
                l.reloc_stats.applied(),
                l.reloc_stats.skipped
            );
            for (i, t) in TYPES.iter().enumerate() {
                if l.reloc_stats.by_type[i] > 0 {
                    println!("  {:<16} {}", type_name(*t), l.reloc_stats.by_type[i]);
                }
            }
            println!("exports:");
            l.exports(&mut |e| match e {
                Ok(x) => println!(
                    "  {}{}{}",
                    Name(x.name),
                    if x.gpl_only { " gpl" } else { "" },
                    match x.namespace {
                        Some(ns) => format!(" ns={}", Name(ns)),
                        None => String::new(),
                    }
                ),
                Err(e) => reasons.push(format!("{} [{}]", e, e.kind())),
            });
            let (init, exit) = l.entry_points();
            println!(
                "init: {}",
                init.map_or("none".into(), |a| format!("{:#x}", a))
            );
            println!(
                "exit: {}",
                exit.map_or("none".into(), |a| format!("{:#x}", a))
            );
        }
    }
    if reasons.is_empty() {
        println!("verdict: OK");
        ExitCode::SUCCESS
    } else {
        println!("verdict: REFUSED");
        for r in &reasons {
            println!("  reason: {}", r);
        }
        ExitCode::from(1)
    }
}

/// The permissions of a memory type once the module is live (read, write, exec), as
/// `module_enable_rodata_ro()` and friends set them.
fn perms(t: MemType) -> (bool, bool, bool) {
    match t {
        MemType::Text | MemType::InitText => (true, false, true),
        MemType::Data | MemType::InitData | MemType::RoAfterInit => (true, true, false),
        MemType::Rodata | MemType::InitRodata => (true, false, false),
    }
}
