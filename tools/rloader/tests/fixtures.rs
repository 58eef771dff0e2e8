// SPDX-License-Identifier: GPL-2.0

//! Tests over real modules from `$RLOADER_FIXTURES` (see common.rs),
//! including the GNU ld relocation oracle.

mod common;

use std::fmt::Write as _;
use std::process::Command;

use rloader_tools::builder::{get_shdr, set_shdr, shdr};
use rloader_tools::engine::elf::{SectionIndex, SHT_NOBITS, SHT_NULL};
use rloader_tools::engine::layout::LayoutOptions;
use rloader_tools::engine::plan::{Config, Plan};
use rloader_tools::host::{self, MapResolver};

fn cfg_for(image: &[u8]) -> Config {
    let cfg = host::module_config_of(image, None);
    assert_ne!(cfg.module_struct_size, 0, "module size");
    cfg
}

/// Loads every fixture; the modules of one directory (one kernel's build) must agree on
/// `sizeof(struct module)`.
#[test]
fn every_fixture_loads() {
    let mut sizes = std::collections::BTreeMap::new();
    for path in common::fixtures() {
        let image = std::fs::read(&path).unwrap();
        let cfg = cfg_for(&image);
        sizes
            .entry(path.parent().map(|p| p.to_path_buf()))
            .or_insert_with(std::collections::BTreeSet::new)
            .insert(cfg.module_struct_size);
        let mut r = MapResolver::fake();
        let loaded = host::load(
            &image,
            &cfg,
            &LayoutOptions::default(),
            &mut r,
            &mut |_, _| {},
        )
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), e));
        let mut bad = Vec::new();
        let mut n = 0;
        loaded.exports(&mut |e| match e {
            Ok(x) => {
                n += 1;
                assert!(!x.name.is_empty());
            }
            Err(e) => bad.push(e.to_string()),
        });
        assert!(bad.is_empty(), "{}: {:?}", path.display(), bad);
        let mi = loaded.plan.modinfo();
        assert!(mi.vermagic().is_some(), "{}: no vermagic", path.display());
        assert!(rloader_tools::vermagic::check(&mi, mi.vermagic().unwrap(), false, false).is_ok());
        // A module with an init function must have it found.
        let has_init = (1..loaded.plan.symbol_count()).any(|k| {
            let s = loaded
                .plan
                .symbol(rloader_tools::engine::SymbolIndex(k))
                .unwrap();
            s.st_shndx != 0 && loaded.plan.symbol_name(&s) == b"init_module"
        });
        assert_eq!(
            has_init,
            loaded.entry_points().0.is_some(),
            "{}: init",
            path.display()
        );
        let _ = n;
    }
    for (dir, sizes) in &sizes {
        assert_eq!(
            sizes.len(),
            1,
            "the fixtures of {:?} disagree on sizeof(struct module): {:?}",
            dir,
            sizes
        );
    }
}

/// Minimal ELF64 reader for the linked output: section name -> bytes.
fn output_sections(elf: &[u8]) -> std::collections::HashMap<String, Vec<u8>> {
    let shoff = u64::from_le_bytes(elf[40..48].try_into().unwrap()) as usize;
    let shnum = u16::from_le_bytes(elf[60..62].try_into().unwrap()) as usize;
    let shstrndx = u16::from_le_bytes(elf[62..64].try_into().unwrap()) as usize;
    let hdr =
        |i: usize| rloader_tools::engine::elf::SectionHeader::parse(elf, shoff + 64 * i).unwrap();
    let strs = hdr(shstrndx);
    let strtab = &elf[strs.sh_offset as usize..(strs.sh_offset + strs.sh_size) as usize];
    let mut out = std::collections::HashMap::new();
    for i in 1..shnum {
        let h = hdr(i);
        let name = rloader_tools::engine::elf::c_str_at(strtab, h.sh_name as usize).unwrap();
        let body = if h.sh_type == SHT_NOBITS {
            vec![0; h.sh_size as usize]
        } else {
            elf[h.sh_offset as usize..(h.sh_offset + h.sh_size) as usize].to_vec()
        };
        out.insert(String::from_utf8_lossy(name).into_owned(), body);
    }
    out
}

