// SPDX-License-Identifier: GPL-2.0
/*
 * rl_klp_target: the module rl_klp patches.
 *
 * The read-only parameter "answer" shows what rl_klp_target_answer()
 * returns: 1 as built, 1001 while rl_klp patches it.  The replacement
 * calls rl_klp_target_base(), a static function of this module that no
 * export names: only a livepatch relocation for this module can reach it,
 * applied when both modules are loaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

static noinline int __used rl_klp_target_base(void)
{
	return 1000;
}

/* Read through a variable, so that the compiler keeps the call. */
static int rl_klp_target_built_answer = 1;

static noinline int rl_klp_target_answer(void)
{
	return READ_ONCE(rl_klp_target_built_answer);
}

static int rl_klp_target_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%d\n", rl_klp_target_answer());
}

static const struct kernel_param_ops rl_klp_target_ops = {
	.get = rl_klp_target_get,
};
module_param_cb(answer, &rl_klp_target_ops, NULL, 0444);
MODULE_PARM_DESC(answer, "what rl_klp_target_answer() returns");

static int __init rl_klp_target_init(void)
{
	pr_info("init, answer %d\n", rl_klp_target_answer());
	return 0;
}

static void __exit rl_klp_target_exit(void)
{
	pr_info("exit\n");
}

module_init(rl_klp_target_init);
module_exit(rl_klp_target_exit);
MODULE_DESCRIPTION("rloader test module: target of the rl_klp livepatch");
MODULE_LICENSE("GPL");
