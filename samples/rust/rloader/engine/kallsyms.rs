// SPDX-License-Identifier: GPL-2.0

//! Kallsyms tables: the symbol tables the kernel reads to name addresses
//! inside a module (`%pS`, oops traces, `/proc/kallsyms`).
//!
//! Like the kernel's `layout_symtab()`/`add_kallsyms()`, a module gets two
//! tables: the full one (every symbol, the original string table and a
//! type table) in init data, used while init runs, and a core one (only
//! named symbols defined in core memory, with a compact string table) in
//! core data, used once init memory is gone. Symbol values are final
//! addresses.
//!
//! [`plan`] sizes the tables and appends room for them to a [`Layout`];
//! [`write`] fills them once the symbol values are known.

use super::elf::*;
use super::error::Error;
use super::layout::{Layout, Placement};
use super::mem::MemType;
use super::plan::Plan;

/// Where the tables go, as offsets into the `InitData` and `Data` regions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tables {
    /// Number of symbols in the full table (including the null symbol).
    pub full_count: usize,
    /// Offset of the full symbol table in init data.
    pub full_symtab: u64,
    /// Offset of the copy of the string table in init data.
    pub full_strtab: u64,
    /// Size of the string table.
    pub full_strtab_size: u64,
    /// Offset of the `struct mod_kallsyms` for the full table in init data.
    pub full_struct: u64,
    /// Offset of the full type table in init data.
    pub full_typetab: u64,
    /// Number of symbols in the core table (including the null symbol).
    pub core_count: usize,
    /// Offset of the core symbol table in core data.
    pub core_symtab: u64,
    /// Offset of the core string table in core data.
    pub core_strtab: u64,
    /// Size of the core string table.
    pub core_strtab_size: u64,
    /// Offset of the core type table in core data.
    pub core_typetab: u64,
}

/// Options that depend on the running kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// `CONFIG_KALLSYMS_ALL`: keep data symbols in the core table too.
    pub all: bool,
    /// `sizeof(struct mod_kallsyms)`.
    pub struct_size: u64,
    /// `__alignof__(struct mod_kallsyms)`.
    pub struct_align: u64,
}

fn placement(placements: &[Option<Placement>], shndx: u16) -> Option<Placement> {
    placements.get(usize::from(shndx)).copied().flatten()
}

/// The header of the section symbol `sym` is defined in; `None` when
/// `st_shndx` is past the section table. Looked up once per symbol and
/// passed to [`is_core`] and [`elf_type`].
fn home_section(plan: &Plan<'_>, sym: &Symbol) -> Option<SectionHeader> {
    plan.section_header(SectionIndex(usize::from(sym.st_shndx)))
}

/// Whether symbol `sym`, defined in section `home`, belongs in the core
/// table (the kernel's `is_core_symbol()`).
fn is_core(
    plan: &Plan<'_>,
    placements: &[Option<Placement>],
    sym: &Symbol,
    home: Option<&SectionHeader>,
    all: bool,
) -> bool {
    if sym.st_shndx == SHN_UNDEF
        || usize::from(sym.st_shndx) >= plan.section_count()
        || sym.st_name == 0
    {
        return false;
    }
    if Some(SectionIndex(usize::from(sym.st_shndx))) == plan.special.percpu {
        return all;
    }
    let Some(p) = placement(placements, sym.st_shndx) else {
        return false;
    };
    let exec = home.is_some_and(|h| h.sh_flags & SHF_EXECINSTR != 0);
    !p.mem.is_init() && (all || exec)
}

/// The `nm` type letter of symbol `sym`, defined in section `home`, as the
/// kernel's `elf_type()` gives it.
fn elf_type(
    plan: &Plan<'_>,
    placements: &[Option<Placement>],
    sym: &Symbol,
    home: Option<&SectionHeader>,
) -> u8 {
    const STT_OBJECT: u8 = 1;
    if sym.bind() == STB_WEAK {
        return if sym.kind() == STT_OBJECT { b'v' } else { b'w' };
    }
    if sym.st_shndx == SHN_UNDEF {
        return b'U';
    }
    if sym.st_shndx == SHN_ABS
        || Some(SectionIndex(usize::from(sym.st_shndx))) == plan.special.percpu
    {
        return b'a';
    }
    if sym.st_shndx >= SHN_LORESERVE {
        return b'?';
    }
    let Some(h) = home else {
        return b'?';
    };
    let alloc = placement(placements, sym.st_shndx).is_some();
    if h.sh_flags & SHF_EXECINSTR != 0 {
        b't'
    } else if alloc && h.sh_type != SHT_NOBITS {
        if h.sh_flags & SHF_WRITE == 0 {
            b'r'
        } else {
            b'd'
        }
    } else if h.sh_type == SHT_NOBITS {
        b'b'
    } else if plan
        .section(SectionIndex(usize::from(sym.st_shndx)))
        .is_some_and(|sec| sec.name.starts_with(b".debug"))
    {
        b'n'
    } else {
        b'?'
    }
}

/// Whether the module is a livepatch module (`livepatch=` in `.modinfo`, the kernel's
/// `is_livepatch_module()`): the livepatch core reads its whole symbol table, so the core
/// table keeps every symbol, at its index in the image's table.
fn keeps_all(plan: &Plan<'_>) -> bool {
    plan.is_livepatch()
}

