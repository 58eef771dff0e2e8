// SPDX-License-Identifier: GPL-2.0

//! The sections the kernel's C code reads by name, and the checks that keep what it reads
//! inside the module.
//!
//! After the engine hands a module over, C code walks some of its sections as tables: the
//! x86 `module_finalize()` patches code at the addresses `.altinstructions`, `.smp_locks` and
//! the call-site tables give, `find_module_sections()` records `__ex_table`, `__jump_table`
//! and the export tables, and symbol lookups follow the exports' name offsets. Validation
//! ([`check_section`]) makes every such section one the loader placed, with contents and a
//! whole number of entries; after relocation, [`check_relocated`] makes each entry's
//! pointers land where the kernel will use them: code in the module's code, strings in its
//! memory, NUL-terminated there.

use super::elf::*;
use super::error::Error;
use super::layout::{span, Placement};
use super::mem::{MemType, PerMem};
use super::plan::{Config, Plan};

/// What a pointer field of a table entry must point into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PointsInto {
    /// The module's code (core or init).
    Code,
    /// The module's code or the end of one of its code regions: objtool ends the ORC
    /// table of each code section with an entry at the section's end.
    CodeOrEnd,
    /// Any of the module's memory.
    Module,
    /// A NUL-terminated string in the module's memory.
    String,
}

/// How an entry field points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ptr {
    /// An `s32` offset from the field's own address (`PREL32`).
    Rel32,
    /// A 64-bit address.
    Abs64,
}

/// How C code finds a section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Found {
    /// By name alone, whatever its flags (`module_finalize()`, `module_bug_finalize()`).
    ByName,
    /// The first `SHF_ALLOC` section of the name (`find_sec()`).
    Allocated,
}

/// A pointer field of a table entry: its offset, its form and what it points into.
type Field = (usize, Ptr, PointsInto);

/// A section the kernel reads: its name, how it is found, its entry size (0: not checked)
/// and the pointer fields of its entries.
struct Table {
    name: &'static [u8],
    found: Found,
    entsize: u64,
    pointers: &'static [Field],
    /// A check of each relocated entry's own fields (section, entry index, entry bytes).
    check: Option<EntryCheck>,
}

/// A check of one relocated table entry.
type EntryCheck = fn(SectionIndex, usize, &[u8]) -> Result<(), Error<'static>>;

const fn table(
    name: &'static [u8],
    found: Found,
    entsize: u64,
    pointers: &'static [Field],
) -> Table {
    Table {
        name,
        found,
        entsize,
        pointers,
        check: None,
    }
}

/// A table whose entries also pass `check`.
const fn checked_table(
    name: &'static [u8],
    found: Found,
    entsize: u64,
    pointers: &'static [Field],
    check: EntryCheck,
) -> Table {
    Table {
        check: Some(check),
        ..table(name, found, entsize, pointers)
    }
}

/// Code addresses, one `s32` each.
const SITES: &[Field] = &[(0, Ptr::Rel32, PointsInto::Code)];
/// Code addresses, 64 bits each.
const CODE: &[Field] = &[(0, Ptr::Abs64, PointsInto::Code)];
/// Addresses of module data, 64 bits each.
const DATA: &[Field] = &[(0, Ptr::Abs64, PointsInto::Module)];
/// Exports: value, name and namespace, each an `s32`.
const EXPORTS: &[Field] = &[
    (0, Ptr::Rel32, PointsInto::Module),
    (4, Ptr::Rel32, PointsInto::String),
    (8, Ptr::Rel32, PointsInto::String),
];

/// `sizeof(struct kernel_param)`.
const PARAM_SIZE: u64 = 40;
/// The offset of `perm` in `struct kernel_param`.
const PARAM_PERM: usize = 24;

/// A module parameter's permissions are ones `module_param()` lets a module have
/// (`VERIFY_OCTAL_PERMISSIONS()`: at most 0777, not writable by others): sysfs warns about
/// any other bits when it creates the parameter's file.
fn check_param(section: SectionIndex, entry: usize, e: &[u8]) -> Result<(), Error<'static>> {
    let perm = Bytes(e).u16(PARAM_PERM).unwrap_or(0);
    if perm & !0o775 != 0 {
        return Err(Error::BadParamPermissions {
            section,
            entry,
            perm,
        });
    }
    Ok(())
}

/// An `.orc_unwind` entry is one the unwinder follows ([`orc_entry_valid`]).
fn check_orc_entry(section: SectionIndex, entry: usize, e: &[u8]) -> Result<(), Error<'static>> {
    if orc_entry_valid(e) {
        Ok(())
    } else {
        Err(Error::BadUnwindEntry { section, entry })
    }
}

