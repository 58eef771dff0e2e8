// SPDX-License-Identifier: GPL-2.0

//! The validated but not yet loaded module: [`Plan`], the engine's `struct load_info`.
//!
//! [`Plan::parse`] (in [`super::validate`]) is the only way to make one; every accessor
//! then reads fields that validation checked.

use super::elf::*;
use super::modinfo::ModInfo;
use super::names::ModuleName;

/// Parameters of the running kernel that validation depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// `sizeof(struct module)`.
    pub module_struct_size: u64,
    /// `__alignof__(struct module)`.
    pub module_struct_align: u64,
    /// `offsetof(struct module, name)`.
    pub module_name_offset: usize,
    /// `offsetof(struct module, init)`.
    pub module_init_offset: usize,
    /// `offsetof(struct module, exit)`.
    pub module_exit_offset: usize,
}

impl Config {
    /// The x86_64 6.12 layout of a `size`-byte `struct module` whose `init` and `exit`
    /// pointers are at `init` and `exit` (the name follows `state` and the `list` head).
    pub const fn new(size: u64, init: usize, exit: usize) -> Self {
        Config {
            module_struct_size: size,
            module_struct_align: 8,
            module_name_offset: 24,
            module_init_offset: init,
            module_exit_offset: exit,
        }
    }

    /// True if the 8 bytes at `offset` of `struct module` are the `init` or `exit` pointer,
    /// the only fields of the template the image may fill through relocations.
    pub fn is_entry_point(&self, offset: u64) -> bool {
        offset == self.module_init_offset as u64 || offset == self.module_exit_offset as u64
    }
}

/// Largest per-CPU section, in bytes: `PCPU_MIN_UNIT_SIZE`, above which the per-CPU allocator
/// WARNs rather than fails.
pub const PERCPU_LIMIT: u64 = 32 << 10;

/// The `.modinfo` key that makes a module a livepatch module (`is_livepatch_module()`).
pub const LIVEPATCH_KEY: &[u8] = b"livepatch";

/// Name of the module structure section.
pub const THIS_MODULE: &[u8] = b".gnu.linkonce.this_module";

/// The sections the kernel's C code finds by name (`find_sec()`): the first allocated section
/// of each name, other than `.modinfo` and `__versions`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Special {
    /// `.data..percpu` (placed in per-CPU memory, not by the layout).
    pub percpu: Option<SectionIndex>,
    /// `__ksymtab`.
    pub ksymtab: Option<SectionIndex>,
    /// `__ksymtab_gpl`.
    pub ksymtab_gpl: Option<SectionIndex>,
    /// `__ksymtab_strings`.
    pub ksymtab_strings: Option<SectionIndex>,
    /// `.data..ro_after_init`.
    pub ro_after_init: Option<SectionIndex>,
    /// `__jump_table`.
    pub jump_table: Option<SectionIndex>,
}

/// A validated module image.
#[derive(Clone, Copy, Debug)]
pub struct Plan<'a> {
    pub(super) data: &'a [u8],
    /// The ELF file header.
    pub header: FileHeader,
    pub(super) shoff: usize,
    pub(super) shnum: usize,
    pub(super) shstrtab: &'a [u8],
    pub(super) strtab: &'a [u8],
    pub(super) symtab: &'a [u8],
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
    /// The sections C code finds by name.
    pub special: Special,
    /// Number of `SHT_RELA` entries in all sections.
    pub relocation_count: usize,
    /// The module's name, from its `struct module`.
    pub name: ModuleName,
    /// Whether the module is a livepatch module (see [`Plan::is_livepatch`]).
    pub(super) livepatch: bool,
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
    /// The image.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Number of sections (`e_shnum`); size of per-section tables.
    pub fn section_count(&self) -> usize {
        self.shnum
    }

    /// Number of symbols, including the null symbol 0; size of per-symbol tables.
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
        Some(Section {
            index,
            header,
            name,
        })
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

    /// True when the loader allocates the section: `SHF_ALLOC`, and not `.modinfo`,
    /// `__versions` or per-CPU data (which the kernel strips of `SHF_ALLOC` before layout).
    pub fn is_allocated(&self, index: SectionIndex) -> bool {
        let Some(h) = self.section_header(index) else {
            return false;
        };
        h.is_alloc()
            && index.0 != 0
            && Some(index) != self.modinfo_index
            && Some(index) != self.versions_index
            && Some(index) != self.special.percpu
    }

    /// Symbol `index`.
    pub fn symbol(&self, index: SymbolIndex) -> Option<Symbol> {
        Symbol::parse(self.symtab, index.0.checked_mul(SYM_SIZE)?)
    }

    /// All symbols in index order, the null symbol 0 included ([`Plan::symbol_count`] of
    /// them).
    pub fn symbols(&self) -> impl Iterator<Item = Symbol> + 'a {
        self.symtab
            .chunks_exact(SYM_SIZE)
            .filter_map(Symbol::from_entry)
    }

    /// The name of a symbol.
    pub fn symbol_name(&self, sym: &Symbol) -> &'a [u8] {
        c_str_at(self.strtab, sym.st_name as usize).unwrap_or(&[])
    }

    /// The name of `sym` with its terminating NUL byte, as C code takes it.
    pub fn symbol_c_name(&self, sym: &Symbol) -> &'a [u8] {
        c_str_with_nul_at(self.strtab, sym.st_name as usize).unwrap_or(b"\0")
    }

    /// All relocation sections (validated `SHT_RELA`).
    pub fn rela_sections(&self) -> impl Iterator<Item = Section<'a>> + '_ {
        self.sections().filter(|s| s.header.sh_type == SHT_RELA)
    }

    /// The entries of relocation section `index`.
    pub fn relocations(&self, index: SectionIndex) -> impl Iterator<Item = Rela> + 'a {
        self.section_data(index)
            .chunks_exact(RELA_SIZE)
            .filter_map(Rela::from_entry)
    }

    /// The `.modinfo` contents (empty if absent).
    pub fn modinfo(&self) -> ModInfo<'a> {
        ModInfo::new(match self.modinfo_index {
            Some(i) => self.section_data(i),
            None => &[],
        })
    }

    /// Whether the module is a livepatch module (`livepatch=` in `.modinfo`), whose
    /// `SHN_LIVEPATCH` symbols and `SHF_RELA_LIVEPATCH` sections the livepatch core handles.
    pub fn is_livepatch(&self) -> bool {
        self.livepatch
    }
}

/// The file bytes of the section with header `h` (empty for one without file bytes or
/// outside `data`).
pub(super) fn section_bytes<'a>(data: &'a [u8], h: &SectionHeader) -> &'a [u8] {
    if !h.has_file_bytes() {
        return &[];
    }
    let (Some(off), Some(len)) = (to_usize(h.sh_offset), to_usize(h.sh_size)) else {
        return &[];
    };
    Bytes(data).slice(off, len).unwrap_or(&[])
}
