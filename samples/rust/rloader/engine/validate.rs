// SPDX-License-Identifier: GPL-2.0

//! Validation: turns an untrusted image into a [`Plan`].
//!
//! The checks follow the kernel's `elf_validity_*()` family (`kernel/module/main.c`), one
//! function each, and add the section, symbol and relocation checks the later stages rely on,
//! so that a later stage can only fail for reasons that depend on the running system
//! (symbols, memory), or on relocated values, never on the image's shape.

use super::elf::*;
use super::error::Error;
use super::modinfo::ModInfo;
use super::names::{ModuleName, MODULE_NAME_LEN};
use super::plan::{section_bytes, Config, Plan, Special, LIVEPATCH_KEY, PERCPU_LIMIT, THIS_MODULE};
use super::tables;
use super::x86_64;

/// A section header table whose entries all lie inside the image.
#[derive(Clone, Copy)]
struct Headers<'a> {
    data: &'a [u8],
    shoff: usize,
    shnum: usize,
}

impl<'a> Headers<'a> {
    /// The header of section `i` (`i < shnum`; all zeros otherwise, which no caller asks for).
    fn get(&self, i: usize) -> SectionHeader {
        i.checked_mul(SHDR_SIZE)
            .and_then(|o| o.checked_add(self.shoff))
            .and_then(|o| SectionHeader::parse(self.data, o))
            .unwrap_or_default()
    }

    /// Every header but the null one, with its index.
    fn iter(self) -> impl Iterator<Item = (SectionIndex, SectionHeader)> + 'a {
        (1..self.shnum).map(move |i| (SectionIndex(i), self.get(i)))
    }
}

/// The section headers and the section name table.
#[derive(Clone, Copy)]
struct Names<'a> {
    headers: Headers<'a>,
    shstrtab: &'a [u8],
}

impl<'a> Names<'a> {
    /// The name of a section with header `h` (empty for `SHT_NULL`).
    fn of(&self, h: &SectionHeader) -> &'a [u8] {
        if h.sh_type == SHT_NULL {
            return &[];
        }
        c_str_at(self.shstrtab, h.sh_name as usize).unwrap_or(&[])
    }
}

/// The sections an image may have only one of.
#[derive(Clone, Copy)]
struct Unique {
    modinfo: Option<SectionIndex>,
    this_module: SectionIndex,
    /// Checked for presence after `this_module`, as the kernel does.
    symtab: Option<SectionIndex>,
    versions: Option<SectionIndex>,
    /// `livepatch=` is in `.modinfo` (known once `.modinfo` is checked).
    livepatch: bool,
}

/// The symbol table and its strings.
#[derive(Clone, Copy)]
struct Symtab<'a> {
    index: SectionIndex,
    strtab_index: SectionIndex,
    strtab: &'a [u8],
    symtab: &'a [u8],
}

/// Collects the problems that do not stop validation: each is reported, the first returned.
struct Soft<'a, 'r> {
    first: Option<Error<'a>>,
    report: &'r mut dyn FnMut(Error<'a>),
}

impl<'a> Soft<'a, '_> {
    fn add(&mut self, e: Error<'a>) {
        (self.report)(e);
        self.first.get_or_insert(e);
    }
}

impl<'a> Plan<'a> {
    /// Validates `data`, stopping at the first problem.
    pub fn parse(data: &'a [u8], cfg: &Config) -> Result<Plan<'a>, Error<'a>> {
        Self::parse_reporting(data, cfg, &mut |_| {})
    }

