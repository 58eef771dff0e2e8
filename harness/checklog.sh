#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fail if a guest console log shows a kernel problem.
#
#   harness/checklog.sh LOG
#
# Any Oops, BUG:, WARNING:, KASAN, kmemleak, lockdep, RCU stall or panic
# line fails the log.  A test that provokes a warning on purpose writes
#
#   rloader-selftest: expect-begin <extended regex>
#   rloader-selftest: expect-end
#
# to /dev/kmsg around it.  Between the two markers a bad line is let through
# only if it matches that regex, and the expected line must appear at least
# once.  A matched line lets through the one "Call Trace:" of its own report:
# the next one, within 100 lines and before the report's "---[ end trace"
# line.  Any other Call Trace fails the log.
#
# A test that injects faults (rloader_faults.sh) writes
#
#   rloader-selftest: fault-begin
#   rloader-selftest: fault-end
#
# around the run.  Between the two, the report the kernel prints for a
# failed allocation ("page allocation failure", "vmalloc error", both
# ending in "allocation failure" or "failed to allocate") lets through the
# one Call Trace of its own stack dump within the next 30 lines; every
# other bad line still fails the log, and no such report is required.

set -u
log=${1:?usage: checklog.sh LOG}
[ -r "$log" ] || { echo "checklog: $log: no such log" >&2; exit 1; }

bad='Oops|BUG:|WARNING:|Kernel panic|general protection fault|UBSAN:|unreferenced object|suspected memory leak|possible circular locking|possible recursive locking|INFO: possible|INFO: task .* blocked|rcu: INFO|self-detected stall|Call Trace:|kernel BUG'

tr -d '\r' < "$log" | awk -v bad="$bad" '
	function fail(msg) { print "checklog: " msg; failed++ }
	/rloader-selftest: expect-begin / {
		expect = $0; sub(/.*rloader-selftest: expect-begin /, "", expect)
		inexp = 1; seen = 0; next
	}
	/rloader-selftest: expect-end/ {
		if (inexp && !seen) fail("expected kernel message /" expect "/ did not appear")
		inexp = 0; trace = 0; next
	}
	/rloader-selftest: fault-begin/ { infault = 1; ftrace = 0; next }
	/rloader-selftest: fault-end/ { infault = 0; ftrace = 0; next }
	infault && /(page allocation failure|vmalloc error): / { ftrace = NR + 30 }
	/---\[ end trace / { trace = 0 }
	$0 ~ bad {
		if (inexp && $0 ~ expect) { seen = 1; trace = NR + 100; next }
		if (trace && NR <= trace && $0 ~ /Call Trace:/) { trace = 0; next }
		if (ftrace && NR <= ftrace && $0 ~ /Call Trace:/) { ftrace = 0; next }
		fail("line " NR ": " $0)
	}
	END {
		if (inexp) fail("expect-begin without expect-end")
		if (infault) fail("fault-begin without fault-end")
		exit failed ? 1 : 0
	}'
