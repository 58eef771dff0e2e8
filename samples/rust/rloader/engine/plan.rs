// SPDX-License-Identifier: GPL-2.0

//! Validation: turns an untrusted image into a [`Plan`], the validated but
//! not yet loaded state (the kernel's `struct load_info`).
//!
//! The checks follow the kernel's `elf_validity_*()` family and add the
//! symbol, relocation and permission checks the later stages rely on, so
//! that every later stage can only fail for reasons that depend on the
//! running system (symbols, vermagic), never on the image's shape.

use super::elf::*;
use super::error::Error;
use super::modinfo::ModInfo;

/// Parameters of the running kernel that validation depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// `sizeof(struct module)` of the running configuration.
    pub module_struct_size: u64,
}

/// Name of the module structure section.
pub const THIS_MODULE: &[u8] = b".gnu.linkonce.this_module";

/// A validated module image.
#[derive(Clone, Copy, Debug)]
pub struct Plan<'a> {
    data: &'a [u8],
    /// The ELF file header.
    pub header: FileHeader,
    shoff: usize,
    shnum: usize,
    shstrtab: &'a [u8],
    strtab: &'a [u8],
    symtab: &'a [u8],
    /// The `SHT_SYMTAB` section.
    pub symtab_index: SectionIndex,
    /// The symbol string table.
    pub strtab_index: SectionIndex,
    /// The `.modinfo` section, if any.
    pub modinfo_index: Option<SectionIndex>,
    /// The `__versions` section, if any (never allocated).
    pub versions_index: Option<SectionIndex>,
    /// `.gnu.linkonce.this_module`.
    pub this_module_index: SectionIndex,
    /// The allocated `.data..percpu` section, if any (placed by the caller
    /// in per-CPU memory, not by the layout).
    pub percpu_index: Option<SectionIndex>,
    /// `__ksymtab`, if any.
    pub ksymtab_index: Option<SectionIndex>,
    /// `__ksymtab_gpl`, if any.
    pub ksymtab_gpl_index: Option<SectionIndex>,
    /// `__ksymtab_strings`, if any.
    pub ksymtab_strings_index: Option<SectionIndex>,
    /// `.data..ro_after_init`, if any.
    pub ro_after_init_index: Option<SectionIndex>,
    /// `__jump_table`, if any.
    pub jump_table_index: Option<SectionIndex>,
    /// Number of `SHT_RELA` entries in all sections.
    pub relocation_count: usize,
}

/// One section: header, index and name.
#[derive(Clone, Copy, Debug)]
pub struct Section<'a> {
    /// Its index.
    pub index: SectionIndex,
    /// Its header.
    pub header: SectionHeader,
    /// Its name (empty for `SHT_NULL`).
    pub name: &'a [u8],
}

impl<'a> Plan<'a> {
    /// Validates `data`, stopping at the first problem.
    pub fn parse(data: &'a [u8], cfg: &Config) -> Result<Plan<'a>, Error<'a>> {
        Self::parse_reporting(data, cfg, &mut |_| {})
    }

