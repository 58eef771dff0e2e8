#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rloader on a distribution-like kernel (kernel/configs/rloader-distro.config,
# booted with module.sig_enforce=1): signed, zstd-compressed modules as
# modules_install leaves them.  Not part of the default kselftest list: it
# needs that kernel; the guest runs it in its "distro" mode.
#
# The test images of /images (unsigned, signed, tampered, compressed in each
# format), then every module of modules.dep, with its dependencies loaded,
# go through rloader_chunks: finit_module(2) on the file first, then
# rloader in five write chunkings, each compared with it (errno, taint
# letters).

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

chunks() { # chunks FILE...: rloader_chunks on them, its results counted here
	"$dir/rloader_chunks" "$@" > /tmp/chunks.out
	[ $? = 0 ] || failed=$((failed + 1))
	grep -v -E '^(TAP version|1\.\.)' /tmp/chunks.out
	n=$((n + $(grep -c -E '^(not )?ok ' /tmp/chunks.out)))
}
chunks /images/*/*

# Every module of the build's own modules.dep (the livepatch samples apart,
# which stay loaded until disabled, see below; rl_warn, which warns on
# purpose, and rl_init_only, which cannot be unloaded: rloader_samples.sh
# tests both with either loader): its dependencies first, in the
# order modprobe loads them (the end of the modules.dep line first), each
# after the modules its modules.softdep "pre:" names (through
# modules.alias), all through finit_module(2); then the module is compared
# alike, and the dependencies are unloaded again.
skip='/rloader\.ko|/livepatch/|/rl_warn\.ko|/rl_init_only\.ko'

name_of() { basename "$1" | sed 's/\.ko.*//; s/-/_/g'; }
path_of() { # path_of NAME: the modules.dep path of module NAME
	awk -F: -v n="$1" '{ f = $1; sub(/.*\//, "", f); sub(/\.ko.*/, "", f); gsub(/-/, "_", f)
		if (f == n) { print $1; exit } }' "$mods/modules.dep"
}
pre_softdeps() { # pre_softdeps NAME: the modules to load before NAME
	awk -v n="$1" '$1 == "softdep" && $2 == n {
		for (i = 3; i <= NF && $i != "post:"; i++) if ($i != "pre:") print $i }' \
		"$mods/modules.softdep" 2>/dev/null |
	while read -r a; do
		awk -v a="$a" '$1 == "alias" && $2 == a { print $3 }' "$mods/modules.alias"
		[ -n "$(path_of "$a")" ] && echo "$a"
	done
}
loaded=
load_dep() { # load_dep PATH: through finit_module(2) unless loaded, with its pre-softdeps
	local nm s
	nm=$(name_of "$1")
	[ -d "/sys/module/$nm" ] && return 0
	for s in $(pre_softdeps "$nm"); do
		s=$(path_of "$(echo "$s" | tr - _)")
		[ -n "$s" ] && load_dep "$s"
	done
	"$dir/rloader_chunks" --finit "$mods/$1" && loaded="$nm $loaded"
}
awk -F: -v skip="$skip" '$1 !~ skip' "$mods/modules.dep" > /tmp/modules
[ "$(grep -c . /tmp/modules)" -ge 50 ] && grep -q ': .' /tmp/modules
result $? "modules.dep lists the modules, some with dependencies"
while IFS= read -r line; do
	loaded=
	mod=${line%%:*}
	for d in $(echo "${line#*:}" | tr ' ' '\n' | tac); do
		load_dep "$d"
	done
	for s in $(pre_softdeps "$(name_of "$mod")"); do
		s=$(path_of "$(echo "$s" | tr - _)")
		[ -n "$s" ] && load_dep "$s"
	done
	chunks "$mods/$mod"
	for nm in $loaded; do
		rmmod "$nm" || echo "# cannot unload the dependency $nm"
	done
done < /tmp/modules

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