    /// Validates `data`. Problems that do not prevent further checking (per-section,
    /// per-symbol and per-relocation ones) are passed to `report` and checking goes on; the
    /// first problem is returned.
    pub fn parse_reporting(
        data: &'a [u8],
        cfg: &Config,
        report: &mut dyn FnMut(Error<'a>),
    ) -> Result<Plan<'a>, Error<'a>> {
        let header = check_header(data)?;
        let headers = check_section_headers(data, &header)?;
        let names = check_section_names(data, &header, headers)?;
        let mut unique = find_unique_sections(&names)?;
        let this_module = check_this_module(&headers, &unique, cfg)?;
        unique.livepatch = unique.modinfo.is_some_and(|mi| {
            ModInfo::new(section_bytes(data, &headers.get(mi.0)))
                .get(LIVEPATCH_KEY)
                .is_some()
        });
        let symtab = check_symtab(data, &headers, &unique)?;
        let mut soft = Soft {
            first: None,
            report,
        };
        let (special, relocation_count) =
            check_sections(data, &names, &unique, &symtab, cfg, &mut soft);
        check_symbols(&symtab, &headers, unique.livepatch, &mut soft);
        if let Some(e) = soft.first {
            return Err(e);
        }
        let field = section_bytes(data, &this_module);
        let name = ModuleName::from_field(field.get(cfg.module_name_offset..).unwrap_or(&[]));
        Ok(Plan {
            data,
            header,
            shoff: headers.shoff,
            shnum: headers.shnum,
            shstrtab: names.shstrtab,
            strtab: symtab.strtab,
            symtab: symtab.symtab,
            symtab_index: symtab.index,
            strtab_index: symtab.strtab_index,
            modinfo_index: unique.modinfo,
            versions_index: unique.versions,
            this_module_index: unique.this_module,
            special,
            relocation_count,
            name,
            livepatch: unique.livepatch,
        })
    }
}

/// `elf_validity_ehdr()`: the image holds an ELF64 header with the magic, class
/// `ELFCLASS64`, little-endian data, version `EV_CURRENT` (in `e_ident` and `e_version`), type
/// `ET_REL` and machine `EM_X86_64`.
fn check_header(data: &[u8]) -> Result<FileHeader, Error<'_>> {
    if data.len() < EHDR_SIZE {
        return Err(Error::TooShort { len: data.len() });
    }
    let h = FileHeader::parse(data).ok_or(Error::BadMagic)?;
    if h.class != ELFCLASS64 {
        return Err(Error::BadClass { class: h.class });
    }
    if h.data != ELFDATA2LSB {
        return Err(Error::BadDataEncoding { data: h.data });
    }
    if h.ident_version != EV_CURRENT {
        return Err(Error::BadVersion {
            version: u32::from(h.ident_version),
        });
    }
    if h.e_version != u32::from(EV_CURRENT) {
        return Err(Error::BadVersion {
            version: h.e_version,
        });
    }
    if h.e_type != ET_REL {
        return Err(Error::NotRelocatable { e_type: h.e_type });
    }
    if h.e_machine != EM_X86_64 {
        return Err(Error::BadMachine {
            machine: h.e_machine,
        });
    }
    Ok(h)
}

/// `elf_validity_cache_sechdrs()`: `e_shentsize` is 64, the numbering is not extended
/// (`e_shnum` not 0, `e_shstrndx` not `SHN_XINDEX`), the whole table lies inside the image,
/// section 0 and every other `SHT_NULL` entry are all zeros (C code walks every header by
/// name and offset), and every section with file bytes lies inside the image.
fn check_section_headers<'a>(data: &'a [u8], h: &FileHeader) -> Result<Headers<'a>, Error<'a>> {
    if usize::from(h.e_shentsize) != SHDR_SIZE {
        return Err(Error::BadSectionHeaderSize {
            size: h.e_shentsize,
        });
    }
    if h.e_shnum == 0 || h.e_shstrndx == SHN_XINDEX {
        return Err(Error::ExtendedNumbering);
    }
    let shnum = usize::from(h.e_shnum);
    let oob = Error::SectionHeadersOutOfFile {
        offset: h.e_shoff,
        count: h.e_shnum,
    };
    let shoff = to_usize(h.e_shoff).ok_or(oob)?;
    let table_len = shnum.checked_mul(SHDR_SIZE).ok_or(oob)?;
    if shoff >= data.len() || table_len > data.len() - shoff {
        return Err(oob);
    }
    let headers = Headers { data, shoff, shnum };
    if headers.get(0) != SectionHeader::default() {
        return Err(Error::BadNullSection);
    }
    for (section, s) in headers.iter() {
        if s.sh_type == SHT_NULL && s != SectionHeader::default() {
            return Err(Error::NullSectionUsed { section });
        }
        if !s.has_file_bytes() {
            continue;
        }
        let end = s.sh_offset.checked_add(s.sh_size);
        if !matches!(end, Some(end) if end <= data.len() as u64) {
            return Err(Error::SectionOutOfFile {
                section,
                sh_type: s.sh_type,
            });
        }
    }
    Ok(headers)
}

