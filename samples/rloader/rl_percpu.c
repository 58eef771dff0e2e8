// SPDX-License-Identifier: GPL-2.0
/*
 * rl_percpu: per-CPU variables defined in a module.
 *
 * The loader must give the module's .data..percpu section a per-CPU area
 * of its own and copy the initial values into the copy of every possible
 * CPU.  The init function checks those initial values on each CPU, writes
 * each copy through per_cpu_ptr() and updates the local copy with
 * this_cpu_*() operations, which address it relative to the per-CPU base
 * (%gs on x86_64).  The line it prints does not depend on the number of
 * CPUs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cache.h>
#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/types.h>

struct rl_percpu_stat {
	u64 events;
	u32 tag;
} ____cacheline_aligned;

static DEFINE_PER_CPU(u64, rl_percpu_counter) = 40;
static DEFINE_PER_CPU(struct rl_percpu_stat, rl_percpu_stat) = {
	.tag = 0x726c,
};

static int __init rl_percpu_init(void)
{
	unsigned int bad = 0;
	u64 local, total;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct rl_percpu_stat *stat = per_cpu_ptr(&rl_percpu_stat, cpu);

		if (per_cpu(rl_percpu_counter, cpu) != 40 || stat->tag != 0x726c)
			bad++;
		stat->events = 7;
	}

	preempt_disable();
	this_cpu_add(rl_percpu_counter, 2);
	this_cpu_inc(rl_percpu_stat.events);
	local = this_cpu_read(rl_percpu_counter) +
		this_cpu_read(rl_percpu_stat.events);
	preempt_enable();

	/* One CPU has 42 and 8, every other one 40 and 7. */
	total = 0;
	for_each_possible_cpu(cpu)
		total += per_cpu(rl_percpu_counter, cpu) - 40 +
			 per_cpu_ptr(&rl_percpu_stat, cpu)->events - 7;

	if (bad) {
		pr_err("init, %u CPUs have wrong initial values\n", bad);
		return -EINVAL;
	}
	pr_info("init, local %llu, total increment %llu, alignment %zu\n",
		local, total, __alignof__(struct rl_percpu_stat));
	return 0;
}

static void __exit rl_percpu_exit(void)
{
	u64 total = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		total += per_cpu(rl_percpu_counter, cpu) - 40;
	pr_info("exit, counter increment %llu\n", total);
}

module_init(rl_percpu_init);
module_exit(rl_percpu_exit);

MODULE_DESCRIPTION("Module loader test: per-CPU variables");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
