// SPDX-License-Identifier: GPL-2.0

//! Unit tests on generated modules: the happy path, and one test per
//! rejection path asserting its exact error variant. No fixtures needed.

use rloader_tools::builder::{
    self, get_shdr, idx, poke, set_shdr, shdr, sym_idx, Sec, MODULE_SIZE,
};
use rloader_tools::engine::elf::*;
use rloader_tools::engine::error::{Error, EINVAL, ENOENT, ENOEXEC, ENOMEM};
use rloader_tools::engine::kallsyms;
use rloader_tools::engine::layout::{self, LayoutOptions};
use rloader_tools::engine::mem::MemType;
use rloader_tools::engine::modinfo::{license_is_gpl_compatible, ModInfo};
use rloader_tools::engine::plan::{Config, Plan};
use rloader_tools::engine::reloc;
use rloader_tools::engine::reloc::Target;
use rloader_tools::engine::symbols::{Query, ResolveError, Resolver};
use rloader_tools::engine::x86_64::*;
use rloader_tools::exports::{self, Placed};
use rloader_tools::host::{self, KnownSymbol, MapResolver};
use rloader_tools::vermagic;

const CFG: Config = builder::CONFIG;

fn parse(image: &[u8]) -> Result<Plan<'_>, Error<'_>> {
    Plan::parse(image, &CFG)
}

fn err(image: &[u8]) -> Error<'_> {
    parse(image).expect_err("image should be refused")
}

fn load(image: &[u8]) -> Result<host::Loaded<'_>, Error<'_>> {
    host::load(
        image,
        &CFG,
        &LayoutOptions::default(),
        &mut MapResolver::fake(),
        &mut |_, _| {},
    )
}

fn sample() -> Vec<u8> {
    builder::sample_module()
}

fn sym_off(image: &[u8], k: usize) -> usize {
    get_shdr(image, idx::SYMTAB).sh_offset as usize + 24 * k
}

fn rela_off(image: &[u8], sec: usize, r: usize) -> usize {
    get_shdr(image, sec).sh_offset as usize + 24 * r
}

fn rename(image: &mut [u8], sec: usize, like: usize) {
    let n = get_shdr(image, like).sh_name;
    set_shdr(image, sec, shdr::NAME, u64::from(n));
}

// ---------------------------------------------------------------- happy path

#[test]
fn sample_validates_and_loads() {
    let image = sample();
    let plan = parse(&image).unwrap();
    assert_eq!(plan.this_module_index, SectionIndex(idx::THIS_MODULE));
    assert_eq!(plan.symtab_index, SectionIndex(idx::SYMTAB));
    assert_eq!(plan.strtab_index, SectionIndex(idx::STRTAB));
    assert_eq!(plan.modinfo_index, Some(SectionIndex(idx::MODINFO)));
    assert_eq!(plan.special.ksymtab, Some(SectionIndex(idx::KSYMTAB)));
    assert_eq!(plan.relocation_count, 14);
    let l = load(&image).unwrap();
    assert_eq!(l.reloc_stats.applied(), 14); // R_X86_64_NONE counts as applied
    let text = l.section_bytes(SectionIndex(idx::TEXT)).unwrap();
    let taddr = l.addresses[idx::TEXT];
    let rd = |o: usize, n: usize| {
        let mut b = [0u8; 8];
        b[..n].copy_from_slice(&text[o..o + n]);
        u64::from_le_bytes(b)
    };
    // PLT32 at 1 -> printk - 4 - P
    let printk = l.symbols[sym_idx::PRINTK as usize];
    assert_eq!(
        rd(1, 4) as u32,
        printk.wrapping_sub(4).wrapping_sub(taddr + 1) as u32
    );
    // 64 at 8 -> .rodata + 4
    assert_eq!(rd(8, 8), l.addresses[idx::RODATA] + 4);
    // weak undefined resolved by the fake resolver; abs symbol is 0x1234
    assert_eq!(rd(40, 8), 0x1234);
    // PC64 at 56 -> sample_fn - P
    assert_eq!(rd(56, 8), taddr.wrapping_sub(taddr + 56));
    // exports
    let mut ex = Vec::new();
    l.exports(&mut |e| ex.push(e.unwrap().name.to_vec()));
    assert_eq!(ex, vec![b"sample_fn".to_vec()]);
    let (init, exit) = l.entry_points();
    assert_eq!(init, Some(l.addresses[idx::INIT_TEXT]));
    assert_eq!(exit, Some(l.addresses[idx::EXIT_TEXT]));
    let offs = exports::entry_offsets(&l.plan);
    assert_eq!(
        (offs.init, offs.exit),
        (Some(builder::INIT_OFFSET), Some(builder::EXIT_OFFSET))
    );
}

#[test]
fn layout_follows_kernel_rules() {
    let image = sample();
    let plan = parse(&image).unwrap();
    let mut p = vec![None; plan.section_count()];
    layout::layout(&plan, &LayoutOptions::default(), &mut p).unwrap();
    let mem = |i: usize| p[i].map(|x| x.mem);
    assert_eq!(mem(idx::TEXT), Some(MemType::Text));
    assert_eq!(mem(idx::INIT_TEXT), Some(MemType::InitText));
    assert_eq!(mem(idx::EXIT_TEXT), Some(MemType::Text));
    assert_eq!(mem(idx::RODATA), Some(MemType::Rodata));
    assert_eq!(mem(idx::DATA), Some(MemType::Data));
    assert_eq!(mem(idx::BSS), Some(MemType::Data));
    assert_eq!(mem(idx::RO_AFTER_INIT), Some(MemType::RoAfterInit));
    assert_eq!(mem(idx::MODINFO), None);
    assert_eq!(mem(idx::SYMTAB), None);
    let _ = mem;
    // Without unload, .exit goes to init text.
    let lay = layout::layout(
        &plan,
        &LayoutOptions {
            unload: false,
            page_size: 4096,
        },
        &mut p,
    )
    .unwrap();
    assert_eq!(p[idx::EXIT_TEXT].map(|x| x.mem), Some(MemType::InitText));
    assert_eq!(lay.page_size_of(MemType::Text), Some(4096));
    assert_eq!(p[idx::BSS].unwrap().offset % 32, 0);
}

#[test]
fn modinfo_accessors() {
    let image = sample();
    let plan = parse(&image).unwrap();
    let mi = plan.modinfo();
    assert_eq!(mi.get(b"name"), Some(&b"sample"[..]));
    assert_eq!(mi.license(), Some(&b"GPL"[..]));
    assert_eq!(mi.get(b"depends"), Some(&b""[..]));
    assert_eq!(mi.get(b"description"), Some(&b"generated test module"[..]));
    assert_eq!(mi.import_ns().collect::<Vec<_>>(), vec![&b"FOO"[..]]);
    let p: Vec<_> = mi.get_all(b"parm").collect();
    assert_eq!(p, vec![&b"level:verbosity level"[..]]);
    assert_eq!(mi.get(b"parmtype"), Some(&b"level:int"[..]));
    assert!(mi.is_gpl_compatible());
    assert!(vermagic::check(&mi, builder::VERMAGIC, false, false).is_ok());
    let two = ModInfo::new(b"import_ns=A\0\0\0import_ns=B\0junk\0");
    assert_eq!(two.import_ns().count(), 2);
    // modversions compares only after the first space
    let mv = ModInfo::new(b"vermagic=6.12.1 SMP mod_unload \0");
    assert!(vermagic::check(&mv, b"6.12.9 SMP mod_unload ", true, false).is_ok());
    assert!(vermagic::check(&mv, b"6.12.9 SMP mod_unload ", false, false).is_err());
    assert!(vermagic::check(&mv, b"x", false, true).is_ok());
}