/// `elf_validity_cache_secstrings()`: `e_shstrndx` names a section other than 0, which is a
/// non-empty, NUL-terminated `SHT_STRTAB`, and every non-null section's `sh_name` lies inside
/// it.
fn check_section_names<'a>(
    data: &'a [u8],
    h: &FileHeader,
    headers: Headers<'a>,
) -> Result<Names<'a>, Error<'a>> {
    let shstrndx = usize::from(h.e_shstrndx);
    if shstrndx == 0 || shstrndx >= headers.shnum {
        return Err(Error::BadSectionNameIndex {
            index: h.e_shstrndx,
        });
    }
    let section = SectionIndex(shstrndx);
    let shstrtab = string_table(data, section, &headers.get(shstrndx))
        .ok_or(Error::SectionNamesNotStrtab { section })??;
    for (section, s) in headers.iter() {
        if s.sh_type != SHT_NULL && s.sh_name as usize >= shstrtab.len() {
            return Err(Error::SectionNameOutOfBounds {
                section,
                sh_name: s.sh_name,
            });
        }
    }
    Ok(Names { headers, shstrtab })
}

/// `elf_validity_cache_index_info/mod/sym()`: at most one `.modinfo`, exactly one
/// `.gnu.linkonce.this_module`, exactly one `SHT_SYMTAB`, no `SHT_SYMTAB_SHNDX`; remembers
/// the first `__versions`.
fn find_unique_sections<'a>(names: &Names<'a>) -> Result<Unique, Error<'a>> {
    let (mut modinfo, mut this_module, mut symtab, mut versions) = (None, None, None, None);
    for (section, s) in names.headers.iter() {
        if s.sh_type == SHT_SYMTAB_SHNDX {
            return Err(Error::ExtendedNumbering);
        }
        let name = names.of(&s);
        if name == b".modinfo" {
            if modinfo.is_some() {
                return Err(Error::DuplicateModinfo { section });
            }
            modinfo = Some(section);
        } else if name == THIS_MODULE {
            if this_module.is_some() {
                return Err(Error::DuplicateThisModule { section });
            }
            this_module = Some(section);
        } else if name == b"__versions" && versions.is_none() {
            versions = Some(section);
        }
        if s.sh_type == SHT_SYMTAB {
            if symtab.is_some() {
                return Err(Error::DuplicateSymtab { section });
            }
            symtab = Some(section);
        }
    }
    Ok(Unique {
        modinfo,
        this_module: this_module.ok_or(Error::MissingThisModule)?,
        symtab,
        versions,
        livepatch: false,
    })
}

/// `elf_validity_cache_index_mod()`: `.gnu.linkonce.this_module` has contents, is
/// `SHF_ALLOC`, is exactly `sizeof(struct module)` and holds a non-empty, NUL-terminated
/// name; `.modinfo` has contents, NUL-terminated.
fn check_this_module<'a>(
    headers: &Headers<'a>,
    unique: &Unique,
    cfg: &Config,
) -> Result<SectionHeader, Error<'a>> {
    let section = unique.this_module;
    let tm = headers.get(section.0);
    if tm.sh_type == SHT_NOBITS {
        return Err(Error::ThisModuleNobits { section });
    }
    if !tm.is_alloc() {
        return Err(Error::ThisModuleNotAlloc { section });
    }
    if tm.sh_size != cfg.module_struct_size {
        return Err(Error::ThisModuleSize {
            section,
            found: tm.sh_size,
            expected: cfg.module_struct_size,
        });
    }
    let name = cfg
        .module_name_offset
        .checked_add(MODULE_NAME_LEN)
        .and_then(|end| section_bytes(headers.data, &tm).get(cfg.module_name_offset..end));
    if !matches!(name.and_then(|n| n.iter().position(|&c| c == 0)), Some(1..)) {
        return Err(Error::BadModuleName);
    }
    if let Some(mi) = unique.modinfo {
        let h = headers.get(mi.0);
        if h.sh_type == SHT_NOBITS {
            return Err(Error::SectionOutOfFile {
                section: mi,
                sh_type: SHT_NOBITS,
            });
        }
        if section_bytes(headers.data, &h)
            .last()
            .is_some_and(|&c| c != 0)
        {
            return Err(Error::ModinfoUnterminated { section: mi });
        }
    }
    Ok(tm)
}

