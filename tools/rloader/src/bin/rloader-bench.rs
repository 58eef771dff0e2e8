// SPDX-License-Identifier: GPL-2.0

//! `rloader-bench [MODULE.ko]`: throughput of the load pipeline in the host environment, on
//! the given (largest) real module and on a generated module with 200k relocations.
//!
//! A second line per module splits the time of one load into the pipeline's stages, as the
//! pipeline's own clock measures them (the same stages, in the same order, as in the
//! kernel; registration, formation and init are empty on the host).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rloader_tools::builder;
use rloader_tools::engine::layout::LayoutOptions;
use rloader_tools::engine::load::{PerStage, Stage};
use rloader_tools::engine::plan::{Config, Plan};
use rloader_tools::host::{self, MapResolver};

/// Nanoseconds since the first call.
fn now() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = START.get_or_init(Instant::now);
    u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

fn bench(label: &str, image: &[u8], cfg: &Config) -> Result<(), String> {
    let err = |e| format!("{label}: {e}");
    let plan = Plan::parse(image, cfg).map_err(err)?;
    let relocs = plan.relocation_count as f64;
    let mut runs = 0u32;
    let mut times = PerStage::<u64>::default();
    let mut resolver = MapResolver::fake();
    let opts = LayoutOptions::default();
    let start = Instant::now();
    while runs < 3 || start.elapsed() < Duration::from_secs(1) {
        let l = host::load_timed(image, cfg, &opts, &mut resolver, &mut |_, _| {}, now)
            .map_err(|f| format!("{label}: {} failed", f.stage.name()))?;
        for (t, (_, v)) in times.0.iter_mut().zip(l.times.iter()) {
            *t += v;
        }
        std::hint::black_box(&l.regions);
        runs += 1;
    }
    let secs = start.elapsed().as_secs_f64() / f64::from(runs);
    println!(
        "{label}: {} bytes, {} relocations: {:.1} MB/s, {:.0} relocations/s \
         ({:.3} ms/load, {} runs)",
        image.len(),
        plan.relocation_count,
        image.len() as f64 / secs / 1e6,
        relocs / secs,
        secs * 1e3,
        runs
    );
    let ms = |ns: u64| ns as f64 / 1e6 / f64::from(runs);
    let parts: Vec<String> = Stage::ALL
        .iter()
        .map(|&s| format!("{} {:.3}", s.name(), ms(times.get(s))))
        .collect();
    println!(
        "{label}: stages in ms/load: {} (sum {:.3})",
        parts.join(", "),
        ms(times.total())
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let mut ok = true;
    if let Some(path) = std::env::args().nth(1) {
        match std::fs::read(&path) {
            Ok(image) => {
                if let Err(e) = bench(&path, &image, &host::module_config_of(&image, None)) {
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
    // RLOADER_BENCH_ONLY_FILE=1: only the file (e.g. to profile a small module alone).
    if std::env::var_os("RLOADER_BENCH_ONLY_FILE").is_some() {
        return if ok {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        };
    }
    let image = builder::many_relocs(200_000);
    let cfg = builder::CONFIG;
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
