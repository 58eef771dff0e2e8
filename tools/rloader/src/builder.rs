// SPDX-License-Identifier: GPL-2.0

//! Generates small, valid x86_64 `ET_REL` modules in memory, for unit
//! tests, property tests, the fuzzer seeds and the benchmark.

use alloc::vec;
use alloc::vec::Vec;

use crate::engine::elf::*;
use crate::engine::mem::MemType;
use crate::engine::plan::Config;
use crate::engine::x86_64::*;

/// One section to emit (index 0, the null section, is implicit).
#[derive(Clone, Debug, Default)]
pub struct Sec {
    /// Name.
    pub name: Vec<u8>,
    /// `sh_type`.
    pub sh_type: u32,
    /// `sh_flags`.
    pub flags: u64,
    /// Contents (ignored for `SHT_NOBITS`).
    pub data: Vec<u8>,
    /// `sh_size` for `SHT_NOBITS`.
    pub nobits_size: u64,
    /// `sh_link`.
    pub link: u32,
    /// `sh_info`.
    pub info: u32,
    /// `sh_addralign`.
    pub align: u64,
    /// `sh_entsize`.
    pub entsize: u64,
}

/// An `Elf64_Sym` as bytes.
pub fn sym(name: u32, bind: u8, kind: u8, shndx: u16, value: u64, size: u64) -> [u8; 24] {
    let mut b = [0u8; 24];
    b[0..4].copy_from_slice(&name.to_le_bytes());
    b[4] = (bind << 4) | kind;
    b[6..8].copy_from_slice(&shndx.to_le_bytes());
    b[8..16].copy_from_slice(&value.to_le_bytes());
    b[16..24].copy_from_slice(&size.to_le_bytes());
    b
}

/// An `Elf64_Rela` as bytes.
pub fn rela(offset: u64, symbol: u32, r_type: u32, addend: i64) -> [u8; 24] {
    let mut b = [0u8; 24];
    b[0..8].copy_from_slice(&offset.to_le_bytes());
    b[8..16].copy_from_slice(&((u64::from(symbol) << 32) | u64::from(r_type)).to_le_bytes());
    b[16..24].copy_from_slice(&addend.to_le_bytes());
    b
}

/// Serialises sections into an ELF image: header, contents, then a
/// `.shstrtab` (appended as the last section) and the header table.
pub fn build(sections: &[Sec]) -> Vec<u8> {
    let mut shstr = vec![0u8];
    let mut names = Vec::new();
    for s in sections {
        names.push(shstr.len() as u32);
        shstr.extend_from_slice(&s.name);
        shstr.push(0);
    }
    let shstr_name = shstr.len() as u32;
    shstr.extend_from_slice(b".shstrtab\0");
    let mut out = vec![0u8; 64];
    let mut offsets = Vec::new();
    for s in sections {
        let a = s.align.max(1) as usize;
        while out.len() % a.min(64) != 0 {
            out.push(0);
        }
        offsets.push(out.len() as u64);
        if s.sh_type != SHT_NOBITS {
            out.extend_from_slice(&s.data);
        }
    }
    let shstr_off = out.len() as u64;
    out.extend_from_slice(&shstr);
    while out.len() % 8 != 0 {
        out.push(0);
    }
    let shoff = out.len() as u64;
    let shnum = sections.len() + 2;
    out.extend_from_slice(&[0u8; 64]);
    let push_hdr = |out: &mut Vec<u8>, h: &SectionHeader| {
        out.extend_from_slice(&h.sh_name.to_le_bytes());
        out.extend_from_slice(&h.sh_type.to_le_bytes());
        out.extend_from_slice(&h.sh_flags.to_le_bytes());
        out.extend_from_slice(&h.sh_addr.to_le_bytes());
        out.extend_from_slice(&h.sh_offset.to_le_bytes());
        out.extend_from_slice(&h.sh_size.to_le_bytes());
        out.extend_from_slice(&h.sh_link.to_le_bytes());
        out.extend_from_slice(&h.sh_info.to_le_bytes());
        out.extend_from_slice(&h.sh_addralign.to_le_bytes());
        out.extend_from_slice(&h.sh_entsize.to_le_bytes());
    };
    for (i, s) in sections.iter().enumerate() {
        let size = if s.sh_type == SHT_NOBITS {
            s.nobits_size
        } else {
            s.data.len() as u64
        };
        push_hdr(
            &mut out,
            &SectionHeader {
                sh_name: names[i],
                sh_type: s.sh_type,
                sh_flags: s.flags,
                sh_addr: 0,
                sh_offset: offsets[i],
                sh_size: size,
                sh_link: s.link,
                sh_info: s.info,
                sh_addralign: s.align,
                sh_entsize: s.entsize,
            },
        );
    }
    push_hdr(
        &mut out,
        &SectionHeader {
            sh_name: shstr_name,
            sh_type: SHT_STRTAB,
            sh_offset: shstr_off,
            sh_size: shstr.len() as u64,
            sh_addralign: 1,
            ..Default::default()
        },
    );
    out[0..4].copy_from_slice(b"\x7fELF");
    out[4] = ELFCLASS64;
    out[5] = ELFDATA2LSB;
    out[6] = EV_CURRENT;
    out[16..18].copy_from_slice(&ET_REL.to_le_bytes());
    out[18..20].copy_from_slice(&EM_X86_64.to_le_bytes());
    out[20..24].copy_from_slice(&1u32.to_le_bytes());
    out[40..48].copy_from_slice(&shoff.to_le_bytes());
    out[52..54].copy_from_slice(&64u16.to_le_bytes());
    out[58..60].copy_from_slice(&64u16.to_le_bytes());
    out[60..62].copy_from_slice(&(shnum as u16).to_le_bytes());
    out[62..64].copy_from_slice(&((shnum - 1) as u16).to_le_bytes());
    out
}

