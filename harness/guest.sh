#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the initramfs for one kernel flavour and boot it under QEMU.
#
#   harness/guest.sh BUILD_DIR FLAVOUR MODE
#
# MODE is test (run the rloader kselftests; print "N passed, N failed"),
# stress (run rloader_stress.sh for RLOADER_STRESS_SECONDS, default 60;
# counted like test), distro (rloader_distro.sh on the distro flavour, booted
# with module.sig_enforce=1; counted like test), unenforced
# (rloader_unenforced.sh on the distro flavour, booted without it; counted
# like test), record (rloader_record.sh on the distro flavour, for
# harness/differential.sh; counted like test),
# demo (show /dev/rloader taking a module), bench (time insmod's loader and
# rloader side by side; RLOADER_BENCH_ROUNDS rounds), fuzz (one boot of
# harness/fuzz-guest.sh, which reads the log) or shell (demo, then a
# shell).  The serial console goes to BUILD_DIR/logs/guest-FLAVOUR-MODE.log;
# the run fails if the guest did not finish, a test failed, or the log shows
# a kernel problem (see checklog.sh).
#
# For runs beside another on the same build (a second work tree testing its
# own selftests against these kernels): RLOADER_GUEST_DIR moves the
# initramfs and the console log out of BUILD_DIR, RLOADER_KSFT_SRC names the
# selftests tree to install (default: BUILD_DIR/linux's), and
# RLOADER_GUEST_CPUS sets the number of vCPUs (default 2).
#
# For repeated boots (fuzz-guest.sh): RLOADER_GUEST_REUSE=1 boots the
# initramfs already there instead of building it again, RLOADER_GUEST_APPEND
# adds to the kernel command line, and RLOADER_GUEST_STALL=SECS stops the
# guest once its console has been silent that long (a hang).

set -uo pipefail
build=$1 flavour=$2 mode=$3
build=$(realpath -m "$build")
here=$(cd "$(dirname "$0")" && pwd)
tree=$build/linux
out=$build/out/$flavour
kimg=$out/arch/x86/boot/bzImage
gdir=$(realpath -m "${RLOADER_GUEST_DIR:-$build/guest/$flavour}")
root=$gdir/root
logdir=$build/logs
[ -n "${RLOADER_GUEST_DIR:-}" ] && logdir=$gdir
log=$logdir/guest-$flavour-$mode.log
ksft=${RLOADER_KSFT_SRC:-$tree/tools/testing/selftests}
mkdir -p "$gdir" "$logdir"

die() { echo "guest($flavour): $*" >&2; exit 1; }
[ -f "$kimg" ] || die "$kimg missing: run 'make kernel-$flavour'"

# --- initramfs -------------------------------------------------------------
# The test images of the distro flavour (rloader_distro.sh), from the
# build's unsigned modules: signed with the build's key by sign-file (not
# compressed), one of those with a byte changed, unsigned, and compressed
# (zstd, which the kernel decompresses, and xz, which it does not).
distro_images() {
	local dst=$1 m ko
	mkdir -p "$dst"/{unsigned,signed,tampered,unsigned-zst,signed-xz}
	for m in samples/rloader/rl_chain_a samples/rust/rust_minimal fs/nls/nls_cp437; do
		ko=$(basename $m).ko
		llvm-strip --strip-debug -o "$dst/unsigned/$ko" "$out/$m.ko" || return 1
		cp "$dst/unsigned/$ko" "$dst/signed/$ko"
		"$out/scripts/sign-file" sha256 "$out/certs/signing_key.pem" \
			"$out/certs/signing_key.x509" "$dst/signed/$ko" || return 1
		zstd -q -T1 "$dst/unsigned/$ko" -o "$dst/unsigned-zst/$ko.zst" || return 1
		xz -c "$dst/signed/$ko" > "$dst/signed-xz/$ko.xz" || return 1
		cp "$dst/signed/$ko" "$dst/tampered/$ko"
		# One byte of the ELF header's padding: still a valid module.
		printf '\001' | dd of="$dst/tampered/$ko" bs=1 seek=9 conv=notrunc status=none || return 1
	done
}

