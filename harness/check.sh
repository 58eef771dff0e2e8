#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: install what is missing, run the lints (checkpatch on the
# series, rustfmt, clippy), build the two kernels, run the guest selftests,
# a bounded guest fuzzing run and a short concurrency stress on the debug
# kernel, then the host tests, the distro selftests, the selftests under
# virtme-ng, a one-round make bench and the differential test on the
# distribution-like kernel.  The last line is "N passed, N failed", summed
# over everything.  Guests run two at a time (each TCG guest keeps one
# host thread busy, and the machine has two).

set -uo pipefail
build=$1 jobs=${2:-3}
build=$(realpath -m "$build")
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mkdir -p "$build/logs"
pass=0 fail=0 failures=()
start=$(date +%s)

count() { # count NAME TESTS RC: add the result of stage NAME (its log) to the sums
	local name=$1 tests=$2 rc=$3 log=$build/logs/stage-$1.log line p f
	# A stage that tests prints "N passed, N failed" last (one that
	# does not has not run its tests: one failure); a stage that only
	# builds counts as one failure when it fails.
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	if [ "$tests" = 1 ] && [ -z "$line" ]; then
		echo "check: $name: no \"N passed, N failed\" line: its tests did not run"
		line="0 passed, 1 failed"
	fi
	p=$(echo "$line" | sed -nE 's/(^|.*[^0-9])([0-9]+) passed.*/\2/p')
	f=$(echo "$line" | sed -nE 's/.* ([0-9]+) failed.*/\1/p')
	p=${p:-0} f=${f:-0}
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	pass=$((pass + p)) fail=$((fail + f))
	# Remembered for the summary at the end, with the first lines that
	# name what failed: CI keeps only the tail of the output.
	[ "$f" = 0 ] && return
	failures+=("$name: $f failed")
	while IFS= read -r l; do failures+=("  $l"); done < <(
		grep -aE 'not ok|FAIL|(^|[^0-9])[1-9][0-9]* failed|^check: |^error' "$log" | head -10)
}

stage() { # stage NAME [--tests] CMD...: run it, show its output, count its result
	local name=$1 log=$build/logs/stage-$1.log tests=0 t0=$SECONDS rc
	shift
	[ "$1" = --tests ] && { tests=1; shift; }
	echo "== $name"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	echo "== $name: $((SECONDS - t0)) s"
	count "$name" $tests "$rc"
	return "$rc"
}

# Stages that can overlap: a TCG guest keeps one host thread busy, and the
# machine has two.  Each runs in the background with its output in its log,
# shown when it is joined.
declare -A bg_pid bg_tests bg_t0
start() { # start NAME [--tests] CMD...: begin stage NAME in the background
	local name=$1 log=$build/logs/stage-$1.log
	shift
	bg_tests[$name]=0 bg_t0[$name]=$SECONDS
	[ "$1" = --tests ] && { bg_tests[$name]=1; shift; }
	echo "== $name: started"
	"$@" > "$log" 2>&1 &
	bg_pid[$name]=$!
}

join() { # join NAME: wait for background stage NAME, show and count it
	local name=$1 rc
	wait "${bg_pid[$name]}"
	rc=$?
	echo "== $name"
	cat "$build/logs/stage-$name.log"
	echo "== $name: done $((SECONDS - ${bg_t0[$name]})) s after it started"
	count "$name" "${bg_tests[$name]}" "$rc"
	return "$rc"
}

not_run() { # not_run NAME: stage NAME could not run (its kernel did not build): one failure
	echo "== $1: not run, its kernel did not build"
	fail=$((fail + 1))
	failures+=("$1: not run, its kernel did not build")
}

need() { # need OK NAME ARGS...: run stage NAME only if OK; a test stage that cannot run fails
	local ok=$1; shift
	if [ "$ok" = 1 ]; then stage "$@"; return; fi
	not_run "$1"
}

programs_but() { # programs_but P...: the selftest programs but these, comma-separated
	sed -n '/^TEST_PROGS :=/,/[^\\]$/p' tools/testing/selftests/rloader/Makefile |
		sed 's/^TEST_PROGS :=//; s/\\$//' | tr ' \t' '\n\n' | grep . | grep -vxF "$(printf '%s\n' "$@")" |
		paste -sd,
}

stage setup bash harness/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
stage tree bash harness/mktree.sh "$build" || { echo "$pass passed, $((fail)) failed"; exit 1; }
debug_ok=1 distro_ok=1
# checkpatch (one thread of perl, a minute) beside the first kernel build.
start lint-checkpatch --tests bash harness/lint.sh "$build" checkpatch
stage lint-rustfmt --tests bash harness/lint.sh "$build" rustfmt
# The small test kernel, with the memory, leak and locking checkers: every
# selftest program runs there.
stage kernel-debug bash harness/kbuild.sh "$build" debug "$jobs" rloader.config rloader-debug.config || debug_ok=0
join lint-checkpatch
# The debug selftests in two guests side by side: fault injection (the
# longest program), then the bounded fuzzing run and the stress in one,
# the other programs in the other.
if [ $debug_ok = 1 ]; then
	start guest-debug --tests env RLOADER_GUEST_TESTS="$(programs_but rloader_faults.sh)" \
		bash harness/guest.sh "$build" debug test
