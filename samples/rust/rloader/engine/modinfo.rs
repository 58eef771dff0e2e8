// SPDX-License-Identifier: GPL-2.0

//! `.modinfo`: NUL-separated `key=value` strings.

use super::error::Error;

/// A view of a `.modinfo` section.
#[derive(Clone, Copy, Debug)]
pub struct ModInfo<'a> {
    data: &'a [u8],
}

/// Iterator over `(key, value)` pairs of a `.modinfo`.
#[derive(Clone, Debug)]
pub struct Entries<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Entries<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            // Skip padding NULs between strings, like next_string().
            let start = self.rest.iter().position(|&c| c != 0)?;
            let tail = self.rest.get(start..)?;
            let len = tail.iter().position(|&c| c == 0).unwrap_or(tail.len());
            let entry = tail.get(..len)?;
            self.rest = tail.get(len..)?;
            if let Some(eq) = entry.iter().position(|&c| c == b'=') {
                let key = entry.get(..eq)?;
                let value = entry.get(eq.checked_add(1)?..)?;
                return Some((key, value));
            }
            // An entry without '=' matches no key; skip it.
        }
    }
}

/// Iterator over every value of one key.
#[derive(Clone, Debug)]
pub struct Values<'a, 'k> {
    entries: Entries<'a>,
    key: &'k [u8],
}

impl<'a> Iterator for Values<'a, '_> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let key = self.key;
        self.entries.by_ref().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

/// A module parameter description: `parm=NAME:DESC` or `parmtype=NAME:TYPE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param<'a> {
    /// Parameter name.
    pub name: &'a [u8],
    /// Description (`parm`) or type (`parmtype`).
    pub text: &'a [u8],
}

impl<'a> ModInfo<'a> {
    /// Wraps raw `.modinfo` bytes.
    pub fn new(data: &'a [u8]) -> Self {
        ModInfo { data }
    }

    /// All entries in order.
    pub fn entries(&self) -> Entries<'a> {
        Entries { rest: self.data }
    }

    /// The first value of `key`, like the kernel's `get_modinfo()`.
    pub fn get(&self, key: &[u8]) -> Option<&'a [u8]> {
        self.entries().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Every value of `key`, like `get_next_modinfo()` in a loop.
    pub fn get_all<'k>(&self, key: &'k [u8]) -> Values<'a, 'k> {
        Values { entries: self.entries(), key }
    }

    /// `name=`.
    pub fn name(&self) -> Option<&'a [u8]> {
        self.get(b"name")
    }

    /// `license=`.
    pub fn license(&self) -> Option<&'a [u8]> {
        self.get(b"license")
    }

    /// `vermagic=`.
    pub fn vermagic(&self) -> Option<&'a [u8]> {
        self.get(b"vermagic")
    }

    /// `depends=` (comma separated module names).
    pub fn depends(&self) -> Option<&'a [u8]> {
        self.get(b"depends")
    }

    /// `description=`.
    pub fn description(&self) -> Option<&'a [u8]> {
        self.get(b"description")
    }

    /// Every `import_ns=` value.
    pub fn import_ns(&self) -> Values<'a, 'static> {
        self.get_all(b"import_ns")
    }

    /// True if `ns` is among the imported namespaces.
    pub fn imports_namespace(&self, ns: &[u8]) -> bool {
        self.import_ns().any(|n| n == ns)
    }

    /// Every `parm=` description.
    pub fn params(&self) -> impl Iterator<Item = Param<'a>> {
        self.get_all(b"parm").map(split_param)
    }

    /// Every `parmtype=` entry.
    pub fn param_types(&self) -> impl Iterator<Item = Param<'a>> {
        self.get_all(b"parmtype").map(split_param)
    }

    /// The kernel's GPL-compatibility decision for this module
    /// (`license_is_gpl_compatible()` of the `license=` value; a module
    /// without a license is not GPL-compatible).
    pub fn is_gpl_compatible(&self) -> bool {
        self.license().is_some_and(license_is_gpl_compatible)
    }

    /// Checks `vermagic=` against the running kernel's `expected` string,
    /// like `check_modinfo()`/`same_magic()`. With `modversions` (the module
    /// has a `__versions` section and the kernel has `CONFIG_MODVERSIONS`)
    /// only the parts after the first space are compared. `force` accepts a
    /// missing or different vermagic (`MODULE_INIT_IGNORE_VERMAGIC`).
    pub fn check_vermagic<'e>(
        &self,
        expected: &'e [u8],
        modversions: bool,
        force: bool,
    ) -> Result<(), Error<'e>>
    where
        'a: 'e,
    {
        if force {
            return Ok(());
        }
        let found = self.vermagic().ok_or(Error::MissingVermagic)?;
        let same = if modversions {
            after_space(found) == after_space(expected)
        } else {
            found == expected
        };
        if same {
            Ok(())
        } else {
            Err(Error::VermagicMismatch { found, expected })
        }
    }
}

fn after_space(s: &[u8]) -> &[u8] {
    match s.iter().position(|&c| c == b' ') {
        Some(p) => s.get(p..).unwrap_or(&[]),
        None => &[],
    }
}

fn split_param(v: &[u8]) -> Param<'_> {
    match v.iter().position(|&c| c == b':') {
        Some(p) => Param {
            name: v.get(..p).unwrap_or(&[]),
            text: v.get(p.saturating_add(1)..).unwrap_or(&[]),
        },
        None => Param { name: v, text: &[] },
    }
}

/// The kernel 6.12 `license_is_gpl_compatible()` list, exactly.
pub fn license_is_gpl_compatible(license: &[u8]) -> bool {
    matches!(
        license,
        b"GPL"
            | b"GPL v2"
            | b"GPL and additional rights"
            | b"Dual BSD/GPL"
            | b"Dual MIT/GPL"
            | b"Dual MPL/GPL"
    )
}
