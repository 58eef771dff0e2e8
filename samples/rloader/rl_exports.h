/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Symbols that the rloader sample modules export to each other.
 *
 * A provider includes this header so that its definitions are checked
 * against the declarations its users see.
 */
#ifndef _SAMPLES_RLOADER_RL_EXPORTS_H
#define _SAMPLES_RLOADER_RL_EXPORTS_H

#include <linux/types.h>

/* rl_chain_a: EXPORT_SYMBOL */
extern int rl_a_base;
int rl_a_add(int x);

/* rl_chain_b: EXPORT_SYMBOL */
int rl_b_twice(int x);

/* rl_gpl_provider: EXPORT_SYMBOL_GPL */
int rl_gpl_only(int x);

/* rl_ns_provider: EXPORT_SYMBOL_NS_GPL in the RLOADER_TEST namespace */
int rl_ns_fn(int x);

/* rl_big: EXPORT_SYMBOL_GPL */
u32 rl_big_checksum(u32 seed);

#endif /* _SAMPLES_RLOADER_RL_EXPORTS_H */
