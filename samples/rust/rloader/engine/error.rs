// SPDX-License-Identifier: GPL-2.0

//! Every reason the engine refuses a module, with its errno.
//!
//! Each variant names what was wrong and where (section, symbol or
//! relocation index, and the name borrowed from the image when known).

use core::fmt;

use super::elf::{SectionIndex, SymbolIndex};

/// `EPERM`.
pub const EPERM: i32 = 1;
/// `ENOENT`.
pub const ENOENT: i32 = 2;
/// `ENOEXEC`.
pub const ENOEXEC: i32 = 8;
/// `ENOMEM`.
pub const ENOMEM: i32 = 12;
/// `EINVAL`.
pub const EINVAL: i32 = 22;

/// A module rejection. `'a` is the lifetime of the image (and of any
/// caller-given string such as the expected vermagic).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error<'a> {
    /// The image is shorter than an ELF64 header.
    TooShort {
        /// Image length.
        len: usize,
    },
    /// The first four bytes are not `\x7fELF`.
    BadMagic,
    /// `e_ident[EI_CLASS]` is not `ELFCLASS64`.
    BadClass(u8),
    /// `e_ident[EI_DATA]` is not little-endian.
    BadDataEncoding(u8),
    /// `e_ident[EI_VERSION]` or `e_version` is not `EV_CURRENT`.
    BadVersion(u32),
    /// `e_type` is not `ET_REL`.
    NotRelocatable(u16),
    /// `e_machine` is not `EM_X86_64`.
    BadMachine(u16),
    /// `e_shentsize` is not 64.
    BadSectionHeaderSize(u16),
    /// Extended section numbering (`e_shnum == 0`, `SHN_XINDEX` or
    /// `SHT_SYMTAB_SHNDX`) is not supported.
    ExtendedNumbering,
    /// The section header table lies (partly) outside the image.
    SectionHeadersOutOfFile {
        /// `e_shoff`.
        offset: u64,
        /// `e_shnum`.
        count: u16,
    },
    /// Section 0 is not an all-zero `SHT_NULL` entry.
    BadNullSection,
    /// A section's `sh_offset + sh_size` overflows or exceeds the image.
    SectionOutOfFile {
        /// The section.
        section: SectionIndex,
        /// `sh_type`.
        sh_type: u32,
    },
    /// `e_shstrndx` is 0 or not below `e_shnum`.
    BadSectionNameIndex(u16),
    /// The section at `e_shstrndx` is not `SHT_STRTAB`.
    SectionNamesNotStrtab {
        /// The section.
        section: SectionIndex,
    },
    /// A string table is empty.
    EmptyStringTable {
        /// The section.
        section: SectionIndex,
    },
    /// A string table does not end with NUL.
    StringTableNotTerminated {
        /// The section.
        section: SectionIndex,
    },
    /// A section's `sh_name` is outside the section name table.
    SectionNameOutOfBounds {
        /// The section.
        section: SectionIndex,
        /// `sh_name`.
        sh_name: u32,
    },
    /// More than one `.modinfo` section.
    DuplicateModinfo {
        /// The second one found.
        section: SectionIndex,
    },
    /// No `.gnu.linkonce.this_module` section.
    MissingThisModule,
    /// More than one `.gnu.linkonce.this_module` section.
    DuplicateThisModule {
        /// The second one found.
        section: SectionIndex,
    },
    /// `.gnu.linkonce.this_module` is `SHT_NOBITS`.
    ThisModuleNobits {
        /// The section.
        section: SectionIndex,
    },
    /// `.gnu.linkonce.this_module` lacks `SHF_ALLOC`.
    ThisModuleNotAlloc {
        /// The section.
        section: SectionIndex,
    },
    /// `.gnu.linkonce.this_module` size differs from the running kernel's
    /// `sizeof(struct module)`.
    ThisModuleSize {
        /// The section.
        section: SectionIndex,
        /// Its `sh_size`.
        found: u64,
        /// The caller-given `sizeof(struct module)`.
        expected: u64,
    },
    /// No `SHT_SYMTAB` section (stripped module).
    MissingSymtab,
    /// More than one `SHT_SYMTAB` section.
    DuplicateSymtab {
        /// The second one found.
        section: SectionIndex,
    },
    /// The symbol table's `sh_link` is 0 or out of range.
    SymtabBadLink {
        /// `sh_link`.
        link: u32,
    },
    /// The symbol table's `sh_link` is not a `SHT_STRTAB`.
    SymtabLinkNotStrtab {
        /// The linked section.
        section: SectionIndex,
    },
    /// The symbol table's `sh_entsize` is not 24 or its size is not a
    /// multiple of 24, or it is empty.
    SymtabBadSize {
        /// The symbol table section.
        section: SectionIndex,
        /// `sh_entsize`.
        entsize: u64,
        /// `sh_size`.
        size: u64,
    },
    /// A symbol's `st_name` is outside the string table.
    SymbolNameOutOfBounds {
        /// The symbol.
        symbol: SymbolIndex,
        /// `st_name`.
        st_name: u32,
    },
    /// A symbol's `st_shndx` is neither special nor a valid section.
    SymbolBadSection {
        /// The symbol.
        symbol: SymbolIndex,
        /// Its name.
        name: &'a [u8],
        /// `st_shndx`.
        shndx: u16,
    },
    /// A `SHN_COMMON` symbol: the module was built without `-fno-common`.
    CommonSymbol {
        /// The symbol.
        symbol: SymbolIndex,
        /// Its name.
        name: &'a [u8],
    },
    /// A `SHN_LIVEPATCH` symbol or `SHF_RELA_LIVEPATCH` section: livepatch
    /// modules are not supported by this loader.
    Livepatch {
        /// The symbol (or `SymbolIndex(0)` for a section).
        symbol: SymbolIndex,
        /// The symbol or section name.
        name: &'a [u8],
    },
    /// A section is both `SHF_WRITE` and `SHF_EXECINSTR`.
    WriteAndExec {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
    },
    /// An allocated section's `sh_addralign` is not a power of two.
    BadAlignment {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
        /// `sh_addralign`.
        align: u64,
    },
    /// A `SHT_REL` section: x86_64 modules use `SHT_RELA` only.
    RelNotSupported {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
    },
    /// A `SHT_RELA` section's `sh_entsize` is not 24 or size not a multiple.
    RelaBadSize {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
    },
    /// A `SHT_RELA` section's `sh_link` is not the symbol table.
    RelaBadLink {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
        /// `sh_link`.
        link: u32,
    },
    /// A `SHT_RELA` section's `sh_info` is 0, out of range, or names a
    /// section without contents.
    RelaBadInfo {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
        /// `sh_info`.
        info: u32,
    },
    /// A relocation names a symbol index past the symbol table.
    RelocBadSymbol {
        /// The relocation section.
        section: SectionIndex,
        /// Index of the entry within it.
        reloc: usize,
        /// The symbol index.
        symbol: SymbolIndex,
    },
    /// A relocation's `r_offset` plus its width is outside the target.
    RelocOutOfSection {
        /// The relocation section.
        section: SectionIndex,
        /// Index of the entry within it.
        reloc: usize,
        /// `r_offset`.
        offset: u64,
        /// Target section size.
        size: u64,
    },
    /// A relocation type the x86_64 module loader does not handle.
    RelocUnknownType {
        /// The relocation section.
        section: SectionIndex,
        /// Index of the entry within it.
        reloc: usize,
        /// The type number.
        r_type: u32,
    },
    /// The relocated value does not fit the field (`-mcmodel=kernel`?).
    RelocOverflow {
        /// The relocation section.
        section: SectionIndex,
        /// Index of the entry within it.
        reloc: usize,
        /// The type number.
        r_type: u32,
        /// The computed value.
        value: u64,
    },
    /// The bytes at the relocation target are not zero.
    RelocTargetNonzero {
        /// The relocation section.
        section: SectionIndex,
        /// Index of the entry within it.
        reloc: usize,
        /// The type number.
        r_type: u32,
    },
    /// `.modinfo` has no `vermagic=` (a forced load would be needed).
    MissingVermagic,
    /// `vermagic` differs from the running kernel's.
    VermagicMismatch {
        /// The module's vermagic.
        found: &'a [u8],
        /// The kernel's vermagic.
        expected: &'a [u8],
    },
    /// Laying out a memory type overflowed the address space.
    LayoutOverflow {
        /// The section being placed.
        section: SectionIndex,
    },
    /// A caller-provided table has the wrong length.
    TableSize {
        /// Required length.
        needed: usize,
        /// Given length.
        given: usize,
    },
    /// The caller could not provide memory for a placed section.
    NoTargetMemory {
        /// The section.
        section: SectionIndex,
    },
    /// Some undefined symbols could not be resolved (each was reported).
    Unresolved {
        /// How many.
        count: usize,
        /// The first one.
        first: &'a [u8],
        /// True when every failure was a missing namespace import.
        namespace_only: bool,
    },
    /// An export table is malformed (size not a multiple of 12, or an
    /// entry's name points outside `__ksymtab_strings`).
    BadExport {
        /// The `__ksymtab*` section.
        section: SectionIndex,
        /// The entry.
        entry: usize,
    },
    /// A `struct module` field offset lies outside the section.
    BadThisModuleField {
        /// The field offset.
        offset: u64,
    },
}