/// Sizes both tables and appends room for them to the `InitData` and `Data`
/// regions of `lay`. `placements` is what [`super::layout::layout`] gave.
pub fn plan<'a>(
    plan: &Plan<'a>,
    placements: &[Option<Placement>],
    opts: &Options,
    lay: &mut Layout,
) -> Result<Tables, Error<'a>> {
    let overflow = Error::LayoutOverflow {
        section: plan.symtab_index,
    };
    let full_count = plan.symbol_count();
    let mut core_count = 0usize;
    let mut core_strtab_size = 0u64;
    let keep_all = keeps_all(plan);
    for (i, sym) in plan.symbols().enumerate() {
        if i == 0
            || keep_all
            || is_core(
                plan,
                placements,
                &sym,
                home_section(plan, &sym).as_ref(),
                opts.all,
            )
        {
            core_count = core_count.checked_add(1).ok_or(overflow)?;
            let len = plan.symbol_name(&sym).len() as u64;
            core_strtab_size = core_strtab_size
                .checked_add(len)
                .and_then(|v| v.checked_add(1))
                .ok_or(overflow)?;
        }
    }
    let full_strtab_size = plan.section_data(plan.strtab_index).len() as u64;
    let sym_bytes = |n: usize| (n as u64).checked_mul(SYM_SIZE as u64);

    let mut t = Tables {
        full_count,
        core_count,
        full_strtab_size,
        core_strtab_size,
        ..Tables::default()
    };
    let full_bytes = sym_bytes(full_count).ok_or(overflow)?;
    let core_bytes = sym_bytes(core_count).ok_or(overflow)?;
    let align = opts.struct_align.max(1);
    let mut add = |mem, align, len| lay.append(mem, align, len).ok_or(overflow);
    t.full_symtab = add(MemType::InitData, 8, full_bytes)?;
    t.full_strtab = add(MemType::InitData, 1, full_strtab_size)?;
    t.full_struct = add(MemType::InitData, align, opts.struct_size)?;
    t.full_typetab = add(MemType::InitData, 1, full_count as u64)?;
    t.core_symtab = add(MemType::Data, 8, core_bytes)?;
    t.core_strtab = add(MemType::Data, 1, core_strtab_size)?;
    t.core_typetab = add(MemType::Data, 1, core_count as u64)?;
    Ok(t)
}

fn put_symbol(out: &mut [u8], k: usize, sym: &Symbol, st_name: u32, value: u64) -> Option<()> {
    let dst = out
        .get_mut(k.checked_mul(SYM_SIZE)?..)?
        .first_chunk_mut::<SYM_SIZE>()?;
    *dst = Symbol {
        st_name,
        st_value: value,
        ..*sym
    }
    .to_entry();
    Some(())
}

/// The table memory [`write`] fills; each slice exactly the size [`plan`]
/// gave.
pub struct Out<'m> {
    /// Full symbol table (`full_count` entries).
    pub full_symtab: &'m mut [u8],
    /// Full string table.
    pub full_strtab: &'m mut [u8],
    /// Full type table.
    pub full_typetab: &'m mut [u8],
    /// Core symbol table (`core_count` entries).
    pub core_symtab: &'m mut [u8],
    /// Core string table.
    pub core_strtab: &'m mut [u8],
    /// Core type table.
    pub core_typetab: &'m mut [u8],
}

/// Fills the tables: symbol `i` gets value `values[i]` (its final
/// address, from [`super::symbols::resolve_symbols`]).
pub fn write<'a>(
    plan: &Plan<'a>,
    placements: &[Option<Placement>],
    opts: &Options,
    values: &[u64],
    out: &mut Out<'_>,
) -> Result<(), Error<'a>> {
    let bad = Error::TableSize {
        needed: plan.symbol_count(),
        given: values.len(),
    };
    if values.len() != plan.symbol_count() {
        return Err(bad);
    }
    let strtab = plan.section_data(plan.strtab_index);
    out.full_strtab
        .get_mut(..strtab.len())
        .ok_or(bad)?
        .copy_from_slice(strtab);
    let mut k = 0usize;
    let mut s = 0usize;
    let keep_all = keeps_all(plan);
    // `values` has one entry per symbol: the zip visits every symbol.
    for (i, (&value, sym)) in values.iter().zip(plan.symbols()).enumerate() {
        put_symbol(out.full_symtab, i, &sym, sym.st_name, value).ok_or(bad)?;
        let home = home_section(plan, &sym);
        let ty = elf_type(plan, placements, &sym, home.as_ref());
        *out.full_typetab.get_mut(i).ok_or(bad)? = ty;
        if i != 0 && !keep_all && !is_core(plan, placements, &sym, home.as_ref(), opts.all) {
            continue;
        }
        let name = plan.symbol_name(&sym);
        let st_name = u32::try_from(s).map_err(|_| bad)?;
        put_symbol(out.core_symtab, k, &sym, st_name, value).ok_or(bad)?;
        *out.core_typetab.get_mut(k).ok_or(bad)? = ty;
        let end = s.checked_add(name.len()).ok_or(bad)?;
        out.core_strtab
            .get_mut(s..end)
            .ok_or(bad)?
            .copy_from_slice(name);
        *out.core_strtab.get_mut(end).ok_or(bad)? = 0;
        s = end.checked_add(1).ok_or(bad)?;
        k = k.checked_add(1).ok_or(bad)?;
    }
    Ok(())
}
