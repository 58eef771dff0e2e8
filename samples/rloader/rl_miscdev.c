// SPDX-License-Identifier: GPL-2.0
/*
 * rl_miscdev: registers the misc device /dev/rl_miscdev.
 *
 * Reading the device returns "rl_miscdev\n".  Its file operations name this
 * module as their owner, so each open file holds a reference to the module:
 * the use count in /proc/modules goes up while the device is open and the
 * module cannot be removed until it is closed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/init.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/printk.h>

static const char rl_miscdev_text[] = "rl_miscdev\n";

static ssize_t rl_miscdev_read(struct file *file, char __user *buf,
			       size_t count, loff_t *ppos)
{
	return simple_read_from_buffer(buf, count, ppos, rl_miscdev_text,
				       sizeof(rl_miscdev_text) - 1);
}

static const struct file_operations rl_miscdev_fops = {
	.owner = THIS_MODULE,
	.read = rl_miscdev_read,
	.llseek = default_llseek,
};

static struct miscdevice rl_miscdev_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "rl_miscdev",
	.fops = &rl_miscdev_fops,
	.mode = 0444,
};

static int __init rl_miscdev_init(void)
{
	int ret;

	ret = misc_register(&rl_miscdev_dev);
	if (ret) {
		pr_err("misc_register failed: %d\n", ret);
		return ret;
	}
	pr_info("init, registered /dev/%s\n", rl_miscdev_dev.name);
	return 0;
}

static void __exit rl_miscdev_exit(void)
{
	misc_deregister(&rl_miscdev_dev);
	pr_info("exit\n");
}

module_init(rl_miscdev_init);
module_exit(rl_miscdev_exit);

MODULE_DESCRIPTION("Module loader test: a misc device owned by the module");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