/// `elf_validity_cache_index_str()`: the symbol table links to a valid, non-empty,
/// NUL-terminated `SHT_STRTAB`, has 24-byte entries and is a non-empty multiple of them.
fn check_symtab<'a>(
    data: &'a [u8],
    headers: &Headers<'a>,
    unique: &Unique,
) -> Result<Symtab<'a>, Error<'a>> {
    let section = unique.symtab.ok_or(Error::MissingSymtab)?;
    let st = headers.get(section.0);
    let link = st.sh_link as usize;
    if link == 0 || link >= headers.shnum {
        return Err(Error::SymtabBadLink { link: st.sh_link });
    }
    let strtab_index = SectionIndex(link);
    let strtab = string_table(data, strtab_index, &headers.get(link)).ok_or(
        Error::SymtabLinkNotStrtab {
            section: strtab_index,
        },
    )??;
    if st.sh_entsize != SYM_SIZE as u64 || st.sh_size % (SYM_SIZE as u64) != 0 || st.sh_size == 0 {
        return Err(Error::SymtabBadSize {
            section,
            entsize: st.sh_entsize,
            size: st.sh_size,
        });
    }
    Ok(Symtab {
        index: section,
        strtab_index,
        strtab,
        symtab: section_bytes(data, &st),
    })
}

/// Every section: of a known type; not both `SHF_WRITE` and `SHF_EXECINSTR`; not executable
/// `SHT_NOBITS`; a
/// power-of-two alignment when allocated; a table the kernel reads placed with contents and
/// whole entries ([`tables::check_section`], [`tables::check_orc`]); per-CPU data within
/// [`PERCPU_LIMIT`]; no `SHT_REL`; every `SHT_RELA` checked by [`check_rela`]. Finds the
/// [`Special`] sections and counts the relocations.
fn check_sections<'a>(
    data: &'a [u8],
    names: &Names<'a>,
    unique: &Unique,
    symtab: &Symtab<'a>,
    cfg: &Config,
    soft: &mut Soft<'a, '_>,
) -> (Special, usize) {
    let mut special = Special::default();
    let mut relocations = 0usize;
    let (mut orc_ip, mut orc) = (None, None);
    for (section, s) in names.headers.iter() {
        let name = names.of(&s);
        if s.sh_flags & (SHF_WRITE | SHF_EXECINSTR) == SHF_WRITE | SHF_EXECINSTR {
            soft.add(Error::WriteAndExec { section, name });
        }
        if !is_known_type(s.sh_type) {
            soft.add(Error::UnknownSectionType {
                section,
                sh_type: s.sh_type,
            });
        } else if name.starts_with(b".rela") && !matches!(s.sh_type, SHT_RELA | SHT_REL) {
            soft.add(Error::RelaNotRela {
                section,
                name,
                sh_type: s.sh_type,
            });
        }
        if s.is_alloc() && s.sh_flags & SHF_EXECINSTR != 0 && s.sh_type == SHT_NOBITS {
            soft.add(Error::ExecNobits { section, name });
        }
        if let Err(e) = tables::check_section(section, &s, name) {
            soft.add(e);
        }
        match name {
            b".orc_unwind_ip" => orc_ip = Some((section, s)),
            b".orc_unwind" => orc = Some((section, s)),
            _ => {}
        }
        if s.is_alloc() && s.sh_addralign > 1 && !s.sh_addralign.is_power_of_two() {
            soft.add(Error::BadAlignment {
                section,
                name,
                align: s.sh_addralign,
            });
        }
        if s.is_alloc() && Some(section) != unique.modinfo && Some(section) != unique.versions {
            let slot = match name {
                b".data..percpu" => &mut special.percpu,
                b"__ksymtab" => &mut special.ksymtab,
                b"__ksymtab_gpl" => &mut special.ksymtab_gpl,
                b"__ksymtab_strings" => &mut special.ksymtab_strings,
                b".data..ro_after_init" => &mut special.ro_after_init,
                b"__jump_table" => &mut special.jump_table,
                _ => &mut None,
            };
            slot.get_or_insert(section);
        }
        match s.sh_type {
            SHT_REL => soft.add(Error::RelNotSupported { section, name }),
            SHT_RELA => {
                let n = check_rela(data, names, symtab, (unique, cfg), (section, &s), soft);
                relocations = relocations.saturating_add(n);
            }
            _ => {}
        }
    }
    if let Err(e) = tables::check_orc(orc_ip, orc) {
        soft.add(e);
    }
    if let Some(size) = special
        .percpu
        .map(|i| names.headers.get(i.0).sh_size)
        .filter(|&size| size > PERCPU_LIMIT)
    {
        soft.add(Error::PercpuTooLarge { size });
    }
    (special, relocations)
}

