#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side tests: the harness's own log checker, the ELF engine's cargo
# tests (with the real .ko files of the kernels built so far as fixtures)
# and a bounded fuzz run.  Ends with "host: N passed, N failed".
#
#   harness/host-test.sh BUILD_DIR [FUZZ_SECONDS]

set -uo pipefail
build=$1
build=$(realpath -m "$build")
fuzz_secs=${2:-${RLOADER_FUZZ_SECONDS:-60}}
top=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"
mkdir -p "$build/logs"
pass=0 fail=0

count() { # count NAME LOG RC: add the cargo/ktap results found in LOG
	local name=$1 log=$2 rc=$3 p f
	p=$(grep -E '^test result: ' "$log" | sed -E 's/.* ([0-9]+) passed.*/\1/' | paste -sd+ | bc)
	f=$(grep -E '^test result: ' "$log" | sed -E 's/.* ([0-9]+) failed.*/\1/' | paste -sd+ | bc)
	p=${p:-0} f=${f:-0}
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	echo "host: $name: $p passed, $f failed (log: $log)"
	pass=$((pass + p)) fail=$((fail + f))
}

# 1. The console-log checker used by every guest run.
if bash "$top/harness/test-checklog.sh" > "$build/logs/checklog-selftest.log" 2>&1; then rc=0; else rc=$?; fi
p=$(grep -c '^ok ' "$build/logs/checklog-selftest.log") f=$(grep -c '^not ok ' "$build/logs/checklog-selftest.log")
[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
echo "host: checklog: $p passed, $f failed"
pass=$((pass + p)) fail=$((fail + f))

# 2. Fixtures: every .ko of the kernels built (the debug and the distro
# kernel in make check), each kernel's in a directory of its own (the
# modules of one kernel agree on sizeof(struct module)).
fix=$build/fixtures
rm -rf "$fix"; mkdir -p "$fix"
for out in "$build"/out/*/; do
	flavour=$(basename "$out")
	mkdir -p "$fix/$flavour"
	find "$out" -name '*.ko' -exec cp -t "$fix/$flavour" {} + || exit 1
done
nfix=$(find "$fix" -name '*.ko' | wc -l)
echo "host: $nfix fixture modules from $(cd "$build/out" 2>/dev/null && echo */ | tr -d /)"
export RLOADER_FIXTURES=$fix

# 3. The engine's tests (unit, property, rejection, fixtures, ld oracle).
crate=$top/tools/rloader
if [ -f "$crate/Cargo.toml" ]; then
	log=$build/logs/cargo-test.log
	(cd "$crate" && CARGO_TARGET_DIR=$build/cargo cargo test --release --all-targets 2>&1) > "$log"
	count "cargo test" "$log" $?

	# 4. Bounded fuzzing, seeded with the fixtures.
	if [ -x "$crate/fuzz/run.sh" ]; then
		log=$build/logs/fuzz.log
		if (cd "$crate" && ./fuzz/run.sh "$fuzz_secs" "$fix") > "$log" 2>&1; then
			echo "host: fuzz: 1 passed, 0 failed ($(grep '^fuzz:' "$log" | tail -1))"
			pass=$((pass + 1))
		else
			tail -20 "$log"
			echo "host: fuzz: 0 passed, 1 failed (log: $log)"
			fail=$((fail + 1))
		fi
	fi
fi

# 5. rloaderctl's own tests (its subcommands run in the guests).
ctl=$top/tools/rloader/ctl
if [ -f "$ctl/Cargo.toml" ]; then
	log=$build/logs/cargo-test-ctl.log
	(cd "$ctl" && CARGO_TARGET_DIR=$build/ctl-target cargo test --release --locked 2>&1 &&
	 CARGO_TARGET_DIR=$build/ctl-target cargo clippy --release --locked --all-targets -- -D warnings 2>&1 &&
	 cargo fmt --check 2>&1) > "$log"
	count "rloaderctl cargo test, clippy, fmt" "$log" $?
fi

echo "host: $pass passed, $fail failed"
[ "$fail" = 0 ]
