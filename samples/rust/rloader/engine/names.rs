// SPDX-License-Identifier: GPL-2.0

//! Names and the limits the kernel puts on them.
//!
//! C header: [`include/linux/module.h`](srctree/include/linux/module.h)

use core::fmt;

/// The size of `struct module`'s `name` field, NUL included
/// (`MODULE_NAME_LEN`, `64 - sizeof(unsigned long)`).
pub const MODULE_NAME_LEN: usize = 56;

/// The longest symbol name the kernel exports, NUL included (`KSYM_NAME_LEN`).
pub const KSYM_NAME_LEN: usize = 512;

/// Displays image bytes as text, escaping anything that is not printable ASCII.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Name<'a>(pub &'a [u8]);

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &c in self.0 {
            if c.is_ascii_graphic() || c == b' ' {
                fmt::Write::write_char(f, char::from(c))?;
            } else {
                write!(f, "\\x{:02x}", c)?;
            }
        }
        Ok(())
    }
}

/// A module name as `struct module` holds it: at most `MODULE_NAME_LEN - 1` bytes, NUL-padded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ModuleName([u8; MODULE_NAME_LEN]);

impl ModuleName {
    /// The name in a `name` field: the bytes before the first NUL, or before the field's last
    /// byte when there is none (the kernel's view of an unterminated field).
    pub fn from_field(field: &[u8]) -> Self {
        let field = field.get(..MODULE_NAME_LEN - 1).unwrap_or(field);
        let len = field.iter().position(|&c| c == 0).unwrap_or(field.len());
        let mut name = [0; MODULE_NAME_LEN];
        for (d, s) in name.iter_mut().zip(field.iter().take(len)) {
            *d = *s;
        }
        Self(name)
    }

    /// The name without its NUL padding.
    pub fn as_bytes(&self) -> &[u8] {
        let len = self
            .0
            .iter()
            .position(|&c| c == 0)
            .unwrap_or(MODULE_NAME_LEN);
        self.0.get(..len).unwrap_or(&[])
    }
}

impl Default for ModuleName {
    fn default() -> Self {
        Self([0; MODULE_NAME_LEN])
    }
}

impl fmt::Display for ModuleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Name(self.as_bytes()).fmt(f)
    }
}

impl fmt::Debug for ModuleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ModuleName(\"{}\")", self)
    }
}