# The images of rloader_compressed.sh on the normal and debug flavours:
# three modules compressed in the format the kernel decompresses, with the
# options of scripts/Makefile.modinst (the guest's busybox cannot compress
# xz).
compressed_images() {
	local dst=$1/compressed m ko ext compress
	if grep -q '^CONFIG_MODULE_COMPRESS_GZIP=y' "$out/.config"; then
		ext=gz compress="gzip -n -9 -c"
	elif grep -q '^CONFIG_MODULE_COMPRESS_XZ=y' "$out/.config"; then
		ext=xz compress="xz --check=crc32 --lzma2=dict=1MiB -c"
	elif grep -q '^CONFIG_MODULE_COMPRESS_ZSTD=y' "$out/.config"; then
		ext=zst compress="zstd -q -T0 -19 -c"
	else
		return 0
	fi
	mkdir -p "$dst"
	for m in samples/rloader/rl_chain_a samples/rust/rust_minimal fs/nls/nls_cp437; do
		ko=$(basename $m).ko
		llvm-strip --strip-debug -o "$gdir/$ko" "$out/$m.ko" || return 1
		$compress "$gdir/$ko" > "$dst/$ko.$ext" || return 1
		rm -f "$gdir/$ko"
	done
}

# The file systems of the distro flavour's functional checks
# (rloader_distro.sh), each holding the file "hello" that reads "rloader".
fs_images() {
	local dst=$1 src=$gdir/fs-src
	rm -rf "$src" "$dst"; mkdir -p "$src" "$dst"
	echo rloader > "$src/hello"
	mkfs.ext4 -q -F -d "$src" "$dst/ext4.img" 2M > /dev/null || return 1
	truncate -s 16M "$dst/btrfs.img" &&
		mkfs.btrfs -q -M --rootdir "$src" "$dst/btrfs.img" > /dev/null || return 1
	mkfs.vfat -C "$dst/vfat.img" 1024 > /dev/null &&
		mcopy -i "$dst/vfat.img" "$src/hello" ::/hello || return 1
	genisoimage -quiet -R -o "$dst/isofs.img" "$src" || return 1
	mksquashfs "$src" "$dst/squashfs.img" -quiet -noappend > /dev/null || return 1
}

# rl_klp as modules_install left it has weak references where a livepatch
# image has livepatch symbols and relocation sections: replace it with the
# image harness/klp-convert.py makes of it, signed and compressed alike.
klp_convert() {
	local dst=$1 ko=samples/rloader/rl_klp.ko installed
	installed=$(find "$dst" -path "*/$ko*") || return 1
	[ -n "$installed" ] || return 0
	llvm-strip --strip-debug -o "$gdir/rl_klp.stripped.ko" "$out/$ko" || return 1
	python3 "$here/klp-convert.py" "$gdir/rl_klp.stripped.ko" "$gdir/rl_klp.ko" || return 1
	if grep -q '^CONFIG_MODULE_SIG_ALL=y' "$out/.config"; then
		"$out/scripts/sign-file" sha256 "$out/certs/signing_key.pem" \
			"$out/certs/signing_key.x509" "$gdir/rl_klp.ko" || return 1
	fi
	case $installed in
	*.zst) zstd -q -f -T1 "$gdir/rl_klp.ko" -o "$installed" ;;
	*.xz) xz -c "$gdir/rl_klp.ko" > "$installed" ;;
	*.gz) gzip -c "$gdir/rl_klp.ko" > "$installed" ;;
	*) cp "$gdir/rl_klp.ko" "$installed" ;;
	esac
}

# Guests of one flavour may boot side by side (make check runs the debug
# selftests in two): they build their initramfs, rloaderctl and the test
# images one after the other.
exec 7>"$build/out/$flavour.guest.lock"
flock 7
if [ "${RLOADER_GUEST_REUSE:-0}" = 1 ] && [ -f "$gdir/initramfs.cpio.gz" ]; then
	echo "guest($flavour): reusing $gdir/initramfs.cpio.gz"
