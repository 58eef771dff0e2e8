// SPDX-License-Identifier: GPL-2.0
/*
 * rl_chain_b: the middle of a chain of three modules.
 *
 * Uses the function and the variable exported by rl_chain_a and exports
 * rl_b_twice() on top of them for rl_chain_c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

#include "rl_exports.h"

int rl_b_twice(int x)
{
	return 2 * rl_a_add(x);
}
EXPORT_SYMBOL(rl_b_twice);

static int __init rl_chain_b_init(void)
{
	/* 2 * (1 + 100) */
	pr_info("init, rl_b_twice(1) = %d\n", rl_b_twice(1));
	return 0;
}

static void __exit rl_chain_b_exit(void)
{
	pr_info("exit, rl_a_base = %d\n", rl_a_base);
}

module_init(rl_chain_b_init);
module_exit(rl_chain_b_exit);

MODULE_DESCRIPTION("Module loader test: uses rl_chain_a and exports on top of it");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
