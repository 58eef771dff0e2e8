#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the rloader selftests under virtme-ng on one kernel flavour, the way a
# kernel developer would by hand:
#
#   vng --run build/out/distro/arch/x86/boot/bzImage --disable-kvm --cpus 1 \
#       --exec 'RLOADER_MODDIR=build/vng/modules build/vng/kselftest/run_kselftest.sh -c rloader'
#
#   harness/vng.sh BUILD_DIR FLAVOUR
#
# RLOADER_VNG_TESTS=a.sh,b.sh runs only those test programs (in the suite's
# order).

set -uo pipefail
build=$1 flavour=$2
build=$(realpath -m "$build")
top=$(cd "$(dirname "$0")/.." && pwd)
out=$build/out/$flavour
vdir=$build/vng
log=$build/logs/vng-$flavour.log
mkdir -p "$build/logs"
# The guests of this flavour install from the same build (make check boots
# one beside this run): one install at a time.
exec 7>"$out.guest.lock"
flock 7
rm -rf "$vdir"; mkdir -p "$vdir/modules"
find "$out" -name '*.ko' -exec cp {} "$vdir/modules/" \;
# Signed as modules_install signs them, where the kernel checks signatures:
# an unsigned module would taint it (E) under either loader.
if grep -q '^CONFIG_MODULE_SIG_ALL=y' "$out/.config"; then
	hash=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"/\1/p' "$out/.config")
	for ko in "$vdir"/modules/*.ko; do
		"$out/scripts/sign-file" "$hash" "$out/certs/signing_key.pem" \
			"$out/certs/signing_key.x509" "$ko" || exit 1
	done
fi
make -s -C "$build/linux/tools/testing/selftests" TARGETS=rloader INSTALL_PATH="$vdir/kselftest" \
	install > "$vdir/install.log" 2>&1 || { cat "$vdir/install.log"; exit 1; }
# rloaderctl runs from the build directory; its modprobe needs a modules
# directory with modules.dep, which modules_install writes under
# $vdir/root (rloaderctl modprobe -d $vdir/root).
make -s -C "$build/linux" O="$out" ARCH=x86_64 LLVM=1 INSTALL_MOD_PATH="$vdir/root" \
	modules_install >> "$vdir/install.log" 2>&1 || { cat "$vdir/install.log"; exit 1; }
bash "$top/harness/ctl.sh" "$build" build || exit 1
# A copy of rloaderctl and its images: a guest booted beside this run
# builds them again.
cp -r "$build/ctl" "$vdir/ctl" || exit 1
flock -u 7
vars="RLOADER_MODDIR=$vdir/modules RLOADERCTL=$vdir/ctl/bin/rloaderctl RLOADER_ROOT=$vdir/root"
vars="$vars RLOADER_IMAGES=$vdir/ctl/images"
sel="-c rloader"
if [ -n "${RLOADER_VNG_TESTS:-}" ]; then
	# In the suite's own order whatever the order given: rloader_policy.sh
	# comes last there, as it leaves module loading disabled.
	sel="" want=",$RLOADER_VNG_TESTS,"
	while IFS= read -r t; do
		t=${t#rloader:}
		case $want in *",$t,"*) sel="$sel -t rloader:$t" want=${want/",$t,"/,} ;; esac
	done < "$vdir/kselftest/kselftest-list.txt"
	[ "$want" = , ] || { echo "vng($flavour): no such test program: ${want//,/ }" >&2; exit 1; }
fi

echo "vng($flavour): console log: $log"
# --verbose: the guest console carries the script's output when the
# virtio-serial script ports are missing (no udev on the host root).
# One vCPU: see the note on multi-threaded TCG in guest.sh.
timeout 900 vng --run "$out/arch/x86/boot/bzImage" --disable-kvm --cpus 1 --memory 1G --verbose \
	--append log_buf_len=8M \
	--exec "$vars $vdir/kselftest/run_kselftest.sh $sel" \
	</dev/null > "$log" 2>&1
rc=$?
tr -d '\r' < "$log" | awk -f "$top/harness/deinterleave.awk" > "$log.txt"
# Results (see ksft-count.sh: top-level "not ok", skips, programs that ran
# nothing and missing results all fail).
"$top/harness/ksft-count.sh" "$log.txt" vng > "$vdir/ksft.count"
grep -v -E '^[0-9]+ passed, [0-9]+ failed' "$vdir/ksft.count"
line=$(tail -1 "$vdir/ksft.count")
pass=${line%% passed*} fail=${line##*passed, } fail=${fail%% failed*}
if [ $rc = 124 ]; then
	echo "vng($flavour): FAIL: timed out after 900 s" >&2
	fail=$((fail + 1))
fi
# vng's own exit status is 255 when it used the console fallback: take the
# script's status from the guest's init; without it the run did not end.
src=$(sed -nE 's/.*virtme-ng-init: script exited with code ([0-9]+).*/\1/p' "$log.txt" | tail -1)
if [ -z "$src" ]; then
	echo "vng($flavour): FAIL: no exit code of the script in $log (vng exit $rc)" >&2
	fail=$((fail + 1))
elif [ "$src" != 0 ]; then
	echo "vng($flavour): FAIL: the script exited with code $src" >&2
	fail=$((fail + 1))
fi
if ! "$top/harness/checklog.sh" "$log" >&2; then
	echo "vng($flavour): kernel problems in $log" >&2
	fail=$((fail + 1))
fi
echo "vng($flavour): $pass passed, $fail failed"
[ "$fail" = 0 ]