else
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,root,mnt,lib/modules}
	cp /bin/busybox "$root/bin/busybox" || die "busybox-static missing: run 'make setup'"
	ln -s busybox "$root/bin/sh"
	echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
	echo "root:x:0:" > "$root/etc/group"
	install -m 755 "$here/guest/init" "$root/init"
	install -m 644 "$here/guest/demo.sh" "$root/demo.sh"
	install -m 644 "$here/guest/profile.awk" "$root/profile.awk"
	install -m 644 "$here/guest/memory.awk" "$root/memory.awk"
	# make bench times the loaders on uncompressed files (signed where the
	# kernel signs them): what both read, not how the file was packed; the
	# kselftests load modules with busybox's modprobe and insmod, which
	# read no zstd.
	nocompress=()
	case $mode in bench|test) nocompress=(CONFIG_MODULE_COMPRESS_ALL=) ;; esac
	make -s -C "$tree" O="$out" ARCH=x86_64 LLVM=1 INSTALL_MOD_PATH="$root" INSTALL_MOD_STRIP=1 \
		"${nocompress[@]}" modules_install > "$gdir/modules_install.log" 2>&1 ||
		{ cat "$gdir/modules_install.log"; die "modules_install failed"; }
	klp_convert "$root/lib/modules" || die "converting rl_klp failed"
	make -s -C "$ksft" TARGETS=rloader INSTALL_PATH="$root/kselftest" \
		install > "$gdir/kselftest_install.log" 2>&1 ||
		{ cat "$gdir/kselftest_install.log"; die "kselftest install failed"; }
	# rloaderctl, rloader-check, their libraries and the test images.
	bash "$here/ctl.sh" "$build" build || die "building rloaderctl failed"
	bash "$here/ctl.sh" "$build" install "$root" || die "installing rloaderctl failed"
	if [ "$mode" = bench ]; then
		:
	elif [ "$flavour" = distro ]; then
		distro_images "$root/images" || die "building the test images failed"
		fs_images "$root/fsimages" || die "building the file system images failed"
	else
		compressed_images "$root/images" || die "building the compressed images failed"
	fi
	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$gdir/initramfs.cpio.gz" ||
		die "cpio failed"
fi

# --- accelerator: KVM only if it demonstrably boots -------------------------
qemu=(qemu-system-x86_64 -m 2G -smp "${RLOADER_GUEST_CPUS:-2}" -display none -monitor none -no-reboot
      -kernel "$kimg" -initrd "$gdir/initramfs.cpio.gz")
append="console=ttyS0 panic=-1 loglevel=5 printk.devkmsg=on log_buf_len=8M rlrounds=${RLOADER_BENCH_ROUNDS:-50}"
# RLOADER_GUEST_TESTS=a.sh,b.sh: run only these selftests (test mode).
[ -n "${RLOADER_GUEST_TESTS:-}" ] && append="$append rltests=$RLOADER_GUEST_TESTS"
# RLOADER_BENCH_MODULES=a,b: bench only these modules (bench mode).
[ -n "${RLOADER_BENCH_MODULES:-}" ] && append="$append rlbench=$RLOADER_BENCH_MODULES"
# RLOADER_STRESS_SECONDS: the duration of rloader_stress.sh (stress mode).
[ "$mode" = stress ] && append="$append rlstress=${RLOADER_STRESS_SECONDS:-60}"
# The distro flavour runs as distributions boot it: signatures enforced.
[ "$flavour" = distro ] && [ "$mode" != unenforced ] && append="$append module.sig_enforce=1"
[ -n "${RLOADER_GUEST_APPEND:-}" ] && append="$append $RLOADER_GUEST_APPEND"
probe=$build/kvm-probe
if [ ! -f "$probe" ]; then
	echo tcg > "$probe"
	if [ -w /dev/kvm ] && timeout 30 "${qemu[@]}" -accel kvm -cpu host -serial stdio \
		-append "$append rlguest=probe" </dev/null 2>/dev/null | grep -q "rloader-guest: probe ok"; then
		echo kvm > "$probe"
	fi
