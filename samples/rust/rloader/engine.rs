// SPDX-License-Identifier: GPL-2.0

//! The rloader ELF engine: validation, `.modinfo`, layout, symbol
//! resolution, relocation and export decoding for x86_64 `ET_REL` kernel
//! modules, as plain `core` Rust with no allocation and no panics.
//!
//! The pipeline, each stage feeding the next:
//!
//! 1. [`plan::Plan::parse`] validates the image into a [`plan::Plan`].
//! 2. [`modinfo::ModInfo::check_vermagic`] and the license decision.
//! 3. [`layout::layout`] places allocated sections into memory types.
//! 4. The caller allocates one region per type; [`layout::section_addresses`]
//!    gives every section its final address.
//! 5. [`symbols::resolve_symbols`] computes final symbol values.
//! 6. [`reloc::relocate`] patches the copied sections.
//! 7. [`exports::exports`] and [`exports::this_module_fn`] read the
//!    relocated export tables and entry points.
//!
//! Tables the engine needs are passed in by the caller as slices sized
//! from counts the [`plan::Plan`] reports.

pub mod elf;
pub mod error;
pub mod exports;
pub mod kallsyms;
pub mod layout;
pub mod modinfo;
pub mod plan;
pub mod reloc;
pub mod symbols;

pub use elf::{SectionIndex, SymbolIndex};
pub use error::Error;
pub use layout::{layout, section_addresses, Layout, LayoutOptions, MemType, Placement, MEM_TYPES};
pub use modinfo::{license_is_gpl_compatible, ModInfo};
pub use plan::{extent, Config, Extent, Plan};
pub use reloc::{relocate, Target};
pub use symbols::{resolve_symbols, Query, ResolveError, Resolved, Resolver, Unresolved};
