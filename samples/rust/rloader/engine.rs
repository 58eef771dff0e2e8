// SPDX-License-Identifier: GPL-2.0

//! The rloader engine: validation, layout, symbol binding, relocation and kallsyms tables for
//! x86_64 `ET_REL` kernel modules, and the one load pipeline that sequences them, as plain
//! `core` Rust with no allocation and no panics.
//!
//! [`load::load`] (or [`load::prepare`] and its init) is the pipeline; the kernel module and
//! the host crate provide its environment ([`load::Env`]). The modules form layers, each using
//! only those above it:
//!
//! - [`elf`], [`x86_64`], [`names`], [`mem`]: ELF constants and readers, the relocation type
//!   table, name limits, memory types.
//! - [`error`]: every reason a module is refused.
//! - [`modinfo`], [`extent`]: `.modinfo`, and when an image arriving in pieces is complete.
//! - [`plan`], [`validate`]: the validated image.
//! - [`layout`], [`symbols`], [`reloc`], [`kallsyms`]: the stages' work.
//! - [`load`]: the pipeline.

pub mod elf;
pub mod error;
pub mod extent;
pub mod kallsyms;
pub mod layout;
pub mod load;
pub mod mem;
pub mod modinfo;
pub mod names;
pub mod plan;
pub mod reloc;
pub mod symbols;
pub mod tables;
pub mod validate;
pub mod x86_64;

pub use elf::{SectionIndex, SymbolIndex};
pub use error::Error;
pub use extent::{completion, detect, extent, Completion, Compression, Extent, Format};
pub use layout::{layout, Layout, LayoutOptions, Placement};
pub use load::{load, prepare, Config, Stage};
pub use mem::{MemType, PerMem, MEM_TYPES};
pub use modinfo::{license_is_gpl_compatible, ModInfo};
pub use names::{ModuleName, Name, KSYM_NAME_LEN, MODULE_NAME_LEN};
pub use plan::Plan;
pub use symbols::{Query, ResolveError, Resolver};
