#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Concurrency stress of rloader (rloader_stress.c): parallel loads of the
# rl_chain_a <- rl_chain_b <- rl_chain_c chain and unrelated modules
# through both loaders with readers of the listing, same-name races of
# rloader and init_module(2), rmmod racing with a load that binds to the
# module being removed, and rmmod rloader while files are open and loads
# are in flight.  Not in TEST_PROGS: it wants 4 vCPUs and the debug kernel,
# so the guest runs it in its own mode (rlguest=stress, harness/guest.sh
# MODE stress).  RLOADER_STRESS_SECONDS (default 60) is the total duration.

. "$(dirname "$(readlink -f "$0")")/rloader_lib.sh"

require rloader rl_chain_a rl_chain_b rl_chain_c rl_percpu rust_minimal

load_rloader
exec "$DIR/rloader_stress" "${RLOADER_STRESS_SECONDS:-60}" "$(modpath rloader)" \
	"$(modpath rl_chain_a)" "$(modpath rl_chain_b)" "$(modpath rl_chain_c)" \
	"$(modpath rl_percpu)" "$(modpath rust_minimal)"
