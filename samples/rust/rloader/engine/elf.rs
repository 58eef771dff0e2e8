// SPDX-License-Identifier: GPL-2.0

//! Zero-copy ELF64 little-endian field readers and constants.
//!
//! Nothing here trusts the image: every read goes through [`Bytes`], which
//! returns `None` instead of panicking when a field lies outside the slice.

/// `ET_REL`: relocatable object, the only type a module can be.
pub const ET_REL: u16 = 1;
/// `EM_X86_64`: the only machine accepted.
pub const EM_X86_64: u16 = 62;
/// `ELFCLASS64`.
pub const ELFCLASS64: u8 = 2;
/// `ELFDATA2LSB`.
pub const ELFDATA2LSB: u8 = 1;
/// `EV_CURRENT`.
pub const EV_CURRENT: u8 = 1;

/// Size of `Elf64_Ehdr`.
pub const EHDR_SIZE: usize = 64;
/// Size of `Elf64_Shdr`.
pub const SHDR_SIZE: usize = 64;
/// Size of `Elf64_Sym`.
pub const SYM_SIZE: usize = 24;
/// Size of `Elf64_Rela`.
pub const RELA_SIZE: usize = 24;
/// Size of `Elf64_Rel`.
pub const REL_SIZE: usize = 16;

/// `SHT_NULL`.
pub const SHT_NULL: u32 = 0;
/// `SHT_PROGBITS`.
pub const SHT_PROGBITS: u32 = 1;
/// `SHT_SYMTAB`.
pub const SHT_SYMTAB: u32 = 2;
/// `SHT_STRTAB`.
pub const SHT_STRTAB: u32 = 3;
/// `SHT_RELA`.
pub const SHT_RELA: u32 = 4;
/// `SHT_NOBITS`.
pub const SHT_NOBITS: u32 = 8;
/// `SHT_REL`.
pub const SHT_REL: u32 = 9;
/// `SHT_SYMTAB_SHNDX` (extended section numbering).
pub const SHT_SYMTAB_SHNDX: u32 = 18;
/// `SHT_LOOS`: the first OS-specific section type.
pub const SHT_LOOS: u32 = 0x6000_0000;
/// `SHT_LOUSER`: the first application-specific section type.
pub const SHT_LOUSER: u32 = 0x8000_0000;

/// `SHF_WRITE`.
pub const SHF_WRITE: u64 = 0x1;
/// `SHF_ALLOC`.
pub const SHF_ALLOC: u64 = 0x2;
/// `SHF_EXECINSTR`.
pub const SHF_EXECINSTR: u64 = 0x4;
/// `SHF_MERGE`.
pub const SHF_MERGE: u64 = 0x10;
/// `SHF_STRINGS`.
pub const SHF_STRINGS: u64 = 0x20;
/// `SHF_RELA_LIVEPATCH`: livepatch relocation section.
pub const SHF_RELA_LIVEPATCH: u64 = 0x0010_0000;
/// `SHF_RO_AFTER_INIT`: set by the loader itself, never trusted from a file.
pub const SHF_RO_AFTER_INIT: u64 = 0x0020_0000;

/// `SHN_UNDEF`.
pub const SHN_UNDEF: u16 = 0;
/// `SHN_LORESERVE`.
pub const SHN_LORESERVE: u16 = 0xff00;
/// `SHN_LIVEPATCH`.
pub const SHN_LIVEPATCH: u16 = 0xff20;
/// `SHN_ABS`.
pub const SHN_ABS: u16 = 0xfff1;
/// `SHN_COMMON`.
pub const SHN_COMMON: u16 = 0xfff2;
/// `SHN_XINDEX`.
pub const SHN_XINDEX: u16 = 0xffff;

/// `STB_LOCAL`.
pub const STB_LOCAL: u8 = 0;
/// `STB_GLOBAL`.
pub const STB_GLOBAL: u8 = 1;
/// `STB_WEAK`.
pub const STB_WEAK: u8 = 2;

/// A section header index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SectionIndex(pub usize);

/// A symbol table index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SymbolIndex(pub usize);

impl core::fmt::Display for SectionIndex {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

impl core::fmt::Display for SymbolIndex {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

/// Bounds-checked little-endian reads over a byte slice.
#[derive(Clone, Copy, Debug)]
pub struct Bytes<'a>(pub &'a [u8]);

impl<'a> Bytes<'a> {
    /// Returns `len` bytes at `off`, or `None` when out of bounds.
    #[inline]
    pub fn slice(&self, off: usize, len: usize) -> Option<&'a [u8]> {
        let end = off.checked_add(len)?;
        self.0.get(off..end)
    }

    /// Reads one byte.
    #[inline]
    pub fn u8(&self, off: usize) -> Option<u8> {
        self.0.get(off).copied()
    }

    /// Reads a little-endian `u16`.
    #[inline]
    pub fn u16(&self, off: usize) -> Option<u16> {
        let b = self.slice(off, 2)?;
        Some(u16::from_le_bytes([*b.first()?, *b.get(1)?]))
    }

