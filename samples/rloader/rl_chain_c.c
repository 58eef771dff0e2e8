// SPDX-License-Identifier: GPL-2.0
/*
 * rl_chain_c: the top of a chain of three modules.
 *
 * Uses the exports of both rl_chain_a and rl_chain_b, so it depends on
 * each of them directly.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

#include "rl_exports.h"

static int __init rl_chain_c_init(void)
{
	/* 2 * ((2 + 100) + 100) + 100 */
	pr_info("init, rl_b_twice(rl_a_add(2)) + rl_a_base = %d\n",
		rl_b_twice(rl_a_add(2)) + rl_a_base);
	return 0;
}

static void __exit rl_chain_c_exit(void)
{
	/* -100 + 100 */
	pr_info("exit, rl_a_add(-100) = %d\n", rl_a_add(-100));
}

module_init(rl_chain_c_init);
module_exit(rl_chain_c_exit);

MODULE_DESCRIPTION("Module loader test: uses rl_chain_a and rl_chain_b");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
