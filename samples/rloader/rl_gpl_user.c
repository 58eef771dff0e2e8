// SPDX-License-Identifier: GPL-2.0
/*
 * rl_gpl_user: uses the GPL-only export of rl_gpl_provider.
 *
 * The tests make a non-GPL variant of this module by rewriting the bytes
 * of its "license=GPL" modinfo string in the .ko (modpost refuses to build
 * such a module), so this file declares its license exactly once, as plain
 * "GPL", and after every other modinfo entry.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

#include "rl_exports.h"

static int __init rl_gpl_user_init(void)
{
	/* 0x0f ^ 0x5a */
	pr_info("init, rl_gpl_only(15) = %d\n", rl_gpl_only(15));
	return 0;
}

static void __exit rl_gpl_user_exit(void)
{
	pr_info("exit\n");
}

module_init(rl_gpl_user_init);
module_exit(rl_gpl_user_exit);

MODULE_DESCRIPTION("Module loader test: uses a GPL-only export");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
