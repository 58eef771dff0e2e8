// SPDX-License-Identifier: GPL-2.0
/*
 * rl_big: a module with tens of thousands of relocations.
 *
 * The preprocessor expands RL_BIG_FN() 8192 times into small distinct
 * functions.  Each function reads a shared writable table (one PC-relative
 * relocation into .data), and a table in .rodata holds a pointer to each
 * function and to its name (two absolute 64-bit relocations per entry):
 * more than 24000 relocations in all.
 *
 * rl_big_checksum() calls every function through the table and mixes in
 * its name, so any relocation applied wrongly changes the result.  The init
 * function prints the checksum for a fixed seed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/stringify.h>
#include <linux/types.h>

#include "rl_exports.h"

#define RL_BIG_SALTS	16

/* Filled in by the init function, so the compiler cannot fold its reads. */
static u32 rl_big_salt[RL_BIG_SALTS];

struct rl_big_entry {
	u32 (*fn)(u32 x);
	const char *name;
};

/*
 * Expand M(PREFIX##d) for the sixteen hex digits d; the next two levels
 * nest it, so RL_BIG_L2(M, 0x1) visits 0x1000 ... 0x1fff.
 */
#define RL_BIG_L0(M, p)							\
	M(p##0) M(p##1) M(p##2) M(p##3) M(p##4) M(p##5) M(p##6) M(p##7)	\
	M(p##8) M(p##9) M(p##a) M(p##b) M(p##c) M(p##d) M(p##e) M(p##f)
#define RL_BIG_L1(M, p)							\
	RL_BIG_L0(M, p##0) RL_BIG_L0(M, p##1) RL_BIG_L0(M, p##2)	\
	RL_BIG_L0(M, p##3) RL_BIG_L0(M, p##4) RL_BIG_L0(M, p##5)	\
	RL_BIG_L0(M, p##6) RL_BIG_L0(M, p##7) RL_BIG_L0(M, p##8)	\
	RL_BIG_L0(M, p##9) RL_BIG_L0(M, p##a) RL_BIG_L0(M, p##b)	\
	RL_BIG_L0(M, p##c) RL_BIG_L0(M, p##d) RL_BIG_L0(M, p##e)	\
	RL_BIG_L0(M, p##f)
#define RL_BIG_L2(M, p)							\
	RL_BIG_L1(M, p##0) RL_BIG_L1(M, p##1) RL_BIG_L1(M, p##2)	\
	RL_BIG_L1(M, p##3) RL_BIG_L1(M, p##4) RL_BIG_L1(M, p##5)	\
	RL_BIG_L1(M, p##6) RL_BIG_L1(M, p##7) RL_BIG_L1(M, p##8)	\
	RL_BIG_L1(M, p##9) RL_BIG_L1(M, p##a) RL_BIG_L1(M, p##b)	\
	RL_BIG_L1(M, p##c) RL_BIG_L1(M, p##d) RL_BIG_L1(M, p##e)	\
	RL_BIG_L1(M, p##f)
#define RL_BIG_ALL(M)	RL_BIG_L2(M, 0x0) RL_BIG_L2(M, 0x1)

#define RL_BIG_FN(n)							\
	static u32 rl_big_fn_##n(u32 x)					\
	{								\
		return rol32(x ^ (n##u * 0x9e3779b1u), (n) & 31) +	\
		       rl_big_salt[(n) % RL_BIG_SALTS];			\
	}

#define RL_BIG_ENTRY(n)	{ rl_big_fn_##n, __stringify(n) },

RL_BIG_ALL(RL_BIG_FN)

static const struct rl_big_entry rl_big_table[] = {
	RL_BIG_ALL(RL_BIG_ENTRY)
};

u32 rl_big_checksum(u32 seed)
{
	u32 acc = seed;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rl_big_table); i++) {
		const char *name = rl_big_table[i].name;

		acc = rl_big_table[i].fn(acc) ^ (u32)i;
		while (*name)
			acc = acc * 31 + (u8)*name++;
	}
	return acc;
}
EXPORT_SYMBOL_GPL(rl_big_checksum);

static int __init rl_big_init(void)
{
	unsigned int i;

	for (i = 0; i < RL_BIG_SALTS; i++)
		rl_big_salt[i] = 0x01000193u * (i + 1);
	pr_info("init, %zu functions, checksum(1) = 0x%08x\n",
		ARRAY_SIZE(rl_big_table), rl_big_checksum(1));
	return 0;
}

static void __exit rl_big_exit(void)
{
	pr_info("exit, checksum(2) = 0x%08x\n", rl_big_checksum(2));
}

module_init(rl_big_init);
module_exit(rl_big_exit);

MODULE_DESCRIPTION("Module loader test: tens of thousands of relocations");
MODULE_AUTHOR("rloader developers");
MODULE_LICENSE("GPL");
