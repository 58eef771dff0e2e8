// SPDX-License-Identifier: GPL-2.0
/*
 * rl_chain_a: the bottom of a chain of three modules.
 *
 * Exports a function and a variable.  rl_chain_b and rl_chain_c use both,
 * so while they are loaded this module cannot be removed, and lsmod lists
 * them as its users.  The number of calls of rl_a_add() is printed on exit,
 * which shows that every user was bound to this one instance.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

#include "rl_exports.h"

int rl_a_base = 100;
EXPORT_SYMBOL(rl_a_base);

static atomic_t rl_a_calls = ATOMIC_INIT(0);

int rl_a_add(int x)
{
	atomic_inc(&rl_a_calls);
	return x + rl_a_base;
}
EXPORT_SYMBOL(rl_a_add);

static int __init rl_chain_a_init(void)
{
	pr_info("init\n");
	return 0;
}

static void __exit rl_chain_a_exit(void)
{
	pr_info("exit, rl_a_add called %d times\n", atomic_read(&rl_a_calls));
}

module_init(rl_chain_a_init);
module_exit(rl_chain_a_exit);

MODULE_DESCRIPTION("Module loader test: exports a function and a variable");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
