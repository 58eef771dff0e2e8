// SPDX-License-Identifier: GPL-2.0

//! Every reason the engine refuses a module, with its errno.
//!
//! Each variant names what was wrong and where (section, symbol or relocation index, and the
//! name borrowed from the image when known). The variants, their errnos, their stable kinds,
//! their one-line meanings and their messages are written once, in the [`errors!`] table
//! below; [`TABLE`] exposes the same rows to tools and to the test that keeps
//! `Documentation/rloader/engine.rst` in step.

use core::fmt;

use super::elf::{SectionIndex, SymbolIndex};
use super::names::{Name, MODULE_NAME_LEN};
use super::plan::PERCPU_LIMIT;
use super::x86_64::type_name;

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

/// One row of the error table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorInfo {
    /// The variant's name.
    pub variant: &'static str,
    /// A short stable identifier, for tooling.
    pub kind: &'static str,
    /// The positive errno.
    pub errno: i32,
    /// The errno's name.
    pub errno_name: &'static str,
    /// What the variant means (the first line of its documentation).
    pub meaning: &'static str,
}

/// Defines [`Error`], [`Error::info`] and `Display` from one table.
///
/// Each row: the variant's documentation (its first line is the meaning), the variant with
/// its fields, then `=> ERRNO, "kind", "format" "more format"..., args...;` where the format
/// pieces are concatenated and the arguments may use the fields by name (they are bound by
/// reference).
macro_rules! errors {
    ($(
        #[doc = $meaning:literal]
        $(#[doc = $more:literal])*
        $variant:ident $({ $($(#[doc = $fdoc:literal])* $field:ident: $ty:ty),* $(,)? })?
            => $errno:ident, $kind:literal, $($fmt:literal)+ $(, $arg:expr)* $(,)?;
    )*) => {
        /// A module rejection. `'a` is the lifetime of the image.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Error<'a> {
            $(
                #[doc = $meaning]
                $(#[doc = $more])*
                $variant $({ $($(#[doc = $fdoc])* $field: $ty),* })?,
            )*
        }

        /// Every variant's row, in declaration order.
        pub const TABLE: &[ErrorInfo] = &[$(
            ErrorInfo {
                variant: stringify!($variant),
                kind: $kind,
                errno: $errno,
                errno_name: stringify!($errno),
                meaning: $meaning,
            },
        )*];

        impl Error<'_> {
            /// The variant's row of [`TABLE`].
            pub fn info(&self) -> &'static ErrorInfo {
                match self {
                    $(Error::$variant { .. } => &ErrorInfo {
                        variant: stringify!($variant),
                        kind: $kind,
                        errno: $errno,
                        errno_name: stringify!($errno),
                        meaning: $meaning,
                    },)*
                }
            }
        }

        impl fmt::Display for Error<'_> {
            // Some messages do not show every field.
            #[allow(unused_variables)]
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $(Error::$variant $({ $($field),* })? =>
                        write!(f, concat!($($fmt),+) $(, $arg)*),)*
                }
            }
        }
    };
}

errors! {
    /// The image is shorter than an ELF64 header.
    TooShort {
        /// Image length.
        len: usize,
    } => ENOEXEC, "too-short", "image of {} bytes is shorter than an ELF64 header", len;

    /// The first four bytes are not `\x7fELF`.
    BadMagic => ENOEXEC, "bad-magic", "invalid ELF header magic";

    /// `e_ident[EI_CLASS]` is not `ELFCLASS64`.
    BadClass {
        /// The class.
        class: u8,
    } => ENOEXEC, "bad-class", "ELF class {} is not ELFCLASS64", class;

    /// `e_ident[EI_DATA]` is not little-endian.
    BadDataEncoding {
        /// The encoding.
        data: u8,
    } => ENOEXEC, "bad-data", "ELF data encoding {} is not little-endian", data;

    /// `e_ident[EI_VERSION]` or `e_version` is not `EV_CURRENT`.
    BadVersion {
        /// The version.
        version: u32,
    } => ENOEXEC, "bad-version", "ELF version {} is not EV_CURRENT", version;

    /// `e_type` is not `ET_REL`.
    NotRelocatable {
        /// `e_type`.
        e_type: u16,
    } => ENOEXEC, "not-relocatable", "invalid ELF header type {} != ET_REL", e_type;

    /// `e_machine` is not `EM_X86_64`.
    BadMachine {
        /// `e_machine`.
        machine: u16,
    } => ENOEXEC, "bad-machine", "invalid architecture {} in ELF header (need EM_X86_64)",
        machine;

    /// `e_shentsize` is not 64.
    BadSectionHeaderSize {
        /// `e_shentsize`.
        size: u16,
    } => ENOEXEC, "bad-shentsize", "invalid ELF section header size {}", size;

    /// Extended section numbering (`e_shnum` 0, `SHN_XINDEX`, `SHT_SYMTAB_SHNDX`).
    ExtendedNumbering => ENOEXEC, "extended-numbering",
        "extended section numbering (SHN_XINDEX) is not supported";

    /// The section header table lies (partly) outside the image.
    SectionHeadersOutOfFile {
        /// `e_shoff`.
        offset: u64,
        /// `e_shnum`.
        count: u16,
    } => ENOEXEC, "shdrs-out-of-file",
        "section header table ({} entries at {:#x}) overflows the image",
        count, offset;

    /// Section 0 is not an empty `SHT_NULL` entry.
    BadNullSection => ENOEXEC, "bad-null-section", "section 0 is not an empty SHT_NULL section";

    /// A section other than 0 is `SHT_NULL` but not an all-zero entry.
    NullSectionUsed {
        /// The section.
        section: SectionIndex,
    } => ENOEXEC, "null-section-used", "section {} is SHT_NULL but not an empty entry", section;

    /// A section's file bytes lie outside the image (or `.modinfo` is `SHT_NOBITS`).
    SectionOutOfFile {
        /// The section.
        section: SectionIndex,
        /// `sh_type`.
        sh_type: u32,
    } => ENOEXEC, "section-out-of-file", "section {} (type {}) lies outside the image",
        section, sh_type;

    /// `e_shstrndx` is 0 or not below `e_shnum`.
    BadSectionNameIndex {
        /// `e_shstrndx`.
        index: u16,
    } => ENOEXEC, "bad-shstrndx", "invalid section name table index {}", index;

    /// The section name table is not `SHT_STRTAB`.
    SectionNamesNotStrtab {
        /// The section.
        section: SectionIndex,
    } => ENOEXEC, "shstrtab-not-strtab", "section name table (section {}) is not SHT_STRTAB",
        section;

    /// A string table is empty.
    EmptyStringTable {
        /// The section.
        section: SectionIndex,
    } => ENOEXEC, "empty-strtab", "string table section {} is empty", section;

    /// A string table does not end with NUL.
    StringTableNotTerminated {
        /// The section.
        section: SectionIndex,
    } => ENOEXEC, "strtab-unterminated", "string table section {} is not NUL-terminated", section;

    /// A section's `sh_name` is outside the section name table.
    SectionNameOutOfBounds {
        /// The section.
        section: SectionIndex,
        /// `sh_name`.
        sh_name: u32,
    } => ENOEXEC, "section-name-oob", "section {} name offset {} is outside the name table",
        section, sh_name;

    /// More than one `.modinfo` section.
    DuplicateModinfo {
        /// The second one found.
        section: SectionIndex,
    } => ENOEXEC, "duplicate-modinfo",
        "only one .modinfo section must exist (another at section {})",
        section;

    /// No `.gnu.linkonce.this_module` section.
    MissingThisModule => ENOEXEC, "missing-this-module",
        "exactly one .gnu.linkonce.this_module section must exist (none found)";

    /// More than one `.gnu.linkonce.this_module` section.
    DuplicateThisModule {
        /// The second one found.
        section: SectionIndex,
    } => ENOEXEC, "duplicate-this-module",
        "exactly one .gnu.linkonce.this_module section must exist (another at section {})", section;

    /// `.gnu.linkonce.this_module` is `SHT_NOBITS`.
    ThisModuleNobits {
        /// The section.
        section: SectionIndex,
    } => ENOEXEC, "this-module-nobits", ".gnu.linkonce.this_module (section {}) must have contents",
        section;

    /// `.gnu.linkonce.this_module` lacks `SHF_ALLOC`.
    ThisModuleNotAlloc {
        /// The section.
        section: SectionIndex,
    } => ENOEXEC, "this-module-not-alloc",
        ".gnu.linkonce.this_module (section {}) must be SHF_ALLOC",
        section;

    /// `.gnu.linkonce.this_module` differs in size from the kernel's `struct module`.
    ThisModuleSize {
        /// The section.
        section: SectionIndex,
        /// Its `sh_size`.
        found: u64,
        /// `sizeof(struct module)`.
        expected: u64,
    } => ENOEXEC, "this-module-size",
        ".gnu.linkonce.this_module (section {}) is {} bytes, the running kernel's struct module "
        "is {}",
        section, found, expected;

    /// `.gnu.linkonce.this_module` is not laid out as aligned, writable core data.
    ThisModulePlacement {
        /// The section.
        section: SectionIndex,
    } => ENOEXEC, "this-module-placement",
        ".gnu.linkonce.this_module is not writable, aligned data";

    /// Two sections the loader places, both with contents, have the same name.
    DuplicateSectionName {
        /// The name.
        name: &'a [u8],
    } => ENOEXEC, "duplicate-section-name", "two placed sections are named '{}'", Name(name);

    /// The name in `struct module` is empty or not NUL-terminated.
    ///
    /// It must end within its `MODULE_NAME_LEN` bytes.
    BadModuleName => ENOEXEC, "bad-module-name",
        "module name is empty or not NUL-terminated within {} bytes", MODULE_NAME_LEN;

    /// A relocation of `struct module` patches a field other than `init` and `exit`.
    ThisModuleRelocation {
        /// The relocation section.
        section: SectionIndex,
        /// Index of the entry within it.
        reloc: usize,
        /// The patched offset in `struct module`.
        offset: u64,
    } => ENOEXEC, "this-module-relocation",
        "relocation {} in section {} patches struct module at offset {:#x}, not init or exit",
        reloc, section, offset;

    /// `.modinfo` does not end with NUL.
    ModinfoUnterminated {
        /// The section.
        section: SectionIndex,
    } => ENOEXEC, "modinfo-unterminated", ".modinfo (section {}) is not NUL-terminated", section;

    /// No `SHT_SYMTAB` section (stripped module).
    MissingSymtab => ENOEXEC, "missing-symtab", "module has no symbol table (stripped?)";

    /// More than one `SHT_SYMTAB` section.
    DuplicateSymtab {
        /// The second one found.
        section: SectionIndex,
    } => ENOEXEC, "duplicate-symtab", "more than one symbol table (another at section {})", section;

    /// The symbol table's `sh_link` is 0 or out of range.
    SymtabBadLink {
        /// `sh_link`.
        link: u32,
    } => ENOEXEC, "symtab-bad-link", "symbol table sh_link {} is not a valid section", link;

    /// The symbol string table is not `SHT_STRTAB`.
    SymtabLinkNotStrtab {
        /// The linked section.
        section: SectionIndex,
    } => ENOEXEC, "symtab-link-not-strtab", "symbol string table (section {}) is not SHT_STRTAB",
        section;

    /// The symbol table is empty or its entry size or length is not a multiple of 24.
    SymtabBadSize {
        /// The symbol table section.
        section: SectionIndex,
        /// `sh_entsize`.
        entsize: u64,
        /// `sh_size`.
        size: u64,
    } => ENOEXEC, "symtab-bad-size", "symbol table (section {}) has entsize {} and size {}",
        section, entsize, size;

    /// A symbol's `st_name` is outside the string table.
    SymbolNameOutOfBounds {
        /// The symbol.
        symbol: SymbolIndex,
        /// `st_name`.
        st_name: u32,
    } => ENOEXEC, "symbol-name-oob", "symbol {} name offset {} is outside the string table",
        symbol, st_name;

    /// A symbol's `st_shndx` is neither special nor a valid section.
    SymbolBadSection {
        /// The symbol.
        symbol: SymbolIndex,
        /// Its name.
        name: &'a [u8],
        /// `st_shndx`.
        shndx: u16,
    } => ENOEXEC, "symbol-bad-section", "symbol {} '{}' has an invalid section index {}",
        symbol, Name(name), shndx;

    /// A symbol defined in an allocated section extends past that section's end.
    ///
    /// Code or data the symbol names would lie outside the section: a truncated section.
    SymbolOutOfSection {
        /// The symbol.
        symbol: SymbolIndex,
        /// Its name.
        name: &'a [u8],
        /// Its section.
        shndx: u16,
        /// Where the symbol ends (`st_value + st_size`; `u64::MAX` on overflow).
        end: u64,
        /// The section's size.
        size: u64,
    } => ENOEXEC, "symbol-out-of-section",
        "symbol {} '{}' ends at {:#x}, past the end of its section {} ({:#x} bytes)",
        symbol, Name(name), end, shndx, size;

    /// A `SHN_COMMON` symbol: the module was built without `-fno-common`.
    CommonSymbol {
        /// The symbol.
        symbol: SymbolIndex,
        /// Its name.
        name: &'a [u8],
    } => ENOEXEC, "common-symbol", "common symbol {} '{}': please compile with -fno-common",
        symbol, Name(name);

    /// A `SHN_LIVEPATCH` symbol in a module that is not a livepatch module.
    LivepatchSymbol {
        /// The symbol.
        symbol: SymbolIndex,
        /// Its name.
        name: &'a [u8],
    } => ENOEXEC, "livepatch-symbol",
        "livepatch symbol {} '{}' in a module that is not a livepatch module",
        symbol, Name(name);

    /// A `SHF_RELA_LIVEPATCH` section in a module that is not a livepatch module.
    LivepatchSection {
        /// The relocation section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
    } => ENOEXEC, "livepatch-section",
        "livepatch relocation section {} '{}' in a module that is not a livepatch module",
        section, Name(name);

    /// A `SHF_RELA_LIVEPATCH` section that is not `SHF_ALLOC`.
    /// The livepatch core reads it after the image is gone.
    LivepatchUnallocated {
        /// The relocation section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
    } => ENOEXEC, "livepatch-unallocated",
        "livepatch relocation section {} '{}' is not SHF_ALLOC",
        section, Name(name);

    /// A `SHF_RELA_LIVEPATCH` section applies to `struct module` or a table the kernel reads.
    /// The livepatch core would patch it after the engine checked it.
    LivepatchTarget {
        /// The relocation section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
    } => ENOEXEC, "livepatch-target",
        "livepatch relocation section {} '{}' applies to a section the kernel reads",
        section, Name(name);

    /// An entry of a `SHF_RELA_LIVEPATCH` section uses a symbol that is not `SHN_LIVEPATCH`.
    /// `EINVAL`, as the livepatch core answers.
    LivepatchOrdinarySymbol {
        /// The relocation section.
        section: SectionIndex,
        /// Index of the entry within it.
        reloc: usize,
        /// The symbol.
        symbol: SymbolIndex,
    } => EINVAL, "livepatch-ordinary-symbol",
        "relocation {} in livepatch section {} uses symbol {}, which is not a livepatch symbol",
        reloc, section, symbol;

    /// An ordinary relocation uses a `SHN_LIVEPATCH` symbol.
    /// Only the livepatch core can resolve it.
    RelocToLivepatchSymbol {
        /// The relocation section.
        section: SectionIndex,
        /// Index of the entry within it.
        reloc: usize,
        /// The symbol.
        symbol: SymbolIndex,
    } => ENOEXEC, "reloc-to-livepatch-symbol",
        "relocation {} in section {} uses livepatch symbol {} outside a livepatch section",
        reloc, section, symbol;

    /// A section is both `SHF_WRITE` and `SHF_EXECINSTR`.
    WriteAndExec {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
    } => ENOEXEC, "write-and-exec", "section {} '{}' has invalid WRITE|EXEC flags",
        section, Name(name);

    /// A section's type is neither one of the gABI nor OS- or processor-specific.
    UnknownSectionType {
        /// The section.
        section: SectionIndex,
        /// `sh_type`.
        sh_type: u32,
    } => ENOEXEC, "unknown-section-type", "section {} has unknown type {:#x}", section, sh_type;

    /// A section named as relocations (`.rela...`) is neither `SHT_RELA` nor `SHT_REL`.
    ///
    /// Its relocations would be skipped and the section they belong to left unrelocated.
    RelaNotRela {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
        /// `sh_type`.
        sh_type: u32,
    } => ENOEXEC, "rela-not-rela", "section {} '{}' has type {:#x}, not SHT_RELA",
        section, Name(name), sh_type;

    /// An allocated executable section is `SHT_NOBITS`: its code would be zeros.
    ExecNobits {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
    } => ENOEXEC, "exec-nobits", "section {} '{}' is executable but SHT_NOBITS",
        section, Name(name);

    /// A section the kernel reads by name is not allocated with contents.
    SpecialSection {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
    } => ENOEXEC, "special-section",
        "section {} '{}' is read by the kernel and must be SHF_ALLOC with contents",
        section, Name(name);

    /// The per-CPU section is larger than the per-CPU allocator hands out.
    PercpuTooLarge {
        /// Its size.
        size: u64,
    } => ENOMEM, "percpu-too-large", "per-CPU data of {} bytes is above the limit of {} bytes",
        size, PERCPU_LIMIT;

    /// A table the kernel reads is not a whole number of entries (or the ORC tables differ).
    BadTableSize {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
        /// Its size.
        size: u64,
    } => ENOEXEC, "bad-table-size", "section {} '{}' of {} bytes is not a whole table",
        section, Name(name), size;

    /// An allocated section's `sh_addralign` is not a power of two.
    BadAlignment {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
        /// `sh_addralign`.
        align: u64,
    } => ENOEXEC, "bad-alignment", "section {} '{}' alignment {} is not a power of two",
        section, Name(name), align;

    /// A `SHT_REL` section: x86_64 modules use `SHT_RELA` only.
    RelNotSupported {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
    } => ENOEXEC, "rel-not-supported", "section {} '{}': REL relocation unsupported",
        section, Name(name);

    /// A `SHT_RELA` section's entry size is not 24 or its size not a multiple of it.
    RelaBadSize {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
    } => ENOEXEC, "rela-bad-size", "relocation section {} '{}' has a bad entry size or length",
        section, Name(name);

    /// A `SHT_RELA` section's `sh_link` is not the symbol table.
    RelaBadLink {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
        /// `sh_link`.
        link: u32,
    } => ENOEXEC, "rela-bad-link",
        "relocation section {} '{}' links to section {}, not the symbol table",
        section, Name(name), link;

    /// A `SHT_RELA` section's `sh_info` is 0, out of range, itself or a table, not a section.
    ///
    /// "A table": a `SHT_NULL`, relocation, symbol or string table section, which no linker
    /// gives relocations; the section they were written for would go unrelocated.
    RelaBadInfo {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
        /// `sh_info`.
        info: u32,
    } => ENOEXEC, "rela-bad-info", "relocation section {} '{}' applies to invalid section {}",
        section, Name(name), info;

    /// A relocation names a symbol index past the symbol table.
    RelocBadSymbol {
        /// The relocation section.
        section: SectionIndex,
        /// Index of the entry within it.
        reloc: usize,
        /// The symbol index.
        symbol: SymbolIndex,
    } => ENOEXEC, "reloc-bad-symbol",
        "relocation {} in section {} names symbol {} past the symbol table", reloc, section, symbol;

    /// A relocation's `r_offset` plus its width is outside the target section.
    RelocOutOfSection {
        /// The relocation section.
        section: SectionIndex,
        /// Index of the entry within it.
        reloc: usize,
        /// `r_offset`.
        offset: u64,
        /// Target section size.
        size: u64,
    } => ENOEXEC, "reloc-out-of-section",
        "relocation {} in section {} at offset {:#x} is outside its {}-byte target",
        reloc, section, offset, size;

    /// A relocation type the x86_64 module loader does not handle.
    RelocUnknownType {
        /// The relocation section.
        section: SectionIndex,
        /// Index of the entry within it.
        reloc: usize,
        /// The type number.
        r_type: u32,
    } => ENOEXEC, "reloc-unknown-type",
        "relocation {} in section {}: unknown rela relocation {} ({})",
        reloc, section, r_type, type_name(*r_type);

    /// The relocated value does not fit its field (not built with `-mcmodel=kernel`?).
    RelocOverflow {
        /// The relocation section.
        section: SectionIndex,
        /// Index of the entry within it.
        reloc: usize,
        /// The type number.
        r_type: u32,
        /// The computed value.
        value: u64,
    } => ENOEXEC, "reloc-overflow",
        "relocation {} in section {}: overflow in relocation type {} ({}) val {:#x}; likely not "
        "compiled with -mcmodel=kernel",
        reloc, section, r_type, type_name(*r_type), value;

    /// A relocation of an allocated section refers to a symbol of a section that is not.
    ///
    /// The symbol's address would be one in the image, which is freed once the module is
    /// loaded (or 0, for a section without file bytes).
    RelocToUnallocated {
        /// The relocation section.
        section: SectionIndex,
        /// Index of the entry within it.
        reloc: usize,
        /// The symbol.
        symbol: SymbolIndex,
        /// Its section.
        shndx: u16,
    } => ENOEXEC, "reloc-to-unallocated",
        "relocation {} in section {} refers to symbol {} of section {}, which is not SHF_ALLOC",
        reloc, section, symbol, shndx;

    /// The bytes at a relocation's target are not zero.
    RelocTargetNonzero {
        /// The relocation section.
        section: SectionIndex,
        /// Index of the entry within it.
        reloc: usize,
        /// The type number.
        r_type: u32,
    } => ENOEXEC, "reloc-target-nonzero",
        "relocation {} in section {}: invalid relocation target, existing value is nonzero for "
        "type {}",
        reloc, section, r_type;

    /// The relocated `init` or `exit` pointer is not in the module's code.
    BadEntryPoint {
        /// `"init"` or `"exit"`.
        which: &'static str,
        /// Its value.
        address: u64,
    } => ENOEXEC, "bad-entry-point", "{} function at {:#x} is outside the module's code",
        which, address;

    /// An entry of a table the kernel reads points outside the module's memory or code.
    ///
    /// Code pointers must be in its code, others in its memory; strings must end inside it.
    BadTableEntry {
        /// The section.
        section: SectionIndex,
        /// Its name.
        name: &'a [u8],
        /// The entry.
        entry: usize,
        /// Where it points.
        address: u64,
    } => ENOEXEC, "bad-table-entry",
        "entry {} of section {} '{}' points at {:#x}, outside the module",
        entry, section, Name(name), address;

    /// A module parameter has permissions `module_param()` cannot give it.
    ///
    /// More than 0777, or writable by others.
    BadParamPermissions {
        /// The `__param` section.
        section: SectionIndex,
        /// The entry.
        entry: usize,
        /// Its permissions.
        perm: u16,
    } => ENOEXEC, "bad-param-permissions",
        "parameter {} of section {} has permissions 0{:o}, more than 0777 or writable by others",
        entry, section, perm;

    /// An `.orc_unwind` entry is one the kernel's unwinder cannot follow.
    ///
    /// An entry that describes a frame has a type, a stack base register and a frame base
    /// register the unwinder knows, and a call frame based on the stack pointer holds its
    /// return address at or above that pointer; anything else makes every unwind through the
    /// module's code warn.
    BadUnwindEntry {
        /// The section.
        section: SectionIndex,
        /// The entry.
        entry: usize,
    } => ENOEXEC, "bad-unwind-entry", "entry {} of section {} '.orc_unwind' is not a valid frame",
        entry, section;

    /// Laying out a memory type overflows its size.
    LayoutOverflow {
        /// The section being placed.
        section: SectionIndex,
    } => ENOMEM, "layout-overflow", "layout overflows while placing section {}", section;

    /// A table has the wrong length (or the page size is not a power of two).
    TableSize {
        /// Required length.
        needed: usize,
        /// Given length.
        given: usize,
    } => EINVAL, "table-size", "caller table has {} entries, {} needed", given, needed;

    /// No memory was provided for a placed section.
    NoTargetMemory {
        /// The section.
        section: SectionIndex,
    } => EINVAL, "no-target-memory", "no memory provided for placed section {}", section;

    /// Undefined symbols could not be bound (each was reported).
    ///
    /// The errno is that of the last failing lookup, as the kernel's `simplify_symbols()`
    /// returns: `ENOENT` for a missing or GPL-only symbol, `EINVAL` for a namespace the
    /// module does not import, or the lookup's own error.
    Unresolved {
        /// How many.
        count: usize,
        /// The first one.
        first: &'a [u8],
        /// The errno of the last failing lookup.
        errno: i32,
    } => ENOENT, "unresolved", "{} unresolved symbol(s), first '{}'", count, Name(first);
}

impl Error<'_> {
    /// The positive errno the kernel's loader returns for this rejection.
    pub fn errno(&self) -> i32 {
        match self {
            Error::Unresolved { errno, .. } => *errno,
            e => e.info().errno,
        }
    }

    /// A short stable identifier of the variant, for tooling.
    pub fn kind(&self) -> &'static str {
        self.info().kind
    }
}
