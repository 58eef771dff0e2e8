#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: install what is missing, build both kernels, run the host
# tests and the guest selftests on the normal and the debug kernel.  The last
# line is "N passed, N failed", summed over everything.

set -uo pipefail
build=$1 jobs=${2:-3}
build=$(realpath -m "$build")
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mkdir -p "$build/logs"
pass=0 fail=0
start=$(date +%s)

stage() { # stage NAME CMD...: run it, show its output, count its result
	local name=$1 log=$build/logs/stage-$1.log line p f rc
	shift
	echo "== $name"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	# A stage that tests prints "N passed, N failed" last; a stage that
	# only builds counts as one failure when it fails.
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	p=$(echo "$line" | sed -nE 's/(^|.*[^0-9])([0-9]+) passed.*/\2/p')
	f=$(echo "$line" | sed -nE 's/.* ([0-9]+) failed.*/\1/p')
	p=${p:-0} f=${f:-0}
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	pass=$((pass + p)) fail=$((fail + f))
	return "$rc"
}

stage setup bash harness/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
stage tree bash harness/mktree.sh "$build" || { echo "$pass passed, $((fail)) failed"; exit 1; }
normal_ok=1 debug_ok=1
stage kernel-normal bash harness/kbuild.sh "$build" normal "$jobs" rloader.config || normal_ok=0
stage host bash harness/host-test.sh "$build"
[ $normal_ok = 1 ] && stage guest-normal bash harness/guest.sh "$build" normal test
[ $normal_ok = 1 ] && stage vng-normal bash harness/vng.sh "$build" normal
stage kernel-debug bash harness/kbuild.sh "$build" debug "$jobs" rloader.config rloader-debug.config || debug_ok=0
[ $debug_ok = 1 ] && stage guest-debug bash harness/guest.sh "$build" debug test

echo "== logs: $build/logs (guest consoles: guest-*-test.log)"
echo "== took $(( $(date +%s) - start )) s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
