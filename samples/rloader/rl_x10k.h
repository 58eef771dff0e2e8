/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The functions rl_export_10k exports and rl_imports_2k imports:
 * rl_x10k_0() ... rl_x10k_9999(), one for each line RL_EXPORT(n); of the
 * generated rl_export_10k_list.h.
 */
#ifndef _SAMPLES_RLOADER_RL_X10K_H
#define _SAMPLES_RLOADER_RL_X10K_H

#include <linux/types.h>

#define RL_EXPORT(n)	u32 rl_x10k_##n(u32 x)
#include "rl_export_10k_list.h"
#undef RL_EXPORT

#endif /* _SAMPLES_RLOADER_RL_X10K_H */