    /// Validates `data`. Problems that do not prevent further checking
    /// (per-section, per-symbol and per-relocation ones) are passed to
    /// `report` and checking goes on; the first problem is returned.
    pub fn parse_reporting(
        data: &'a [u8],
        cfg: &Config,
        report: &mut dyn FnMut(Error<'a>),
    ) -> Result<Plan<'a>, Error<'a>> {
        let mut first: Option<Error<'a>> = None;
        let mut soft = |e: Error<'a>| {
            report(e);
            if first.is_none() {
                first = Some(e);
            }
        };

        // --- elf_validity_ehdr ---
        if data.len() < EHDR_SIZE {
            return Err(Error::TooShort { len: data.len() });
        }
        let header = FileHeader::parse(data).ok_or(Error::BadMagic)?;
        if header.class != ELFCLASS64 {
            return Err(Error::BadClass(header.class));
        }
        if header.data != ELFDATA2LSB {
            return Err(Error::BadDataEncoding(header.data));
        }
        if header.ident_version != EV_CURRENT {
            return Err(Error::BadVersion(u32::from(header.ident_version)));
        }
        if header.e_version != u32::from(EV_CURRENT) {
            return Err(Error::BadVersion(header.e_version));
        }
        if header.e_type != ET_REL {
            return Err(Error::NotRelocatable(header.e_type));
        }
        if header.e_machine != EM_X86_64 {
            return Err(Error::BadMachine(header.e_machine));
        }

        // --- elf_validity_cache_sechdrs ---
        if usize::from(header.e_shentsize) != SHDR_SIZE {
            return Err(Error::BadSectionHeaderSize(header.e_shentsize));
        }
        if header.e_shnum == 0 || header.e_shstrndx == SHN_XINDEX {
            return Err(Error::ExtendedNumbering);
        }
        let shnum = usize::from(header.e_shnum);
        let oob = Error::SectionHeadersOutOfFile {
            offset: header.e_shoff,
            count: header.e_shnum,
        };
        let shoff = to_usize(header.e_shoff).ok_or(oob)?;
        let table_len = shnum.checked_mul(SHDR_SIZE).ok_or(oob)?;
        if shoff >= data.len() || table_len > data.len() - shoff {
            return Err(oob);
        }
        let shdr = |i: usize| -> SectionHeader {
            // In bounds: checked above for every i < shnum.
            i.checked_mul(SHDR_SIZE)
                .and_then(|o| o.checked_add(shoff))
                .and_then(|o| SectionHeader::parse(data, o))
                .unwrap_or_default()
        };
        let null = shdr(0);
        if null.sh_type != SHT_NULL || null.sh_size != 0 || null.sh_addr != 0 {
            return Err(Error::BadNullSection);
        }
        for i in 1..shnum {
            let s = shdr(i);
            if s.sh_type == SHT_NULL || s.sh_type == SHT_NOBITS {
                continue;
            }
            let end = s.sh_offset.checked_add(s.sh_size);
            match end {
                Some(end) if end <= data.len() as u64 => {}
                _ => {
                    return Err(Error::SectionOutOfFile {
                        section: SectionIndex(i),
                        sh_type: s.sh_type,
                    })
                }
            }
        }

        // --- elf_validity_cache_secstrings ---
        let shstrndx = usize::from(header.e_shstrndx);
        if shstrndx == 0 || shstrndx >= shnum {
            return Err(Error::BadSectionNameIndex(header.e_shstrndx));
        }
        let shstrtab = string_table(data, SectionIndex(shstrndx), &shdr(shstrndx))
            .map_err(|e| match e {
                Error::SectionOutOfFile { section, .. } => Error::SectionNamesNotStrtab { section },
                e => e,
            })?;
        for i in 0..shnum {
            let s = shdr(i);
            if s.sh_type == SHT_NULL {
                continue;
            }
            if s.sh_name as usize >= shstrtab.len() {
                return Err(Error::SectionNameOutOfBounds {
                    section: SectionIndex(i),
                    sh_name: s.sh_name,
                });
            }
        }
        let name_of = |i: usize| -> &'a [u8] {
            let s = shdr(i);
            if s.sh_type == SHT_NULL {
                return &[];
            }
            c_str_at(shstrtab, s.sh_name as usize).unwrap_or(&[])
        };

