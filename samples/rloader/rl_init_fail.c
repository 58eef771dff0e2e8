// SPDX-License-Identifier: GPL-2.0
/*
 * rl_init_fail: a module whose init function fails.
 *
 * The init function allocates a buffer, prints, frees the buffer again and
 * returns -ENODEV, so the load fails after the module's code has run and
 * nothing of it may stay behind: no entry in /proc/modules, no sysfs
 * directory, no leaked memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>

#define RL_INIT_FAIL_SIZE 64

static int __init rl_init_fail_init(void)
{
	char *buf;

	buf = kmalloc(RL_INIT_FAIL_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	strscpy(buf, "about to fail", RL_INIT_FAIL_SIZE);
	pr_info("init, %s with -ENODEV (%d)\n", buf, -ENODEV);
	kfree(buf);
	return -ENODEV;
}

static void __exit rl_init_fail_exit(void)
{
	/* Never called: the module does not get past its init function. */
	pr_info("exit\n");
}

module_init(rl_init_fail_init);
module_exit(rl_init_fail_exit);

MODULE_DESCRIPTION("Module loader test: init fails with -ENODEV");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