impl Error<'_> {
    /// The positive errno the kernel loader returns for this rejection.
    pub fn errno(&self) -> i32 {
        match self {
            Error::LayoutOverflow { .. } => ENOMEM,
            Error::TableSize { .. } | Error::NoTargetMemory { .. } => EINVAL,
            Error::Unresolved {
                namespace_only: true,
                ..
            } => EINVAL,
            Error::Unresolved { .. } => ENOENT,
            _ => ENOEXEC,
        }
    }

    /// A short stable identifier of the variant, for tooling.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::TooShort { .. } => "too-short",
            Error::BadMagic => "bad-magic",
            Error::BadClass(_) => "bad-class",
            Error::BadDataEncoding(_) => "bad-data",
            Error::BadVersion(_) => "bad-version",
            Error::NotRelocatable(_) => "not-relocatable",
            Error::BadMachine(_) => "bad-machine",
            Error::BadSectionHeaderSize(_) => "bad-shentsize",
            Error::ExtendedNumbering => "extended-numbering",
            Error::SectionHeadersOutOfFile { .. } => "shdrs-out-of-file",
            Error::BadNullSection => "bad-null-section",
            Error::SectionOutOfFile { .. } => "section-out-of-file",
            Error::BadSectionNameIndex(_) => "bad-shstrndx",
            Error::SectionNamesNotStrtab { .. } => "shstrtab-not-strtab",
            Error::EmptyStringTable { .. } => "empty-strtab",
            Error::StringTableNotTerminated { .. } => "strtab-unterminated",
            Error::SectionNameOutOfBounds { .. } => "section-name-oob",
            Error::DuplicateModinfo { .. } => "duplicate-modinfo",
            Error::MissingThisModule => "missing-this-module",
            Error::DuplicateThisModule { .. } => "duplicate-this-module",
            Error::ThisModuleNobits { .. } => "this-module-nobits",
            Error::ThisModuleNotAlloc { .. } => "this-module-not-alloc",
            Error::ThisModuleSize { .. } => "this-module-size",
            Error::MissingSymtab => "missing-symtab",
            Error::DuplicateSymtab { .. } => "duplicate-symtab",
            Error::SymtabBadLink { .. } => "symtab-bad-link",
            Error::SymtabLinkNotStrtab { .. } => "symtab-link-not-strtab",
            Error::SymtabBadSize { .. } => "symtab-bad-size",
            Error::SymbolNameOutOfBounds { .. } => "symbol-name-oob",
            Error::SymbolBadSection { .. } => "symbol-bad-section",
            Error::CommonSymbol { .. } => "common-symbol",
            Error::Livepatch { .. } => "livepatch",
            Error::WriteAndExec { .. } => "write-and-exec",
            Error::BadAlignment { .. } => "bad-alignment",
            Error::RelNotSupported { .. } => "rel-not-supported",
            Error::RelaBadSize { .. } => "rela-bad-size",
            Error::RelaBadLink { .. } => "rela-bad-link",
            Error::RelaBadInfo { .. } => "rela-bad-info",
            Error::RelocBadSymbol { .. } => "reloc-bad-symbol",
            Error::RelocOutOfSection { .. } => "reloc-out-of-section",
            Error::RelocUnknownType { .. } => "reloc-unknown-type",
            Error::RelocOverflow { .. } => "reloc-overflow",
            Error::RelocTargetNonzero { .. } => "reloc-target-nonzero",
            Error::MissingVermagic => "missing-vermagic",
            Error::VermagicMismatch { .. } => "vermagic-mismatch",
            Error::LayoutOverflow { .. } => "layout-overflow",
            Error::TableSize { .. } => "table-size",
            Error::NoTargetMemory { .. } => "no-target-memory",
            Error::Unresolved { .. } => "unresolved",
            Error::BadExport { .. } => "bad-export",
            Error::BadThisModuleField { .. } => "bad-this-module-field",
        }
    }
}