/// `sizeof(struct module)` used by generated modules.
pub const MODULE_SIZE: u64 = 1280;
/// `offsetof(struct module, init)` in generated modules.
pub const INIT_OFFSET: u64 = 0x138;
/// `offsetof(struct module, exit)` in generated modules.
pub const EXIT_OFFSET: u64 = 0x4c8;
/// The `struct module` layout of generated modules.
pub const CONFIG: Config = Config::new(MODULE_SIZE, INIT_OFFSET as usize, EXIT_OFFSET as usize);
/// The vermagic of generated modules.
pub const VERMAGIC: &[u8] = b"6.12.0 SMP mod_unload ";

/// Section indices of [`sample_sections`] (index in the ELF file).
pub mod idx {
    /// `.text`.
    pub const TEXT: usize = 1;
    /// `.rela.text`.
    pub const RELA_TEXT: usize = 2;
    /// `.init.text`.
    pub const INIT_TEXT: usize = 3;
    /// `.rela.init.text`.
    pub const RELA_INIT_TEXT: usize = 4;
    /// `.rodata`.
    pub const RODATA: usize = 5;
    /// `.data`.
    pub const DATA: usize = 6;
    /// `.bss`.
    pub const BSS: usize = 7;
    /// `.modinfo`.
    pub const MODINFO: usize = 8;
    /// `.gnu.linkonce.this_module`.
    pub const THIS_MODULE: usize = 9;
    /// `.rela.gnu.linkonce.this_module`.
    pub const RELA_THIS_MODULE: usize = 10;
    /// `__ksymtab`.
    pub const KSYMTAB: usize = 11;
    /// `.rela__ksymtab`.
    pub const RELA_KSYMTAB: usize = 12;
    /// `__ksymtab_strings`.
    pub const KSYMTAB_STRINGS: usize = 13;
    /// `.symtab`.
    pub const SYMTAB: usize = 14;
    /// `.strtab`.
    pub const STRTAB: usize = 15;
    /// `.data..ro_after_init`.
    pub const RO_AFTER_INIT: usize = 16;
    /// `.exit.text`.
    pub const EXIT_TEXT: usize = 17;
    /// `.shstrtab` (appended by [`super::build`]).
    pub const SHSTRTAB: usize = 18;
}