fi
flock -u 7
if [ "$(cat "$probe")" = kvm ]; then
	accel=(-accel kvm -cpu host)
else
	# One host thread for both vCPUs: with multi-threaded TCG a vCPU can
	# still run an int3 that text_poke_bp() already removed (a static key
	# flipped at boot), and the kernel oopses on it.
	accel=(-accel tcg,thread=single -cpu max)
fi

# --- boot --------------------------------------------------------------------
limit=${RLOADER_GUEST_TIMEOUT:-2400}
echo "guest($flavour): booting ($mode, ${accel[1]}), console log: $log"
start=$(date +%s)
if [ "$mode" = shell ]; then
	"${qemu[@]}" "${accel[@]}" -serial mon:stdio -append "$append rlguest=$mode" | tee "$log"
	exit 0
fi
timeout "$limit" "${qemu[@]}" "${accel[@]}" -serial stdio \
	-append "$append rlguest=$mode" </dev/null > "$log" 2>&1 &
qpid=$!
stall=${RLOADER_GUEST_STALL:-0}
if [ "$stall" -gt 0 ]; then
	# The watchdog: stop the guest once the console is silent for $stall s.
	size=-1 quiet=0
	while kill -0 $qpid 2>/dev/null; do
		sleep 5
		now=$(stat -c %s "$log" 2>/dev/null || echo 0)
		if [ "$now" != "$size" ]; then
			size=$now quiet=0
		elif [ $((quiet += 5)) -ge "$stall" ]; then
			echo "guest($flavour): no console output for $stall s, stopping the guest" >&2
			echo "rloader-guest: watchdog: no console output for $stall s" >> "$log"
			kill $qpid
			break
		fi
	done
fi
wait $qpid
rc=$?
secs=$(( $(date +%s) - start ))
[ $rc = 124 ] && echo "guest($flavour): timed out after $limit s" >&2

tr -d '\r' < "$log" > "$log.txt"
problems=0
grep -q "rloader-guest: done" "$log.txt" || { echo "guest($flavour): the guest did not finish" >&2; problems=1; }
if ! "$here/checklog.sh" "$log" > "$gdir/checklog.out"; then
	cat "$gdir/checklog.out" >&2
	echo "guest($flavour): kernel problems in $log" >&2
	problems=1
fi

case "$mode" in
test|stress|distro|unenforced|record)
	# Results of the rloader selftests (see ksft-count.sh for what fails).
	sed -n '/rloader-guest: kselftest begin/,/rloader-guest: kselftest end/p' "$log.txt" > "$gdir/ksft.tap"
	"$here/ksft-count.sh" "$gdir/ksft.tap" "$flavour" > "$gdir/ksft.count"
	grep -v -E '^[0-9]+ passed, [0-9]+ failed' "$gdir/ksft.count"
	line=$(tail -1 "$gdir/ksft.count")
	pass=${line%% passed*} fail=${line##*passed, } fail=${fail%% failed*}
	fail=$((fail + problems))
	echo "guest($flavour): $pass passed, $fail failed in $secs s"
	[ "$fail" = 0 ]
	;;
fuzz)
	# fuzz-guest.sh reads the log.
	[ $problems = 0 ]
	;;
bench)
	grep -E '^(bench|traced|stages|profile|memory): ' "$log.txt" > "$gdir/bench.txt"
	[ $problems = 0 ] && grep -q '^bench: ' "$gdir/bench.txt" && grep -q '^profile: ' "$gdir/bench.txt" &&
		grep -q '^memory: ' "$gdir/bench.txt" &&
		! grep -qE 'rloader_bench:|rloader-guest: (bench|profile|memory) failed' "$log.txt"
	;;
*)
	sed -n '/rloader-guest: Linux/,/rloader-guest: dmesg follows/p' "$log.txt" | grep -v "rloader-guest: dmesg follows"
	[ $problems = 0 ]
	;;
esac
