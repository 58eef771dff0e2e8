#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the rloader selftests under virtme-ng on one kernel flavour, the way a
# kernel developer would by hand:
#
#   vng --run build/out/normal/arch/x86/boot/bzImage --disable-kvm --cpus 1 \
#       --exec 'RLOADER_MODDIR=build/vng/modules build/vng/kselftest/run_kselftest.sh -c rloader'
#
#   harness/vng.sh BUILD_DIR FLAVOUR

set -uo pipefail
build=$1 flavour=$2
build=$(realpath -m "$build")
top=$(cd "$(dirname "$0")/.." && pwd)
out=$build/out/$flavour
vdir=$build/vng
log=$build/logs/vng-$flavour.log
mkdir -p "$build/logs"
rm -rf "$vdir"; mkdir -p "$vdir/modules"
find "$out" -name '*.ko' -exec cp {} "$vdir/modules/" \;
make -s -C "$build/linux/tools/testing/selftests" TARGETS=rloader INSTALL_PATH="$vdir/kselftest" \
	install > "$vdir/install.log" 2>&1 || { cat "$vdir/install.log"; exit 1; }
# rloaderctl runs from the build directory; its modprobe needs a modules
# directory with modules.dep, which modules_install writes under
# $vdir/root (rloaderctl modprobe -d $vdir/root).
make -s -C "$build/linux" O="$out" ARCH=x86_64 LLVM=1 INSTALL_MOD_PATH="$vdir/root" \
	modules_install >> "$vdir/install.log" 2>&1 || { cat "$vdir/install.log"; exit 1; }
bash "$top/harness/ctl.sh" "$build" build || exit 1
vars="RLOADER_MODDIR=$vdir/modules RLOADERCTL=$build/ctl/bin/rloaderctl RLOADER_ROOT=$vdir/root"
vars="$vars RLOADER_IMAGES=$build/ctl/images"

echo "vng($flavour): console log: $log"
# --verbose: the guest console carries the script's output when the
# virtio-serial script ports are missing (no udev on the host root).
# One vCPU: see the note on multi-threaded TCG in guest.sh.
timeout 900 vng --run "$out/arch/x86/boot/bzImage" --disable-kvm --cpus 1 --memory 1G --verbose \
	--append log_buf_len=8M \
	--exec "$vars $vdir/kselftest/run_kselftest.sh -c rloader" \
	</dev/null > "$log" 2>&1
rc=$?
tr -d '\r' < "$log" > "$log.txt"
pass=$(grep -cE '^# ok [0-9]+ ' "$log.txt") skip=$(grep -cE '^# ok [0-9]+ .*# SKIP' "$log.txt")
fail=$(grep -cE '^# not ok [0-9]+ ' "$log.txt")
pass=$((pass - skip)) fail=$((fail + skip))
grep -E '^# (not )?ok [0-9]+ ' "$log.txt" | sed "s/^# /  vng: /"
[ "$pass" = 0 ] && [ "$fail" = 0 ] && fail=1
# vng's own exit status is 255 when it used the console fallback: take the
# script's status from the guest's init instead.
src=$(sed -nE 's/.*virtme-ng-init: script exited with code ([0-9]+).*/\1/p' "$log.txt" | tail -1)
[ -z "$src" ] && src=$rc
[ "$src" != 0 ] && [ "$fail" = 0 ] && fail=1
if ! "$top/harness/checklog.sh" "$log" >&2; then
	echo "vng($flavour): kernel problems in $log" >&2
	fail=$((fail + 1))
fi
echo "vng($flavour): $pass passed, $fail failed"
[ "$fail" = 0 ]
