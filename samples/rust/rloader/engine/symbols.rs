// SPDX-License-Identifier: GPL-2.0

//! Symbol pass: gives every symbol its final value, like the kernel's `simplify_symbols()`,
//! asking a [`Resolver`] for the undefined ones.

use super::elf::*;
use super::error::{Error, EINVAL, ENOENT};
use super::modinfo::ModInfo;
use super::plan::Plan;

/// What the resolver is asked for one undefined symbol.
#[derive(Clone, Copy, Debug)]
pub struct Query<'a> {
    /// The symbol name.
    pub name: &'a [u8],
    /// The same name followed by its NUL byte (where the string table has it), for
    /// environments that pass it on to C code without a copy.
    pub c_name: &'a [u8],
    /// Whether the importing module is GPL-compatible (may use `EXPORT_SYMBOL_GPL` symbols).
    pub gpl_compatible: bool,
    /// The module's `.modinfo` (its `import_ns=` values).
    pub modinfo: ModInfo<'a>,
}

/// Why a lookup failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// No such exported symbol.
    NotFound,
    /// The symbol is `EXPORT_SYMBOL_GPL` and the module is not GPL-compatible (the kernel's
    /// `find_symbol()` does not see it).
    GplOnly,
    /// The symbol is in a namespace the module does not import.
    MissingNamespace,
    /// The lookup failed with this positive errno (e.g. the exporter is going away).
    Failed(i32),
}

impl ResolveError {
    /// The positive errno the kernel returns for it.
    pub fn errno(&self) -> i32 {
        match self {
            ResolveError::NotFound | ResolveError::GplOnly => ENOENT,
            ResolveError::MissingNamespace => EINVAL,
            ResolveError::Failed(e) => *e,
        }
    }

    /// True when the kernel found no symbol at all (`resolve_symbol()` returned NULL rather
    /// than an error), which a weak reference tolerates.
    pub fn is_absent(&self) -> bool {
        matches!(self, ResolveError::NotFound | ResolveError::GplOnly)
    }
}

/// Looks up symbols exported by the kernel and other modules.
pub trait Resolver {
    /// Resolves `query.name` to its address.
    fn resolve(&mut self, query: &Query<'_>) -> Result<u64, ResolveError>;
}

/// One undefined symbol that could not be resolved.
#[derive(Clone, Copy, Debug)]
pub struct Unresolved<'a> {
    /// Its index.
    pub symbol: SymbolIndex,
    /// Its name.
    pub name: &'a [u8],
    /// Why.
    pub error: ResolveError,
}

/// Counts from the symbol pass.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SymbolStats {
    /// Symbols defined in a section.
    pub defined: usize,
    /// Absolute symbols.
    pub absolute: usize,
    /// Undefined symbols resolved by the resolver.
    pub resolved: usize,
    /// Undefined weak (or ignored) symbols left at 0.
    pub weak_zero: usize,
    /// Undefined symbols that failed.
    pub unresolved: usize,
}

/// Computes the final value of every symbol into `values` (length [`Plan::symbol_count`]).
/// `section_addr` holds each section's final address. Every undefined symbol that cannot be
/// bound is passed to `report`; if there was any, the pass fails with [`Error::Unresolved`]
/// after visiting all symbols. As in the kernel, an undefined weak symbol (or
/// `_GLOBAL_OFFSET_TABLE_`) that is absent becomes 0, but any other failure of its lookup
/// fails the load.
pub fn resolve_symbols<'a, R: Resolver + ?Sized>(
    plan: &Plan<'a>,
    section_addr: &[u64],
    resolver: &mut R,
    values: &mut [u64],
    report: &mut dyn FnMut(&Unresolved<'a>),
) -> Result<SymbolStats, Error<'a>> {
    let n = plan.symbol_count();
    if values.len() != n || section_addr.len() != plan.section_count() {
        return Err(Error::TableSize {
            needed: n,
            given: values.len(),
        });
    }
    let modinfo = plan.modinfo();
    let gpl_compatible = modinfo.is_gpl_compatible();
    let mut stats = SymbolStats::default();
    let mut first: Option<&'a [u8]> = None;
    let mut errno = ENOENT;
    // `values` has one entry per symbol: the zip visits every symbol.
    for (k, (value, sym)) in values.iter_mut().zip(plan.symbols()).enumerate() {
        *value = 0;
        match sym.st_shndx {
            _ if k == 0 => {}
            SHN_ABS => {
                *value = sym.st_value;
                stats.absolute = stats.absolute.saturating_add(1);
            }
            SHN_UNDEF => {
                let c_name = plan.symbol_c_name(&sym);
                let name = c_name.split_last().map_or(&[][..], |(_, n)| n);
                let query = Query {
                    name,
                    c_name,
                    gpl_compatible,
                    modinfo,
                };
                match resolver.resolve(&query) {
                    Ok(address) => {
                        *value = address;
                        stats.resolved = stats.resolved.saturating_add(1);
                    }
                    Err(e)
                        if e.is_absent()
                            && (sym.bind() == STB_WEAK || name == b"_GLOBAL_OFFSET_TABLE_") =>
                    {
                        stats.weak_zero = stats.weak_zero.saturating_add(1);
                    }
                    Err(error) => {
                        report(&Unresolved {
                            symbol: SymbolIndex(k),
                            name,
                            error,
                        });
                        stats.unresolved = stats.unresolved.saturating_add(1);
                        first.get_or_insert(name);
                        errno = error.errno();
                    }
                }
            }
            // Resolved by the livepatch core, into the kallsyms copy of the table.
            SHN_LIVEPATCH => *value = sym.st_value,
            shndx if shndx < SHN_LORESERVE => {
                let base = section_addr.get(usize::from(shndx)).copied().unwrap_or(0);
                // Wrapping matches the kernel's unsigned long arithmetic; the relocation
                // overflow checks catch nonsense later.
                *value = base.wrapping_add(sym.st_value);
                stats.defined = stats.defined.saturating_add(1);
            }
            // Anything else was rejected by validation.
            _ => {}
        }
    }
    match first {
        Some(first) => Err(Error::Unresolved {
            count: stats.unresolved,
            first,
            errno,
        }),
        None => Ok(stats),
    }
}