        // --- unique sections (elf_validity_cache_index_info/mod/sym) ---
        let mut modinfo_index = None;
        let mut this_module = None;
        let mut symtab_index = None;
        let mut versions_index = None;
        for i in 1..shnum {
            let s = shdr(i);
            let name = name_of(i);
            if s.sh_type == SHT_SYMTAB_SHNDX {
                return Err(Error::ExtendedNumbering);
            }
            if name == b".modinfo" {
                if modinfo_index.is_some() {
                    return Err(Error::DuplicateModinfo { section: SectionIndex(i) });
                }
                modinfo_index = Some(SectionIndex(i));
            } else if name == THIS_MODULE {
                if this_module.is_some() {
                    return Err(Error::DuplicateThisModule { section: SectionIndex(i) });
                }
                this_module = Some(SectionIndex(i));
            } else if name == b"__versions" && versions_index.is_none() {
                versions_index = Some(SectionIndex(i));
            }
            if s.sh_type == SHT_SYMTAB {
                if symtab_index.is_some() {
                    return Err(Error::DuplicateSymtab { section: SectionIndex(i) });
                }
                symtab_index = Some(SectionIndex(i));
            }
        }
        let this_module_index = this_module.ok_or(Error::MissingThisModule)?;
        let tm = shdr(this_module_index.0);
        if tm.sh_type == SHT_NOBITS {
            return Err(Error::ThisModuleNobits { section: this_module_index });
        }
        if !tm.is_alloc() {
            return Err(Error::ThisModuleNotAlloc { section: this_module_index });
        }
        if tm.sh_size != cfg.module_struct_size {
            return Err(Error::ThisModuleSize {
                section: this_module_index,
                found: tm.sh_size,
                expected: cfg.module_struct_size,
            });
        }
        if let Some(mi) = modinfo_index {
            if shdr(mi.0).sh_type == SHT_NOBITS {
                return Err(Error::SectionOutOfFile { section: mi, sh_type: SHT_NOBITS });
            }
        }

        // --- symbol table and its strings (elf_validity_cache_index_str) ---
        let symtab_index = symtab_index.ok_or(Error::MissingSymtab)?;
        let st = shdr(symtab_index.0);
        let link = st.sh_link as usize;
        if link == 0 || link >= shnum {
            return Err(Error::SymtabBadLink { link: st.sh_link });
        }
        let strtab_index = SectionIndex(link);
        let strtab = string_table(data, strtab_index, &shdr(link)).map_err(|e| match e {
            Error::SectionOutOfFile { section, .. } => Error::SymtabLinkNotStrtab { section },
            e => e,
        })?;
        let symtab = section_bytes(data, &st);
        if st.sh_entsize != SYM_SIZE as u64
            || st.sh_size % (SYM_SIZE as u64) != 0
            || st.sh_size == 0
        {
            return Err(Error::SymtabBadSize {
                section: symtab_index,
                entsize: st.sh_entsize,
                size: st.sh_size,
            });
        }
        let nsyms = symtab.len() / SYM_SIZE;

