// SPDX-License-Identifier: GPL-2.0

//! Export tables and `struct module` entry points, read from a module the host
//! environment loaded (the kernel reads them itself).
//!
//! With `CONFIG_HAVE_ARCH_PREL32_RELOCATIONS` a `struct kernel_symbol` is
//! three `i32`s, each relative to its own field's address:
//! `value_offset`, `name_offset`, `namespace_offset`.

use crate::engine::elf::*;
use crate::engine::plan::Plan;
use crate::engine::x86_64::R_X86_64_64;
use crate::host::Loaded;

/// A malformed export table or `struct module` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// An export table's size is not a multiple of 12, or an entry's name points outside
    /// `__ksymtab_strings`.
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

/// Size of `struct kernel_symbol` with PREL32 relocations.
pub const KERNEL_SYMBOL_SIZE: usize = 12;

impl Error {
    /// A short stable identifier of the variant, for tooling.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::BadExport { .. } => "bad-export",
            Error::BadThisModuleField { .. } => "bad-this-module-field",
        }
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::BadExport { section, entry } => {
                write!(
                    f,
                    "export table section {section} entry {entry} is malformed"
                )
            }
            Error::BadThisModuleField { offset } => write!(
                f,
                "struct module field offset {offset:#x} is outside .gnu.linkonce.this_module"
            ),
        }
    }
}

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
    type Item = Result<Export<'m>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let entry = self.next;
        let off = entry.checked_mul(KERNEL_SYMBOL_SIZE)?;
        if off >= self.table.bytes.len() {
            return None;
        }
        self.next = entry.saturating_add(1);
        let bad = Error::BadExport {
            section: self.table.index,
            entry,
        };
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
) -> Result<Exports<'m>, Error> {
    if table.bytes.len() % KERNEL_SYMBOL_SIZE != 0 {
        return Err(Error::BadExport {
            section: table.index,
            entry: table.bytes.len() / KERNEL_SYMBOL_SIZE,
        });
    }
    Ok(Exports {
        table,
        strings,
        gpl_only,
        next: 0,
    })
}

/// Reads a function pointer at `field_offset` in the relocated
/// `.gnu.linkonce.this_module` (e.g. `offsetof(struct module, init)`).
/// Returns `Ok(None)` for a NULL pointer.
pub fn this_module_fn(this_module: &[u8], field_offset: u64) -> Result<Option<u64>, Error> {
    let bad = Error::BadThisModuleField {
        offset: field_offset,
    };
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
            let Some(sym) = plan.symbol(rel.sym()) else {
                continue;
            };
            match plan.symbol_name(&sym) {
                b"init_module" => out.init = Some(rel.r_offset),
                b"cleanup_module" => out.exit = Some(rel.r_offset),
                _ => {}
            }
        }
    }
    out
}

impl Loaded<'_> {
    fn placed(&self, index: Option<SectionIndex>) -> Option<Placed<'_>> {
        let index = index?;
        Some(Placed {
            index,
            bytes: self.section_bytes(index)?,
            address: *self.addresses.get(index.0)?,
        })
    }

    /// Decodes both export tables; each entry or error is passed to `f`.
    pub fn exports(&self, f: &mut dyn FnMut(Result<Export<'_>, Error>)) {
        let Some(strings) = self.placed(self.plan.special.ksymtab_strings) else {
            return;
        };
        let tables = [
            (self.plan.special.ksymtab, false),
            (self.plan.special.ksymtab_gpl, true),
        ];
        for (idx, gpl) in tables {
            let Some(table) = self.placed(idx) else {
                continue;
            };
            match exports(table, strings, gpl) {
                Ok(it) => it.for_each(&mut *f),
                Err(e) => f(Err(e)),
            }
        }
    }

    /// `init` and `exit` addresses, using offsets derived from the module's own relocations.
    pub fn entry_points(&self) -> (Option<u64>, Option<u64>) {
        let offs = entry_offsets(&self.plan);
        let Some(tm) = self.section_bytes(self.plan.this_module_index) else {
            return (None, None);
        };
        let get = |o: Option<u64>| o.and_then(|o| this_module_fn(tm, o).ok().flatten());
        (get(offs.init), get(offs.exit))
    }
}
