# SPDX-License-Identifier: GPL-2.0
# What `make run` shows: rloader loading a module through /dev/rloader, the
# module in lsmod, a refused unload and the unload.  Each command is echoed
# like a terminal session.
run() { echo "# $*"; sh -c "$*"; echo "[exit $?]"; }
mods=/lib/modules/$(uname -r)/kernel
run modprobe rloader
run ls -l /dev/rloader
run "cat $mods/samples/rust/rust_minimal.ko > /dev/rloader"
run lsmod
run "cat $mods/samples/rust/rust_minimal.ko > /dev/rloader"
run "ls /sys/module/rust_minimal"
run "exec 3</dev/rloader; rmmod rloader"
run rmmod rust_minimal
run lsmod
run "dmesg | tail -n 12"
