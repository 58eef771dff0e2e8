// SPDX-License-Identifier: GPL-2.0

//! The kernel's module memory types and data kept per memory type.
//!
//! C header: [`include/linux/module.h`](srctree/include/linux/module.h) (`enum mod_mem_type`)

use core::ops::{Index, IndexMut};

/// The kernel's `enum mod_mem_type`, same order and values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MemType {
    /// `MOD_TEXT`: core code, read-only + executable.
    Text = 0,
    /// `MOD_DATA`: core writable data.
    Data = 1,
    /// `MOD_RODATA`: core read-only data.
    Rodata = 2,
    /// `MOD_RO_AFTER_INIT`: writable until init returns, then read-only.
    RoAfterInit = 3,
    /// `MOD_INIT_TEXT`: init code, freed after init.
    InitText = 4,
    /// `MOD_INIT_DATA`: init writable data.
    InitData = 5,
    /// `MOD_INIT_RODATA`: init read-only data.
    InitRodata = 6,
}

/// Number of memory types (`MOD_MEM_NUM_TYPES`).
pub const MEM_TYPES: usize = 7;

impl MemType {
    /// All types in `enum mod_mem_type` order.
    pub const ALL: [MemType; MEM_TYPES] = [
        MemType::Text,
        MemType::Data,
        MemType::Rodata,
        MemType::RoAfterInit,
        MemType::InitText,
        MemType::InitData,
        MemType::InitRodata,
    ];

    /// True for the types freed after init.
    pub fn is_init(self) -> bool {
        matches!(
            self,
            MemType::InitText | MemType::InitData | MemType::InitRodata
        )
    }

    /// The kernel's name for the type.
    pub fn name(self) -> &'static str {
        match self {
            MemType::Text => "MOD_TEXT",
            MemType::Data => "MOD_DATA",
            MemType::Rodata => "MOD_RODATA",
            MemType::RoAfterInit => "MOD_RO_AFTER_INIT",
            MemType::InitText => "MOD_INIT_TEXT",
            MemType::InitData => "MOD_INIT_DATA",
            MemType::InitRodata => "MOD_INIT_RODATA",
        }
    }
}

/// One `T` per memory type, indexed by [`MemType`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PerMem<T>(pub [T; MEM_TYPES]);

impl<T> PerMem<T> {
    /// A value for each type, made by `f`.
    pub fn from_fn(mut f: impl FnMut(MemType) -> T) -> Self {
        let [a, b, c, d, e, g, h] = MemType::ALL;
        Self([f(a), f(b), f(c), f(d), f(e), f(g), f(h)])
    }

    /// The values with their types, in `enum mod_mem_type` order.
    pub fn iter(&self) -> impl Iterator<Item = (MemType, &T)> {
        MemType::ALL.into_iter().zip(self.0.iter())
    }

    /// The values with their types, mutably.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (MemType, &mut T)> {
        MemType::ALL.into_iter().zip(self.0.iter_mut())
    }

    /// A reference to each value.
    pub fn each_mut(&mut self) -> PerMem<&mut T> {
        let [a, b, c, d, e, g, h] = &mut self.0;
        PerMem([a, b, c, d, e, g, h])
    }

    /// Applies `f` to every value.
    pub fn map<U>(self, mut f: impl FnMut(MemType, T) -> U) -> PerMem<U> {
        let [a, b, c, d, e, g, h] = self.0;
        let [ta, tb, tc, td, te, tg, th] = MemType::ALL;
        PerMem([
            f(ta, a),
            f(tb, b),
            f(tc, c),
            f(td, d),
            f(te, e),
            f(tg, g),
            f(th, h),
        ])
    }
}

impl<T> Index<MemType> for PerMem<T> {
    type Output = T;

    fn index(&self, mem: MemType) -> &T {
        let [text, data, rodata, ro_after_init, init_text, init_data, init_rodata] = &self.0;
        match mem {
            MemType::Text => text,
            MemType::Data => data,
            MemType::Rodata => rodata,
            MemType::RoAfterInit => ro_after_init,
            MemType::InitText => init_text,
            MemType::InitData => init_data,
            MemType::InitRodata => init_rodata,
        }
    }
}

impl<T> IndexMut<MemType> for PerMem<T> {
    fn index_mut(&mut self, mem: MemType) -> &mut T {
        let [text, data, rodata, ro_after_init, init_text, init_data, init_rodata] = &mut self.0;
        match mem {
            MemType::Text => text,
            MemType::Data => data,
            MemType::Rodata => rodata,
            MemType::RoAfterInit => ro_after_init,
            MemType::InitText => init_text,
            MemType::InitData => init_data,
            MemType::InitRodata => init_rodata,
        }
    }
}