#[test]
fn license_list_is_the_kernels() {
    for l in [
        "GPL",
        "GPL v2",
        "GPL and additional rights",
        "Dual BSD/GPL",
        "Dual MIT/GPL",
        "Dual MPL/GPL",
    ] {
        assert!(license_is_gpl_compatible(l.as_bytes()), "{l}");
    }
    for l in ["Proprietary", "GPL v3", "gpl", "MIT", "Dual MIT/GPL ", ""] {
        assert!(!license_is_gpl_compatible(l.as_bytes()), "{l}");
    }
}

#[test]
fn relocation_arithmetic() {
    let p = 0xffff_ffff_a000_0000u64;
    assert_eq!(compute(R_X86_64_NONE, 1, 2, p).unwrap().width, 0);
    assert_eq!(
        compute(R_X86_64_64, 0x10, -1, p).unwrap().bytes,
        0xfu64.to_le_bytes()
    );
    assert_eq!(compute(R_X86_64_32, 0xffff_ffff, 0, p).unwrap().width, 4);
    assert_eq!(
        compute(R_X86_64_32, 0xffff_ffff, 1, p),
        Err(ComputeError::Overflow(1 << 32))
    );
    assert!(compute(R_X86_64_32S, 0xffff_ffff_8000_0000, 0, p).is_ok());
    assert!(compute(R_X86_64_32S, 0x8000_0000, 0, p).is_err());
    let pc = compute(R_X86_64_PC32, p + 0x100, -4, p).unwrap();
    assert_eq!(pc.as_slice(), &0xfcu32.to_le_bytes());
    assert_eq!(
        compute(R_X86_64_PLT32, p - 0x100, 0, p).unwrap().as_slice(),
        &(-0x100i32).to_le_bytes()
    );
    assert!(compute(R_X86_64_PC32, p.wrapping_add(1 << 31), 0, p).is_err());
    assert_eq!(
        compute(R_X86_64_PC64, 0, 0, 8).unwrap().bytes,
        (-8i64).to_le_bytes()
    );
    assert_eq!(compute(9, 0, 0, 0), Err(ComputeError::UnknownType));
    assert_eq!(type_name(41), "R_X86_64_GOTPCRELX");
}

