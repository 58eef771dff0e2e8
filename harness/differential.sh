#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The two loaders compared in separate boots of the distro kernel: one boot
# loads every module of its modules.dep (with what each needs) through
# finit_module(2), another through rloader (rloader_record.sh, guest mode
# record), and harness/differential.py compares their records module by
# module.  Boots the initramfs guest.sh built for the distro flavour if
# there is one.
#
#   harness/differential.sh BUILD_DIR
#
# Prints each boot's results and the comparison's, then the sum as
# "N passed, N failed".

set -uo pipefail
build=$(realpath -m "${1:?usage: differential.sh BUILD_DIR}")
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0

count() { # count OUTPUT: adds its last "N passed, N failed"
	local line
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
	if [ -z "$line" ]; then
		fail=$((fail + 1))
		return
	fi
	line=${line##*: }
	pass=$((pass + ${line%% passed*}))
	line=${line##*passed, }
	fail=$((fail + ${line%% failed*}))
}

# The two boots side by side (each TCG guest keeps one host thread busy).
for loader in finit rloader; do
	dir=$build/guest/distro-record-$loader
	mkdir -p "$dir"
	reuse=0
	if [ -f "$build/guest/distro/initramfs.cpio.gz" ]; then
		cp "$build/guest/distro/initramfs.cpio.gz" "$dir/"
		reuse=1
	fi
	RLOADER_GUEST_DIR=$dir RLOADER_GUEST_REUSE=$reuse RLOADER_GUEST_APPEND="rlrecord=$loader" \
		bash "$here/guest.sh" "$build" distro record > "$dir/guest.out" 2>&1 &
done
wait
for loader in finit rloader; do
	dir=$build/guest/distro-record-$loader
	grep -v '^  distro: ok ' "$dir/guest.out"
	count "$dir/guest.out"
done
python3 "$here/differential.py" "$build/guest/distro-record-finit/guest-distro-record.log.txt" \
	"$build/guest/distro-record-rloader/guest-distro-record.log.txt" > "$build/guest/differential.out"
grep -v '^ok ' "$build/guest/differential.out"
count "$build/guest/differential.out"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
