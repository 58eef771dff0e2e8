// SPDX-License-Identifier: GPL-2.0
/*
 * rl_warn: a module whose init function warns.
 *
 * WARN() traps into the kernel's bug handler, which finds the warning in the
 * module's bug table; a loader that does not register that table turns the
 * warning into an oops.  The init function warns exactly once and succeeds.
 *
 * Writing a number to /sys/module/rl_warn/parameters/trigger warns again,
 * from process context, with that number in the message.
 */
#include <linux/bug.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

static int rl_warn_trigger_set(const char *val, const struct kernel_param *kp)
{
	int n, ret;

	ret = kstrtoint(val, 0, &n);
	if (ret)
		return ret;
	WARN(1, "rl_warn: warning on demand %d\n", n);
	return 0;
}

static const struct kernel_param_ops rl_warn_trigger_ops = {
	.set = rl_warn_trigger_set,
};

module_param_cb(trigger, &rl_warn_trigger_ops, NULL, 0200);
MODULE_PARM_DESC(trigger, "Write a number to warn again");

static int __init rl_warn_init(void)
{
	WARN(1, "rl_warn: deliberate warning\n");
	pr_info("rl_warn: init done\n");
	return 0;
}

static void __exit rl_warn_exit(void)
{
	pr_info("rl_warn: exit\n");
}

module_init(rl_warn_init);
module_exit(rl_warn_exit);

MODULE_DESCRIPTION("Module loader test: WARN() in init and on demand");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
