// SPDX-License-Identifier: GPL-2.0
/*
 * rl_static_key: a static key and a static call defined in a module and
 * flipped at run time.
 *
 * With CONFIG_JUMP_LABEL the branch on the key is a patched jump: the
 * module's jump table must be registered for static_branch_enable() and
 * static_branch_disable() to rewrite it.  The static call's sites are
 * registered the same way, from the module notifier.
 *
 *   /sys/module/rl_static_key/parameters/enabled  (rw) the key's state;
 *        writing Y/N/1/0 enables or disables the key and points the
 *        static call at the matching function.
 *   /sys/module/rl_static_key/parameters/branch   (ro) "on" or "off":
 *        which side of static_branch_unlikely() is taken right now.
 *   /sys/module/rl_static_key/parameters/call     (ro) "on" or "off":
 *        what the static call returns right now.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/init.h>
#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/static_call.h>

static DEFINE_STATIC_KEY_FALSE(rl_static_key);

static const char *rl_static_call_off(void)
{
	return "off";
}

static const char *rl_static_call_on(void)
{
	return "on";
}

DEFINE_STATIC_CALL(rl_static_call, rl_static_call_off);

static noinline const char *rl_static_key_branch(void)
{
	if (static_branch_unlikely(&rl_static_key))
		return "on";
	return "off";
}

static int rl_static_key_enabled_set(const char *val,
				     const struct kernel_param *kp)
{
	bool on;
	int ret;

	ret = kstrtobool(val, &on);
	if (ret)
		return ret;
	if (on) {
		static_branch_enable(&rl_static_key);
		static_call_update(rl_static_call, rl_static_call_on);
	} else {
		static_branch_disable(&rl_static_key);
		static_call_update(rl_static_call, rl_static_call_off);
	}
	return 0;
}

static int rl_static_key_enabled_get(char *buffer,
				     const struct kernel_param *kp)
{
	return scnprintf(buffer, PAGE_SIZE, "%c\n",
			 static_key_enabled(&rl_static_key) ? 'Y' : 'N');
}

static const struct kernel_param_ops rl_static_key_enabled_ops = {
	.set = rl_static_key_enabled_set,
	.get = rl_static_key_enabled_get,
};

module_param_cb(enabled, &rl_static_key_enabled_ops, NULL, 0644);
MODULE_PARM_DESC(enabled, "State of the static key (default N)");

static int rl_static_key_branch_get(char *buffer,
				    const struct kernel_param *kp)
{
	return scnprintf(buffer, PAGE_SIZE, "%s\n", rl_static_key_branch());
}

static int rl_static_key_call_get(char *buffer, const struct kernel_param *kp)
{
	return scnprintf(buffer, PAGE_SIZE, "%s\n", static_call(rl_static_call)());
}

/* Read-only: refuse branch=VALUE or call=VALUE on the loader's command line. */
static int rl_static_key_branch_set(const char *val,
				    const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops rl_static_key_branch_ops = {
	.set = rl_static_key_branch_set,
	.get = rl_static_key_branch_get,
};

module_param_cb(branch, &rl_static_key_branch_ops, NULL, 0444);
MODULE_PARM_DESC(branch, "Branch taken on the static key: on or off");

static const struct kernel_param_ops rl_static_key_call_ops = {
	.set = rl_static_key_branch_set,
	.get = rl_static_key_call_get,
};

module_param_cb(call, &rl_static_key_call_ops, NULL, 0444);
MODULE_PARM_DESC(call, "What the static call returns: on or off");

static int __init rl_static_key_init(void)
{
	pr_info("init, branch %s\n", rl_static_key_branch());
	return 0;
}

static void __exit rl_static_key_exit(void)
{
	pr_info("exit, branch %s\n", rl_static_key_branch());
}

module_init(rl_static_key_init);
module_exit(rl_static_key_exit);

MODULE_DESCRIPTION("Module loader test: a static key and a static call flipped at run time");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
