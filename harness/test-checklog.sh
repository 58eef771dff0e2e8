#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of harness/checklog.sh and harness/ksft-count.sh on synthetic
# console logs and kselftest output: they must pass clean logs, expected
# warnings and complete runs, and catch everything else.
# Prints KTAP-style lines and a summary "checklog: N passed, M failed".

set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

run() { # run TOOL NAME WANT(0|1) LINES...
	local tool=$1 name=$2 want=$3; shift 3
	printf '%s\n' "$@" > "$tmp/log"
	"$here/$tool.sh" "$tmp/log" test > "$tmp/out" 2>&1
	local got=$?
	[ $got -ne 0 ] && got=1
	if [ "$got" = "$want" ]; then
		echo "ok - $tool: $name"; pass=$((pass + 1))
	else
		echo "not ok - $tool: $name (exit $got, wanted $want)"; cat "$tmp/out"; fail=$((fail + 1))
	fi
}
t() { run checklog "$@"; }
k() { run ksft-count "$@"; }

t "clean log passes" 0 "[    0.1] Linux version 6.12" "[    1.0] rloader: received 10 bytes" \
	"[    0.2] kasan: KernelAddressSanitizer initialized" "[    0.3] kmemleak: Kernel memory leak detector initialized (mempool available: 16000)"
t "Oops fails" 1 "[    1.0] Oops: general protection fault, probably for non-canonical address"
t "BUG fails" 1 "[    1.0] BUG: kernel NULL pointer dereference, address: 0000000000000000"
t "KASAN fails" 1 "[    1.0] BUG: KASAN: slab-out-of-bounds in foo+0x1/0x2"
t "WARNING fails" 1 "[    1.0] WARNING: CPU: 0 PID: 1 at lib/foo.c:1 foo+0x1/0x2"
t "kmemleak report fails" 1 "unreferenced object 0xffff888003a1b000 (size 64):"
t "lockdep fails" 1 "[    1.0] WARNING: possible circular locking dependency detected"
t "panic fails" 1 "[    1.0] Kernel panic - not syncing: Attempted to kill init!"
t "CRLF line endings still caught" 1 $'[    1.0] BUG: unable to handle page fault\r'
t "expected warning passes" 0 "rloader-selftest: expect-begin WARNING: .* rloader_warn" \
	"[    1.0] WARNING: CPU: 0 PID: 9 at samples/x.c:3 rloader_warn+0x1/0x2" "[    1.0] Call Trace:" \
	"rloader-selftest: expect-end"
t "other warning inside expect block fails" 1 "rloader-selftest: expect-begin WARNING: .* rloader_warn" \
	"[    1.0] WARNING: CPU: 0 PID: 9 at mm/slub.c:3 kfree+0x1/0x2" "rloader-selftest: expect-end"
t "expected warning that never came fails" 1 "rloader-selftest: expect-begin WARNING: .* rloader_warn" \
	"rloader-selftest: expect-end"
t "warning after expect block fails" 1 "rloader-selftest: expect-begin WARNING: .* rloader_warn" \
	"[    1.0] WARNING: CPU: 0 PID: 9 at samples/x.c:3 rloader_warn+0x1/0x2" "rloader-selftest: expect-end" \
	"[    2.0] WARNING: CPU: 0 PID: 9 at samples/x.c:3 rloader_warn+0x1/0x2"
t "unterminated expect block fails" 1 "rloader-selftest: expect-begin WARNING: x"

# Only the Call Trace of the expected report itself is let through.
warn="[    1.0] WARNING: CPU: 0 PID: 9 at samples/x.c:3 rloader_warn+0x1/0x2"
t "expected warning with its whole report passes" 0 "rloader-selftest: expect-begin WARNING: .* rloader_warn" \
	"[    1.0] ------------[ cut here ]------------" "$warn" "[    1.0] Modules linked in: rl_warn" \
	"[    1.0] RIP: 0010:rloader_warn+0x1/0x2" "[    1.0] Call Trace:" "[    1.0]  <TASK>" \
	"[    1.0]  </TASK>" "[    1.0] ---[ end trace 0000000000000000 ]---" "rloader-selftest: expect-end"
t "second Call Trace after the expected report fails" 1 "rloader-selftest: expect-begin WARNING: .* rloader_warn" \
	"$warn" "[    1.0] Call Trace:" "[    1.0] ---[ end trace 0000000000000000 ]---" \
	"[    1.5] Call Trace:" "rloader-selftest: expect-end"
t "two Call Traces in one expected report fail" 1 "rloader-selftest: expect-begin WARNING: .* rloader_warn" \
	"$warn" "[    1.0] Call Trace:" "[    1.0] Call Trace:" "rloader-selftest: expect-end"
t "Call Trace long after the expected line fails" 1 "rloader-selftest: expect-begin WARNING: .* rloader_warn" \
	"$warn" $(seq -f '[    1.0] filler %g' 1 120) "[    1.0] Call Trace:" "rloader-selftest: expect-end"
t "Call Trace before the expected line fails" 1 "rloader-selftest: expect-begin WARNING: .* rloader_warn" \
	"[    1.0] Call Trace:" "$warn" "rloader-selftest: expect-end"
t "each expected report lets its own Call Trace through" 0 "rloader-selftest: expect-begin WARNING: .* rloader_warn" \
	"$warn" "[    1.0] Call Trace:" "[    1.0] ---[ end trace 0000000000000000 ]---" \
	"$warn" "[    2.0] Call Trace:" "[    2.0] ---[ end trace 0000000000000000 ]---" "rloader-selftest: expect-end"
t "Call Trace after expect-end fails" 1 "rloader-selftest: expect-begin WARNING: .* rloader_warn" \
	"$warn" "rloader-selftest: expect-end" "[    1.0] Call Trace:"

