// SPDX-License-Identifier: GPL-2.0
/*
 * rl_gpl_provider: exports a symbol to GPL-compatible modules only.
 *
 * rl_gpl_user binds to it.  A copy of rl_gpl_user.ko whose license string
 * has been rewritten must be refused by any loader.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

#include "rl_exports.h"

int rl_gpl_only(int x)
{
	return x ^ 0x5a;
}
EXPORT_SYMBOL_GPL(rl_gpl_only);

static int __init rl_gpl_provider_init(void)
{
	pr_info("init\n");
	return 0;
}

static void __exit rl_gpl_provider_exit(void)
{
	pr_info("exit\n");
}

module_init(rl_gpl_provider_init);
module_exit(rl_gpl_provider_exit);

MODULE_DESCRIPTION("Module loader test: exports a GPL-only symbol");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