/// Displays image bytes as text, escaping anything non-printable.
#[derive(Clone, Copy, Debug)]
pub struct Name<'a>(pub &'a [u8]);

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &c in self.0 {
            if (0x20..0x7f).contains(&c) {
                fmt::Write::write_char(f, char::from(c))?;
            } else {
                write!(f, "\\x{:02x}", c)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Error<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::TooShort { len } => write!(f, "image of {} bytes is shorter than an ELF64 header", len),
            Error::BadMagic => write!(f, "invalid ELF header magic"),
            Error::BadClass(c) => write!(f, "ELF class {} is not ELFCLASS64", c),
            Error::BadDataEncoding(d) => write!(f, "ELF data encoding {} is not little-endian", d),
            Error::BadVersion(v) => write!(f, "ELF version {} is not EV_CURRENT", v),
            Error::NotRelocatable(t) => write!(f, "invalid ELF header type {} != ET_REL", t),
            Error::BadMachine(m) => write!(f, "invalid architecture {} in ELF header (need EM_X86_64)", m),
            Error::BadSectionHeaderSize(s) => write!(f, "invalid ELF section header size {}", s),
            Error::ExtendedNumbering => write!(f, "extended section numbering (SHN_XINDEX) is not supported"),
            Error::SectionHeadersOutOfFile { offset, count } => write!(f, "section header table ({} entries at {:#x}) overflows the image", count, offset),
            Error::BadNullSection => write!(f, "section 0 is not an empty SHT_NULL section"),
            Error::SectionOutOfFile { section, sh_type } => write!(f, "section {} (type {}) lies outside the image", section.0, sh_type),
            Error::BadSectionNameIndex(i) => write!(f, "invalid section name table index {}", i),
            Error::SectionNamesNotStrtab { section } => write!(f, "section name table (section {}) is not SHT_STRTAB", section.0),
            Error::EmptyStringTable { section } => write!(f, "string table section {} is empty", section.0),
            Error::StringTableNotTerminated { section } => write!(f, "string table section {} is not NUL-terminated", section.0),
            Error::SectionNameOutOfBounds { section, sh_name } => write!(f, "section {} name offset {} is outside the name table", section.0, sh_name),
            Error::DuplicateModinfo { section } => write!(f, "only one .modinfo section must exist (another at section {})", section.0),
            Error::MissingThisModule => write!(f, "exactly one .gnu.linkonce.this_module section must exist (none found)"),
            Error::DuplicateThisModule { section } => write!(f, "exactly one .gnu.linkonce.this_module section must exist (another at section {})", section.0),
            Error::ThisModuleNobits { section } => write!(f, ".gnu.linkonce.this_module (section {}) must have contents", section.0),
            Error::ThisModuleNotAlloc { section } => write!(f, ".gnu.linkonce.this_module (section {}) must be SHF_ALLOC", section.0),
            Error::ThisModuleSize { section, found, expected } => write!(f, ".gnu.linkonce.this_module (section {}) is {} bytes, the running kernel's struct module is {}", section.0, found, expected),
            Error::MissingSymtab => write!(f, "module has no symbol table (stripped?)"),
            Error::DuplicateSymtab { section } => write!(f, "more than one symbol table (another at section {})", section.0),
            Error::SymtabBadLink { link } => write!(f, "symbol table sh_link {} is not a valid section", link),
            Error::SymtabLinkNotStrtab { section } => write!(f, "symbol string table (section {}) is not SHT_STRTAB", section.0),
            Error::SymtabBadSize { section, entsize, size } => write!(f, "symbol table (section {}) has entsize {} and size {}", section.0, entsize, size),
            Error::SymbolNameOutOfBounds { symbol, st_name } => write!(f, "symbol {} name offset {} is outside the string table", symbol.0, st_name),
            Error::SymbolBadSection { symbol, name, shndx } => write!(f, "symbol {} '{}' has an invalid section index {}", symbol.0, Name(name), shndx),
            Error::CommonSymbol { symbol, name } => write!(f, "common symbol {} '{}': please compile with -fno-common", symbol.0, Name(name)),
            Error::Livepatch { symbol, name } => write!(f, "livepatch symbol/section {} '{}' is not supported", symbol.0, Name(name)),
            Error::WriteAndExec { section, name } => write!(f, "section {} '{}' has invalid WRITE|EXEC flags", section.0, Name(name)),
            Error::BadAlignment { section, name, align } => write!(f, "section {} '{}' alignment {} is not a power of two", section.0, Name(name), align),
            Error::RelNotSupported { section, name } => write!(f, "section {} '{}': REL relocation unsupported", section.0, Name(name)),
            Error::RelaBadSize { section, name } => write!(f, "relocation section {} '{}' has a bad entry size or length", section.0, Name(name)),
            Error::RelaBadLink { section, name, link } => write!(f, "relocation section {} '{}' links to section {}, not the symbol table", section.0, Name(name), link),
            Error::RelaBadInfo { section, name, info } => write!(f, "relocation section {} '{}' applies to invalid section {}", section.0, Name(name), info),
            Error::RelocBadSymbol { section, reloc, symbol } => write!(f, "relocation {} in section {} names symbol {} past the symbol table", reloc, section.0, symbol.0),
            Error::RelocOutOfSection { section, reloc, offset, size } => write!(f, "relocation {} in section {} at offset {:#x} is outside its {}-byte target", reloc, section.0, offset, size),
            Error::RelocUnknownType { section, reloc, r_type } => write!(f, "relocation {} in section {}: unknown rela relocation {} ({})", reloc, section.0, r_type, super::reloc::type_name(r_type)),
            Error::RelocOverflow { section, reloc, r_type, value } => write!(f, "relocation {} in section {}: overflow in relocation type {} ({}) val {:#x}; likely not compiled with -mcmodel=kernel", reloc, section.0, r_type, super::reloc::type_name(r_type), value),
            Error::RelocTargetNonzero { section, reloc, r_type } => write!(f, "relocation {} in section {}: invalid relocation target, existing value is nonzero for type {}", reloc, section.0, r_type),
            Error::MissingVermagic => write!(f, "no vermagic in .modinfo (would need a forced load)"),
            Error::VermagicMismatch { found, expected } => write!(f, "version magic '{}' should be '{}'", Name(found), Name(expected)),
            Error::LayoutOverflow { section } => write!(f, "layout overflows while placing section {}", section.0),
            Error::TableSize { needed, given } => write!(f, "caller table has {} entries, {} needed", given, needed),
            Error::NoTargetMemory { section } => write!(f, "no memory provided for placed section {}", section.0),
            Error::Unresolved { count, first, .. } => write!(f, "{} unresolved symbol(s), first '{}'", count, Name(first)),
            Error::BadExport { section, entry } => write!(f, "export table section {} entry {} is malformed", section.0, entry),
            Error::BadThisModuleField { offset } => write!(f, "struct module field offset {:#x} is outside .gnu.linkonce.this_module", offset),
        }
    }
}
