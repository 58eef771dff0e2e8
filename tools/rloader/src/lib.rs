// SPDX-License-Identifier: GPL-2.0

//! Host build of the rloader ELF engine.
//!
//! The engine source under `samples/rust/rloader/` is compiled unchanged:
//! the `#[path]` below makes `engine.rs` and `engine/*.rs` resolve exactly
//! as they do for kbuild's crate root `samples/rust/rloader/rloader.rs`.
//! [`builder`] (host only, uses `alloc`) generates small test modules.

#![no_std]
#![warn(missing_docs, unreachable_pub)]
#![deny(unsafe_code)]

extern crate alloc;

#[path = "../../../samples/rust/rloader"]
mod shared {
    pub mod engine;
}

pub use shared::engine;

pub mod builder;
pub mod exports;
pub mod host;
pub mod vermagic;
