// SPDX-License-Identifier: GPL-2.0

//! Symbol pass: gives every symbol its final value, like the kernel's
//! `simplify_symbols()`, asking a caller-provided [`Resolver`] for
//! undefined ones.

use super::elf::*;
use super::error::Error;
use super::modinfo::{ModInfo, Values};
use super::plan::Plan;

/// What the resolver is asked for one undefined symbol.
#[derive(Clone, Debug)]
pub struct Query<'a> {
    /// The symbol name.
    pub name: &'a [u8],
    /// Whether the importing module is GPL-compatible (may use
    /// `EXPORT_SYMBOL_GPL` symbols).
    pub gpl_compatible: bool,
    /// The module's `import_ns=` values.
    pub modinfo: ModInfo<'a>,
}

impl<'a> Query<'a> {
    /// The namespaces the module imports.
    pub fn import_ns(&self) -> Values<'a, 'static> {
        self.modinfo.import_ns()
    }
}

/// A successful lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The symbol's address.
    pub address: u64,
    /// Opaque token naming the owner (e.g. a `struct module *`; 0 = vmlinux).
    pub owner: u64,
}

/// Why a lookup failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResolveError<'r> {
    /// No such exported symbol.
    NotFound,
    /// The symbol is `EXPORT_SYMBOL_GPL` and the module is not GPL-compatible.
    GplOnly,
    /// The symbol is in a namespace the module does not import.
    MissingNamespace(&'r [u8]),
}

impl ResolveError<'_> {
    /// The errno the kernel returns for it.
    pub fn errno(&self) -> i32 {
        match self {
            ResolveError::NotFound | ResolveError::GplOnly => super::error::ENOENT,
            ResolveError::MissingNamespace(_) => super::error::EINVAL,
        }
    }
}

/// Looks up symbols exported by the kernel and other modules.
pub trait Resolver {
    /// Resolves `query.name`.
    fn resolve<'r>(&'r mut self, query: &Query<'_>) -> Result<Resolved, ResolveError<'r>>;
}

/// One undefined symbol that could not be resolved.
#[derive(Clone, Copy, Debug)]
pub struct Unresolved<'a, 'r> {
    /// Its index.
    pub symbol: SymbolIndex,
    /// Its name.
    pub name: &'a [u8],
    /// Why.
    pub error: ResolveError<'r>,
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

/// Computes the final value of every symbol into `values` (length
/// [`Plan::symbol_count`]). `section_addr` holds each section's final
/// address (see [`super::layout::section_addresses`]). Every unresolved
/// non-weak undefined symbol is passed to `report`; if there was any, the
/// pass fails with [`Error::Unresolved`] after visiting all symbols.
pub fn resolve_symbols<'a, R: Resolver + ?Sized>(
    plan: &Plan<'a>,
    section_addr: &[u64],
    resolver: &mut R,
    values: &mut [u64],
    report: &mut dyn FnMut(&Unresolved<'a, '_>),
) -> Result<SymbolStats, Error<'a>> {
    let n = plan.symbol_count();
    if values.len() != n {
        return Err(Error::TableSize { needed: n, given: values.len() });
    }
    if section_addr.len() != plan.section_count() {
        return Err(Error::TableSize { needed: plan.section_count(), given: section_addr.len() });
    }
    let modinfo = plan.modinfo();
    let gpl_compatible = modinfo.is_gpl_compatible();
    let mut stats = SymbolStats::default();
    let mut first: Option<&'a [u8]> = None;
    let mut namespace_only = true;
    // `values` has one entry per symbol: the zip visits every symbol.
    for (k, (value, sym)) in values.iter_mut().zip(plan.symbols()).enumerate() {
        *value = 0;
        if k == 0 {
            continue;
        }
        let symbol = SymbolIndex(k);
        match sym.st_shndx {
            SHN_ABS => {
                *value = sym.st_value;
                stats.absolute = stats.absolute.saturating_add(1);
            }
            SHN_UNDEF => {
                let name = plan.symbol_name(&sym);
                let query = Query { name, gpl_compatible, modinfo };
                match resolver.resolve(&query) {
                    Ok(r) => {
                        *value = r.address;
                        stats.resolved = stats.resolved.saturating_add(1);
                    }
                    Err(ResolveError::NotFound)
                        if sym.bind() == STB_WEAK || name == b"_GLOBAL_OFFSET_TABLE_" =>
                    {
                        stats.weak_zero = stats.weak_zero.saturating_add(1);
                    }
                    Err(error) => {
                        if !matches!(error, ResolveError::MissingNamespace(_)) {
                            namespace_only = false;
                        }
                        report(&Unresolved { symbol, name, error });
                        stats.unresolved = stats.unresolved.saturating_add(1);
                        if first.is_none() {
                            first = Some(name);
                        }
                    }
                }
            }
            shndx if shndx < SHN_LORESERVE => {
                let base = section_addr.get(usize::from(shndx)).copied().unwrap_or(0);
                // Wrapping matches the kernel's unsigned long arithmetic;
                // the relocation overflow checks catch nonsense later.
                *value = base.wrapping_add(sym.st_value);
                stats.defined = stats.defined.saturating_add(1);
            }
            // Anything else was rejected by validation.
            _ => {}
        }
    }
    match first {
        Some(first) => Err(Error::Unresolved { count: stats.unresolved, first, namespace_only }),
        None => Ok(stats),
    }
}
