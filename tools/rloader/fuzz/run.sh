#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh SECONDS [SEED_DIR...]: build and run the rloader fuzz target for a
# bounded time. Seeds: generated modules plus every *.ko found in SEED_DIRs
# (and $RLOADER_FIXTURES when set). Exits non-zero on any crash, hang or
# leak; prints "fuzz: N runs, 0 crashes" on success.
set -eu

secs=${1:?usage: run.sh SECONDS [SEED_DIR...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz

corpus="$here/corpus/load"
mkdir -p "$corpus" "$here/artifacts/load"
seeds="$here/seeds"
mkdir -p "$seeds"
# Generated seeds (small valid modules).
(cd "$here/.." && cargo run -q --release --example gen-seeds -- "$seeds")
for d in "$@" ${RLOADER_FIXTURES:-}; do
	[ -d "$d" ] || continue
	find "$d" -name '*.ko' -size -2M -type f | head -200 | while read -r f; do
		cp "$f" "$seeds/$(echo "$f" | cksum | cut -d' ' -f1).ko"
	done
done

log="$here/artifacts/load/fuzz.log"
export RUSTC_BOOTSTRAP=1
set +e
cargo fuzz run --release load "$corpus" "$seeds" -- \
	-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$here/artifacts/load/" >"$log" 2>&1
rc=$?
set -e
if [ $rc -ne 0 ]; then
	tail -40 "$log" >&2
	echo "fuzz: FAILED (exit $rc), see $log" >&2
	exit 1
fi
runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1 | awk '{print $2}')
echo "fuzz: ${runs:-0} runs, 0 crashes"
