// SPDX-License-Identifier: GPL-2.0
//! placeholder
fn main() {}