#[test]
fn weak_and_got_resolve_to_zero() {
    let image = sample();
    let mut r = MapResolver::default();
    r.symbols.insert(
        b"printk".to_vec(),
        KnownSymbol {
            address: host::KERNEL_BASE,
            gpl_only: false,
            namespace: vec![],
        },
    );
    let l = host::load(
        &image,
        &CFG,
        &LayoutOptions::default(),
        &mut r,
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(l.symbols[sym_idx::WEAK_OPT as usize], 0);
    assert_eq!(l.symbol_stats.weak_zero, 1);
}

#[test]
fn symbol_table_walks_agree() {
    let image = sample();
    let plan = parse(&image).unwrap();
    let all: Vec<Symbol> = plan.symbols().collect();
    assert_eq!(all.len(), plan.symbol_count());
    for (k, s) in all.iter().enumerate() {
        assert_eq!(Some(*s), plan.symbol(SymbolIndex(k)));
        assert_eq!(Symbol::from_entry(&s.to_entry()), Some(*s));
    }
    let off = get_shdr(&image, idx::SYMTAB).sh_offset as usize;
    let e = &image[off + 24 * sym_idx::ABS_SYM as usize..][..24];
    assert_eq!(all[sym_idx::ABS_SYM as usize].to_entry(), e);
    assert_eq!(Symbol::from_entry(&e[..23]), None);
    assert_eq!(Rela::from_entry(&[0; 23]), None);
    assert_eq!(SectionHeader::from_entry(&[0; 63]), None);
}

#[test]
fn kallsyms_tables_of_the_sample() {
    let image = sample();
    let mut l = load(&image).unwrap();
    let names = |table: &[u8], symtab: &[u8]| -> Vec<String> {
        symtab
            .chunks(24)
            .map(|e| {
                let s = Symbol::from_entry(e).unwrap();
                String::from_utf8(c_str_at(table, s.st_name as usize).unwrap().to_vec()).unwrap()
            })
            .collect()
    };
    for (all, core) in [
        (false, &["", "cleanup_module", "sample_fn"][..]),
        (
            true,
            &[
                "",
                "counter",
                "__kstrtab_sample_fn",
                "__kstrtabns_sample_fn",
                "cleanup_module",
                "sample_fn",
            ][..],
        ),
    ] {
        let opts = kallsyms::Options {
            all,
            struct_size: 40,
            struct_align: 8,
        };
        let mut lay = l.layout;
        let t = kallsyms::plan(&l.plan, &l.placements, &opts, &mut lay).unwrap();
        assert_eq!((t.full_count, t.core_count), (11, core.len()));
        assert!(lay.size(MemType::InitData) >= t.full_typetab + 11);
        assert!(lay.size(MemType::Data) >= t.core_typetab + core.len() as u64);
        let mut full = vec![0xaa; 11 * 24];
        let mut strtab = vec![0xaa; t.full_strtab_size as usize];
        let mut types = vec![0xaa; 11];
        let mut core_sym = vec![0xaa; core.len() * 24];
        let mut core_str = vec![0xaa; t.core_strtab_size as usize];
        let mut core_types = vec![0xaa; core.len()];
        let mut out = kallsyms::Out {
            full_symtab: &mut full,
            full_strtab: &mut strtab,
            full_typetab: &mut types,
            core_symtab: &mut core_sym,
            core_strtab: &mut core_str,
            core_typetab: &mut core_types,
        };
        kallsyms::write(&l.plan, &l.placements, &opts, &l.symbols, &mut out).unwrap();
        // The kernel's elf_type(): section symbol in .rodata, data, two
        // strings, three functions, undefined, weak undefined, absolute.
        assert_eq!(types, b"UrdrrtttUwa");
        assert_eq!(strtab, l.plan.section_data(l.plan.strtab_index));
        assert_eq!(
            names(&strtab, &full)[sym_idx::SAMPLE_FN as usize],
            "sample_fn"
        );
        assert_eq!(names(&core_str, &core_sym), core);
        for (k, e) in full.chunks(24).enumerate() {
            let s = Symbol::from_entry(e).unwrap();
            assert_eq!(s.st_value, l.symbols[k]);
            let orig = l.plan.symbol(SymbolIndex(k)).unwrap();
            assert_eq!(
                Symbol {
                    st_value: orig.st_value,
                    ..s
                },
                orig
            );
        }
        let text = l.addresses[idx::TEXT];
        let last = Symbol::from_entry(&core_sym[core_sym.len() - 24..]).unwrap();
        assert_eq!((last.st_value, core_types[core.len() - 1]), (text, b't'));
    }
    // Tables of the wrong size are refused, not overrun.
    let opts = kallsyms::Options {
        all: false,
        struct_size: 40,
        struct_align: 8,
    };
    let t = kallsyms::plan(&l.plan, &l.placements, &opts, &mut l.layout).unwrap();
    let mut small = vec![0; 10 * 24];
    let (mut a, mut b, mut c, mut d, mut e) = (
        vec![0; t.full_strtab_size as usize],
        vec![0; 11],
        vec![0; 3 * 24],
        vec![0; t.core_strtab_size as usize],
        vec![0; 3],
    );
    let mut out = kallsyms::Out {
        full_symtab: &mut small,
        full_strtab: &mut a,
        full_typetab: &mut b,
        core_symtab: &mut c,
        core_strtab: &mut d,
        core_typetab: &mut e,
    };
    assert!(matches!(
        kallsyms::write(&l.plan, &l.placements, &opts, &l.symbols, &mut out),
        Err(Error::TableSize { .. })
    ));
}

// ------------------------------------------------------------ rejections

#[test]
fn rejects_too_short() {
    let image = sample();
    assert_eq!(err(&image[..10]), Error::TooShort { len: 10 });
}

#[test]
fn rejects_bad_ident() {
    let mut i = sample();
    i[0] = 0;
    assert_eq!(err(&i), Error::BadMagic);
    let mut i = sample();
    i[4] = 1;
    assert_eq!(err(&i), Error::BadClass { class: 1 });
    let mut i = sample();
    i[5] = 2;
    assert_eq!(err(&i), Error::BadDataEncoding { data: 2 });
    let mut i = sample();
    i[6] = 0;
    assert_eq!(err(&i), Error::BadVersion { version: 0 });
    let mut i = sample();
    poke(&mut i, 20, 4, 7);
    assert_eq!(err(&i), Error::BadVersion { version: 7 });
    let mut i = sample();
    poke(&mut i, 16, 2, 2);
    assert_eq!(err(&i), Error::NotRelocatable { e_type: 2 });
    let mut i = sample();
    poke(&mut i, 18, 2, 3);
    assert_eq!(err(&i), Error::BadMachine { machine: 3 });
    assert_eq!(Error::BadMachine { machine: 3 }.errno(), ENOEXEC);
}

#[test]
fn rejects_bad_section_header_table() {
    let mut i = sample();
    poke(&mut i, 58, 2, 40);
    assert_eq!(err(&i), Error::BadSectionHeaderSize { size: 40 });
    let mut i = sample();
    poke(&mut i, 60, 2, 0);
    assert_eq!(err(&i), Error::ExtendedNumbering);
    let mut i = sample();
    poke(&mut i, 62, 2, 0xffff);
    assert_eq!(err(&i), Error::ExtendedNumbering);
    let mut i = sample();
    poke(&mut i, 40, 8, u64::MAX - 8);
    assert!(matches!(err(&i), Error::SectionHeadersOutOfFile { .. }));
    let mut i = sample();
    let len = i.len() as u64;
    poke(&mut i, 40, 8, len - 64);
    assert!(matches!(err(&i), Error::SectionHeadersOutOfFile { .. }));
    let mut i = sample();
    set_shdr(&mut i, 0, shdr::TYPE, 1);
    assert_eq!(err(&i), Error::BadNullSection);
    let mut i = sample();
    set_shdr(&mut i, 0, shdr::ADDR, 1);
    assert_eq!(err(&i), Error::BadNullSection);
}

#[test]
fn rejects_section_out_of_file() {
    let mut i = sample();
    set_shdr(&mut i, idx::TEXT, shdr::SIZE, 1 << 40);
    assert_eq!(
        err(&i),
        Error::SectionOutOfFile {
            section: SectionIndex(idx::TEXT),
            sh_type: SHT_PROGBITS
        }
    );
    let mut i = sample();
    set_shdr(&mut i, idx::TEXT, shdr::OFFSET, u64::MAX);
    assert!(matches!(err(&i), Error::SectionOutOfFile { .. }));
    // NOBITS has no file bytes: a huge offset is fine.
    let mut i = sample();
    set_shdr(&mut i, idx::BSS, shdr::OFFSET, u64::MAX);
    assert!(parse(&i).is_ok());
}

#[test]
fn rejects_bad_section_names() {
    let mut i = sample();
    poke(&mut i, 62, 2, 0);
    assert_eq!(err(&i), Error::BadSectionNameIndex { index: 0 });
    let mut i = sample();
    poke(&mut i, 62, 2, 99);
    assert_eq!(err(&i), Error::BadSectionNameIndex { index: 99 });
    let mut i = sample();
    set_shdr(&mut i, idx::SHSTRTAB, shdr::TYPE, u64::from(SHT_PROGBITS));
    assert_eq!(
        err(&i),
        Error::SectionNamesNotStrtab {
            section: SectionIndex(idx::SHSTRTAB)
        }
    );
    let mut i = sample();
    set_shdr(&mut i, idx::SHSTRTAB, shdr::SIZE, 0);
    assert_eq!(
        err(&i),
        Error::EmptyStringTable {
            section: SectionIndex(idx::SHSTRTAB)
        }
    );
    let mut i = sample();
    let sz = get_shdr(&i, idx::SHSTRTAB).sh_size;
    set_shdr(&mut i, idx::SHSTRTAB, shdr::SIZE, sz - 1);
    assert_eq!(
        err(&i),
        Error::StringTableNotTerminated {
            section: SectionIndex(idx::SHSTRTAB)
        }
    );
    let mut i = sample();
    set_shdr(&mut i, idx::DATA, shdr::NAME, 100_000);
    assert_eq!(
        err(&i),
        Error::SectionNameOutOfBounds {
            section: SectionIndex(idx::DATA),
            sh_name: 100_000
        }
    );
}

#[test]
fn rejects_special_section_problems() {
    let mut i = sample();
    rename(&mut i, idx::RO_AFTER_INIT, idx::MODINFO);
    assert_eq!(
        err(&i),
        Error::DuplicateModinfo {
            section: SectionIndex(idx::RO_AFTER_INIT)
        }
    );
    let mut i = sample();
    rename(&mut i, idx::THIS_MODULE, idx::DATA);
    assert_eq!(err(&i), Error::MissingThisModule);
    let mut i = sample();
    rename(&mut i, idx::RO_AFTER_INIT, idx::THIS_MODULE);
    assert_eq!(
        err(&i),
        Error::DuplicateThisModule {
            section: SectionIndex(idx::RO_AFTER_INIT)
        }
    );
    let mut i = sample();
    set_shdr(&mut i, idx::THIS_MODULE, shdr::TYPE, u64::from(SHT_NOBITS));
    assert_eq!(
        err(&i),
        Error::ThisModuleNobits {
            section: SectionIndex(idx::THIS_MODULE)
        }
    );
    let mut i = sample();
    set_shdr(&mut i, idx::THIS_MODULE, shdr::FLAGS, SHF_WRITE);
    assert_eq!(
        err(&i),
        Error::ThisModuleNotAlloc {
            section: SectionIndex(idx::THIS_MODULE)
        }
    );
    let i = sample();
    assert_eq!(
        Plan::parse(
            &i,
            &Config {
                module_struct_size: 1088,
                ..CFG
            }
        )
        .unwrap_err(),
        Error::ThisModuleSize {
            section: SectionIndex(idx::THIS_MODULE),
            found: MODULE_SIZE,
            expected: 1088
        }
    );
}

#[test]
fn rejects_symtab_problems() {
    let mut i = sample();
    set_shdr(&mut i, idx::SYMTAB, shdr::TYPE, u64::from(SHT_PROGBITS));
    assert_eq!(err(&i), Error::MissingSymtab);
    let mut i = sample();
    set_shdr(&mut i, idx::DATA, shdr::TYPE, u64::from(SHT_SYMTAB));
    assert_eq!(
        err(&i),
        Error::DuplicateSymtab {
            section: SectionIndex(idx::SYMTAB)
        }
    );
    let mut i = sample();
    set_shdr(&mut i, idx::SYMTAB, shdr::LINK, 0);
    assert_eq!(err(&i), Error::SymtabBadLink { link: 0 });
    let mut i = sample();
    set_shdr(&mut i, idx::SYMTAB, shdr::LINK, 500);
    assert_eq!(err(&i), Error::SymtabBadLink { link: 500 });
    let mut i = sample();
    set_shdr(&mut i, idx::SYMTAB, shdr::LINK, idx::TEXT as u64);
    assert_eq!(
        err(&i),
        Error::SymtabLinkNotStrtab {
            section: SectionIndex(idx::TEXT)
        }
    );
    let mut i = sample();
    let sz = get_shdr(&i, idx::STRTAB).sh_size;
    set_shdr(&mut i, idx::STRTAB, shdr::SIZE, sz - 1);
    assert_eq!(
        err(&i),
        Error::StringTableNotTerminated {
            section: SectionIndex(idx::STRTAB)
        }
    );
    let mut i = sample();
    set_shdr(&mut i, idx::SYMTAB, shdr::ENTSIZE, 16);
    assert!(matches!(err(&i), Error::SymtabBadSize { entsize: 16, .. }));
    let mut i = sample();
    let sz = get_shdr(&i, idx::SYMTAB).sh_size;
    set_shdr(&mut i, idx::SYMTAB, shdr::SIZE, sz - 1);
    assert!(matches!(err(&i), Error::SymtabBadSize { .. }));
}

#[test]
fn rejects_bad_symbols() {
    let mut i = sample();
    let o = sym_off(&i, 2);
    poke(&mut i, o, 4, 1 << 20);
    assert_eq!(
        err(&i),
        Error::SymbolNameOutOfBounds {
            symbol: SymbolIndex(2),
            st_name: 1 << 20
        }
    );
    let mut i = sample();
    let o = sym_off(&i, 2);
    poke(&mut i, o + 6, 2, 200);
    assert_eq!(
        err(&i),
        Error::SymbolBadSection {
            symbol: SymbolIndex(2),
            name: b"counter",
            shndx: 200
        }
    );
    let mut i = sample();
    let o = sym_off(&i, 2);
    poke(&mut i, o + 6, 2, u64::from(SHN_COMMON));
    assert_eq!(
        err(&i),
        Error::CommonSymbol {
            symbol: SymbolIndex(2),
            name: b"counter"
        }
    );
    let mut i = sample();
    let o = sym_off(&i, 2);
    poke(&mut i, o + 6, 2, u64::from(SHN_LIVEPATCH));
    assert_eq!(
        err(&i),
        Error::LivepatchSymbol {
            symbol: SymbolIndex(2),
            name: b"counter"
        }
    );
    let mut i = sample();
    let o = sym_off(&i, 2);
    poke(&mut i, o + 6, 2, u64::from(SHN_XINDEX));
    assert_eq!(err(&i), Error::ExtendedNumbering);
    let mut i = sample();
    set_shdr(&mut i, idx::DATA, shdr::TYPE, u64::from(SHT_SYMTAB_SHNDX));
    assert_eq!(err(&i), Error::ExtendedNumbering);
    // A symbol whose size runs past the end of its (allocated) section, as in a truncated
    // section; and one whose value and size overflow.
    let shndx = u16::from_le_bytes([i[sym_off(&i, 2) + 6], i[sym_off(&i, 2) + 7]]);
    let size = get_shdr(&sample(), usize::from(shndx)).sh_size;
    for (value, st_size, end) in [(0, size + 1, size + 1), (8, u64::MAX, u64::MAX)] {
        let mut i = sample();
        let o = sym_off(&i, 2);
        poke(&mut i, o + 8, 8, value);
        poke(&mut i, o + 16, 8, st_size);
        assert_eq!(
            err(&i),
            Error::SymbolOutOfSection {
                symbol: SymbolIndex(2),
                name: b"counter",
                shndx,
                end,
                size,
            }
        );
    }
    // Ending exactly at the end is fine.
    let mut i = sample();
    let o = sym_off(&i, 2);
    poke(&mut i, o + 8, 8, 0);
    poke(&mut i, o + 16, 8, size);
    parse(&i).expect("a symbol may end at its section's end");
}

#[test]
fn rejects_section_flags_and_alignment() {
    let mut i = sample();
    set_shdr(
        &mut i,
        idx::TEXT,
        shdr::FLAGS,
        SHF_ALLOC | SHF_EXECINSTR | SHF_WRITE,
    );
    assert_eq!(
        err(&i),
        Error::WriteAndExec {
            section: SectionIndex(idx::TEXT),
            name: b".text"
        }
    );
    let mut i = sample();
    set_shdr(&mut i, idx::TEXT, shdr::ALIGN, 24);
    assert_eq!(
        err(&i),
        Error::BadAlignment {
            section: SectionIndex(idx::TEXT),
            name: b".text",
            align: 24
        }
    );
}

#[test]
fn rejects_relocation_sections() {
    let s = SectionIndex(idx::RELA_TEXT);
    let name: &[u8] = b".rela.text";
    let mut i = sample();
    set_shdr(&mut i, idx::RELA_TEXT, shdr::TYPE, u64::from(SHT_REL));
    assert_eq!(err(&i), Error::RelNotSupported { section: s, name });
    let mut i = sample();
    set_shdr(&mut i, idx::RELA_TEXT, shdr::ENTSIZE, 16);
    assert_eq!(err(&i), Error::RelaBadSize { section: s, name });
    let mut i = sample();
    set_shdr(&mut i, idx::RELA_TEXT, shdr::LINK, idx::STRTAB as u64);
    assert_eq!(
        err(&i),
        Error::RelaBadLink {
            section: s,
            name,
            link: idx::STRTAB as u32
        }
    );
    let mut i = sample();
    set_shdr(&mut i, idx::RELA_TEXT, shdr::INFO, 0);
    assert_eq!(
        err(&i),
        Error::RelaBadInfo {
            section: s,
            name,
            info: 0
        }
    );
    let mut i = sample();
    set_shdr(&mut i, idx::RELA_TEXT, shdr::INFO, 999);
    assert_eq!(
        err(&i),
        Error::RelaBadInfo {
            section: s,
            name,
            info: 999
        }
    );
    // Applying to itself, or to a symbol or string table: no section gets relocated.
    for target in [idx::RELA_TEXT, idx::SYMTAB, idx::STRTAB] {
        let mut i = sample();
        set_shdr(&mut i, idx::RELA_TEXT, shdr::INFO, target as u64);
        assert_eq!(
            err(&i),
            Error::RelaBadInfo {
                section: s,
                name,
                info: target as u32
            }
        );
    }
    let mut i = sample();
    set_shdr(&mut i, idx::RELA_TEXT, shdr::FLAGS, SHF_RELA_LIVEPATCH);
    assert_eq!(err(&i), Error::LivepatchSection { section: s, name });
}

#[test]
fn rejects_bad_relocation_entries() {
    let s = SectionIndex(idx::RELA_TEXT);
    let mut i = sample();
    let o = rela_off(&i, idx::RELA_TEXT, 0);
    poke(&mut i, o + 8, 8, (999u64 << 32) | u64::from(R_X86_64_PLT32));
    assert_eq!(
        err(&i),
        Error::RelocBadSymbol {
            section: s,
            reloc: 0,
            symbol: SymbolIndex(999)
        }
    );
    let mut i = sample();
    let o = rela_off(&i, idx::RELA_TEXT, 1);
    poke(&mut i, o, 8, 60);
    assert_eq!(
        err(&i),
        Error::RelocOutOfSection {
            section: s,
            reloc: 1,
            offset: 60,
            size: 64
        }
    );
    let mut i = sample();
    let o = rela_off(&i, idx::RELA_TEXT, 1);
    poke(&mut i, o, 8, u64::MAX - 2);
    assert!(matches!(err(&i), Error::RelocOutOfSection { reloc: 1, .. }));
    let mut i = sample();
    let o = rela_off(&i, idx::RELA_TEXT, 1);
    poke(&mut i, o + 8, 4, 9);
    assert_eq!(
        err(&i),
        Error::RelocUnknownType {
            section: s,
            reloc: 1,
            r_type: 9
        }
    );
    assert!(err(&i).to_string().contains("R_X86_64_GOTPCREL"));
}

#[test]
fn rejects_relocation_overflow_and_nonzero_target() {
    let s = SectionIndex(idx::RELA_TEXT);
    // entry 5: R_X86_64_64 against abs_sym; make it R_X86_64_32 with a big S.
    let mut i = sample();
    let o = rela_off(&i, idx::RELA_TEXT, 5);
    poke(&mut i, o + 8, 4, u64::from(R_X86_64_32));
    let so = sym_off(&i, sym_idx::ABS_SYM as usize);
    poke(&mut i, so + 8, 8, 1 << 40);
    assert_eq!(
        load(&i).unwrap_err(),
        Error::RelocOverflow {
            section: s,
            reloc: 5,
            r_type: R_X86_64_32,
            value: 1 << 40
        }
    );
    let mut i = sample();
    let t = get_shdr(&i, idx::TEXT).sh_offset as usize;
    i[t + 2] = 0x90;
    assert_eq!(
        load(&i).unwrap_err(),
        Error::RelocTargetNonzero {
            section: s,
            reloc: 0,
            r_type: R_X86_64_PLT32
        }
    );
}

#[test]
fn rejects_vermagic() {
    let mi = ModInfo::new(b"license=GPL\0");
    assert_eq!(
        vermagic::check(&mi, b"6.12.0 SMP ", false, false),
        Err(vermagic::Error::Missing)
    );
    let mi = ModInfo::new(b"vermagic=6.11.0 SMP \0");
    let e = vermagic::check(&mi, b"6.12.0 SMP ", false, false).unwrap_err();
    assert_eq!(
        e,
        vermagic::Error::Mismatch {
            found: b"6.11.0 SMP ",
            expected: b"6.12.0 SMP "
        }
    );
    assert_eq!(e.kind(), "vermagic-mismatch");
}

#[test]
fn rejects_layout_overflow_and_bad_tables() {
    let mut i = sample();
    set_shdr(&mut i, idx::BSS, shdr::SIZE, u64::MAX - 100);
    let plan = parse(&i).unwrap();
    let mut p = vec![None; plan.section_count()];
    let e = layout::layout(&plan, &LayoutOptions::default(), &mut p).unwrap_err();
    assert_eq!(
        e,
        Error::LayoutOverflow {
            section: SectionIndex(idx::BSS)
        }
    );
    assert_eq!(e.errno(), ENOMEM);
    let i = sample();
    let plan = parse(&i).unwrap();
    let mut short = vec![None; 3];
    let e = layout::layout(&plan, &LayoutOptions::default(), &mut short).unwrap_err();
    assert_eq!(
        e,
        Error::TableSize {
            needed: plan.section_count(),
            given: 3
        }
    );
    assert_eq!(e.errno(), EINVAL);
}

struct NoMemory;
impl Target for NoMemory {
    fn section(&mut self, _: SectionIndex) -> Option<(&mut [u8], u64)> {
        None
    }
}

#[test]
fn rejects_missing_target_memory() {
    let i = sample();
    let plan = parse(&i).unwrap();
    let syms = vec![0u64; plan.symbol_count()];
    let e = reloc::relocate(&plan, &syms, &mut NoMemory).unwrap_err();
    assert_eq!(
        e,
        Error::NoTargetMemory {
            section: SectionIndex(idx::TEXT)
        }
    );
}

struct Picky;
impl Resolver for Picky {
    fn resolve(&mut self, q: &Query<'_>) -> Result<u64, ResolveError> {
        match q.name {
            b"printk" => Err(ResolveError::MissingNamespace),
            _ => Err(ResolveError::NotFound),
        }
    }
}

#[test]
fn reports_every_unresolved_symbol() {
    let i = sample();
    let mut seen = Vec::new();
    let e = host::load(
        &i,
        &CFG,
        &LayoutOptions::default(),
        &mut Picky,
        &mut |n, e| seen.push((n.to_vec(), e.errno())),
    )
    .unwrap_err();
    // printk fails (namespace); weak_opt not found is fine.
    assert_eq!(seen, vec![(b"printk".to_vec(), EINVAL)]);
    assert_eq!(
        e,
        Error::Unresolved {
            count: 1,
            first: b"printk",
            errno: EINVAL
        }
    );
    assert_eq!(e.errno(), EINVAL);
    let mut r = MapResolver::default();
    r.symbols.insert(
        b"zzz".to_vec(),
        KnownSymbol {
            address: 1,
            gpl_only: true,
            namespace: vec![],
        },
    );
    let e = host::load(&i, &CFG, &LayoutOptions::default(), &mut r, &mut |_, _| {}).unwrap_err();
    assert_eq!(
        e,
        Error::Unresolved {
            count: 1,
            first: b"printk",
            errno: ENOENT
        }
    );
    assert_eq!(e.errno(), ENOENT);
}

#[test]
fn gpl_only_and_namespace_enforced_by_map_resolver() {
    let i = sample();
    let mut r = MapResolver::default();
    r.symbols.insert(
        b"printk".to_vec(),
        KnownSymbol {
            address: host::KERNEL_BASE,
            gpl_only: true,
            namespace: b"FOO".to_vec(),
        },
    );
    // GPL module importing FOO: fine.
    assert!(host::load(&i, &CFG, &LayoutOptions::default(), &mut r, &mut |_, _| {}).is_ok());
    r.symbols.get_mut(&b"printk"[..]).unwrap().namespace = b"BAR".to_vec();
    let mut got = None;
    let _ = host::load(&i, &CFG, &LayoutOptions::default(), &mut r, &mut |_, e| {
        got = Some(format!("{:?}", e))
    });
    assert_eq!(got.as_deref(), Some("MissingNamespace"));
}

#[test]
fn rejects_bad_exports_and_this_module_fields() {
    let strings = Placed {
        index: SectionIndex(2),
        bytes: b"abc\0\0",
        address: 0x2000,
    };
    let table = Placed {
        index: SectionIndex(1),
        bytes: &[0; 13],
        address: 0x1000,
    };
    assert_eq!(
        exports::exports(table, strings, false).unwrap_err(),
        exports::Error::BadExport {
            section: SectionIndex(1),
            entry: 1
        }
    );
    // name_offset points far outside __ksymtab_strings
    let mut e = [0u8; 12];
    e[4..8].copy_from_slice(&0x7000i32.to_le_bytes());
    let table = Placed {
        index: SectionIndex(1),
        bytes: &e,
        address: 0x1000,
    };
    let got: Vec<_> = exports::exports(table, strings, true).unwrap().collect();
    assert_eq!(
        got,
        vec![Err(exports::Error::BadExport {
            section: SectionIndex(1),
            entry: 0
        })]
    );
    // a good entry: value at 0x1000+0x10, name at 0x2000, ns "" at 0x2004
    let mut e = [0u8; 12];
    e[0..4].copy_from_slice(&0x10i32.to_le_bytes());
    e[4..8].copy_from_slice(&(0x2000i32 - 0x1004).to_le_bytes());
    e[8..12].copy_from_slice(&(0x2004i32 - 0x1008).to_le_bytes());
    let table = Placed {
        index: SectionIndex(1),
        bytes: &e,
        address: 0x1000,
    };
    let got = exports::exports(table, strings, true)
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(
        (got.name, got.namespace, got.address, got.gpl_only),
        (&b"abc"[..], None, 0x1010, true)
    );
    assert_eq!(
        exports::this_module_fn(&[0; 16], 12).unwrap_err(),
        exports::Error::BadThisModuleField { offset: 12 }
    );
    assert_eq!(exports::this_module_fn(&[0; 16], 8).unwrap(), None);
}

#[test]
fn every_error_displays_and_has_errno() {
    let e = Error::CommonSymbol {
        symbol: SymbolIndex(3),
        name: b"x\x01",
    };
    let s = e.to_string();
    assert!(
        s.contains("-fno-common") && s.contains("x\\x01") && s.contains('3'),
        "{s}"
    );
    assert_eq!(e.kind(), "common-symbol");
}

// ------------------------------------- what C code would follow after the engine

/// The sample module with `extra` sections appended (the sample's section indices hold;
/// the section name table moves after them).
fn sample_with(extra: Vec<Sec>) -> Vec<u8> {
    let mut secs = builder::sample_sections();
    secs.extend(extra);
    builder::build(&secs)
}

fn section(name: &str, sh_type: u32, flags: u64, data: Vec<u8>, nobits_size: u64) -> Sec {
    Sec {
        name: name.into(),
        sh_type,
        flags,
        data,
        nobits_size,
        align: 4,
        ..Default::default()
    }
}

/// Index of the first section appended by [`sample_with`].
const EXTRA: usize = idx::SHSTRTAB;

#[test]
fn rejects_used_null_sections() {
    for field in [
        shdr::NAME,
        shdr::FLAGS,
        shdr::OFFSET,
        shdr::LINK,
        shdr::ENTSIZE,
    ] {
        let mut i = sample();
        set_shdr(&mut i, 0, field, 1);
        assert_eq!(err(&i), Error::BadNullSection, "field {field}");
    }
    let mut i = sample();
    set_shdr(&mut i, idx::BSS, shdr::TYPE, u64::from(SHT_NULL));
    assert_eq!(
        err(&i),
        Error::NullSectionUsed {
            section: SectionIndex(idx::BSS)
        }
    );
}

#[test]
fn rejects_bad_module_names_and_modinfo() {
    let m = get_shdr(&sample(), idx::THIS_MODULE).sh_offset as usize;
    let mut i = sample();
    i[m + 24..m + 24 + 56].fill(b'a');
    assert_eq!(err(&i), Error::BadModuleName);
    let mut i = sample();
    i[m + 24] = 0;
    assert_eq!(err(&i), Error::BadModuleName);
    let mut i = sample();
    let mi = get_shdr(&i, idx::MODINFO);
    i[(mi.sh_offset + mi.sh_size - 1) as usize] = b'x';
    assert_eq!(
        err(&i),
        Error::ModinfoUnterminated {
            section: SectionIndex(idx::MODINFO)
        }
    );
}

#[test]
fn rejects_sections_c_code_cannot_read() {
    let i = sample_with(vec![section(
        ".text.z",
        SHT_NOBITS,
        SHF_ALLOC | SHF_EXECINSTR,
        vec![],
        64,
    )]);
    assert!(matches!(err(&i), Error::ExecNobits { section, .. } if section.0 == EXTRA));
    // Read by name whatever its flags: must be placed, with contents.
    for (flags, sh_type) in [(0, SHT_PROGBITS), (SHF_ALLOC, SHT_NOBITS)] {
        let i = sample_with(vec![section(".smp_locks", sh_type, flags, vec![0; 4], 4)]);
        assert_eq!(
            err(&i),
            Error::SpecialSection {
                section: SectionIndex(EXTRA),
                name: b".smp_locks"
            }
        );
    }
    // Found only when allocated: ignored otherwise, never zeros.
    let i = sample_with(vec![section(
        "__jump_table",
        SHT_PROGBITS,
        0,
        vec![1; 16],
        0,
    )]);
    parse(&i).expect("an unallocated __jump_table is not read");
    let i = sample_with(vec![section(
        "__jump_table",
        SHT_NOBITS,
        SHF_ALLOC,
        vec![],
        16,
    )]);
    assert!(matches!(err(&i), Error::SpecialSection { .. }));
    let i = sample_with(vec![section(
        "__ex_table",
        SHT_PROGBITS,
        SHF_ALLOC,
        vec![0; 13],
        0,
    )]);
    assert_eq!(
        err(&i),
        Error::BadTableSize {
            section: SectionIndex(EXTRA),
            name: b"__ex_table",
            size: 13
        }
    );
    let i = sample_with(vec![
        section(".orc_unwind_ip", SHT_PROGBITS, SHF_ALLOC, vec![0; 8], 0),
        section(".orc_unwind", SHT_PROGBITS, SHF_ALLOC, vec![0; 6], 0),
    ]);
    assert!(matches!(
        err(&i),
        Error::BadTableSize {
            name: b".orc_unwind",
            ..
        }
    ));
    let big = 1 << 20;
    let i = sample_with(vec![section(
        ".data..percpu",
        SHT_NOBITS,
        SHF_ALLOC | SHF_WRITE,
        vec![],
        big,
    )]);
    assert_eq!(err(&i), Error::PercpuTooLarge { size: big });
    let i = sample_with(vec![section(
        ".data..percpu",
        SHT_NOBITS,
        SHF_ALLOC | SHF_WRITE,
        vec![],
        32 << 10,
    )]);
    parse(&i).expect("32 KiB of per-CPU data is allowed");
}

#[test]
fn struct_module_keeps_only_name_init_and_exit() {
    // A relocation may fill only init and exit.
    let mut i = sample();
    let r = rela_off(&i, idx::RELA_THIS_MODULE, 0);
    poke(&mut i, r, 8, 0x200);
    assert_eq!(
        err(&i),
        Error::ThisModuleRelocation {
            section: SectionIndex(idx::RELA_THIS_MODULE),
            reloc: 0,
            offset: 0x200
        }
    );
    // Anything else the template holds is cleared when it is placed.
    let mut i = sample();
    let m = get_shdr(&i, idx::THIS_MODULE).sh_offset as usize;
    i[m..m + 24].fill(0xa5);
    i[m + 0x200..m + 0x300].fill(0x5a);
    let l = load(&i).expect("loads");
    let placed = l.section_bytes(SectionIndex(idx::THIS_MODULE)).unwrap();
    assert_eq!(&placed[..24], &[0; 24]);
    assert!(placed[0x200..0x300].iter().all(|&b| b == 0));
    assert_eq!(&placed[24..31], b"sample\0");
    assert_ne!(&placed[0x138..0x140], &[0; 8], "init is relocated");
}

#[test]
fn rejects_pointers_outside_the_module() {
    // init relocated 1 MiB past init_module: outside the module's code.
    let mut i = sample();
    let r = rela_off(&i, idx::RELA_THIS_MODULE, 0);
    poke(&mut i, r + 16, 8, 1 << 20);
    assert!(matches!(
        load(&i).unwrap_err(),
        Error::BadEntryPoint { which: "init", .. }
    ));
    // A lock site that points nowhere near the module.
    let i = sample_with(vec![section(
        ".smp_locks",
        SHT_PROGBITS,
        SHF_ALLOC,
        0x4000_0000i32.to_le_bytes().to_vec(),
        0,
    )]);
    assert!(matches!(
        load(&i).unwrap_err(),
        Error::BadTableEntry {
            name: b".smp_locks",
            entry: 0,
            ..
        }
    ));
    // An export whose name is relocated past the end of the module.
    let mut i = sample();
    let name_reloc = (0..3)
        .map(|r| rela_off(&i, idx::RELA_KSYMTAB, r))
        .find(|&o| i[o..o + 8] == 4u64.to_le_bytes())
        .expect("the name_offset relocation of the export");
    poke(&mut i, name_reloc + 16, 8, 1 << 24);
    assert!(matches!(
        load(&i).unwrap_err(),
        Error::BadTableEntry {
            name: b"__ksymtab",
            entry: 0,
            ..
        }
    ));
    // The sample itself passes every check.
    load(&sample()).expect("the sample loads");
}

/// A module's ORC tables: one site and one `struct orc_entry` built from its fields.
fn sample_with_orc(sp_offset: i16, sp_reg: u8, bp_reg: u8, kind: u8) -> Vec<u8> {
    let mut entry = sp_offset.to_le_bytes().to_vec();
    entry.extend_from_slice(&[0, 0, sp_reg | bp_reg << 4, kind]);
    sample_with(vec![
        section(".orc_unwind", SHT_PROGBITS, SHF_ALLOC, entry, 0),
        section(".orc_unwind_ip", SHT_PROGBITS, SHF_ALLOC, vec![0; 4], 0),
    ])
}

#[test]
fn rejects_unwind_entries_the_unwinder_cannot_follow() {
    // (sp_offset, sp_reg, bp_reg, type) and whether the entry is valid. Valid: a call frame on
    // the stack pointer (objtool's usual entry), a frame-pointer frame, a register frame, and
    // the entries that end an unwind. Not: no stack base register, an unknown one, an unknown
    // frame base, an unknown type, a return address below the stack pointer.
    for (sp_offset, sp_reg, bp_reg, kind, valid) in [
        (8, 5, 0, 2, true),
        (16, 4, 1, 2, true),
        (0, 5, 0, 3, true),
        (0, 0, 0, 0, true),
        (0, 0, 0, 1, true),
        (8, 0, 0, 2, false),
        (8, 12, 0, 2, false),
        (8, 5, 7, 2, false),
        (8, 5, 0, 6, false),
        (0, 5, 0, 2, false),
    ] {
        let i = sample_with_orc(sp_offset, sp_reg, bp_reg, kind);
        // A valid entry gets as far as the lone site, which (0 bytes from itself) is outside
        // the module's code: the entries are checked first.
        let refused = match load(&i) {
            Err(Error::BadUnwindEntry { entry: 0, .. }) => true,
            Err(Error::BadTableEntry {
                name: b".orc_unwind_ip",
                ..
            }) => false,
            other => panic!("entry {sp_offset} {sp_reg} {bp_reg} {kind}: {other:?}"),
        };
        assert_eq!(
            refused, !valid,
            "entry {sp_offset} {sp_reg} {bp_reg} {kind}"
        );
    }
}

#[test]
fn rejects_relocations_against_unallocated_sections() {
    // counter moved to the (unallocated) symbol table section: the relocations of .text
    // that use it would point into the image.
    let mut i = sample();
    let o = sym_off(&i, 2);
    poke(&mut i, o + 6, 2, idx::SYMTAB as u64);
    assert_eq!(
        err(&i),
        Error::RelocToUnallocated {
            section: SectionIndex(idx::RELA_TEXT),
            reloc: 2,
            symbol: SymbolIndex(2),
            shndx: idx::SYMTAB as u16
        }
    );
}

#[test]
fn every_combination_of_empty_memory_types_loads() {
    // Data always holds struct module; each of the other six types is there or not, with
    // zero-sized sections of every type or without.
    let optional = [
        MemType::Text,
        MemType::Rodata,
        MemType::RoAfterInit,
        MemType::InitText,
        MemType::InitData,
        MemType::InitRodata,
    ];
    for mask in 0..1u32 << optional.len() {
        let mut types = vec![MemType::Data];
        types.extend(
            (0..optional.len())
                .filter(|k| mask & 1 << k != 0)
                .map(|k| optional[k]),
        );
        for zero_sized in [false, true] {
            let image = builder::module_of_types(&types, zero_sized);
            let l = load(&image)
                .unwrap_or_else(|e| panic!("{types:?} (zero-sized: {zero_sized}): {e}"));
            // (Init data always holds the symbol table for kallsyms, as the kernel lays
            // it out.)
            for mem in MemType::ALL.into_iter().filter(|&m| m != MemType::InitData) {
                assert_eq!(
                    l.layout.size(mem) != 0,
                    types.contains(&mem),
                    "{types:?} (zero-sized: {zero_sized}): {mem:?}"
                );
            }
            // A zero-sized section in an empty type has no address; in a type with a region,
            // one inside it (or at its end).
            for (k, s) in l.plan.sections().enumerate() {
                let Some(mem) = MemType::ALL.into_iter().find(|&m| {
                    s.name
                        .strip_suffix(b".z")
                        .is_some_and(|n| n == mem_section_name(m))
                }) else {
                    continue;
                };
                let a = l.addresses[s.index.0];
                let size = l.layout.size(mem) as u64;
                let within = a >= l.bases[mem] && a <= l.bases[mem] + size;
                assert_eq!(a != 0, size != 0, "{types:?}: section {k} of {mem:?}");
                assert!(
                    a == 0 || within,
                    "{types:?}: section {k} of {mem:?} at {a:#x}"
                );
            }
        }
    }
}

/// The name [`builder::module_of_types`] gives the section of memory type `mem`.
fn mem_section_name(mem: MemType) -> &'static [u8] {
    match mem {
        MemType::Text => b".text",
        MemType::Data => b".data",
        MemType::Rodata => b".rodata",
        MemType::RoAfterInit => b".data..ro_after_init",
        MemType::InitText => b".init.text",
        MemType::InitData => b".init.data",
        MemType::InitRodata => b".init.rodata",
    }
}