# Injected faults: an allocation failure report and its own stack dump pass
# between fault-begin and fault-end, nothing else does.
pfail="[    3.0] cat: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), nodemask=(null)"
vfail="[    3.0] cat: vmalloc error: size 8192, page order 0, failed to allocate pages, mode:0xdc0(GFP_KERNEL|__GFP_ZERO), nodemask=(null)"
t "page allocation failure report inside fault block passes" 0 "rloader-selftest: fault-begin" \
	"$pfail" "[    3.0] CPU: 1 UID: 0 PID: 70 Comm: cat" "[    3.0] Call Trace:" "[    3.0]  <TASK>" \
	"[    3.0]  </TASK>" "[    3.0] Mem-Info:" "rloader-selftest: fault-end"
t "vmalloc error reports inside fault block pass" 0 "rloader-selftest: fault-begin" \
	"$vfail" "[    3.0] Call Trace:" "$vfail" "[    3.1] Call Trace:" "rloader-selftest: fault-end"
t "fault block without any report passes" 0 "rloader-selftest: fault-begin" \
	"[    3.0] FAULT_INJECTION: forcing a failure." "rloader-selftest: fault-end"
t "allocation failure report outside fault block fails" 1 "$pfail" "[    3.0] Call Trace:"
t "Call Trace without a report inside fault block fails" 1 "rloader-selftest: fault-begin" \
	"[    3.0] Call Trace:" "rloader-selftest: fault-end"
t "second Call Trace after one report fails" 1 "rloader-selftest: fault-begin" \
	"$pfail" "[    3.0] Call Trace:" "[    3.0] Call Trace:" "rloader-selftest: fault-end"
t "Call Trace long after the report fails" 1 "rloader-selftest: fault-begin" \
	"$pfail" $(seq -f '[    3.0] filler %g' 1 40) "[    3.0] Call Trace:" "rloader-selftest: fault-end"
t "WARNING inside fault block fails" 1 "rloader-selftest: fault-begin" \
	"$pfail" "[    3.0] WARNING: CPU: 0 PID: 9 at mm/slub.c:3 kfree+0x1/0x2" "[    3.0] Call Trace:" \
	"rloader-selftest: fault-end"
t "kmemleak report inside fault block fails" 1 "rloader-selftest: fault-begin" \
	"unreferenced object 0xffff888003a1b000 (size 64):" "rloader-selftest: fault-end"
t "unterminated fault block fails" 1 "rloader-selftest: fault-begin" "$pfail" "[    3.0] Call Trace:"

# kselftest runner output: what counts as a failure.
k "complete run passes" 0 "TAP version 13" "1..2" "# selftests: rloader: a.sh" "# TAP version 13" "# 1..2" \
	"# ok 1 one" "# ok 2 two" "ok 1 selftests: rloader: a.sh" "# selftests: rloader: b.sh" "# ok 1 three" \
	"ok 2 selftests: rloader: b.sh"
k "failed subtest fails" 1 "1..1" "# ok 1 one" "# not ok 2 two" "not ok 1 selftests: rloader: a.sh # exit=1"
k "run with zero subtests fails" 1 "TAP version 13" "1..0"
k "empty log fails" 1 "rloader-guest: kselftest begin" "rloader-guest: kselftest end"
k "top-level not ok without a failed subtest fails" 1 "1..1" "# ok 1 one" \
	"not ok 1 selftests: rloader: a.sh # TIMEOUT 45 seconds"
k "top-level skip fails" 1 "1..2" "# ok 1 one" "ok 1 selftests: rloader: a.sh" \
	"# 1..0 # SKIP must be run as root" "ok 2 selftests: rloader: b.sh # SKIP"
k "skipped subtest fails" 1 "1..1" "# ok 1 one" "# ok 2 two # SKIP no module" "ok 1 selftests: rloader: a.sh"
k "program with no subtests fails" 1 "1..2" "# ok 1 one" "ok 1 selftests: rloader: a.sh" \
	"ok 2 selftests: rloader: b.sh"
k "program short of its plan fails" 1 "1..1" "# 1..3" "# ok 1 one" "# ok 2 two" "ok 1 selftests: rloader: a.sh"
k "missing program results fail" 1 "1..3" "# ok 1 one" "ok 1 selftests: rloader: a.sh"
k "program that never finished fails" 1 "1..2" "# ok 1 one" "ok 1 selftests: rloader: a.sh" "# ok 1 two"
k "run without a plan fails" 1 "# ok 1 one" "ok 1 selftests: rloader: a.sh"

# A kernel line that cut a subtest line in two on a shared console
# (virtme-ng): deinterleave.awk joins the subtest line again.
printf '%s\n' "1..1" "# selftests: rloader: a.sh" "# 1..2" "# ok 1 one" \
	"# o[  115.9] rl_warn: deliberate warning" "[  116.0] WARNING: CPU: 0 PID: 1 at x.c:1" \
	"k 2 two" "ok 1 selftests: rloader: a.sh" | awk -f "$here/deinterleave.awk" > "$tmp/joined"
if "$here/ksft-count.sh" "$tmp/joined" test > "$tmp/out" 2>&1 &&
	grep -qx '# ok 2 two' "$tmp/joined" && grep -qx '\[  115.9\] rl_warn: deliberate warning' "$tmp/joined"; then
	echo "ok - deinterleave: a subtest line cut by kernel lines is joined"; pass=$((pass + 1))
else
	echo "not ok - deinterleave: a subtest line cut by kernel lines is joined"; cat "$tmp/joined" "$tmp/out"
	fail=$((fail + 1))
fi

echo "checklog: $pass passed, $fail failed"
[ $fail = 0 ]
