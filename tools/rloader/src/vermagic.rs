// SPDX-License-Identifier: GPL-2.0

//! The version magic check the kernel makes in `check_modinfo()`/`same_magic()`, for tools
//! that check a module against a kernel they are not running on.

use crate::engine::modinfo::ModInfo;

/// Why the version magic does not match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error<'a> {
    /// `.modinfo` has no `vermagic=` (a forced load would be needed).
    Missing,
    /// `vermagic` differs from the kernel's.
    Mismatch {
        /// The module's vermagic.
        found: &'a [u8],
        /// The kernel's vermagic.
        expected: &'a [u8],
    },
}

impl Error<'_> {
    /// A short stable identifier of the variant, for tooling.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Missing => "missing-vermagic",
            Error::Mismatch { .. } => "vermagic-mismatch",
        }
    }
}

impl core::fmt::Display for Error<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use crate::engine::names::Name;
        match self {
            Error::Missing => write!(f, "no vermagic in .modinfo (would need a forced load)"),
            Error::Mismatch { found, expected } => write!(
                f,
                "version magic '{}' should be '{}'",
                Name(found),
                Name(expected)
            ),
        }
    }
}

/// Checks `vermagic=` of `modinfo` against the kernel's `expected` string. With `modversions`
/// (the module has `__versions` and the kernel `CONFIG_MODVERSIONS`) only the parts after the
/// first space are compared. `force` accepts a missing or different vermagic
/// (`MODULE_INIT_IGNORE_VERMAGIC`).
pub fn check<'e>(
    modinfo: &ModInfo<'e>,
    expected: &'e [u8],
    modversions: bool,
    force: bool,
) -> Result<(), Error<'e>> {
    if force {
        return Ok(());
    }
    let found = modinfo.vermagic().ok_or(Error::Missing)?;
    let same = if modversions {
        after_space(found) == after_space(expected)
    } else {
        found == expected
    };
    if same {
        Ok(())
    } else {
        Err(Error::Mismatch { found, expected })
    }
}

fn after_space(s: &[u8]) -> &[u8] {
    match s.iter().position(|&c| c == b' ') {
        Some(p) => s.get(p..).unwrap_or(&[]),
        None => &[],
    }
}