/// The x86_64 6.12 sections C code reads from a module. The key of a `__jump_table` or
/// `.static_call_sites` entry, the operations and argument of a `__param` entry, and the
/// fields of `__bug_table`, `__dyndbg` and `__bpf_raw_tp_map`, may point into the kernel and
/// are not checked here.
const TABLES: &[Table] = &[
    // struct alt_instr: instr_offset, repl_offset, ft_flags, instrlen, replacementlen.
    table(
        b".altinstructions",
        Found::ByName,
        14,
        &[
            (0, Ptr::Rel32, PointsInto::Code),
            (4, Ptr::Rel32, PointsInto::Module),
        ],
    ),
    table(b".smp_locks", Found::ByName, 4, SITES),
    table(
        b".orc_unwind_ip",
        Found::ByName,
        4,
        &[(0, Ptr::Rel32, PointsInto::CodeOrEnd)],
    ),
    checked_table(b".orc_unwind", Found::ByName, 6, &[], check_orc_entry),
    table(b".retpoline_sites", Found::ByName, 4, SITES),
    table(b".return_sites", Found::ByName, 4, SITES),
    table(b".call_sites", Found::ByName, 4, SITES),
    table(b".cfi_sites", Found::ByName, 4, SITES),
    table(b".ibt_endbr_seal", Found::ByName, 4, SITES),
    table(b"__bug_table", Found::ByName, 0, &[]),
    // struct exception_table_entry: insn, fixup, data.
    table(
        b"__ex_table",
        Found::Allocated,
        12,
        &[
            (0, Ptr::Rel32, PointsInto::Code),
            (4, Ptr::Rel32, PointsInto::Code),
        ],
    ),
    // struct jump_entry: code, target, key.
    table(
        b"__jump_table",
        Found::Allocated,
        16,
        &[
            (0, Ptr::Rel32, PointsInto::Code),
            (4, Ptr::Rel32, PointsInto::Code),
        ],
    ),
    // struct static_call_site: addr, key.
    table(b".static_call_sites", Found::Allocated, 8, SITES),
    // struct kernel_symbol: value_offset, name_offset, namespace_offset.
    table(b"__ksymtab", Found::Allocated, 12, EXPORTS),
    table(b"__ksymtab_gpl", Found::Allocated, 12, EXPORTS),
    // struct kernel_param: name, mod, ops, perm, level, flags, arg.
    checked_table(
        b"__param",
        Found::Allocated,
        PARAM_SIZE,
        &[
            (0, Ptr::Abs64, PointsInto::String),
            (8, Ptr::Abs64, PointsInto::Module),
        ],
        check_param,
    ),
    table(b"__kcrctab", Found::Allocated, 4, &[]),
    table(b"__kcrctab_gpl", Found::Allocated, 4, &[]),
    table(b"__obsparm", Found::Allocated, 0, &[]),
    table(b".ctors", Found::Allocated, 8, CODE),
    table(b".init_array", Found::Allocated, 8, CODE),
    table(
        b"__tracepoints_ptrs",
        Found::Allocated,
        4,
        &[(0, Ptr::Rel32, PointsInto::Module)],
    ),
    table(
        b"__trace_printk_fmt",
        Found::Allocated,
        8,
        &[(0, Ptr::Abs64, PointsInto::String)],
    ),
    table(b"_ftrace_events", Found::Allocated, 8, DATA),
    table(b"_ftrace_eval_map", Found::Allocated, 8, &[]),
    table(b"__bpf_raw_tp_map", Found::Allocated, 0, &[]),
    // struct error_injection_entry: addr, etype.
    table(b"_error_injection_whitelist", Found::Allocated, 16, CODE),
    table(b"_kprobe_blacklist", Found::Allocated, 8, CODE),
    table(b"__dyndbg", Found::Allocated, 0, &[]),
    table(b"__dyndbg_classes", Found::Allocated, 0, &[]),
    table(b".printk_index", Found::Allocated, 8, DATA),
    table(b".kunit_test_suites", Found::Allocated, 8, DATA),
    table(b".kunit_init_test_suites", Found::Allocated, 8, DATA),
    table(b"___srcu_struct_ptrs", Found::Allocated, 8, DATA),
    table(b"__mcount_loc", Found::Allocated, 8, CODE),
    table(b"__patchable_function_entries", Found::Allocated, 8, CODE),
];

/// For each name length below 64, the set of [`TABLES`] entries (bit `i`: entry `i`) whose
/// name has that length: [`find`] compares a name with those alone, as the engine looks up
/// every section's name in validation and again after relocation.
const BY_LENGTH: [u64; 64] = {
    assert!(TABLES.len() <= 64);
    let mut sets = [0u64; 64];
    let mut i = 0;
    while i < TABLES.len() {
        let len = TABLES[i].name.len();
        assert!(len < 64);
        sets[len] |= 1 << i;
        i += 1;
    }
    sets
};

