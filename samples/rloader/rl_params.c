// SPDX-License-Identifier: GPL-2.0
/*
 * rl_params: module parameters of several types.
 *
 * The parameters are set on the command line of the loader (or from the
 * kernel command line as rl_params.NAME=VALUE), printed by the init
 * function and readable under /sys/module/rl_params/parameters/.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>

static int count = 1;
module_param(count, int, 0644);
MODULE_PARM_DESC(count, "An integer (default 1)");

static char *who = "world";
module_param(who, charp, 0444);
MODULE_PARM_DESC(who, "A string (default \"world\")");

static bool loud;
module_param(loud, bool, 0444);
MODULE_PARM_DESC(loud, "A boolean (default N)");

static int values[4];
static unsigned int nr_values;
module_param_array(values, int, &nr_values, 0444);
MODULE_PARM_DESC(values, "Up to four integers, comma-separated");

static int __init rl_params_init(void)
{
	unsigned int i;
	long sum = 0;

	for (i = 0; i < nr_values; i++)
		sum += values[i];
	pr_info("init, count=%d who=%s loud=%c values=%u sum=%ld\n",
		count, who, loud ? 'Y' : 'N', nr_values, sum);
	return 0;
}

static void __exit rl_params_exit(void)
{
	pr_info("exit, count=%d\n", count);
}

module_init(rl_params_init);
module_exit(rl_params_exit);

MODULE_DESCRIPTION("Module loader test: module parameters");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