        // --- per-section checks ---
        let mut relocation_count: usize = 0;
        let mut percpu_index = None;
        let mut ksymtab_index = None;
        let mut ksymtab_gpl_index = None;
        let mut ksymtab_strings_index = None;
        let mut ro_after_init_index = None;
        let mut jump_table_index = None;
        for i in 1..shnum {
            let s = shdr(i);
            let name = name_of(i);
            let idx = SectionIndex(i);
            if s.sh_flags & (SHF_WRITE | SHF_EXECINSTR) == SHF_WRITE | SHF_EXECINSTR {
                soft(Error::WriteAndExec { section: idx, name });
            }
            if s.is_alloc() && s.sh_addralign > 1 && !s.sh_addralign.is_power_of_two() {
                soft(Error::BadAlignment { section: idx, name, align: s.sh_addralign });
            }
            if s.is_alloc() {
                // find_sec(): the first allocated section of that name.
                let slot = match name {
                    b".data..percpu" => Some(&mut percpu_index),
                    b"__ksymtab" => Some(&mut ksymtab_index),
                    b"__ksymtab_gpl" => Some(&mut ksymtab_gpl_index),
                    b"__ksymtab_strings" => Some(&mut ksymtab_strings_index),
                    b".data..ro_after_init" => Some(&mut ro_after_init_index),
                    b"__jump_table" => Some(&mut jump_table_index),
                    _ => None,
                };
                if let Some(slot) = slot {
                    if slot.is_none() && Some(idx) != modinfo_index && Some(idx) != versions_index {
                        *slot = Some(idx);
                    }
                }
            }
            if s.sh_type == SHT_REL {
                soft(Error::RelNotSupported { section: idx, name });
                continue;
            }
            if s.sh_type != SHT_RELA {
                continue;
            }
            if s.sh_flags & SHF_RELA_LIVEPATCH != 0 {
                soft(Error::Livepatch { symbol: SymbolIndex(0), name });
                continue;
            }
            if s.sh_entsize != RELA_SIZE as u64 || s.sh_size % (RELA_SIZE as u64) != 0 {
                soft(Error::RelaBadSize { section: idx, name });
                continue;
            }
            if s.sh_link as usize != symtab_index.0 {
                soft(Error::RelaBadLink { section: idx, name, link: s.sh_link });
                continue;
            }
            let info = s.sh_info as usize;
            if info == 0 || info >= shnum || shdr(info).sh_type == SHT_NULL {
                soft(Error::RelaBadInfo { section: idx, name, info: s.sh_info });
                continue;
            }
            let target_size = shdr(info).sh_size;
            let body = section_bytes(data, &s);
            let n = body.len() / RELA_SIZE;
            relocation_count = relocation_count.saturating_add(n);
            check_relocations(idx, body, nsyms, target_size, &mut soft);
        }

        // --- symbols (the parts of simplify_symbols that need no resolver) ---
        for (k, entry) in symtab.chunks_exact(SYM_SIZE).enumerate() {
            let Some(sym) = Symbol::from_entry(entry) else {
                break;
            };
            let symbol = SymbolIndex(k);
            if sym.st_name as usize >= strtab.len() {
                soft(Error::SymbolNameOutOfBounds { symbol, st_name: sym.st_name });
                continue;
            }
            if k == 0 {
                continue;
            }
            // The name is only needed for the checks that look at it and
            // for messages: find its end only then.
            let name = || c_str_at(strtab, sym.st_name as usize).unwrap_or(&[]);
            match sym.st_shndx {
                SHN_COMMON if !name().starts_with(b"__gnu_lto") => {
                    soft(Error::CommonSymbol { symbol, name: name() })
                }
                SHN_UNDEF | SHN_ABS | SHN_COMMON => {}
                SHN_LIVEPATCH => soft(Error::Livepatch { symbol, name: name() }),
                SHN_XINDEX => soft(Error::ExtendedNumbering),
                x if usize::from(x) >= shnum => {
                    soft(Error::SymbolBadSection { symbol, name: name(), shndx: x })
                }
                _ => {}
            }
        }