fi
need $debug_ok guest-debug-faults --tests env RLOADER_GUEST_DIR="$build/guest/debug-faults" \
	RLOADER_GUEST_TESTS=rloader_faults.sh bash harness/guest.sh "$build" debug test
# A bounded run of the guest fuzzer (make fuzz-guest for long ones): about
# 10 images/s plus a minute per boot under TCG, and a boot more for each
# crash, at most RLOADER_CHECK_FUZZ_BOOTS of them.
RLOADER_FUZZ_MAX_BOOTS=${RLOADER_CHECK_FUZZ_BOOTS:-4} RLOADER_GUEST_DIR=$build/guest/debug-fuzz \
	need $debug_ok fuzz-debug --tests bash harness/fuzz-guest.sh "$build" debug \
	"${RLOADER_CHECK_FUZZ_IMAGES:-500}"
# Concurrency stress, bounded (RLOADER_STRESS_CHECK_SECONDS, 40), with 4
# vCPUs on the debug kernel (KASAN, lockdep, kmemleak); make stress runs
# it longer.
need $debug_ok guest-stress-debug --tests env RLOADER_GUEST_CPUS=4 RLOADER_GUEST_DIR="$build/guest/debug-stress" \
	RLOADER_STRESS_SECONDS="${RLOADER_STRESS_CHECK_SECONDS:-40}" bash harness/guest.sh "$build" debug stress
if [ $debug_ok = 1 ]; then
	join guest-debug
else
	not_run guest-debug
fi
# The distribution-like kernel (signed, compressed modules, livepatch, ...).
stage kernel-distro bash harness/kbuild.sh "$build" distro "$jobs" rloader.config rloader-distro.config ||
	distro_ok=0
# Booted with module.sig_enforce=1: rloader_distro.sh compares rloader with
# finit_module(2) on every module the kernel builds, with its dependencies;
# beside it, under virtme-ng, the tests of the device, loading, the
# samples, policy and rloaderctl (the malformed-image and fault-injection
# programs run in the debug guests above); and the host tests, with the
# modules of both kernels as fixtures (mostly one thread: its fuzzing run).
start host --tests bash harness/host-test.sh "$build"
if [ $distro_ok = 1 ]; then
	start guest-distro --tests bash harness/guest.sh "$build" distro distro
fi
need $distro_ok vng-distro --tests env \
	RLOADER_VNG_TESTS=rloader_device.sh,rloader_load.sh,rloader_samples.sh,rloader_ctl.sh,rloader_policy.sh \
	bash harness/vng.sh "$build" distro
if [ $distro_ok = 1 ]; then
	join guest-distro
else
	not_run guest-distro
fi
join host
# make bench with one round, so that it keeps working (its numbers are
# not judged here: timing belongs to make bench on an idle machine),
# beside the boot without module.sig_enforce=1 (rloader_unenforced.sh on
# the signed, unsigned and tampered images) and a boot for fault
# injection; then the comparison in separate boots, every module through
# one loader in each, two guests side by side (differential.sh).
if [ $distro_ok = 1 ]; then
	start bench env RLOADER_BENCH_ROUNDS=1 RLOADER_GUEST_DIR="$build/guest/distro-bench" \
		bash harness/bench.sh "$build"
fi
need $distro_ok guest-unenforced --tests env RLOADER_GUEST_REUSE=1 \
	bash harness/guest.sh "$build" distro unenforced
# Every fault-injection loop of rloader_faults.sh (the debug kernel runs a
# subset), on signed modules with their signatures enforced.
need $distro_ok guest-distro-faults --tests env RLOADER_GUEST_DIR="$build/guest/distro-faults" \
	RLOADER_GUEST_TESTS=rloader_faults.sh bash harness/guest.sh "$build" distro test
if [ $distro_ok = 1 ]; then
	join bench
else
	not_run bench
fi
need $distro_ok differential --tests bash harness/differential.sh "$build"
need $distro_ok lint-clippy --tests bash harness/lint.sh "$build" clippy "$jobs" distro

echo "== logs: $build/logs (guest consoles: guest-*-test.log; the fault-injection, fuzzing and stress guests': $build/guest/debug-{faults,fuzz,stress})"
echo "== took $(( $(date +%s) - start )) s"
if [ ${#failures[@]} != 0 ]; then
	echo "== failures (stage: count, then the lines that name them):"
	printf '%s\n' "${failures[@]}"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