/// One `SHT_RELA` section: 24-byte entries filling it, linked to the symbol table, applying
/// to a valid section other than itself that is not null, a relocation, symbol or string
/// table (no linker writes those: an image that does leaves the section it was written for
/// unrelocated); then its entries ([`check_relocations`]), which for `struct module` may
/// patch only `init` and `exit`. A livepatch relocation section (`SHF_RELA_LIVEPATCH`, which
/// the livepatch core applies, then or when its object loads) is allowed only in a livepatch
/// module, must be allocated (the core reads it from module memory later) and must not apply
/// to `struct module` or a table the kernel reads (its fields are checked before the core
/// writes them). Returns the number of entries checked.
fn check_rela<'a>(
    data: &'a [u8],
    names: &Names<'a>,
    symtab: &Symtab<'a>,
    (unique, cfg): (&Unique, &Config),
    (section, s): (SectionIndex, &SectionHeader),
    soft: &mut Soft<'a, '_>,
) -> usize {
    let name = names.of(s);
    let shnum = names.headers.shnum;
    let target = names.headers.get(s.sh_info as usize);
    let info = s.sh_info as usize;
    let livepatch = s.sh_flags & SHF_RELA_LIVEPATCH != 0;
    let problem = if livepatch && !unique.livepatch {
        Some(Error::LivepatchSection { section, name })
    } else if livepatch && !s.is_alloc() {
        Some(Error::LivepatchUnallocated { section, name })
    } else if livepatch
        && info < shnum
        && (info == unique.this_module.0 || tables::is_read_by_kernel(names.of(&target)))
    {
        Some(Error::LivepatchTarget { section, name })
    } else if s.sh_entsize != RELA_SIZE as u64 || s.sh_size % (RELA_SIZE as u64) != 0 {
        Some(Error::RelaBadSize { section, name })
    } else if s.sh_link as usize != symtab.index.0 {
        Some(Error::RelaBadLink {
            section,
            name,
            link: s.sh_link,
        })
    } else if info == 0
        || info >= shnum
        || info == section.0
        || matches!(
            target.sh_type,
            SHT_NULL | SHT_RELA | SHT_REL | SHT_SYMTAB | SHT_STRTAB
        )
    {
        Some(Error::RelaBadInfo {
            section,
            name,
            info: s.sh_info,
        })
    } else {
        None
    };
    if let Some(e) = problem {
        soft.add(e);
        return 0;
    }
    let body = section_bytes(data, s);
    check_relocations(
        (section, livepatch, unique.livepatch),
        body,
        (symtab, &names.headers),
        &target,
        soft,
    );
    if info == unique.this_module.0 {
        for (reloc, rel) in body
            .chunks_exact(RELA_SIZE)
            .filter_map(Rela::from_entry)
            .enumerate()
        {
            if !cfg.is_entry_point(rel.r_offset) {
                soft.add(Error::ThisModuleRelocation {
                    section,
                    reloc,
                    offset: rel.r_offset,
                });
            }
        }
    }
    body.len() / RELA_SIZE
}

/// The entries of relocation section `section`: every symbol index inside the symbol table,
/// every type one the relocation pass knows, every patched field inside the target, and, for
/// an allocated target, no symbol defined in a section that is not allocated (its address
/// would be one in the image, gone once the module is loaded). In a livepatch module
/// (`module_livepatch`), `SHN_LIVEPATCH` symbols are used by the entries of a livepatch
/// section (`livepatch`) and by no other; elsewhere [`check_symbols`] refuses them.
fn check_relocations<'a>(
    (section, livepatch, module_livepatch): (SectionIndex, bool, bool),
    body: &[u8],
    (symtab, headers): (&Symtab<'a>, &Headers<'a>),
    target: &SectionHeader,
    soft: &mut Soft<'a, '_>,
) {
    let nsyms = symtab.symtab.len() / SYM_SIZE;
    let target_size = target.sh_size;
    for (reloc, entry) in body.chunks_exact(RELA_SIZE).enumerate() {
        let Some(rel) = Rela::from_entry(entry) else {
            break;
        };
        if rel.sym().0 >= nsyms {
            soft.add(Error::RelocBadSymbol {
                section,
                reloc,
                symbol: rel.sym(),
            });
            continue;
        }
        let Some(width) = x86_64::width(rel.r_type()) else {
            soft.add(Error::RelocUnknownType {
                section,
                reloc,
                r_type: rel.r_type(),
            });
            continue;
        };
        let end = rel.r_offset.checked_add(width as u64);
        if !matches!(end, Some(end) if end <= target_size) {
            soft.add(Error::RelocOutOfSection {
                section,
                reloc,
                offset: rel.r_offset,
                size: target_size,
            });
        }
        let shndx = symtab
            .symtab
            .get(rel.sym().0 * SYM_SIZE..)
            .and_then(Symbol::from_entry)
            .map_or(SHN_UNDEF, |sym| sym.st_shndx);
        if module_livepatch && livepatch != (shndx == SHN_LIVEPATCH) {
            let symbol = rel.sym();
            soft.add(if livepatch {
                Error::LivepatchOrdinarySymbol {
                    section,
                    reloc,
                    symbol,
                }
            } else {
                Error::RelocToLivepatchSymbol {
                    section,
                    reloc,
                    symbol,
                }
            });
        } else if target.is_alloc()
            && shndx != SHN_UNDEF
            && usize::from(shndx) < headers.shnum
            && !headers.get(usize::from(shndx)).is_alloc()
        {
            soft.add(Error::RelocToUnallocated {
                section,
                reloc,
                symbol: rel.sym(),
                shndx,
            });
        }
    }
}

