#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: how fast rloader loads modules.
#
#   harness/bench.sh BUILD_DIR
#
# 1. The engine on the host (tools/rloader rloader-bench): MB/s and
#    relocations/s for validation, layout and relocation, on the largest
#    sample module and on a generated module with 200k
#    relocations.
# 2. In one boot of the distro kernel (signed modules, signatures
#    enforced, as distributions boot; RLOADER_BENCH_FLAVOUR=normal, after
#    make kernel-normal, for the small kernel), the kernel's finit_module() and
#    rloader loading and unloading the same modules, alternately, ROUNDS
#    times each (RLOADER_BENCH_ROUNDS, default 50): the 10th percentile,
#    median and 90th percentile of the load and of the load+unload cycle,
#    the ratio of the medians and its geometric mean, and the median of each
#    stage of rloader's own clock (from the listing); then five traced loads
#    of each module per loader under the function_graph tracer, summed into
#    where each loader spends its time (harness/guest/profile.awk); and
#    three loads per module and loader with the allocation events traced,
#    giving each load's peak kernel memory (harness/guest/memory.awk).
# 3. The tables in BUILD_DIR/bench/bench.txt and a plot of load time against
#    module size, BUILD_DIR/bench/load-vs-size.png (harness/bench-report.py).
#
# RLOADER_BENCH_MODULES=a,b benches only those modules.  make check runs
# this with RLOADER_BENCH_ROUNDS=1 so that it cannot rot; its numbers are
# not looked at.

set -euo pipefail
build=$(realpath -m "${1:?usage: bench.sh BUILD_DIR}")
top=$(cd "$(dirname "$0")/.." && pwd)
export PATH=$HOME/.cargo/bin:$PATH

flavour=${RLOADER_BENCH_FLAVOUR:-distro}
# The largest of the sample modules: the same module whatever the flavour,
# so that the numbers compare across runs.
largest=$(find "$build/out/$flavour/samples" -name '*.ko' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2)
echo "== engine on the host ($(basename "$largest"), and a generated module)"
(cd "$top/tools/rloader" && CARGO_TARGET_DIR=$build/cargo \
	cargo run -q --release --bin rloader-bench -- "$largest")

echo "== finit_module and rloader in one boot ($flavour kernel, TCG)"
gdir=$(realpath -m "${RLOADER_GUEST_DIR:-$build/guest/$flavour-bench}")
RLOADER_GUEST_DIR=$gdir bash "$top/harness/guest.sh" "$build" "$flavour" bench
mkdir -p "$build/bench"
python3 "$top/harness/bench-report.py" "$gdir/bench.txt" \
	"$build/bench"