/// Symbol indices of [`sample_sections`].
pub mod sym_idx {
    /// `init_module`.
    pub const INIT_MODULE: u32 = 5;
    /// `sample_fn` (exported).
    pub const SAMPLE_FN: u32 = 7;
    /// `printk` (undefined).
    pub const PRINTK: u32 = 8;
    /// `weak_opt` (undefined weak).
    pub const WEAK_OPT: u32 = 9;
    /// `abs_sym` (absolute 0x1234).
    pub const ABS_SYM: u32 = 10;
}

fn prog(name: &str, flags: u64, data: Vec<u8>, align: u64) -> Sec {
    Sec {
        name: name.into(),
        sh_type: SHT_PROGBITS,
        flags,
        data,
        align,
        ..Default::default()
    }
}

fn rela_sec(name: &str, target: usize, entries: &[[u8; 24]]) -> Sec {
    Sec {
        name: name.into(),
        sh_type: SHT_RELA,
        flags: 0x40,
        data: entries.concat(),
        link: idx::SYMTAB as u32,
        info: target as u32,
        align: 8,
        entsize: 24,
        ..Default::default()
    }
}

/// The sections of a small valid module with every feature the engine
/// handles: text/init/exit/rodata/data/bss/ro_after_init, `.modinfo`,
/// A `struct module` template named `name`, as `modpost` writes it (the name at offset 24).
pub fn this_module(name: &[u8]) -> Vec<u8> {
    let mut m = vec![0; MODULE_SIZE as usize];
    m[24..24 + name.len()].copy_from_slice(name);
    m
}

