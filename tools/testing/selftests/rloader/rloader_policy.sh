#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Selftests of the load policy rloader shares with init_module(2):
# /proc/sys/kernel/modules_disabled.  Setting it cannot be undone until the
# next boot, so this test runs last.

. "$(dirname "$(readlink -f "$0")")/rloader_lib.sh"

ktap_print_header

require rloader rust_minimal
MIN=$(modpath rust_minimal)

ktap_set_plan 4

load_rloader
cat "$MIN" > "$DEV"
echo 1 > /proc/sys/kernel/modules_disabled

mark_dmesg
expect_err "Operation not permitted" "with modules_disabled set, loading fails with EPERM" \
	sh -c "cat '$(modpath rust_print)' > $DEV"
expect_dmesg "rloader: loading refused by policy \(error -1\)" "the refusal says why"
expect_err "Operation not permitted" "so does insmod" insmod "$(modpath rust_print)"
expect_err "Operation not permitted" "and unloading through rloader" \
	"$DIR/rloaderctl" unload rust_minimal

ktap_finished