    /// Reads a little-endian `u32`.
    #[inline]
    pub fn u32(&self, off: usize) -> Option<u32> {
        let b: [u8; 4] = self.slice(off, 4)?.try_into().ok()?;
        Some(u32::from_le_bytes(b))
    }

    /// Reads a little-endian `i32`.
    #[inline]
    pub fn i32(&self, off: usize) -> Option<i32> {
        let b: [u8; 4] = self.slice(off, 4)?.try_into().ok()?;
        Some(i32::from_le_bytes(b))
    }

    /// Reads a little-endian `u64`.
    #[inline]
    pub fn u64(&self, off: usize) -> Option<u64> {
        let b: [u8; 8] = self.slice(off, 8)?.try_into().ok()?;
        Some(u64::from_le_bytes(b))
    }

    /// Reads a little-endian `i64`.
    #[inline]
    pub fn i64(&self, off: usize) -> Option<i64> {
        let b: [u8; 8] = self.slice(off, 8)?.try_into().ok()?;
        Some(i64::from_le_bytes(b))
    }
}

/// Stores `bytes` at `off` in `out`; a field outside `out` is dropped (the
/// callers' offsets are constants inside their entries).
#[inline]
fn put<const N: usize>(out: &mut [u8], off: usize, bytes: [u8; N]) {
    if let Some(field) = out.get_mut(off..).and_then(|t| t.first_chunk_mut::<N>()) {
        *field = bytes;
    }
}

/// Converts an image value to `usize`, `None` if it does not fit.
#[inline]
pub fn to_usize(v: u64) -> Option<usize> {
    usize::try_from(v).ok()
}

/// The fields of `Elf64_Ehdr` the loader uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileHeader {
    /// `e_ident[EI_CLASS]`.
    pub class: u8,
    /// `e_ident[EI_DATA]`.
    pub data: u8,
    /// `e_ident[EI_VERSION]`.
    pub ident_version: u8,
    /// `e_type`.
    pub e_type: u16,
    /// `e_machine`.
    pub e_machine: u16,
    /// `e_version`.
    pub e_version: u32,
    /// `e_shoff`.
    pub e_shoff: u64,
    /// `e_shentsize`.
    pub e_shentsize: u16,
    /// `e_shnum`.
    pub e_shnum: u16,
    /// `e_shstrndx`.
    pub e_shstrndx: u16,
}

impl FileHeader {
    /// Decodes the header; `None` if the image is shorter than `Elf64_Ehdr`
    /// or the magic is wrong.
    pub fn parse(data: &[u8]) -> Option<Self> {
        let b = Bytes(data);
        if b.slice(0, 4)? != b"\x7fELF" {
            return None;
        }
        Some(FileHeader {
            class: b.u8(4)?,
            data: b.u8(5)?,
            ident_version: b.u8(6)?,
            e_type: b.u16(16)?,
            e_machine: b.u16(18)?,
            e_version: b.u32(20)?,
            e_shoff: b.u64(40)?,
            e_shentsize: b.u16(58)?,
            e_shnum: b.u16(60)?,
            e_shstrndx: b.u16(62)?,
        })
    }
}

/// A decoded `Elf64_Shdr`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SectionHeader {
    /// `sh_name`: offset in the section name table.
    pub sh_name: u32,
    /// `sh_type`.
    pub sh_type: u32,
    /// `sh_flags`.
    pub sh_flags: u64,
    /// `sh_addr`.
    pub sh_addr: u64,
    /// `sh_offset`.
    pub sh_offset: u64,
    /// `sh_size`.
    pub sh_size: u64,
    /// `sh_link`.
    pub sh_link: u32,
    /// `sh_info`.
    pub sh_info: u32,
    /// `sh_addralign`.
    pub sh_addralign: u64,
    /// `sh_entsize`.
    pub sh_entsize: u64,
}

impl SectionHeader {
    /// Decodes the 64 bytes at `off`.
    pub fn parse(data: &[u8], off: usize) -> Option<Self> {
        Self::from_entry(Bytes(data).slice(off, SHDR_SIZE)?)
    }

    /// Decodes one table entry: the first 64 bytes of `entry`.
    #[inline]
    pub fn from_entry(entry: &[u8]) -> Option<Self> {
        // One bounds check for the entry; the field reads below are then
        // at constant offsets into a constant-length slice.
        let b = Bytes(entry.first_chunk::<SHDR_SIZE>()?);
        Some(SectionHeader {
            sh_name: b.u32(0)?,
            sh_type: b.u32(4)?,
            sh_flags: b.u64(8)?,
            sh_addr: b.u64(16)?,
            sh_offset: b.u64(24)?,
            sh_size: b.u64(32)?,
            sh_link: b.u32(40)?,
            sh_info: b.u32(44)?,
            sh_addralign: b.u64(48)?,
            sh_entsize: b.u64(56)?,
        })
    }

    /// True for `SHF_ALLOC` sections.
    pub fn is_alloc(&self) -> bool {
        self.sh_flags & SHF_ALLOC != 0
    }

