# SPDX-License-Identifier: GPL-2.0
# What `make run` shows: rloader loading modules through /dev/rloader, the
# modules and their dependency in lsmod, a refused unload and the unloads;
# then rloaderctl: a module stack through modprobe, and the kernel's demand
# loading served by rloaderctl.
# On the distro kernel (make run-distro: signatures enforced), signed and
# zstd-compressed modules written with cat and dd instead.
# Each command is echoed like a terminal session.
run() { echo "# $*"; sh -c "$*"; rc=$?; [ $rc = 0 ] || echo "[exit status $rc]"; }
if [ "$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)" = Y ]; then
	cd /lib/modules/$(uname -r)/kernel
	run cat /proc/cmdline
	run cat /sys/module/compression
	run /kselftest/rloader/rloader_chunks --finit samples/rust/rloader/rloader.ko.zst
	run ls -l fs/nls/nls_cp437.ko.zst fs/isofs/isofs.ko.zst
	run "cat fs/nls/nls_cp437.ko.zst > /dev/rloader"
	run "dd if=fs/isofs/isofs.ko.zst of=/dev/rloader bs=4096"
	run lsmod
	run "cat /sys/module/nls_cp437/taint /sys/module/isofs/taint; cat /proc/sys/kernel/tainted"
	run rmmod nls_cp437 isofs
	run ls -l /images/unsigned/rl_chain_a.ko
	run "dd if=/images/unsigned/rl_chain_a.ko of=/dev/rloader bs=4096"
	run "dd if=/images/unsigned/rl_chain_a.ko of=/dev/rloader bs=1k"
	run "cat /images/tampered/rl_chain_a.ko > /dev/rloader"
	run "dmesg | grep -E 'rloader|Loading|nls|isofs|rl_chain'"
	exit 0
fi
cd /lib/modules/$(uname -r)/kernel/samples
run modprobe rloader
run ls -l /dev/rloader
run "cat rust/rust_minimal.ko > /dev/rloader"
run "cat rloader/rl_chain_a.ko > /dev/rloader"
run "cat rloader/rl_chain_b.ko > /dev/rloader"
run lsmod
run cat /dev/rloader
run rmmod rl_chain_a
run "cat rust/rust_minimal.ko > /dev/rloader"
run rmmod rl_chain_b rl_chain_a rust_minimal
run lsmod
run "dmesg | grep -E 'rloader|rust_minimal|rl_chain'"
run rloaderctl load rloader/rl_params.ko count=3 who=demo
run cat /sys/module/rl_params/parameters/who
run rloaderctl modprobe rl_chain_c
run rloaderctl list
run rloaderctl unload rl_chain_a
run rloaderctl modprobe -r rl_chain_c rl_params
run echo /usr/bin/rloaderctl \> /proc/sys/kernel/modprobe
run mount -t vfat -o loop,ro /images/vfat.img /mnt
run cat /mnt/hello.txt
run ip link add d0 type dummy
run rloaderctl list
run umount /mnt
run ip link del d0
run rloaderctl modprobe -r vfat dummy nls_cp437 nls_iso8859_1
