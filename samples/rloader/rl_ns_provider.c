// SPDX-License-Identifier: GPL-2.0
/*
 * rl_ns_provider: exports a symbol in the RLOADER_TEST namespace.
 *
 * Only modules that declare MODULE_IMPORT_NS(RLOADER_TEST) may use it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

#include "rl_exports.h"

int rl_ns_fn(int x)
{
	return 3 * x;
}
EXPORT_SYMBOL_NS_GPL(rl_ns_fn, RLOADER_TEST);

static int __init rl_ns_provider_init(void)
{
	pr_info("init\n");
	return 0;
}

static void __exit rl_ns_provider_exit(void)
{
	pr_info("exit\n");
}

module_init(rl_ns_provider_init);
module_exit(rl_ns_provider_exit);

MODULE_DESCRIPTION("Module loader test: exports a symbol in a namespace");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
