#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fault injection: for N = 1, 2, ... the N-th fault-injectable call (slab
# and page allocations, failslab and fail_page_alloc) of a load through
# /dev/rloader fails, until the load gets through without reaching an N-th
# call (rloader_faults.c does the loop and the checks).  For a module with
# exports (rl_chain_a), one bound to them (rl_chain_b), parameters
# (rl_params), per-CPU data (rl_percpu), a failing init (rl_init_fail) and
# a Rust module (rl_rust_hello); then for unloads and for open(), close()
# and read() of the device.  Every failed N must return an errno and leave
# /proc/modules, /sys/module and the listing as they were.  Last, on a
# kernel with kmemleak, a scan must find nothing.
#
# The kernel logs an "allocation failure" report with a stack trace for
# some of the injected page and vmalloc failures; the markers fault-begin
# and fault-end tell harness/checklog.sh to accept exactly those.

. "$(dirname "$(readlink -f "$0")")/rloader_lib.sh"

ktap_print_header

require rloader rl_chain_a rl_chain_b rl_params rl_percpu rl_init_fail rl_rust_hello

FAULTS="$DIR/rloader_faults"
DBG=/sys/kernel/debug
KMEMLEAK=$DBG/kmemleak
kmsg() { echo "<4>rloader-selftest: $*" > /dev/kmsg; }
loaded() { grep -q "^$1 " /proc/modules; }

# Under KASAN and kmemleak (the debug kernel) a fault-injected load takes
# a large fraction of a second and kmemleak's own allocations double the
# fault points: there the loops cover one load of each kind the issue
# names (per-CPU data, a failing init, Rust), one unload and the device,
# and a kernel without kmemleak covers every module.  RLOADER_FAULTS_ALL=1
# runs everything on any kernel.
all=1
[ -w $KMEMLEAK ] && [ -z "${RLOADER_FAULTS_ALL:-}" ] && all=0
nr=13
[ $all = 0 ] && nr=9
[ -w $KMEMLEAK ] && nr=$((nr + 1))
ktap_set_plan $nr

load_rloader
grep -q " $DBG debugfs " /proc/mounts || mount -t debugfs none $DBG

# failslab and fail_page_alloc: no random faults (probability 0), only
# fail-nth; sleeping, highmem and order-0 allocations count too; a one-line
# notice per injected fault, no stack dump.
setup_attr() {
	d=$DBG/$1
	[ -d "$d" ] || return 1
	echo 0 > "$d/probability" && echo 1 > "$d/interval" && echo -1 > "$d/times" &&
		echo 1 > "$d/verbose" && echo N > "$d/ignore-gfp-wait" || return 1
	[ -e "$d/ignore-gfp-highmem" ] && { echo N > "$d/ignore-gfp-highmem" || return 1; }
	[ -e "$d/min-order" ] && { echo 0 > "$d/min-order" || return 1; }
	return 0
}
setup() {
	[ -w /proc/self/fail-nth ] ||
		{ ktap_print_msg "no fail-nth (CONFIG_FAULT_INJECTION)"; return 1; }
	setup_attr failslab || { ktap_print_msg "no $DBG/failslab"; return 1; }
	setup_attr fail_page_alloc || { ktap_print_msg "no $DBG/fail_page_alloc"; return 1; }
}
ktap_test_result "failslab and fail_page_alloc set up for fail-nth" setup

# The leaks kmemleak already knows of belong to earlier tests: remember
# them (without clearing them: the guest's final scan still reports them).
if [ -w $KMEMLEAK ]; then
	echo scan > $KMEMLEAK
	grep '^unreferenced object' $KMEMLEAK > "$TMP/leaks.before"
fi

faults() { # faults DESCRIPTION ARGS...: run one loop, show its summary
	desc=$1
	shift
	if "$FAULTS" "$@" 2> "$TMP/faults.err"; then
		ktap_test_pass "$desc"
	else
		sed 's/^/# /' "$TMP/faults.err"
		ktap_test_fail "$desc"
	fi
}

kmsg "fault-begin"
if [ $all = 1 ]; then
	faults "every fault of the load of rl_chain_a (exports) is clean" \
		load rl_chain_a "$(modpath rl_chain_a)"
	cat "$(modpath rl_chain_a)" > $DEV
	faults "every fault of the load of rl_chain_b (binds to rl_chain_a) is clean" \
		load rl_chain_b "$(modpath rl_chain_b)"
	faults "every fault of the unload of rl_chain_b is clean" \
		unload rl_chain_b "$(modpath rl_chain_b)"
	rmmod rl_chain_a
	faults "every fault of the load of rl_params (with parameters) is clean" \
		load rl_params "$(modpath rl_params)" "count=3 who=faults values=1,2,3"
fi
faults "every fault of the load of rl_percpu (per-CPU data) is clean" \
	load rl_percpu "$(modpath rl_percpu)"
faults "every fault of the load of rl_init_fail (init fails) is clean" \
	initfail rl_init_fail "$(modpath rl_init_fail)" 19
faults "every fault of the load of rl_rust_hello (Rust) is clean" \
	load rl_rust_hello "$(modpath rl_rust_hello)"
faults "every fault of the unload of rl_percpu is clean" \
	unload rl_percpu "$(modpath rl_percpu)"
faults "every fault of open() of $DEV is clean" open
faults "every fault of close() of $DEV is clean" close
faults "every fault of read() of $DEV is clean" read
kmsg "fault-end"

after() {
	for m in rl_chain_a rl_chain_b rl_params rl_percpu rl_init_fail rl_rust_hello; do
		loaded $m && { ktap_print_msg "$m still loaded"; return 1; }
	done
	cat "$(modpath rl_chain_a)" > $DEV && cat "$(modpath rl_chain_b)" > $DEV &&
		rmmod rl_chain_b && rmmod rl_chain_a && unload_rloader && load_rloader
}
ktap_test_result "afterwards the modules and rloader itself load and unload" after

if [ -w $KMEMLEAK ]; then
	leaks() {
		# kmemleak reports objects older than 5 s; scan twice to settle.
		sleep 6
		echo scan > $KMEMLEAK && echo scan > $KMEMLEAK ||
			{ ktap_print_msg "kmemleak scan failed (disabled?)"; return 1; }
		grep '^unreferenced object' $KMEMLEAK |
			awk -v old="$TMP/leaks.before" '
				BEGIN { while ((getline l < old) > 0) seen[l] = 1 }
				!seen[$0]' > "$TMP/leaks"
		[ ! -s "$TMP/leaks" ] && return 0
		ktap_print_msg "new kmemleak reports (full reports: $KMEMLEAK):"
		sed 's/^/# /' "$TMP/leaks"
		return 1
	}
	ktap_test_result "kmemleak finds no leak" leaks
fi

ktap_finished
