#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of harness/checklog.sh on synthetic console logs: it must pass
# clean logs and expected warnings, and catch everything else.
# Prints KTAP-style lines and a summary "checklog: N passed, M failed".

set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

t() { # t NAME WANT(0|1) LINES...
	local name=$1 want=$2; shift 2
	printf '%s\n' "$@" > "$tmp/log"
	"$here/checklog.sh" "$tmp/log" > "$tmp/out" 2>&1
	local got=$?
	[ $got -ne 0 ] && got=1
	if [ "$got" = "$want" ]; then
		echo "ok - checklog: $name"; pass=$((pass + 1))
	else
		echo "not ok - checklog: $name (exit $got, wanted $want)"; cat "$tmp/out"; fail=$((fail + 1))
	fi
}

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

echo "checklog: $pass passed, $fail failed"
[ $fail = 0 ]
