#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rloader on a distribution-like kernel (kernel/configs/rloader-distro.config,
# booted with module.sig_enforce=1): signed, zstd-compressed modules as
# modules_install leaves them.  Not part of the default kselftest list: it
# needs that kernel; the guest runs it in its "distro" mode.
#
# Every module of modules.dep that has no dependencies, and the test images
# of /images (unsigned, signed, tampered, compressed in each format), goes
# through rloader_chunks: finit_module(2) on the file first, then rloader in
# five write chunkings, each compared with it (errno, taint letters).

dir=$(cd "$(dirname "$0")" && pwd)
mods=/lib/modules/$(uname -r)
n=0 failed=0

result() { # result OK DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
[ "$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)" = Y ]
result $? "module signatures are enforced"
[ "$(cat /sys/module/compression 2>/dev/null)" = zstd ]
result $? "the kernel decompresses zstd modules"
rloader=$(awk -F: '$1 ~ /\/rloader\.ko/ { print $1 }' "$mods/modules.dep")
"$dir/rloader_chunks" --finit "$mods/$rloader"
result $? "rloader ($rloader) loads through finit_module"

# The modules without dependencies, from the build's own modules.dep (the
# livepatch samples apart, which stay loaded until disabled, see below, and
# rl_warn, which warns on purpose: rloader_samples.sh tests it).
skip='/rloader\.ko|/livepatch/|/rl_warn\.ko'
files=$(awk -F: -v skip="$skip" -v dir="$mods" '$2 == "" && $1 !~ skip { print dir "/" $1 }' \
	"$mods/modules.dep")
[ -n "$files" ]
result $? "modules.dep lists modules without dependencies"
"$dir/rloader_chunks" $files /images/*/* > /tmp/chunks.out
[ $? = 0 ] || failed=$((failed + 1))
grep -v -E '^(TAP version|1\.\.)' /tmp/chunks.out
n=$((n + $(grep -c -E '^(not )?ok ' /tmp/chunks.out)))

# Livepatch: samples/livepatch/livepatch-sample through rloader, then
# through finit_module(2): it enables itself, patches /proc/cmdline,
# is disabled through sysfs and unloads; both loads taint the module alike.
lp=$(awk -F: '$1 ~ /\/livepatch-sample\.ko/ { print $1 }' "$mods/modules.dep")
klp=/sys/kernel/livepatch/livepatch_sample
livepatch() { # livepatch LOADER
	if [ "$1" = rloader ]; then
		dd if="$mods/$lp" of=/dev/rloader bs=4096 2>/dev/null
	else
		"$dir/rloader_chunks" --finit "$mods/$lp"
	fi
	result $? "livepatch-sample loads through $1"
	[ "$(cat $klp/enabled 2>/dev/null)" = 1 ]
	result $? "livepatch-sample ($1) is enabled"
	grep -q "this has been live patched" /proc/cmdline
	result $? "livepatch-sample ($1) patches /proc/cmdline"
	cat /sys/module/livepatch_sample/taint > /tmp/taint.$1 2>/dev/null
	echo 0 > $klp/enabled
	i=0
	while [ -d $klp ] && [ $i -lt 100 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	[ ! -d $klp ] && ! grep -q "this has been live patched" /proc/cmdline
	result $? "livepatch-sample ($1) is disabled through sysfs"
	rmmod livepatch_sample
	result $? "livepatch-sample ($1) unloads"
}
livepatch rloader
livepatch finit
taints="$(cat /tmp/taint.rloader 2>/dev/null), $(cat /tmp/taint.finit 2>/dev/null)"
[ -s /tmp/taint.rloader ] && cmp -s /tmp/taint.rloader /tmp/taint.finit
result $? "livepatch-sample taints its module alike ($taints)"
grep -q K /tmp/taint.rloader
result $? "the livepatch taint is set"
echo "1..$n"
[ "$failed" = 0 ]