    /// True when the section occupies bytes in the file.
    pub fn has_file_bytes(&self) -> bool {
        self.sh_type != SHT_NOBITS && self.sh_type != SHT_NULL
    }
}

/// A decoded `Elf64_Sym`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Symbol {
    /// `st_name`.
    pub st_name: u32,
    /// `st_info`.
    pub st_info: u8,
    /// `st_other`.
    pub st_other: u8,
    /// `st_shndx`.
    pub st_shndx: u16,
    /// `st_value`.
    pub st_value: u64,
    /// `st_size`.
    pub st_size: u64,
}

impl Symbol {
    /// Decodes the 24 bytes at `off`.
    pub fn parse(data: &[u8], off: usize) -> Option<Self> {
        Self::from_entry(Bytes(data).slice(off, SYM_SIZE)?)
    }

    /// Decodes one table entry: the first 24 bytes of `entry`.
    #[inline]
    pub fn from_entry(entry: &[u8]) -> Option<Self> {
        let b = Bytes(entry.first_chunk::<SYM_SIZE>()?);
        Some(Symbol {
            st_name: b.u32(0)?,
            st_info: b.u8(4)?,
            st_other: b.u8(5)?,
            st_shndx: b.u16(6)?,
            st_value: b.u64(8)?,
            st_size: b.u64(16)?,
        })
    }

    /// Encodes the symbol as a table entry (the inverse of
    /// [`Symbol::from_entry`]).
    #[inline]
    pub fn to_entry(&self) -> [u8; SYM_SIZE] {
        let mut e = [0; SYM_SIZE];
        put(&mut e, 0, self.st_name.to_le_bytes());
        put(&mut e, 4, [self.st_info, self.st_other]);
        put(&mut e, 6, self.st_shndx.to_le_bytes());
        put(&mut e, 8, self.st_value.to_le_bytes());
        put(&mut e, 16, self.st_size.to_le_bytes());
        e
    }

    /// `ELF64_ST_BIND(st_info)`.
    pub fn bind(&self) -> u8 {
        self.st_info >> 4
    }

    /// `ELF64_ST_TYPE(st_info)`.
    pub fn kind(&self) -> u8 {
        self.st_info & 0xf
    }
}

/// A decoded `Elf64_Rela`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Rela {
    /// `r_offset`: offset of the patched field within the target section.
    pub r_offset: u64,
    /// `r_info`: symbol index (high 32 bits) and type (low 32 bits).
    pub r_info: u64,
    /// `r_addend`.
    pub r_addend: i64,
}

impl Rela {
    /// Decodes the 24 bytes at `off`.
    pub fn parse(data: &[u8], off: usize) -> Option<Self> {
        Self::from_entry(Bytes(data).slice(off, RELA_SIZE)?)
    }

    /// Decodes one table entry: the first 24 bytes of `entry`.
    #[inline]
    pub fn from_entry(entry: &[u8]) -> Option<Self> {
        let b = Bytes(entry.first_chunk::<RELA_SIZE>()?);
        Some(Rela {
            r_offset: b.u64(0)?,
            r_info: b.u64(8)?,
            r_addend: b.i64(16)?,
        })
    }

    /// `ELF64_R_SYM(r_info)`.
    #[inline]
    pub fn sym(&self) -> SymbolIndex {
        // The shift leaves 32 bits, which always fit a 64-bit usize; on a
        // narrower target the value saturates and is then rejected as out
        // of range by the caller.
        SymbolIndex(usize::try_from(self.r_info >> 32).unwrap_or(usize::MAX))
    }

    /// `ELF64_R_TYPE(r_info)`.
    #[inline]
    pub fn r_type(&self) -> u32 {
        (self.r_info & 0xffff_ffff) as u32
    }
}

/// Returns the NUL-terminated string starting at `off` in `table`, without
/// the terminator; `None` if `off` is outside or no NUL follows.
pub fn c_str_at(table: &[u8], off: usize) -> Option<&[u8]> {
    c_str_with_nul_at(table, off)?.split_last().map(|(_, s)| s)
}

/// Like [`c_str_at`], but with the terminating NUL byte.
pub fn c_str_with_nul_at(table: &[u8], off: usize) -> Option<&[u8]> {
    let tail = table.get(off..)?;
    tail.get(..=nul_position(tail)?)
}

/// Returns the index of the first NUL byte in `bytes`, looking at eight
/// bytes at a time: the loader measures the name of every symbol it lists.
fn nul_position(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    let mut seen = 0usize;
    for word in &mut words {
        let w = u64::from_le_bytes(*word.first_chunk::<8>()?);
        // A byte's high bit is set in `zero` if the byte is NUL, or if it
        // is 0x01 and the NUL below it borrowed from it: the lowest byte
        // marked is the first NUL.
        let zero = w.wrapping_sub(ONES) & !w & HIGHS;
        if zero != 0 {
            return seen.checked_add((zero.trailing_zeros() / 8) as usize);
        }
        seen = seen.checked_add(8)?;
    }
    seen.checked_add(words.remainder().iter().position(|&c| c == 0)?)
}