#[test]
fn empty_sections_in_empty_memory_types_load() {
    // The sample has no init rodata: an empty section there is placed in a memory type that
    // gets no region (as `.text` is for a module whose code is all in `.init.text`).
    let i = sample_with(vec![section(
        ".init.rodata.z",
        SHT_PROGBITS,
        SHF_ALLOC,
        vec![],
        0,
    )]);
    let l = load(&i).expect("loads");
    assert_eq!(l.layout.size(MemType::InitRodata), 0);
    assert_eq!(l.addresses[EXTRA], 0);
    // A zero-sized section beside others of its type is placed in their region.
    let i = sample_with(vec![section(
        ".rodata.z",
        SHT_PROGBITS,
        SHF_ALLOC,
        vec![],
        0,
    )]);
    let l = load(&i).expect("loads");
    assert_ne!(l.addresses[EXTRA], 0);
}

#[test]
fn rejects_unknown_section_types_and_wild_absolute_pointers() {
    let mut i = sample();
    set_shdr(&mut i, idx::BSS, shdr::TYPE, 0x2a00);
    assert_eq!(
        err(&i),
        Error::UnknownSectionType {
            section: SectionIndex(idx::BSS),
            sh_type: 0x2a00
        }
    );
    // OS- and processor-specific types (SHT_LLVM_ADDRSIG, SHT_X86_64_UNWIND) are fine, the
    // application range is not.
    for t in [0x6fff_4c03u64, 0x7000_0001] {
        let i = sample_with(vec![section(".x", t as u32, 0, vec![0; 4], 0)]);
        parse(&i).expect("a vendor section type is accepted");
    }
    for t in [0x8000_0000u32, 0xffff_ffff] {
        let i = sample_with(vec![section(".x", t, 0, vec![0; 4], 0)]);
        assert!(matches!(err(&i), Error::UnknownSectionType { sh_type, .. } if sh_type == t));
    }
    // Relocations under another type would be skipped.
    let mut i = sample();
    set_shdr(&mut i, idx::RELA_TEXT, shdr::TYPE, u64::from(SHT_PROGBITS));
    assert_eq!(
        err(&i),
        Error::RelaNotRela {
            section: SectionIndex(idx::RELA_TEXT),
            name: b".rela.text",
            sh_type: SHT_PROGBITS
        }
    );
    // A constructor pointer that no relocation set: 0 is not the module's code.
    let i = sample_with(vec![section(
        ".init_array",
        SHT_PROGBITS,
        SHF_ALLOC | SHF_WRITE,
        vec![0; 8],
        0,
    )]);
    assert!(matches!(
        load(&i).unwrap_err(),
        Error::BadTableEntry {
            name: b".init_array",
            entry: 0,
            address: 0,
            ..
        }
    ));
}