/// `__this_module` with init/exit, one export, undefined, weak and
/// absolute symbols, and `R_X86_64_{64,PC32,PLT32,32S}` relocations.
pub fn sample_sections() -> Vec<Sec> {
    let mut strtab = vec![0u8];
    let mut add = |s: &str| {
        let o = strtab.len() as u32;
        strtab.extend_from_slice(s.as_bytes());
        strtab.push(0);
        o
    };
    let n_counter = add("counter");
    let n_kstr = add("__kstrtab_sample_fn");
    let n_kstrns = add("__kstrtabns_sample_fn");
    let n_init = add("init_module");
    let n_cleanup = add("cleanup_module");
    let n_fn = add("sample_fn");
    let n_printk = add("printk");
    let n_weak = add("weak_opt");
    let n_abs = add("abs_sym");
    const STT_FUNC: u8 = 2;
    const STT_OBJECT: u8 = 1;
    const STT_SECTION: u8 = 3;
    let syms = [
        sym(0, 0, 0, 0, 0, 0),
        sym(0, STB_LOCAL, STT_SECTION, idx::RODATA as u16, 0, 0),
        sym(n_counter, STB_LOCAL, STT_OBJECT, idx::DATA as u16, 0, 8),
        sym(
            n_kstr,
            STB_LOCAL,
            STT_OBJECT,
            idx::KSYMTAB_STRINGS as u16,
            0,
            10,
        ),
        sym(
            n_kstrns,
            STB_LOCAL,
            STT_OBJECT,
            idx::KSYMTAB_STRINGS as u16,
            10,
            1,
        ),
        sym(n_init, STB_GLOBAL, STT_FUNC, idx::INIT_TEXT as u16, 0, 16),
        sym(n_cleanup, STB_GLOBAL, STT_FUNC, idx::EXIT_TEXT as u16, 0, 8),
        sym(n_fn, STB_GLOBAL, STT_FUNC, idx::TEXT as u16, 0, 32),
        sym(n_printk, STB_GLOBAL, 0, 0, 0, 0),
        sym(n_weak, STB_WEAK, 0, 0, 0, 0),
        sym(n_abs, STB_GLOBAL, 0, SHN_ABS, 0x1234, 0),
    ];
    let modinfo = [
        b"license=GPL\0".as_slice(),
        b"name=sample\0",
        b"description=generated test module\0",
        b"import_ns=FOO\0",
        b"parm=level:verbosity level\0",
        b"parmtype=level:int\0",
        b"depends=\0",
        b"vermagic=",
        VERMAGIC,
        b"\0",
    ]
    .concat();
    vec![
        prog(".text", SHF_ALLOC | SHF_EXECINSTR, vec![0; 64], 16),
        rela_sec(
            ".rela.text",
            idx::TEXT,
            &[
                rela(1, sym_idx::PRINTK, R_X86_64_PLT32, -4),
                rela(8, 1, R_X86_64_64, 4),
                rela(16, 2, R_X86_64_PC32, -4),
                rela(24, 2, R_X86_64_32S, 0),
                rela(32, sym_idx::WEAK_OPT, R_X86_64_64, 0),
                rela(40, sym_idx::ABS_SYM, R_X86_64_64, 0),
                rela(48, 0, R_X86_64_NONE, 0),
                rela(56, sym_idx::SAMPLE_FN, R_X86_64_PC64, 0),
            ],
        ),
        prog(".init.text", SHF_ALLOC | SHF_EXECINSTR, vec![0; 16], 16),
        rela_sec(
            ".rela.init.text",
            idx::INIT_TEXT,
            &[rela(1, sym_idx::PRINTK, R_X86_64_PLT32, -4)],
        ),
        prog(".rodata", SHF_ALLOC, b"hello, world\0\0\0\0".to_vec(), 8),
        prog(".data", SHF_ALLOC | SHF_WRITE, vec![0; 16], 8),
        Sec {
            name: b".bss".to_vec(),
            sh_type: SHT_NOBITS,
            flags: SHF_ALLOC | SHF_WRITE,
            nobits_size: 64,
            align: 32,
            ..Default::default()
        },
        prog(".modinfo", SHF_ALLOC, modinfo, 1),
        prog(
            ".gnu.linkonce.this_module",
            SHF_ALLOC | SHF_WRITE,
            this_module(b"sample"),
            64,
        ),
        rela_sec(
            ".rela.gnu.linkonce.this_module",
            idx::THIS_MODULE,
            &[
                rela(INIT_OFFSET, sym_idx::INIT_MODULE, R_X86_64_64, 0),
                rela(EXIT_OFFSET, 6, R_X86_64_64, 0),
            ],
        ),
        prog("__ksymtab", SHF_ALLOC, vec![0; 12], 4),
        rela_sec(
            ".rela__ksymtab",
            idx::KSYMTAB,
            &[
                rela(0, sym_idx::SAMPLE_FN, R_X86_64_PC32, 0),
                rela(4, 3, R_X86_64_PC32, 0),
                rela(8, 4, R_X86_64_PC32, 0),
            ],
        ),
        Sec {
            name: b"__ksymtab_strings".to_vec(),
            sh_type: SHT_PROGBITS,
            flags: SHF_ALLOC | SHF_MERGE | SHF_STRINGS,
            data: b"sample_fn\0\0".to_vec(),
            align: 1,
            entsize: 1,
            ..Default::default()
        },
        Sec {
            name: b".symtab".to_vec(),
            sh_type: SHT_SYMTAB,
            data: syms.concat(),
            link: idx::STRTAB as u32,
            info: 5,
            align: 8,
            entsize: 24,
            ..Default::default()
        },
        Sec {
            name: b".strtab".to_vec(),
            sh_type: SHT_STRTAB,
            data: strtab,
            align: 1,
            ..Default::default()
        },
        prog(".data..ro_after_init", SHF_ALLOC | SHF_WRITE, vec![0; 8], 8),
        prog(".exit.text", SHF_ALLOC | SHF_EXECINSTR, vec![0; 8], 16),
    ]
}

/// The usual name and flags of a section of each memory type, in [`MemType`] order.
const TYPE_SECTIONS: [(&str, u64); 7] = [
    (".text", SHF_ALLOC | SHF_EXECINSTR),
    (".data", SHF_ALLOC | SHF_WRITE),
    (".rodata", SHF_ALLOC),
    (".data..ro_after_init", SHF_ALLOC | SHF_WRITE),
    (".init.text", SHF_ALLOC | SHF_EXECINSTR),
    (".init.data", SHF_ALLOC | SHF_WRITE),
    (".init.rodata", SHF_ALLOC),
];

