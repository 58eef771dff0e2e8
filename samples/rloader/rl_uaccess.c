// SPDX-License-Identifier: GPL-2.0
/*
 * rl_uaccess: user-memory accesses that fault, and their fixups.
 *
 * Registers the misc device /dev/rl_uaccess.  Each ioctl copies
 * RL_UACCESS_LEN bytes between a kernel buffer and the user address given
 * as its argument; when that address is not mapped (e.g. 16) the access
 * faults, the fault handler looks the faulting instruction up in an
 * exception table and resumes at its fixup, and the ioctl fails with
 * -EFAULT instead of oopsing.
 *
 *   0x5201  copy in, word by word, with unsafe_get_user(): the faulting
 *           loads and their exception table entries are in this module.
 *   0x5202  copy in with copy_from_user(): the copy runs in the kernel.
 *   0x5203  copy in with __copy_from_user(): inline, patched by
 *           alternatives, so the copy runs here or in the kernel
 *           depending on the CPU.
 *   0x5204  copy out with copy_to_user().
 *
 * A write() of a bad buffer fails with -EFAULT through copy_from_user()
 * as well.  tools/testing/selftests/rloader/rloader_ioctl.c calls these
 * ioctls from user space.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/types.h>
#include <linux/uaccess.h>

#define RL_UACCESS_GET_WORDS	0x5201
#define RL_UACCESS_COPY_FROM	0x5202
#define RL_UACCESS_INLINE_FROM	0x5203
#define RL_UACCESS_COPY_TO	0x5204

#define RL_UACCESS_WORDS	4
#define RL_UACCESS_LEN		(RL_UACCESS_WORDS * sizeof(u64))

static int rl_uaccess_get_words(u64 *dst, const u64 __user *src)
{
	unsigned int i;

	if (!user_read_access_begin(src, RL_UACCESS_LEN))
		return -EFAULT;
	for (i = 0; i < RL_UACCESS_WORDS; i++)
		unsafe_get_user(dst[i], &src[i], fault);
	user_read_access_end();
	return 0;

fault:
	user_read_access_end();
	return -EFAULT;
}

static int rl_uaccess_inline_from(u64 *dst, const void __user *src)
{
	if (!access_ok(src, RL_UACCESS_LEN))
		return -EFAULT;
	if (__copy_from_user(dst, src, RL_UACCESS_LEN))
		return -EFAULT;
	return 0;
}

static long rl_uaccess_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	void __user *uptr = (void __user *)arg;
	u64 buf[RL_UACCESS_WORDS] = { 0 };
	unsigned int i;

	switch (cmd) {
	case RL_UACCESS_GET_WORDS:
		return rl_uaccess_get_words(buf, uptr);
	case RL_UACCESS_COPY_FROM:
		if (copy_from_user(buf, uptr, RL_UACCESS_LEN))
			return -EFAULT;
		return 0;
	case RL_UACCESS_INLINE_FROM:
		return rl_uaccess_inline_from(buf, uptr);
	case RL_UACCESS_COPY_TO:
		for (i = 0; i < RL_UACCESS_WORDS; i++)
			buf[i] = 0x726c5f75616363ULL + i;
		if (copy_to_user(uptr, buf, RL_UACCESS_LEN))
			return -EFAULT;
		return 0;
	default:
		return -ENOTTY;
	}
}

static ssize_t rl_uaccess_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	char buf[16];
	size_t len = min(count, sizeof(buf));

	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	return len;
}

static const struct file_operations rl_uaccess_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = rl_uaccess_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.write = rl_uaccess_write,
	.llseek = noop_llseek,
};

static struct miscdevice rl_uaccess_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "rl_uaccess",
	.fops = &rl_uaccess_fops,
	.mode = 0600,
};

static int __init rl_uaccess_init(void)
{
	int ret;

	ret = misc_register(&rl_uaccess_dev);
	if (ret) {
		pr_err("misc_register failed: %d\n", ret);
		return ret;
	}
	pr_info("init, registered /dev/%s\n", rl_uaccess_dev.name);
	return 0;
}

static void __exit rl_uaccess_exit(void)
{
	misc_deregister(&rl_uaccess_dev);
	pr_info("exit\n");
}

module_init(rl_uaccess_init);
module_exit(rl_uaccess_exit);

MODULE_DESCRIPTION("Module loader test: faulting user accesses and their fixups");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
