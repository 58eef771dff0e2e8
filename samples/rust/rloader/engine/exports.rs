// SPDX-License-Identifier: GPL-2.0

//! Export tables and `struct module` entry points, read from the relocated
//! image.
//!
//! With `CONFIG_HAVE_ARCH_PREL32_RELOCATIONS` a `struct kernel_symbol` is
//! three `i32`s, each relative to its own field's address:
//! `value_offset`, `name_offset`, `namespace_offset`.

use super::elf::*;
use super::error::Error;
use super::plan::Plan;
use super::reloc::R_X86_64_64;

/// Size of `struct kernel_symbol` with PREL32 relocations.
pub const KERNEL_SYMBOL_SIZE: usize = 12;

/// A relocated section as the caller placed it.
#[derive(Clone, Copy, Debug)]
pub struct Placed<'m> {
    /// The section index.
    pub index: SectionIndex,
    /// Its relocated contents.
    pub bytes: &'m [u8],
    /// Its final address.
    pub address: u64,
}

/// One exported symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Export<'m> {
    /// The symbol name, from `__ksymtab_strings`.
    pub name: &'m [u8],
    /// The namespace, `None` for an empty string.
    pub namespace: Option<&'m [u8]>,
    /// True for `EXPORT_SYMBOL_GPL` (`__ksymtab_gpl`).
    pub gpl_only: bool,
    /// The exported address.
    pub address: u64,
}

/// Iterator over one export table.
#[derive(Clone, Debug)]
pub struct Exports<'m> {
    table: Placed<'m>,
    strings: Placed<'m>,
    gpl_only: bool,
    next: usize,
}

fn string_at<'m>(strings: &Placed<'m>, addr: u64) -> Option<&'m [u8]> {
    let off = to_usize(addr.checked_sub(strings.address)?)?;
    c_str_at(strings.bytes, off)
}

impl<'m> Iterator for Exports<'m> {
    type Item = Result<Export<'m>, Error<'static>>;

    fn next(&mut self) -> Option<Self::Item> {
        let entry = self.next;
        let off = entry.checked_mul(KERNEL_SYMBOL_SIZE)?;
        if off >= self.table.bytes.len() {
            return None;
        }
        self.next = entry.saturating_add(1);
        let bad = Error::BadExport { section: self.table.index, entry };
        let b = Bytes(self.table.bytes);
        let field = |k: usize| -> Option<u64> {
            let at = off.checked_add(k.checked_mul(4)?)?;
            let rel = b.i32(at)?;
            let place = self.table.address.checked_add(at as u64)?;
            Some(place.wrapping_add_signed(i64::from(rel)))
        };
        let decoded = (|| {
            let address = field(0)?;
            let name = string_at(&self.strings, field(1)?)?;
            let ns = string_at(&self.strings, field(2)?)?;
            Some(Export {
                name,
                namespace: if ns.is_empty() { None } else { Some(ns) },
                gpl_only: self.gpl_only,
                address,
            })
        })();
        Some(decoded.ok_or(bad))
    }
}

/// Decodes a `__ksymtab` (`gpl_only == false`) or `__ksymtab_gpl` table.
/// Its size must be a multiple of 12.
pub fn exports<'m>(
    table: Placed<'m>,
    strings: Placed<'m>,
    gpl_only: bool,
) -> Result<Exports<'m>, Error<'static>> {
    if table.bytes.len() % KERNEL_SYMBOL_SIZE != 0 {
        return Err(Error::BadExport { section: table.index, entry: table.bytes.len() / KERNEL_SYMBOL_SIZE });
    }
    Ok(Exports { table, strings, gpl_only, next: 0 })
}

/// Reads a function pointer at `field_offset` in the relocated
/// `.gnu.linkonce.this_module` (e.g. `offsetof(struct module, init)`).
/// Returns `Ok(None)` for a NULL pointer.
pub fn this_module_fn(this_module: &[u8], field_offset: u64) -> Result<Option<u64>, Error<'static>> {
    let bad = Error::BadThisModuleField { offset: field_offset };
    let off = to_usize(field_offset).ok_or(bad)?;
    let v = Bytes(this_module).u64(off).ok_or(bad)?;
    Ok(if v == 0 { None } else { Some(v) })
}

/// Offsets of `init` and `exit` within `struct module`, derived from the
/// `R_X86_64_64` relocations against `.gnu.linkonce.this_module` whose
/// symbols are `init_module` and `cleanup_module` (as modpost emits them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EntryOffsets {
    /// `offsetof(struct module, init)`, if the module has an init.
    pub init: Option<u64>,
    /// `offsetof(struct module, exit)`, if the module has an exit.
    pub exit: Option<u64>,
}

/// Finds [`EntryOffsets`] from the module's own relocations.
pub fn entry_offsets(plan: &Plan<'_>) -> EntryOffsets {
    let mut out = EntryOffsets::default();
    for sec in plan.rela_sections() {
        if sec.header.sh_info as usize != plan.this_module_index.0 {
            continue;
        }
        for rel in plan.relocations(sec.index) {
            if rel.r_type() != R_X86_64_64 {
                continue;
            }
            let Some(sym) = plan.symbol(rel.sym()) else { continue };
            match plan.symbol_name(&sym) {
                b"init_module" => out.init = Some(rel.r_offset),
                b"cleanup_module" => out.exit = Some(rel.r_offset),
                _ => {}
            }
        }
    }
    out
}
