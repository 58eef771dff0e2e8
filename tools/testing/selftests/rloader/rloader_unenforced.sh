#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rloader on the distribution-like kernel booted without
# module.sig_enforce=1: signatures are checked but not required, so an
# unsigned or tampered module loads and taints the kernel and the module
# with 'E'.  The test images of /images (unsigned, signed, tampered,
# compressed) go through rloader_chunks: finit_module(2) first, then
# rloader in five write chunkings, each compared with it (errno, module
# state, kernel log).  An uncompressed image without a signature is
# complete only at close(), which returns the load's result.  Not part of
# the default kselftest list: the guest runs it in its "unenforced" mode.

dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/rloader_modules.sh"

echo "TAP version 13"
[ "$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)" = N ]
result $? "module signatures are checked, not enforced"
rloader=$(path_of rloader)
"$dir/rloader_chunks" --finit "$mods/$rloader"
result $? "rloader ($rloader) loads through finit_module"
"$dir/rloader_chunks" /images/*/* > /tmp/chunks.out || failed=$((failed + 1))
# Its results, numbered on from ours.
awk -v base=$n '/^(TAP version|1\.\.)/ { next }
	/^(not )?ok [0-9]+/ { k++; sub(/ok [0-9]+/, "ok " base + k) } { print }' /tmp/chunks.out
n=$((n + $(grep -c -E '^(not )?ok ' /tmp/chunks.out)))
grep -q "^ok .*/unsigned/[^:]*: writes of 4096 bytes: errno 0, taint '[^']*E" /tmp/chunks.out
result $? "an unsigned module written in 4096-byte writes loads at close, tainted 'E'"
echo "1..$n"
[ "$failed" = 0 ]