#[test]
fn rejects_two_placed_sections_of_one_name() {
    const WA: u64 = SHF_WRITE | SHF_ALLOC;
    let i = sample_with(vec![section(".data", SHT_PROGBITS, WA, vec![1; 8], 0)]);
    let e = load(&i).map(|_| ()).unwrap_err();
    assert_eq!(e, Error::DuplicateSectionName { name: b".data" });
    assert_eq!(e.errno(), ENOEXEC);
    // An empty one has no sysfs file, and an unallocated one is not placed.
    for extra in [
        section(".data", SHT_PROGBITS, WA, vec![], 0),
        section(".data", SHT_PROGBITS, 0, vec![1; 8], 0),
        section(".data.other", SHT_PROGBITS, WA, vec![1; 8], 0),
    ] {
        let i = sample_with(vec![extra.clone()]);
        assert!(load(&i).is_ok(), "{extra:?}");
    }
}

#[test]
fn rejects_parameters_with_impossible_permissions() {
    for (perm, refused) in [
        (0o4644u16, true),
        (0o646, true),
        (0o1000, true),
        (0o755, false),
    ] {
        let mut entry = vec![0u8; 40];
        entry[24..26].copy_from_slice(&perm.to_le_bytes());
        let mut param = section("__param", SHT_PROGBITS, SHF_ALLOC, entry, 0);
        param.align = 8;
        let i = sample_with(vec![param]);
        let e = load(&i).map(|_| ()).unwrap_err();
        if refused {
            assert_eq!(
                e,
                Error::BadParamPermissions {
                    section: SectionIndex(EXTRA),
                    entry: 0,
                    perm
                },
                "{perm:o}"
            );
            assert_eq!(e.errno(), ENOEXEC);
        } else {
            // Its unrelocated name pointer is refused next.
            assert_eq!(e.kind(), "bad-table-entry", "{perm:o}");
        }
    }
}