/// Whether C code reads section `name` of a loaded module, as a table of [`TABLES`] or as
/// the strings of the exports, so that its relocated contents must be checked.
pub fn is_read_by_kernel(name: &[u8]) -> bool {
    find(name).is_some() || name == b"__ksymtab_strings"
}

fn find(name: &[u8]) -> Option<&'static Table> {
    let mut set = BY_LENGTH.get(name.len()).copied().unwrap_or(0);
    while set != 0 {
        let i = set.trailing_zeros() as usize;
        set &= set - 1;
        if let Some(t) = TABLES.get(i).filter(|t| t.name == name) {
            return Some(t);
        }
    }
    None
}

/// Validation of one section against [`TABLES`]: a table C code reads by name is
/// `SHF_ALLOC`; one it reads is not `SHT_NOBITS` (zeros are no table) and holds a whole
/// number of entries.
pub(super) fn check_section<'a>(
    section: SectionIndex,
    h: &SectionHeader,
    name: &'a [u8],
) -> Result<(), Error<'a>> {
    let Some(t) = find(name) else {
        return Ok(());
    };
    let read = t.found == Found::ByName || h.is_alloc();
    if !read {
        return Ok(());
    }
    if !h.is_alloc() || !h.has_file_bytes() {
        return Err(Error::SpecialSection { section, name });
    }
    if t.entsize != 0 && h.sh_size % t.entsize != 0 {
        return Err(Error::BadTableSize {
            section,
            name,
            size: h.sh_size,
        });
    }
    Ok(())
}

/// The ORC tables: `unwind_module_init()` WARNs unless `.orc_unwind_ip` and `.orc_unwind`
/// hold the same number of entries.
pub(super) fn check_orc<'a>(
    ip: Option<(SectionIndex, SectionHeader)>,
    orc: Option<(SectionIndex, SectionHeader)>,
) -> Result<(), Error<'a>> {
    let (Some((_, ip)), Some((section, orc))) = (ip, orc) else {
        return Ok(());
    };
    if ip.sh_size / 4 != orc.sh_size / 6 {
        return Err(Error::BadTableSize {
            section,
            name: b".orc_unwind",
            size: orc.sh_size,
        });
    }
    Ok(())
}

/// The unwinder's register and type numbers (`asm/orc_types.h`).
mod orc {
    pub(super) const REG_UNDEFINED: u8 = 0;
    pub(super) const REG_PREV_SP: u8 = 1;
    pub(super) const REG_DX: u8 = 2;
    pub(super) const REG_DI: u8 = 3;
    pub(super) const REG_BP: u8 = 4;
    pub(super) const REG_SP: u8 = 5;
    pub(super) const REG_R10: u8 = 6;
    pub(super) const REG_R13: u8 = 7;
    pub(super) const REG_BP_INDIRECT: u8 = 8;
    pub(super) const REG_SP_INDIRECT: u8 = 9;
    pub(super) const TYPE_UNDEFINED: u8 = 0;
    pub(super) const TYPE_END_OF_STACK: u8 = 1;
    pub(super) const TYPE_CALL: u8 = 2;
    pub(super) const TYPE_REGS_PARTIAL: u8 = 4;
}

/// True if the `struct orc_entry` in `e` (`sp_offset`, `bp_offset`, then `sp_reg:4`,
/// `bp_reg:4`, `type:3`, `signal:1`) is one `unwind_next_frame()` follows without warning
/// about the entry itself: it ends the unwind, or it names a type, a stack base register
/// and a frame base register the unwinder handles, and a call frame on the stack pointer
/// does not point below it.
fn orc_entry_valid(e: &[u8]) -> bool {
    let (Some(sp_offset), Some(&regs), Some(&kind)) = (Bytes(e).u16(0), e.get(4), e.get(5)) else {
        return false;
    };
    let (sp_reg, bp_reg, kind) = (regs & 0xf, regs >> 4, kind & 0x7);
    match kind {
        orc::TYPE_UNDEFINED | orc::TYPE_END_OF_STACK => return true,
        orc::TYPE_CALL..=orc::TYPE_REGS_PARTIAL => {}
        _ => return false,
    }
    let sp_ok = matches!(
        sp_reg,
        orc::REG_SP
            | orc::REG_BP
            | orc::REG_SP_INDIRECT
            | orc::REG_BP_INDIRECT
            | orc::REG_R10
            | orc::REG_R13
            | orc::REG_DI
            | orc::REG_DX
    );
    let bp_ok = matches!(bp_reg, orc::REG_UNDEFINED | orc::REG_PREV_SP | orc::REG_BP);
    let call_ok = !(kind == orc::TYPE_CALL && sp_reg == orc::REG_SP && (sp_offset as i16) < 8);
    sp_ok && bp_ok && call_ok
}

