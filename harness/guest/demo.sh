# SPDX-License-Identifier: GPL-2.0
# What `make run` shows: rloader loading modules through /dev/rloader, the
# modules and their dependency in lsmod, a refused unload and the unloads.
# Each command is echoed like a terminal session.
run() { echo "# $*"; sh -c "$*"; rc=$?; [ $rc = 0 ] || echo "[exit status $rc]"; }
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