/// A module with a 16-byte section of each memory type in `types` (its data always holds
/// the `struct module` template), `init_module` at the start of its init code (else of its
/// core code; else it has no init) and `cleanup_module` in its core code (else it has no
/// exit). With `zero_sized`, a zero-sized section of every memory type but ro_after_init
/// besides (`.text.z`, `.init.data.z`, ...).
pub fn module_of_types(types: &[MemType], zero_sized: bool) -> Vec<u8> {
    let mut sections = Vec::new();
    let mut index_of = [None; 7];
    for mem in MemType::ALL {
        if types.contains(&mem) {
            let (name, flags) = TYPE_SECTIONS[mem as usize];
            sections.push(prog(name, flags, vec![0xc3; 16], 16));
            index_of[mem as usize] = Some(sections.len());
        }
    }
    if zero_sized {
        for mem in MemType::ALL
            .into_iter()
            .filter(|&m| m != MemType::RoAfterInit)
        {
            let (name, flags) = TYPE_SECTIONS[mem as usize];
            sections.push(prog(&alloc::format!("{name}.z"), flags, vec![], 1));
        }
    }
    let text = index_of[MemType::Text as usize];
    let init = index_of[MemType::InitText as usize].or(text);
    let mut syms = vec![sym(0, 0, 0, 0, 0, 0)];
    let mut relas = Vec::new();
    const STT_FUNC: u8 = 2;
    // "\0init_module\0cleanup_module\0": the names at 1 and 13.
    if let Some(i) = init {
        // At 0 in init code; at 8 if it shares the core code with cleanup_module.
        let at = if Some(i) == text { 8 } else { 0 };
        syms.push(sym(1, STB_GLOBAL, STT_FUNC, i as u16, at, 8));
        relas.push(rela(INIT_OFFSET, (syms.len() - 1) as u32, R_X86_64_64, 0));
    }
    if let Some(t) = text {
        syms.push(sym(13, STB_GLOBAL, STT_FUNC, t as u16, 0, 8));
        relas.push(rela(EXIT_OFFSET, (syms.len() - 1) as u32, R_X86_64_64, 0));
    }
    let modinfo = [b"license=GPL\0".as_slice(), b"vermagic=", VERMAGIC, b"\0"].concat();
    sections.push(prog(".modinfo", SHF_ALLOC, modinfo, 1));
    sections.push(prog(
        ".gnu.linkonce.this_module",
        SHF_ALLOC | SHF_WRITE,
        this_module(b"types"),
        64,
    ));
    let this_module = sections.len();
    let symtab = this_module + 2;
    sections.push(Sec {
        name: b".rela.gnu.linkonce.this_module".to_vec(),
        sh_type: SHT_RELA,
        flags: 0x40,
        data: relas.concat(),
        link: symtab as u32,
        info: this_module as u32,
        align: 8,
        entsize: 24,
        ..Default::default()
    });
    sections.push(Sec {
        name: b".symtab".to_vec(),
        sh_type: SHT_SYMTAB,
        data: syms.concat(),
        link: (symtab + 1) as u32,
        info: 1,
        align: 8,
        entsize: 24,
        ..Default::default()
    });
    sections.push(Sec {
        name: b".strtab".to_vec(),
        sh_type: SHT_STRTAB,
        data: b"\0init_module\0cleanup_module\0".to_vec(),
        align: 1,
        ..Default::default()
    });
    build(&sections)
}

/// The bytes of the sample module.
pub fn sample_module() -> Vec<u8> {
    build(&sample_sections())
}

/// A module whose `.text` carries `n` relocations (alternating
/// `R_X86_64_64` to a local symbol and `R_X86_64_PLT32` to `printk`).
pub fn many_relocs(n: usize) -> Vec<u8> {
    let mut secs = sample_sections();
    secs[idx::TEXT - 1].data = vec![0; n * 8 + 64];
    let mut entries = Vec::with_capacity(n);
    for i in 0..n {
        let off = 64 + 8 * i as u64;
        if i % 2 == 0 {
            entries.push(rela(off, 2, R_X86_64_64, i as i64));
        } else {
            entries.push(rela(off, sym_idx::PRINTK, R_X86_64_PLT32, -4));
        }
    }
    let mut r = secs[idx::RELA_TEXT - 1].data.clone();
    r.extend_from_slice(&entries.concat());
    secs[idx::RELA_TEXT - 1].data = r;
    build(&secs)
}

