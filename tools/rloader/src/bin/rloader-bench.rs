// SPDX-License-Identifier: GPL-2.0

//! `rloader-bench [MODULE.ko]`: throughput of validate + layout + symbols +
//! relocate, on the given (largest) real module and on a generated module
//! with 200k relocations. Region buffers are allocated once per run, never
//! per relocation.

use std::time::{Duration, Instant};

use rloader_tools::builder;
use rloader_tools::engine::layout::LayoutOptions;
use rloader_tools::engine::plan::{Config, Plan};
use rloader_tools::host::{self, MapResolver};

fn bench(label: &str, image: &[u8], cfg: &Config) -> Result<(), String> {
    let plan = Plan::parse(image, cfg).map_err(|e| format!("{label}: {e}"))?;
    let relocs = plan.relocation_count as f64;
    let mut runs = 0u32;
    let start = Instant::now();
    let mut resolver = MapResolver::fake();
    while runs < 3 || start.elapsed() < Duration::from_secs(1) {
        let l = host::load(image, cfg, &LayoutOptions::default(), &mut resolver, &mut |_, _| {})
            .map_err(|e| format!("{label}: {e}"))?;
        std::hint::black_box(&l.regions);
        runs += 1;
    }
    let secs = start.elapsed().as_secs_f64() / f64::from(runs);
    println!(
        "{label}: {} bytes, {} relocations: {:.1} MB/s, {:.0} relocations/s ({:.3} ms/load, {} runs)",
        image.len(),
        plan.relocation_count,
        image.len() as f64 / secs / 1e6,
        relocs / secs,
        secs * 1e3,
        runs
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let mut ok = true;
    if let Some(path) = std::env::args().nth(1) {
        match std::fs::read(&path) {
            Ok(image) => {
                let cfg = Config { module_struct_size: host::module_struct_size_of(&image).unwrap_or(0) };
                if let Err(e) = bench(&path, &image, &cfg) {
                    eprintln!("{e}");
                    ok = false;
                }
            }
            Err(e) => {
                eprintln!("{path}: {e}");
                ok = false;
            }
        }
    }
    let image = builder::many_relocs(200_000);
    let cfg = Config { module_struct_size: builder::MODULE_SIZE };
    if let Err(e) = bench("generated", &image, &cfg) {
        eprintln!("{e}");
        ok = false;
    }
    if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
