// SPDX-License-Identifier: GPL-2.0

//! `.modinfo`: NUL-separated `key=value` strings, read like the kernel's `get_modinfo()`.

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
        self.entries
            .by_ref()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }
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
        Values {
            entries: self.entries(),
            key,
        }
    }

    /// `license=`.
    pub fn license(&self) -> Option<&'a [u8]> {
        self.get(b"license")
    }

    /// `vermagic=`.
    pub fn vermagic(&self) -> Option<&'a [u8]> {
        self.get(b"vermagic")
    }

    /// Every `import_ns=` value.
    pub fn import_ns(&self) -> Values<'a, 'static> {
        self.get_all(b"import_ns")
    }

    /// True if `ns` is among the imported namespaces.
    pub fn imports_namespace(&self, ns: &[u8]) -> bool {
        self.import_ns().any(|n| n == ns)
    }

    /// The kernel's GPL-compatibility decision for this module
    /// (`license_is_gpl_compatible()` of the `license=` value; a module
    /// without a license is not GPL-compatible).
    pub fn is_gpl_compatible(&self) -> bool {
        self.license().is_some_and(license_is_gpl_compatible)
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