/// Index of the `SHN_LIVEPATCH` symbol of [`livepatch_sections`].
pub const LIVEPATCH_SYM: u32 = 11;
/// Index of the livepatch relocation section of [`livepatch_sections`].
pub const LIVEPATCH_RELA: usize = 18;
/// Offset in `.text` of the field the livepatch relocation patches.
pub const LIVEPATCH_FIELD: u64 = 64;

/// The sample module made a livepatch module: `livepatch=Y` in `.modinfo`, a `SHN_LIVEPATCH`
/// symbol `.klp.sym.vmlinux.printk,0` ([`LIVEPATCH_SYM`]) and a livepatch relocation section
/// `.klp.rela.vmlinux.text` ([`LIVEPATCH_RELA`], allocated, before `.shstrtab`) with one
/// `R_X86_64_64` entry for 8 more bytes of `.text` ([`LIVEPATCH_FIELD`]).
pub fn livepatch_sections() -> Vec<Sec> {
    let mut secs = sample_sections();
    let modinfo = &mut secs[idx::MODINFO - 1].data;
    modinfo.splice(0..0, b"livepatch=Y\0".iter().copied());
    secs[idx::TEXT - 1].data.extend_from_slice(&[0; 8]);
    let strtab = &mut secs[idx::STRTAB - 1].data;
    let name = strtab.len() as u32;
    strtab.extend_from_slice(b".klp.sym.vmlinux.printk,0\0");
    secs[idx::SYMTAB - 1]
        .data
        .extend_from_slice(&sym(name, STB_GLOBAL, 0, SHN_LIVEPATCH, 0, 0));
    let mut klp = rela_sec(
        ".klp.rela.vmlinux.text",
        idx::TEXT,
        &[rela(LIVEPATCH_FIELD, LIVEPATCH_SYM, R_X86_64_64, 0)],
    );
    klp.flags |= SHF_ALLOC | SHF_RELA_LIVEPATCH;
    secs.push(klp);
    debug_assert_eq!(secs.len(), LIVEPATCH_RELA);
    secs
}

/// Offset of section header `index` in an image made by [`build`].
pub fn shdr_offset(image: &[u8], index: usize) -> usize {
    let shoff = u64::from_le_bytes(image[40..48].try_into().unwrap()) as usize;
    shoff + 64 * index
}

/// Overwrites a little-endian field of `len` bytes at `off`.
pub fn poke(image: &mut [u8], off: usize, len: usize, value: u64) {
    image[off..off + len].copy_from_slice(&value.to_le_bytes()[..len]);
}

/// Field offsets within `Elf64_Shdr`.
pub mod shdr {
    /// `sh_name` (4 bytes).
    pub const NAME: usize = 0;
    /// `sh_type` (4 bytes).
    pub const TYPE: usize = 4;
    /// `sh_flags` (8 bytes).
    pub const FLAGS: usize = 8;
    /// `sh_addr` (8 bytes).
    pub const ADDR: usize = 16;
    /// `sh_offset` (8 bytes).
    pub const OFFSET: usize = 24;
    /// `sh_size` (8 bytes).
    pub const SIZE: usize = 32;
    /// `sh_link` (4 bytes).
    pub const LINK: usize = 40;
    /// `sh_info` (4 bytes).
    pub const INFO: usize = 44;
    /// `sh_addralign` (8 bytes).
    pub const ALIGN: usize = 48;
    /// `sh_entsize` (8 bytes).
    pub const ENTSIZE: usize = 56;
}

/// Sets a section header field (see [`shdr`]) in an image.
pub fn set_shdr(image: &mut [u8], index: usize, field: usize, value: u64) {
    let len = match field {
        shdr::NAME | shdr::TYPE | shdr::LINK | shdr::INFO => 4,
        _ => 8,
    };
    let off = shdr_offset(image, index) + field;
    poke(image, off, len, value);
}

/// Reads a section header of an image made by [`build`].
pub fn get_shdr(image: &[u8], index: usize) -> SectionHeader {
    SectionHeader::parse(image, shdr_offset(image, index)).unwrap()
}
