// SPDX-License-Identifier: GPL-2.0
/*
 * rl_klp: a livepatch module with livepatch relocations.
 *
 * It patches cmdline_proc_show() in vmlinux, so that /proc/cmdline reads
 * "rl_klp: " and the command line, and rl_klp_target_answer() in
 * rl_klp_target, so that its "answer" parameter reads 1001.  The new
 * functions reach what no export offers, the vmlinux variable
 * saved_command_line and the static rl_klp_target_base(), through symbols
 * named as the livepatch core expects (.klp.sym.<object>.<name>,<pos>).
 * Each reference sits in a function of its own section, so that the
 * relocation section of that section refers to such symbols only.
 *
 * As built, the module is not yet a livepatch image: the symbols are weak
 * undefined ones (which modpost leaves alone) and the sections ordinary
 * ones.  harness/klp-convert.py then marks the symbols SHN_LIVEPATCH and
 * renames those relocation sections .klp.rela.<object>.<section>, with
 * SHF_ALLOC and SHF_RELA_LIVEPATCH, as klp-convert would.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

extern char *rl_klp_saved_command_line
	__asm__(".klp.sym.vmlinux.saved_command_line,0") __weak;
extern int rl_klp_target_base(void)
	__asm__(".klp.sym.rl_klp_target.rl_klp_target_base,0") __weak;

static noinline notrace __section(".text.rl_klp_vmlinux")
const char *rl_klp_command_line(void)
{
	return rl_klp_saved_command_line;
}

static noinline notrace __section(".text.rl_klp_target")
int rl_klp_base(void)
{
	return rl_klp_target_base();
}

static int rl_klp_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "rl_klp: %s\n", rl_klp_command_line());
	return 0;
}

static int rl_klp_answer(void)
{
	return rl_klp_base() + 1;
}

static struct klp_func rl_klp_vmlinux_funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = rl_klp_cmdline_proc_show,
	}, { }
};

static struct klp_func rl_klp_target_funcs[] = {
	{
		.old_name = "rl_klp_target_answer",
		.new_func = rl_klp_answer,
	}, { }
};

static struct klp_object rl_klp_objs[] = {
	{
		.funcs = rl_klp_vmlinux_funcs,
	}, {
		.name = "rl_klp_target",
		.funcs = rl_klp_target_funcs,
	}, { }
};

static struct klp_patch rl_klp_patch = {
	.mod = THIS_MODULE,
	.objs = rl_klp_objs,
};

static int __init rl_klp_init(void)
{
	return klp_enable_patch(&rl_klp_patch);
}

static void __exit rl_klp_exit(void)
{
}

module_init(rl_klp_init);
module_exit(rl_klp_exit);
MODULE_DESCRIPTION("rloader test module: a livepatch with livepatch relocations");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
