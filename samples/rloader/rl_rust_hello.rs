// SPDX-License-Identifier: GPL-2.0

//! rl_rust_hello: a Rust module for testing module loaders.
//!
//! Declared with the `module!` macro, which emits the module's modinfo,
//! its init and exit functions and its `__this_module`.  The init function
//! builds a vector on the heap and prints a value computed from it; the
//! exit function (the `Drop` of the module's state) prints another.  Both
//! lines are the same on every load.
//!
//! The `module!` macro of Linux 6.12 has no module parameters.

use kernel::prelude::*;

module! {
    type: RlRustHello,
    name: "rl_rust_hello",
    author: "rloader developers",
    description: "Module loader test: a Rust module",
    license: "GPL",
}

struct RlRustHello {
    squares: KVec<u32>,
}

impl kernel::Module for RlRustHello {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let mut squares = KVec::with_capacity(10, GFP_KERNEL)?;
        for i in 1..=10u32 {
            squares.push(i * i, GFP_KERNEL)?;
        }
        let sum: u32 = squares.iter().sum();
        pr_info!("init, {} squares, sum {}\n", squares.len(), sum);
        Ok(RlRustHello { squares })
    }
}

impl Drop for RlRustHello {
    fn drop(&mut self) {
        let last = self.squares.last().copied().unwrap_or(0);
        pr_info!("exit, last square = {}\n", last);
    }
}