/// The module's memory after relocation.
pub struct Relocated<'r> {
    /// Each region's bytes (empty for empty memory types).
    pub memory: &'r PerMem<&'r mut [u8]>,
    /// Each region's address.
    pub bases: &'r PerMem<u64>,
    /// Where each section went.
    pub placements: &'r [Option<Placement>],
}

impl Relocated<'_> {
    /// The region and offset holding `address`, if it is in the module's memory.
    fn locate(&self, address: u64) -> Option<(MemType, usize)> {
        MemType::ALL.into_iter().find_map(|mem| {
            let off = usize::try_from(address.checked_sub(self.bases[mem])?).ok()?;
            (self.bases[mem] != 0 && off < self.memory[mem].len()).then_some((mem, off))
        })
    }

    /// True if `address` is in the module's memory and, for [`PointsInto::Code`], in its code
    /// (for [`PointsInto::CodeOrEnd`], in it or at the end of a code region), and for
    /// [`PointsInto::String`], starts a string that ends inside its region.
    fn holds(&self, address: u64, into: PointsInto) -> bool {
        let code = [MemType::Text, MemType::InitText];
        if into == PointsInto::CodeOrEnd {
            return code.into_iter().any(|mem| {
                let len = self.memory[mem].len() as u64;
                self.bases[mem] != 0
                    && address
                        .checked_sub(self.bases[mem])
                        .is_some_and(|off| off <= len)
            });
        }
        let Some((mem, off)) = self.locate(address) else {
            return false;
        };
        match into {
            PointsInto::Code | PointsInto::CodeOrEnd => code.contains(&mem),
            PointsInto::Module => true,
            PointsInto::String => self.memory[mem]
                .get(off..)
                .is_some_and(|rest| rest.contains(&0)),
        }
    }

    /// The relocated bytes of placed section `index`.
    fn section(&self, plan: &Plan<'_>, index: SectionIndex) -> Option<&[u8]> {
        let (mem, range) = span(plan, self.placements, index)?;
        self.memory[mem].get(range)
    }
}

/// After relocation: the `init` and `exit` pointers of `struct module` (at `this_module` in
/// the data region) are 0 or in the module's code (`exit` in its core code, as it runs after
/// init memory is gone), every `.orc_unwind` entry is one the unwinder follows, and every
/// pointer of every entry of every placed table of [`TABLES`] lands where it must.
pub fn check_relocated<'a>(
    plan: &Plan<'a>,
    cfg: &Config,
    addresses: &[u64],
    this_module: usize,
    mem: &Relocated<'_>,
) -> Result<(), Error<'a>> {
    let data: &[u8] = mem.memory[MemType::Data];
    let pointer = |off: usize| {
        let at = this_module.checked_add(off)?;
        Bytes(data).u64(at)
    };
    for (which, off) in [
        ("init", cfg.module_init_offset),
        ("exit", cfg.module_exit_offset),
    ] {
        let address = pointer(off).unwrap_or(0);
        let ok = match (address, mem.locate(address)) {
            (0, _) => true,
            (_, Some((MemType::Text, _))) => true,
            (_, Some((MemType::InitText, _))) => which == "init",
            _ => false,
        };
        if !ok {
            return Err(Error::BadEntryPoint { which, address });
        }
    }
    for s in plan.sections() {
        let Some(t) = find(s.name) else { continue };
        let entsize = usize::try_from(t.entsize).unwrap_or(0);
        if let (Some(check), true) = (t.check, entsize != 0) {
            let bytes = mem.section(plan, s.index).unwrap_or(&[]);
            for (entry, e) in bytes.chunks_exact(entsize).enumerate() {
                check(s.index, entry, e)?;
            }
        }
        if t.pointers.is_empty() || entsize == 0 {
            continue;
        }
        let Some(bytes) = mem.section(plan, s.index) else {
            continue;
        };
        let base = addresses.get(s.index.0).copied().unwrap_or(0);
        for (entry, e) in bytes.chunks_exact(entsize).enumerate() {
            for &(off, ptr, into) in t.pointers {
                let address = match ptr {
                    Ptr::Rel32 => {
                        let field = entry.wrapping_mul(entsize).wrapping_add(off) as u64;
                        let disp = Bytes(e).i32(off).unwrap_or(0);
                        base.wrapping_add(field).wrapping_add(disp as i64 as u64)
                    }
                    Ptr::Abs64 => Bytes(e).u64(off).unwrap_or(0),
                };
                if !mem.holds(address, into) {
                    return Err(Error::BadTableEntry {
                        section: s.index,
                        name: s.name,
                        entry,
                        address,
                    });
                }
            }
        }
    }
    Ok(())
}