        if let Some(e) = first {
            return Err(e);
        }
        Ok(Plan {
            data,
            header,
            shoff,
            shnum,
            shstrtab,
            strtab,
            symtab,
            symtab_index,
            strtab_index,
            modinfo_index,
            versions_index,
            this_module_index,
            percpu_index,
            ksymtab_index,
            ksymtab_gpl_index,
            ksymtab_strings_index,
            ro_after_init_index,
            jump_table_index,
            relocation_count,
        })
    }

    /// The image.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Number of sections (`e_shnum`); size of per-section tables.
    pub fn section_count(&self) -> usize {
        self.shnum
    }

    /// Number of symbols, including the null symbol 0; size of
    /// per-symbol tables.
    pub fn symbol_count(&self) -> usize {
        self.symtab.len() / SYM_SIZE
    }

    /// The header of section `index`.
    pub fn section_header(&self, index: SectionIndex) -> Option<SectionHeader> {
        if index.0 >= self.shnum {
            return None;
        }
        let off = index.0.checked_mul(SHDR_SIZE)?.checked_add(self.shoff)?;
        SectionHeader::parse(self.data, off)
    }

    /// Section `index` with its name.
    pub fn section(&self, index: SectionIndex) -> Option<Section<'a>> {
        let header = self.section_header(index)?;
        let name = if header.sh_type == SHT_NULL {
            &[][..]
        } else {
            c_str_at(self.shstrtab, header.sh_name as usize).unwrap_or(&[])
        };
        Some(Section { index, header, name })
    }

    /// All sections in index order.
    pub fn sections(&self) -> impl Iterator<Item = Section<'a>> + '_ {
        (0..self.shnum).filter_map(move |i| self.section(SectionIndex(i)))
    }

    /// The file bytes of section `index` (empty for `SHT_NOBITS`).
    pub fn section_data(&self, index: SectionIndex) -> &'a [u8] {
        match self.section_header(index) {
            Some(h) => section_bytes(self.data, &h),
            None => &[],
        }
    }

    /// True when the loader allocates the section: `SHF_ALLOC`, and not
    /// `.modinfo`, `__versions` or per-CPU data (which the kernel strips
    /// of `SHF_ALLOC` before layout).
    pub fn is_allocated(&self, index: SectionIndex) -> bool {
        let Some(h) = self.section_header(index) else {
            return false;
        };
        h.is_alloc()
            && index.0 != 0
            && Some(index) != self.modinfo_index
            && Some(index) != self.versions_index
            && Some(index) != self.percpu_index
    }

    /// Symbol `index`.
    pub fn symbol(&self, index: SymbolIndex) -> Option<Symbol> {
        Symbol::parse(self.symtab, index.0.checked_mul(SYM_SIZE)?)
    }

    /// All symbols in index order, the null symbol 0 included
    /// ([`Plan::symbol_count`] of them).
    pub fn symbols(&self) -> impl Iterator<Item = Symbol> + 'a {
        self.symtab.chunks_exact(SYM_SIZE).filter_map(Symbol::from_entry)
    }

    /// The name of a symbol.
    pub fn symbol_name(&self, sym: &Symbol) -> &'a [u8] {
        c_str_at(self.strtab, sym.st_name as usize).unwrap_or(&[])
    }

    /// All relocation sections (validated `SHT_RELA`).
    pub fn rela_sections(&self) -> impl Iterator<Item = Section<'a>> + '_ {
        self.sections().filter(|s| s.header.sh_type == SHT_RELA)
    }

    /// The entries of relocation section `index`.
    pub fn relocations(&self, index: SectionIndex) -> impl Iterator<Item = Rela> + 'a {
        self.section_data(index).chunks_exact(RELA_SIZE).filter_map(Rela::from_entry)
    }

    /// The `.modinfo` contents (empty if absent).
    pub fn modinfo(&self) -> ModInfo<'a> {
        ModInfo::new(match self.modinfo_index {
            Some(i) => self.section_data(i),
            None => &[],
        })
    }
}

/// Checks the entries of relocation section `section` against a symbol
/// table of `nsyms` entries and a target section of `target_size` bytes:
/// every symbol index inside the table, every type one the relocation pass
/// knows, every patched field inside the target. Each problem goes to
/// `soft`.
fn check_relocations<'a>(
    section: SectionIndex,
    body: &[u8],
    nsyms: usize,
    target_size: u64,
    soft: &mut impl FnMut(Error<'a>),
) {
    for (r, entry) in body.chunks_exact(RELA_SIZE).enumerate() {
        let Some(rel) = Rela::from_entry(entry) else {
            break;
        };
        if rel.sym().0 >= nsyms {
            soft(Error::RelocBadSymbol { section, reloc: r, symbol: rel.sym() });
            continue;
        }
        let Some(width) = super::reloc::width(rel.r_type()) else {
            soft(Error::RelocUnknownType { section, reloc: r, r_type: rel.r_type() });
            continue;
        };
        let fits = rel
            .r_offset
            .checked_add(width as u64)
            .is_some_and(|end| end <= target_size);
        if !fits {
            soft(Error::RelocOutOfSection {
                section,
                reloc: r,
                offset: rel.r_offset,
                size: target_size,
            });
        }
    }
}

