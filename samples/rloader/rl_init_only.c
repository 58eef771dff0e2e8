// SPDX-License-Identifier: GPL-2.0
/*
 * rl_init_only: a module whose only code is its init function.
 *
 * It has no exit function and no core text at all: every instruction is in
 * .init.text, which the loader frees once init returns, so the module's
 * MOD_TEXT is empty.  Without an exit function it cannot be unloaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

static int __init rl_init_only_init(void)
{
	pr_info("init, with no core text\n");
	return 0;
}

module_init(rl_init_only_init);

MODULE_DESCRIPTION("Module loader test: all code in .init.text");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
