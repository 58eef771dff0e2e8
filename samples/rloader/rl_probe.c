// SPDX-License-Identifier: GPL-2.0
/*
 * rl_probe: a function for the kernel's tracing tools to attach to.
 *
 * Reading the parameter "hits" calls rl_probe_hit(), which counts the call
 * and logs it with pr_debug(): the function tracer filtered to
 * rl_probe_hit, a kprobe on it and dynamic debug control of its message
 * must each see the call, whichever loader loaded the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

static atomic_t rl_probe_hits = ATOMIC_INIT(0);

static noinline int rl_probe_hit(void)
{
	int hits = atomic_inc_return(&rl_probe_hits);

	pr_debug("hit %d\n", hits);
	return hits;
}

static int rl_probe_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%d\n", rl_probe_hit());
}

static const struct kernel_param_ops rl_probe_ops = {
	.get = rl_probe_get,
};
module_param_cb(hits, &rl_probe_ops, NULL, 0444);
MODULE_PARM_DESC(hits, "calls of rl_probe_hit(), counting this one");

static int __init rl_probe_init(void)
{
	pr_info("init\n");
	return 0;
}

static void __exit rl_probe_exit(void)
{
	pr_info("exit\n");
}

module_init(rl_probe_init);
module_exit(rl_probe_exit);
MODULE_DESCRIPTION("rloader test module: a function to trace, probe and debug");
MODULE_LICENSE("GPL");