fn section_bytes<'a>(data: &'a [u8], h: &SectionHeader) -> &'a [u8] {
    if !h.has_file_bytes() {
        return &[];
    }
    let (Some(off), Some(len)) = (to_usize(h.sh_offset), to_usize(h.sh_size)) else {
        return &[];
    };
    Bytes(data).slice(off, len).unwrap_or(&[])
}

/// Validates a string table: `SHT_STRTAB`, non-empty, NUL-terminated.
fn string_table<'a>(data: &'a [u8], idx: SectionIndex, h: &SectionHeader) -> Result<&'a [u8], Error<'a>> {
    if h.sh_type != SHT_STRTAB {
        return Err(Error::SectionOutOfFile { section: idx, sh_type: h.sh_type });
    }
    let body = section_bytes(data, h);
    match body.last() {
        None => Err(Error::EmptyStringTable { section: idx }),
        Some(0) => Ok(body),
        Some(_) => Err(Error::StringTableNotTerminated { section: idx }),
    }
}

/// How much of an image a writer still has to supply, from what arrived so
/// far (see [`extent`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extent {
    /// At least this many bytes are needed before more can be said.
    AtLeast(usize),
    /// The image ends at this offset: the ELF header, the section header
    /// table and every section with file bytes lie before it.
    Complete(usize),
}

/// Computes the extent of the image whose first bytes are `prefix`, so that
/// a loader fed in chunks knows when the image is complete. Refuses a
/// prefix that cannot start a module (wrong magic, header table size or
/// numbering) without waiting for the rest; everything else is left to
/// [`Plan::parse`].
pub fn extent(prefix: &[u8]) -> Result<Extent, Error<'_>> {
    const MAGIC: &[u8; 4] = b"\x7fELF";
    let head = prefix.get(..MAGIC.len()).unwrap_or(prefix);
    if MAGIC.get(..head.len()) != Some(head) {
        return Err(Error::BadMagic);
    }
    if prefix.len() < EHDR_SIZE {
        return Ok(Extent::AtLeast(EHDR_SIZE));
    }
    let header = FileHeader::parse(prefix).ok_or(Error::BadMagic)?;
    if usize::from(header.e_shentsize) != SHDR_SIZE {
        return Err(Error::BadSectionHeaderSize(header.e_shentsize));
    }
    if header.e_shnum == 0 {
        return Err(Error::ExtendedNumbering);
    }
    let oob = Error::SectionHeadersOutOfFile { offset: header.e_shoff, count: header.e_shnum };
    let shoff = to_usize(header.e_shoff).ok_or(oob)?;
    let table_end = usize::from(header.e_shnum)
        .checked_mul(SHDR_SIZE)
        .and_then(|n| n.checked_add(shoff))
        .ok_or(oob)?;
    let mut end = table_end.max(EHDR_SIZE);
    if prefix.len() < end {
        return Ok(Extent::AtLeast(end));
    }
    for i in 0..usize::from(header.e_shnum) {
        let off = i.checked_mul(SHDR_SIZE).and_then(|o| o.checked_add(shoff)).ok_or(oob)?;
        let h = SectionHeader::parse(prefix, off).ok_or(oob)?;
        if !h.has_file_bytes() {
            continue;
        }
        let bad = Error::SectionOutOfFile { section: SectionIndex(i), sh_type: h.sh_type };
        let sec_end = h.sh_offset.checked_add(h.sh_size).and_then(to_usize).ok_or(bad)?;
        end = end.max(sec_end);
    }
    Ok(if prefix.len() < end { Extent::AtLeast(end) } else { Extent::Complete(end) })
}
