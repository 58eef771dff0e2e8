# SPDX-License-Identifier: GPL-2.0
# What `make run` shows: rloader registering /dev/rloader and taking a
# module image.  Each command is echoed like a terminal session.
run() { echo "# $*"; sh -c "$*"; }
run modprobe rloader
run ls -l /dev/rloader
run "cat /lib/modules/\$(uname -r)/kernel/samples/rust/rust_minimal.ko > /dev/rloader"
run "dmesg | grep rloader"
run lsmod