// ---------------------------------------------------------------- livepatch

fn livepatch_image(edit: impl FnOnce(&mut Vec<Sec>)) -> Vec<u8> {
    let mut secs = builder::livepatch_sections();
    edit(&mut secs);
    builder::build(&secs)
}

#[test]
fn livepatch_relocations_are_left_to_the_livepatch_core() {
    let image = livepatch_image(|_| {});
    let l = load(&image).unwrap();
    assert_eq!(l.reloc_stats.livepatch, 1);
    assert_eq!(l.reloc_stats.applied(), 14);
    let text = l.section_bytes(SectionIndex(idx::TEXT)).unwrap();
    let field = builder::LIVEPATCH_FIELD as usize;
    assert_eq!(text[field..field + 8], [0; 8]);
    // The livepatch relocation section is placed: the livepatch core reads it later.
    assert_ne!(l.addresses[builder::LIVEPATCH_RELA], 0);
}

#[test]
fn rejects_livepatch_parts_outside_livepatch_modules() {
    let rela = SectionIndex(builder::LIVEPATCH_RELA);
    let name = b".klp.rela.vmlinux.text".as_slice();
    let i = livepatch_image(|s| {
        let m = &mut s[idx::MODINFO - 1].data;
        m.drain(..b"livepatch=Y\0".len());
    });
    assert_eq!(
        err(&i),
        Error::LivepatchSection {
            section: rela,
            name
        }
    );
    let i = livepatch_image(|s| s[builder::LIVEPATCH_RELA - 1].flags &= !SHF_ALLOC);
    assert_eq!(
        err(&i),
        Error::LivepatchUnallocated {
            section: rela,
            name
        }
    );
    for target in [idx::KSYMTAB, idx::THIS_MODULE] {
        let i = livepatch_image(|s| s[builder::LIVEPATCH_RELA - 1].info = target as u32);
        assert_eq!(
            err(&i),
            Error::LivepatchTarget {
                section: rela,
                name
            }
        );
    }
    let printk = builder::rela(builder::LIVEPATCH_FIELD, sym_idx::PRINTK, R_X86_64_64, 0);
    let i = livepatch_image(|s| s[builder::LIVEPATCH_RELA - 1].data = printk.to_vec());
    let e = err(&i);
    assert_eq!(
        e,
        Error::LivepatchOrdinarySymbol {
            section: rela,
            reloc: 0,
            symbol: SymbolIndex(sym_idx::PRINTK as usize)
        }
    );
    assert_eq!(e.info().errno, EINVAL);
    let klp = builder::rela(0, builder::LIVEPATCH_SYM, R_X86_64_64, 0);
    let i = livepatch_image(|s| s[idx::RELA_TEXT - 1].data.extend_from_slice(&klp));
    assert_eq!(
        err(&i),
        Error::RelocToLivepatchSymbol {
            section: SectionIndex(idx::RELA_TEXT),
            reloc: 8,
            symbol: SymbolIndex(builder::LIVEPATCH_SYM as usize)
        }
    );
}
