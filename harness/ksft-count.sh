#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Count the results of a kselftest run (run_kselftest.sh output, KTAP).
#
#   harness/ksft-count.sh LOG PREFIX
#
# Prints every result line (prefixed with PREFIX), every reason for a
# failure, and last "N passed, N failed".  Exits 1 if anything failed.
#
# The runner prints one top-level line per test program ("ok 1 selftests:
# rloader: x.sh", "not ok 2 ... # TIMEOUT 45 seconds") after the program's
# own subtest lines, nested one level ("# ok 3 name").  Every subtest is one
# test; every program is one more test.  A test that could not run counts
# as a failure, never as a silence:
#
#   - a subtest "# ok N ... # SKIP" fails,
#   - a program whose top-level line is "not ok" or "ok ... # SKIP" fails,
#   - a program that ran no subtests, or fewer than its plan "# 1..N", fails,
#   - subtests after the last top-level line (a program that never ended),
#     top-level results missing from the runner's plan "1..N", or no plan
#     at all fail,
#   - a log with no subtest at all fails.

log=${1:?usage: ksft-count.sh LOG PREFIX} prefix=${2:-ksft}
[ -r "$log" ] || { echo "$prefix: $log: no such log"; echo "0 passed, 1 failed"; exit 1; }

tr -d '\r' < "$log" | awk -v prefix="$prefix" '
	function bad(msg) { print prefix ": FAIL: " msg; fail++ }
	function num(s) { sub(/^(# )?(not )?ok /, "", s); sub(/[^0-9].*/, "", s); return s + 0 }
	/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
	/^# 1\.\.[0-9]+/ { subplan = substr($2, 4) + 0; next }
	/^# (not )?ok [0-9]+/ {
		print "  " prefix ": " substr($0, 3)
		nsub++; total++
		if ($0 ~ /^# not ok/) fail++
		else if ($0 ~ /# [Ss][Kk][Ii][Pp]/) bad("skipped: " substr($0, 3))
		else pass++
		next
	}
	/^(not )?ok [0-9]+/ {
		print "  " prefix ": " $0
		nprog++
		if ($0 ~ /^not ok/) bad("test program failed: " $0)
		else if ($0 ~ /# [Ss][Kk][Ii][Pp]/) bad("test program skipped: " $0)
		else if (nsub == 0) bad("test program ran no subtests: " $0)
		else if (subplan && nsub < subplan) bad("test program ran " nsub " of " subplan " subtests: " $0)
		else pass++
		nsub = 0; subplan = 0
		next
	}
	END {
		if (nsub) bad(nsub " subtests after the last test program result (it never finished)")
		if (plan == "") bad("no test plan: the kselftest runner did not run")
		else if (nprog < plan) { print prefix ": FAIL: " plan - nprog " of " plan " test programs have no result"; fail += plan - nprog }
		if (!total) bad("no subtest ran")
		printf "%d passed, %d failed\n", pass, fail
		exit fail ? 1 : 0
	}'
