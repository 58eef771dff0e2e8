// SPDX-License-Identifier: GPL-2.0

//! `rloader-bench [MODULE.ko]`: throughput of validate + layout + symbols +
//! relocate, on the given (largest) real module and on a generated module
//! with 200k relocations. Region buffers are allocated once per run, never
//! per relocation.
//!
//! A second line per module splits the time of one load into the engine's
//! stages, as the kernel side runs them, kallsyms tables included (which
//! the first line leaves out). Buffers are prepared outside the timed
//! sections, so the stages add up to less than a whole load.

use std::time::{Duration, Instant};

use rloader_tools::builder;
use rloader_tools::engine::elf::{SectionIndex, SHT_NOBITS};
use rloader_tools::engine::kallsyms;
use rloader_tools::engine::layout::{self, LayoutOptions, MemType, Placement, MEM_TYPES};
use rloader_tools::engine::plan::{Config, Plan};
use rloader_tools::engine::reloc::{self, Target};
use rloader_tools::engine::symbols;
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
    stages(label, image, cfg)
}

/// The engine stages, in the order the kernel side runs them.
const STAGES: [&str; 6] = ["validate", "layout", "kallsyms plan", "symbols", "relocate", "kallsyms write"];

/// Gives [`reloc::relocate`] the sections placed in `regions`.
struct Regions<'r> {
    placements: &'r [Option<Placement>],
    regions: &'r mut [Vec<u8>; MEM_TYPES],
    addresses: &'r [u64],
    sizes: &'r [u64],
}

impl Target for Regions<'_> {
    fn section(&mut self, index: SectionIndex) -> Option<(&mut [u8], u64)> {
        let p = (*self.placements.get(index.0)?)?;
        let start = usize::try_from(p.offset).ok()?;
        let end = start.checked_add(usize::try_from(*self.sizes.get(index.0)?).ok()?)?;
        let mem = self.regions.get_mut(p.mem.index())?.get_mut(start..end)?;
        Some((mem, *self.addresses.get(index.0)?))
    }
}

/// Times each stage of one load (see [`STAGES`]) and prints the mean.
fn stages(label: &str, image: &[u8], cfg: &Config) -> Result<(), String> {
    let err = |e: rloader_tools::engine::Error<'_>| format!("{label}: {e}");
    let opts = LayoutOptions::default();
    let ksyms = kallsyms::Options { all: false, struct_size: 64, struct_align: 8 };
    let mut resolver = MapResolver::fake();
    let mut total = [Duration::ZERO; STAGES.len()];
    let mut runs = 0u32;
    let start = Instant::now();
    while runs < 3 || start.elapsed() < Duration::from_secs(1) {
        let t = Instant::now();
        let plan = Plan::parse(image, cfg).map_err(err)?;
        total[0] += t.elapsed();
        let n = plan.section_count();
        let mut placements = vec![None; n];
        let t = Instant::now();
        let mut lay = layout::layout(&plan, &opts, &mut placements).map_err(err)?;
        total[1] += t.elapsed();
        let t = Instant::now();
        let tables = kallsyms::plan(&plan, &placements, &ksyms, &mut lay).map_err(err)?;
        total[2] += t.elapsed();

        // Memory as the kernel side prepares it: sections copied in place.
        let bases = host::fake_bases(&lay);
        let mut regions: [Vec<u8>; MEM_TYPES] = Default::default();
        for t in MemType::ALL {
            regions[t.index()] = vec![0; lay.size(t) as usize];
        }
        let mut sizes = vec![0u64; n];
        for (i, p) in placements.iter().enumerate() {
            let (Some(p), Some(h)) = (p, plan.section_header(SectionIndex(i))) else { continue };
            sizes[i] = h.sh_size;
            if h.sh_type != SHT_NOBITS {
                let body = plan.section_data(SectionIndex(i));
                regions[p.mem.index()][p.offset as usize..][..body.len()].copy_from_slice(body);
            }
        }
        let mut addresses = vec![0u64; n];
        layout::section_addresses(&plan, &placements, &bases, host::PERCPU_BASE, &mut addresses).map_err(err)?;
        let mut values = vec![0u64; plan.symbol_count()];
        let mut sym = vec![0u8; tables.full_count * 24];
        let mut strtab = vec![0u8; tables.full_strtab_size as usize];
        let mut types = vec![0u8; tables.full_count];
        let mut core_sym = vec![0u8; tables.core_count * 24];
        let mut core_str = vec![0u8; tables.core_strtab_size as usize];
        let mut core_types = vec![0u8; tables.core_count];
        // Touch the tables now: the kernel writes them into memory it has
        // already populated, so page faults do not belong in the stage.
        for v in [&mut sym, &mut strtab, &mut types, &mut core_sym, &mut core_str, &mut core_types] {
            v.fill(0xff);
        }

        let t = Instant::now();
        symbols::resolve_symbols(&plan, &addresses, &mut resolver, &mut values, &mut |_| {}).map_err(err)?;
        total[3] += t.elapsed();
        let mut target =
            Regions { placements: &placements, regions: &mut regions, addresses: &addresses, sizes: &sizes };
        let t = Instant::now();
        reloc::relocate(&plan, &values, &mut target).map_err(err)?;
        total[4] += t.elapsed();
        let mut out = kallsyms::Out {
            full_symtab: &mut sym,
            full_strtab: &mut strtab,
            full_typetab: &mut types,
            core_symtab: &mut core_sym,
            core_strtab: &mut core_str,
            core_typetab: &mut core_types,
        };
        let t = Instant::now();
        kallsyms::write(&plan, &placements, &ksyms, &values, &mut out).map_err(err)?;
        total[5] += t.elapsed();
        std::hint::black_box((&regions, &sym, &core_sym));
        runs += 1;
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3 / f64::from(runs);
    let parts: Vec<String> = STAGES.iter().zip(total).map(|(s, d)| format!("{s} {:.3}", ms(d))).collect();
    println!("{label}: stages in ms/load: {} (sum {:.3})", parts.join(", "), ms(total.iter().sum()));
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