/// The parts of `simplify_symbols()` that need no resolver: every name inside the string
/// table; no `SHN_COMMON` (but LTO's) or `SHN_XINDEX` symbol, `SHN_LIVEPATCH` ones only in
/// a livepatch module (`livepatch`: the livepatch core resolves them); every other
/// `st_shndx` special or a section of the `shnum` there are. Beyond the kernel's checks, a
/// symbol defined in an allocated section lies inside it, value and size.
fn check_symbols<'a>(
    symtab: &Symtab<'a>,
    headers: &Headers<'a>,
    livepatch: bool,
    soft: &mut Soft<'a, '_>,
) {
    let shnum = headers.shnum;
    for (k, entry) in symtab.symtab.chunks_exact(SYM_SIZE).enumerate() {
        let Some(sym) = Symbol::from_entry(entry) else {
            break;
        };
        let symbol = SymbolIndex(k);
        if sym.st_name as usize >= symtab.strtab.len() {
            soft.add(Error::SymbolNameOutOfBounds {
                symbol,
                st_name: sym.st_name,
            });
            continue;
        }
        if k == 0 {
            continue;
        }
        // Only the checks that look at the name, and messages, need its end.
        let name = || c_str_at(symtab.strtab, sym.st_name as usize).unwrap_or(&[]);
        match sym.st_shndx {
            SHN_COMMON if !name().starts_with(b"__gnu_lto") => soft.add(Error::CommonSymbol {
                symbol,
                name: name(),
            }),
            SHN_UNDEF | SHN_ABS | SHN_COMMON => {}
            SHN_LIVEPATCH if livepatch => {}
            SHN_LIVEPATCH => soft.add(Error::LivepatchSymbol {
                symbol,
                name: name(),
            }),
            SHN_XINDEX => soft.add(Error::ExtendedNumbering),
            shndx if usize::from(shndx) >= shnum => soft.add(Error::SymbolBadSection {
                symbol,
                name: name(),
                shndx,
            }),
            shndx if shndx < SHN_LORESERVE => {
                let h = headers.get(usize::from(shndx));
                let end = sym.st_value.saturating_add(sym.st_size);
                if h.is_alloc() && end > h.sh_size {
                    soft.add(Error::SymbolOutOfSection {
                        symbol,
                        name: name(),
                        shndx,
                        end,
                        size: h.sh_size,
                    });
                }
            }
            _ => {}
        }
    }
}

/// True for the section types of the gABI (`SHT_NULL` to `SHT_SYMTAB_SHNDX`, without the
/// reserved 12 and 13) and for every OS- or processor-specific type (`SHT_LOOS` to
/// `SHT_HIPROC`, e.g. `SHT_LLVM_ADDRSIG`, `SHT_X86_64_UNWIND`): a type outside these (the
/// application range from `SHT_LOUSER` on included) is not one any tool of the kernel's
/// build wrote.
fn is_known_type(sh_type: u32) -> bool {
    matches!(sh_type, 0..=11 | 14..=18) || (SHT_LOOS..SHT_LOUSER).contains(&sh_type)
}

/// A string table: `SHT_STRTAB` (else `None`), non-empty and NUL-terminated.
fn string_table<'a>(
    data: &'a [u8],
    section: SectionIndex,
    h: &SectionHeader,
) -> Option<Result<&'a [u8], Error<'a>>> {
    if h.sh_type != SHT_STRTAB {
        return None;
    }
    let body = section_bytes(data, h);
    Some(match body.last() {
        None => Err(Error::EmptyStringTable { section }),
        Some(0) => Ok(body),
        Some(_) => Err(Error::StringTableNotTerminated { section }),
    })
}