/// Rewrites the image so that every section we place is named `.rl<index>`
/// (unique, no special meaning to ld) and nothing is merged.
fn rename_for_ld(image: &[u8], plan: &Plan<'_>, rename: &[bool]) -> Vec<u8> {
    let mut out = image.to_vec();
    let mut strs = vec![0u8];
    let mut offs = Vec::new();
    for s in plan.sections() {
        offs.push(strs.len() as u64);
        if rename[s.index.0] {
            strs.extend_from_slice(format!(".rl{}", s.index.0).as_bytes());
        } else {
            strs.extend_from_slice(s.name);
        }
        strs.push(0);
    }
    let base = out.len() as u64;
    out.extend_from_slice(&strs);
    for s in plan.sections() {
        if s.header.sh_type == SHT_NULL {
            continue;
        }
        set_shdr(&mut out, s.index.0, shdr::NAME, offs[s.index.0]);
        // No string merging, no groups: keep bytes exactly where they are.
        set_shdr(
            &mut out,
            s.index.0,
            shdr::FLAGS,
            s.header.sh_flags & !(0x10 | 0x20 | 0x200),
        );
    }
    let shstrndx = plan.header.e_shstrndx as usize;
    set_shdr(&mut out, shstrndx, shdr::OFFSET, base);
    set_shdr(&mut out, shstrndx, shdr::SIZE, strs.len() as u64);
    assert_eq!(get_shdr(&out, shstrndx).sh_size, strs.len() as u64);
    out
}

#[test]
fn relocations_match_gnu_ld() {
    let tmp = std::env::temp_dir().join(format!("rloader-ld-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut compared = 0usize;
    for path in common::fixtures() {
        let image = std::fs::read(&path).unwrap();
        let cfg = cfg_for(&image);
        let mut r = MapResolver::fake();
        let loaded = host::load(
            &image,
            &cfg,
            &LayoutOptions::default(),
            &mut r,
            &mut |_, _| {},
        )
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), e));
        let plan = &loaded.plan;
        let n = plan.section_count();
        let mut rename = vec![false; n];
        let mut script = String::from("SECTIONS\n{\n");
        let mut discard = String::new();
        for s in plan.sections() {
            let i = s.index.0;
            if loaded.placements[i].is_some() {
                rename[i] = true;
                writeln!(
                    script,
                    "  .rl{} {:#x} : {{ *(.rl{}) }}",
                    i, loaded.addresses[i], i
                )
                .unwrap();
            } else if Some(s.index) == plan.special.percpu {
                rename[i] = true;
                writeln!(
                    script,
                    "  .rl{} {:#x} : {{ *(.rl{}) }}",
                    i,
                    host::PERCPU_BASE,
                    i
                )
                .unwrap();
            } else if s.header.is_alloc() {
                rename[i] = true;
                write!(discard, " *(.rl{})", i).unwrap();
            }
        }
        if !discard.is_empty() {
            writeln!(script, "  /DISCARD/ : {{{} }}", discard).unwrap();
        }
        script.push_str("}\n");
        for (name, addr) in &r.invented {
            writeln!(
                script,
                "\"{}\" = {:#x};",
                String::from_utf8_lossy(name),
                addr
            )
            .unwrap();
        }
        let input = rename_for_ld(&image, plan, &rename);
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let (obj, lds, out) = (
            tmp.join(format!("{stem}.o")),
            tmp.join(format!("{stem}.lds")),
            tmp.join(format!("{stem}.elf")),
        );
        std::fs::write(&obj, &input).unwrap();
        std::fs::write(&lds, &script).unwrap();
        let res = Command::new("ld.bfd")
            .args([
                "-static",
                "-nostdlib",
                "-e",
                "0",
                "-z",
                "noexecstack",
                "-z",
                "max-page-size=4096",
                "--no-warn-rwx-segments",
                "-T",
            ])
            .arg(&lds)
            .arg("-o")
            .arg(&out)
            .arg(&obj)
            .output()
            .expect("ld.bfd (binutils) must be installed");
        assert!(
            res.status.success(),
            "{}: ld failed: {}\nscript:\n{}",
            path.display(),
            String::from_utf8_lossy(&res.stderr),
            script
        );
        let linked = output_sections(&std::fs::read(&out).unwrap());
        for (i, p) in loaded.placements.iter().enumerate() {
            if p.is_none() {
                continue;
            }
            let ours = loaded.section_bytes(SectionIndex(i)).unwrap();
            if ours.is_empty() {
                continue; // ld drops empty output sections
            }
            let theirs = linked
                .get(&format!(".rl{}", i))
                .unwrap_or_else(|| panic!("{}: ld output lacks section {}", path.display(), i));
            if ours.is_empty() {
                continue;
            }
            let name =
                String::from_utf8_lossy(plan.section(SectionIndex(i)).unwrap().name).into_owned();
            if let Some(pos) = ours.iter().zip(theirs.iter()).position(|(a, b)| a != b) {
                panic!(
                    "{}: section {} {} differs from ld at offset {:#x}",
                    path.display(),
                    i,
                    name,
                    pos
                );
            }
            assert_eq!(
                ours.len(),
                theirs.len(),
                "{}: section {} {} length",
                path.display(),
                i,
                name
            );
            compared += 1;
        }
        let _ = std::fs::remove_file(&obj);
        let _ = std::fs::remove_file(&lds);
        let _ = std::fs::remove_file(&out);
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(compared > 0);
    eprintln!("ld oracle: {} sections byte-identical", compared);
}
