// SPDX-License-Identifier: GPL-2.0

//! The x86_64 relocation types: their numbers, names, field widths and
//! arithmetic, as the 6.12 module loader accepts them
//! (`__write_relocate_add()` in `arch/x86/kernel/module.c`).
//!
//! Notation: `S` is the symbol's final value, `A` the addend, `P` the
//! address of the patched field. All arithmetic is modulo 2^64.

/// `R_X86_64_NONE`: no-op; nothing is written.
pub const R_X86_64_NONE: u32 = 0;
/// `R_X86_64_64`: `S + A`, 64 bits.
pub const R_X86_64_64: u32 = 1;
/// `R_X86_64_PC32`: `S + A - P`, 32 bits, must fit signed 32 bits.
pub const R_X86_64_PC32: u32 = 2;
/// `R_X86_64_PLT32`: as `PC32` (no PLT in modules): `S + A - P`.
pub const R_X86_64_PLT32: u32 = 4;
/// `R_X86_64_32`: `S + A`, 32 bits, must zero-extend back to the value.
pub const R_X86_64_32: u32 = 10;
/// `R_X86_64_32S`: `S + A`, 32 bits, must sign-extend back to the value.
pub const R_X86_64_32S: u32 = 11;
/// `R_X86_64_PC64`: `S + A - P`, 64 bits.
pub const R_X86_64_PC64: u32 = 24;

/// The accepted types, in the order of `RelocStats::by_type`.
pub const TYPES: [u32; 7] = [
    R_X86_64_NONE,
    R_X86_64_64,
    R_X86_64_PC32,
    R_X86_64_PLT32,
    R_X86_64_32,
    R_X86_64_32S,
    R_X86_64_PC64,
];

/// Width in bytes of the field a type patches; `None` for types the
/// kernel rejects.
#[inline]
pub fn width(r_type: u32) -> Option<usize> {
    match r_type {
        R_X86_64_NONE => Some(0),
        R_X86_64_64 | R_X86_64_PC64 => Some(8),
        R_X86_64_32 | R_X86_64_32S | R_X86_64_PC32 | R_X86_64_PLT32 => Some(4),
        _ => None,
    }
}

/// The psABI name of a type number (also for rejected ones).
pub fn type_name(r_type: u32) -> &'static str {
    match r_type {
        0 => "R_X86_64_NONE",
        1 => "R_X86_64_64",
        2 => "R_X86_64_PC32",
        3 => "R_X86_64_GOT32",
        4 => "R_X86_64_PLT32",
        5 => "R_X86_64_COPY",
        6 => "R_X86_64_GLOB_DAT",
        7 => "R_X86_64_JUMP_SLOT",
        8 => "R_X86_64_RELATIVE",
        9 => "R_X86_64_GOTPCREL",
        10 => "R_X86_64_32",
        11 => "R_X86_64_32S",
        12 => "R_X86_64_16",
        13 => "R_X86_64_PC16",
        14 => "R_X86_64_8",
        15 => "R_X86_64_PC8",
        16 => "R_X86_64_DTPMOD64",
        17 => "R_X86_64_DTPOFF64",
        18 => "R_X86_64_TPOFF64",
        19 => "R_X86_64_TLSGD",
        20 => "R_X86_64_TLSLD",
        21 => "R_X86_64_DTPOFF32",
        22 => "R_X86_64_GOTTPOFF",
        23 => "R_X86_64_TPOFF32",
        24 => "R_X86_64_PC64",
        25 => "R_X86_64_GOTOFF64",
        26 => "R_X86_64_GOTPC32",
        27 => "R_X86_64_GOT64",
        28 => "R_X86_64_GOTPCREL64",
        29 => "R_X86_64_GOTPC64",
        30 => "R_X86_64_GOTPLT64",
        31 => "R_X86_64_PLTOFF64",
        32 => "R_X86_64_SIZE32",
        33 => "R_X86_64_SIZE64",
        34 => "R_X86_64_GOTPC32_TLSDESC",
        35 => "R_X86_64_TLSDESC_CALL",
        36 => "R_X86_64_TLSDESC",
        37 => "R_X86_64_IRELATIVE",
        38 => "R_X86_64_RELATIVE64",
        41 => "R_X86_64_GOTPCRELX",
        42 => "R_X86_64_REX_GOTPCRELX",
        _ => "unknown",
    }
}

/// The bytes to store for one relocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Patch {
    /// Little-endian value; only the first `width` bytes are stored.
    pub bytes: [u8; 8],
    /// Field width (0 for `R_X86_64_NONE`).
    pub width: usize,
}

impl Patch {
    /// The bytes to write.
    pub fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.width).unwrap_or(&[])
    }
}

/// Why [`compute`] failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComputeError {
    /// Not a type the x86_64 module loader accepts.
    UnknownType,
    /// The value does not fit the field; carries the full 64-bit value.
    Overflow(u64),
}

/// Relocation arithmetic: `(type, S, A, P)` to the bytes to store.
///
/// * `R_X86_64_NONE`: nothing.
/// * `R_X86_64_64`: `S + A` (8 bytes).
/// * `R_X86_64_32`: `S + A` (4 bytes), overflow unless `S + A < 2^32`.
/// * `R_X86_64_32S`: `S + A` (4 bytes), overflow unless the value
///   sign-extends from 32 bits.
/// * `R_X86_64_PC32`, `R_X86_64_PLT32`: `S + A - P` (4 bytes), overflow
///   unless it sign-extends from 32 bits. (The 6.12 kernel truncates
///   silently here; the engine is stricter.)
/// * `R_X86_64_PC64`: `S + A - P` (8 bytes).
#[inline]
pub fn compute(r_type: u32, s: u64, a: i64, p: u64) -> Result<Patch, ComputeError> {
    let val = s.wrapping_add_signed(a);
    let (v, width) = match r_type {
        R_X86_64_NONE => (0, 0),
        R_X86_64_64 => (val, 8),
        R_X86_64_32 => {
            if u32::try_from(val).is_err() {
                return Err(ComputeError::Overflow(val));
            }
            (val, 4)
        }
        R_X86_64_32S => {
            if i32::try_from(val as i64).is_err() {
                return Err(ComputeError::Overflow(val));
            }
            (val, 4)
        }
        R_X86_64_PC32 | R_X86_64_PLT32 => {
            let pc = val.wrapping_sub(p);
            if i32::try_from(pc as i64).is_err() {
                return Err(ComputeError::Overflow(pc));
            }
            (pc, 4)
        }
        R_X86_64_PC64 => (val.wrapping_sub(p), 8),
        _ => return Err(ComputeError::UnknownType),
    };
    Ok(Patch {
        bytes: v.to_le_bytes(),
        width,
    })
}
