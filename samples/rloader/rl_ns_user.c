// SPDX-License-Identifier: GPL-2.0
/*
 * rl_ns_user: imports the RLOADER_TEST namespace and uses rl_ns_fn().
 *
 * The tests make a variant without the import by rewriting the modinfo
 * string "import_ns=RLOADER_TEST" in the .ko; a loader must then refuse
 * to bind rl_ns_fn.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

#include "rl_exports.h"

static int __init rl_ns_user_init(void)
{
	pr_info("init, rl_ns_fn(14) = %d\n", rl_ns_fn(14));
	return 0;
}

static void __exit rl_ns_user_exit(void)
{
	pr_info("exit\n");
}

module_init(rl_ns_user_init);
module_exit(rl_ns_user_exit);

MODULE_IMPORT_NS(RLOADER_TEST);
MODULE_DESCRIPTION("Module loader test: uses a symbol from a namespace");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
