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
# rloader in five write chunkings, each compared with it (errno, module
# state, kernel log).  Then livepatches, file systems and network devices
# at work, and the tracing tools on a module, through each loader.

dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/rloader_modules.sh"

cmdline=$(cat /proc/cmdline)
echo "TAP version 13"
[ "$(cat /sys/module/module/parameters/sig_enforce 2>/dev/null)" = Y ]
result $? "module signatures are enforced"
[ "$(cat /sys/module/compression 2>/dev/null)" = zstd ]
result $? "the kernel decompresses zstd modules"
rloader=$(path_of rloader)
"$dir/rloader_chunks" --finit "$mods/$rloader"
result $? "rloader ($rloader) loads through finit_module"

chunks() { # chunks FILE...: rloader_chunks on them, its results counted here
	"$dir/rloader_chunks" "$@" > /tmp/chunks.out
	[ $? = 0 ] || failed=$((failed + 1))
	grep -v -E '^(TAP version|1\.\.)' /tmp/chunks.out
	n=$((n + $(grep -c -E '^(not )?ok ' /tmp/chunks.out)))
}
chunks /images/*/*

# Every module of the build's own modules.dep but those module_lines()
# leaves out: what it needs first, through finit_module(2) (stack_load);
# then the module is compared alike, and what it needed is unloaded again.
module_lines > /tmp/modules
[ "$(grep -c . /tmp/modules)" -ge 50 ] && grep -q ': .' /tmp/modules
result $? "modules.dep lists the modules, some with dependencies"
while IFS= read -r line; do
	deps_load finit "${line%%:*}" || echo "# cannot load what ${line%%:*} needs"
	chunks "$mods/${line%%:*}"
	stack_unload
done < /tmp/modules

# Livepatch: samples/livepatch/livepatch-sample through rloader, then
# through finit_module(2): it enables itself, patches /proc/cmdline,
# is disabled through sysfs and unloads; both loads taint the module alike.
lp=$(awk -F: '$1 ~ /\/livepatch-sample\.ko/ { print $1 }' "$mods/modules.dep")
klp=/sys/kernel/livepatch/livepatch_sample
livepatch() { # livepatch LOADER
	load_with "$1" "$lp"
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

# rl_klp: livepatch relocations, which the livepatch core applies.  The one
# for vmlinux (saved_command_line) at load: /proc/cmdline reads "rl_klp: "
# and the command line.  The one for rl_klp_target (a static function)
# once both are loaded: its "answer" parameter reads 1001, not 1; again
# when the target is unloaded and loaded while the patch is enabled (the
# livepatch core then works from the ELF information the loader of the
# patch left); and 1 once the patch is disabled.
answer=/sys/module/rl_klp_target/parameters/answer
klp_load() { # klp_load LOADER NAME
	p=$(path_of "$2")
	[ -n "$p" ] && load_with "$1" "$p"
}
klp_settle() { # klp_settle PATCH: until no task is left in its transition (20 s)
	i=0
	while [ "$(cat /sys/kernel/livepatch/$1/transition 2>/dev/null)" = 1 ] &&
	      [ $i -lt 100 ]; do
		sleep 0.2
		i=$((i + 1))
	done
}
klp_disable() { # klp_disable PATCH: disable it, wait until it is gone (20 s)
	echo 0 > /sys/kernel/livepatch/$1/enabled || return 1
	i=0
	while [ -d /sys/kernel/livepatch/$1 ] && [ $i -lt 100 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	[ ! -d /sys/kernel/livepatch/$1 ]
}
klp_relocs() { # klp_relocs LOADER
	klp_load "$1" rl_klp_target && [ "$(cat $answer)" = 1 ]
	result $? "rl_klp_target loads through $1 and answers 1"
	klp_load "$1" rl_klp
	result $? "rl_klp loads through $1"
	klp_settle rl_klp
	[ "$(cat /sys/kernel/livepatch/rl_klp/enabled 2>/dev/null)" = 1 ]
	result $? "rl_klp ($1) is enabled"
	[ "$(cat /proc/cmdline)" = "rl_klp: $cmdline" ]
	result $? "rl_klp ($1) reads saved_command_line through a vmlinux livepatch relocation"
	[ "$(cat $answer)" = 1001 ]
	result $? "rl_klp ($1) calls rl_klp_target_base() through a module livepatch relocation"
	cat /sys/module/rl_klp/taint > /tmp/klp-taint.$1 2>/dev/null
	rmmod rl_klp_target && klp_load "$1" rl_klp_target && [ "$(cat $answer)" = 1001 ]
	result $? "rl_klp ($1) patches rl_klp_target loaded again"
	klp_disable rl_klp && [ "$(cat /proc/cmdline)" = "$cmdline" ] && [ "$(cat $answer)" = 1 ]
	result $? "rl_klp ($1) is disabled through sysfs"
	rmmod rl_klp && rmmod rl_klp_target
	result $? "rl_klp and rl_klp_target ($1) unload"
}
klp_relocs rloader
klp_relocs finit
taints="$(cat /tmp/klp-taint.rloader 2>/dev/null), $(cat /tmp/klp-taint.finit 2>/dev/null)"
[ -s /tmp/klp-taint.rloader ] && cmp -s /tmp/klp-taint.rloader /tmp/klp-taint.finit
result $? "rl_klp taints its module alike ($taints)"
# The other livepatch samples, through each loader.  The callbacks demo
# patches livepatch-callbacks-mod, which goes away and the patch with it:
# the kernel log of the whole scenario (each callback says what ran when)
# must be the same for both loaders.  The shadow variable fixes patch
# livepatch-shadow-mod one after the other: the second one's check of the
# shadow variables runs, then both are disabled and everything unloads.
new_log() { # new_log N: the kernel log after its first N lines, without
	# timestamps and rloader's own lines
	dmesg | tail -n +$(($1 + 1)) | sed 's/^\[[ 0-9.]*\] //' | grep -v '^rloader: '
}
callbacks() { # callbacks LOADER
	mark=$(dmesg | wc -l)
	klp_load "$1" livepatch_callbacks_mod && klp_load "$1" livepatch_callbacks_demo &&
		klp_settle livepatch_callbacks_demo && rmmod livepatch_callbacks_mod &&
		klp_disable livepatch_callbacks_demo && rmmod livepatch_callbacks_demo
	result $? "the livepatch callbacks demo ($1) patches, unpatches and unloads"
	new_log "$mark" > /tmp/callbacks.$1
}
shadow() { # shadow LOADER
	klp_load "$1" livepatch_shadow_mod && klp_load "$1" livepatch_shadow_fix1 &&
		klp_settle livepatch_shadow_fix1
	result $? "livepatch-shadow-mod and -fix1 load through $1"
	mark=$(dmesg | wc -l)
	klp_load "$1" livepatch_shadow_fix2 && klp_settle livepatch_shadow_fix2
	result $? "livepatch-shadow-fix2 loads through $1"
	# A dummy expires 12 s after its allocation; fix2 frees it with the
	# count its dummy_check() kept in a shadow variable.
	freed='livepatch_shadow_fix2: livepatch_fix2_dummy_free: dummy @ .*, check counter = [1-9]'
	i=0
	until new_log "$mark" | grep -q "$freed"; do
		i=$((i + 1))
		[ $i -lt 300 ] || break
		sleep 0.2
	done
	new_log "$mark" | grep -q "$freed"
	result $? "livepatch-shadow-fix2 ($1) counts checks in shadow variables"
	klp_disable livepatch_shadow_fix2 && rmmod livepatch_shadow_fix2 &&
		klp_disable livepatch_shadow_fix1 && rmmod livepatch_shadow_fix1 &&
		rmmod livepatch_shadow_mod
	result $? "the livepatch shadow samples ($1) are disabled and unload"
}
for l in rloader finit; do
	callbacks $l
	shadow $l
done
grep -q 'post_patch_callback: vmlinux' /tmp/callbacks.rloader &&
	cmp -s /tmp/callbacks.rloader /tmp/callbacks.finit
result $? "the livepatch callbacks demo logs the same through both loaders"
diff /tmp/callbacks.finit /tmp/callbacks.rloader | sed 's/^/# /'

# Functional checks: a file system or network device module, with what it
# needs (its modules.dep dependencies and modules.softdep pre-dependencies,
# and the loop device for a file system), all loaded through one loader,
# then used, then unloaded; once for each loader.  A file system mounts its
# image of /fsimages, reads "hello" and, unless read-only, writes a file
# that reads back after a remount; a network device module creates a link,
# brings it up and deletes it.
fs_check() { # fs_check LOADER FSTYPE MODULE IMAGE rw|ro [MODULE...]
	local l=$1 type=$2 m=$3 image=$4 mode=$5 ok=0 x what="reads and writes"
	shift 5
	for x in loop "$m" "$@"; do
		stack_load $l "$(path_of "$x")" || ok=1
	done
	result $ok "$m and what it needs load through $l"
	[ "$mode" = ro ] && what="reads (read-only)"
	cp "/fsimages/$image.img" /tmp/fs.img && mkdir -p /mnt/fs &&
		mount -t "$type" -o loop /tmp/fs.img /mnt/fs &&
		[ "$(cat /mnt/fs/hello)" = rloader ] &&
		if [ "$mode" = ro ]; then
			umount -d /mnt/fs
		else
			echo "$l" > /mnt/fs/written && umount -d /mnt/fs &&
				mount -t "$type" -o loop /tmp/fs.img /mnt/fs &&
				[ "$(cat /mnt/fs/written)" = "$l" ] && umount -d /mnt/fs
		fi
	result $? "$type ($l): an image mounts, $what, unmounts"
	umount -d /mnt/fs 2>/dev/null
	rm -f /tmp/fs.img
	stack_unload
	result $? "$m and what it needs ($l) unload"
}
net_check() { # net_check LOADER MODULE: MODULE's link type has its name
	stack_load "$1" "$(path_of "$2")"
	result $? "$2 and what it needs load through $1"
	if [ "$2" = tun ]; then
		tunctl -t rl0 > /dev/null && ip link set rl0 up && ip link show rl0 > /dev/null &&
			tunctl -d rl0 > /dev/null
	else
		ip link add name rl0 type "$2" && ip link set rl0 up &&
			ip link show rl0 > /dev/null && ip link del rl0
	fi
	result $? "$2 ($1): a $2 link is created, brought up and deleted"
	stack_unload
	result $? "$2 and what it needs ($1) unload"
}
# Each file system: its module, type and image ("-": the module's name),
# whether it is written, and the modules it asks for when mounted (modprobe's
# part): FAT its default codepage's, vfat also its default I/O charset's.
cat > /tmp/filesystems <<EOF
ext4 - - rw
btrfs - - rw
vfat - - rw nls_cp437 nls_iso8859_1
msdos - vfat rw nls_cp437
isofs iso9660 - ro
squashfs - - ro
EOF
for l in rloader finit; do
	while read -r m type image mode extra; do
		[ "$type" = - ] && type=$m
		[ "$image" = - ] && image=$m
		# $extra: a list of modules.
		fs_check $l "$type" "$m" "$image" "$mode" $extra < /dev/null
	done < /tmp/filesystems
	for m in bridge veth tun wireguard; do
		net_check $l $m
	done
done

# The kernel's tracing tools on a module each loader loaded: rl_probe's
# rl_probe_hit(), called by reading its "hits" parameter, seen by the
# function tracer filtered to it, by a kprobe on it and, once dynamic debug
# enables the module's pr_debug(), in the kernel log.  What each tool lists
# of the module (available_filter_functions, the dynamic debug control
# line) is the same for both loaders.
t=/sys/kernel/tracing
[ -d $t/options ] || mount -t tracefs none $t
hits=/sys/module/rl_probe/parameters/hits
traced() { # traced LOADER: load rl_probe, run each tool on it, unload
	klp_load "$1" rl_probe
	result $? "rl_probe loads through $1"
	grep '\[rl_probe\]' $t/available_filter_functions | sort > /tmp/ftrace.$1
	# (Before the tracer is switched off: that empties the buffer.)
	echo rl_probe_hit > $t/set_ftrace_filter && echo > $t/trace &&
		echo function > $t/current_tracer && cat $hits > /dev/null &&
		grep -q 'rl_probe_hit' $t/trace
	result $? "rl_probe ($1): the function tracer filtered to rl_probe_hit sees it"
	echo nop > $t/current_tracer
	echo > $t/set_ftrace_filter
	echo 'p:rlprobe rl_probe:rl_probe_hit' >> $t/kprobe_events && echo > $t/trace &&
		echo 1 > $t/events/kprobes/rlprobe/enable && cat $hits > /dev/null &&
		echo 0 > $t/events/kprobes/rlprobe/enable && grep -q 'rlprobe:' $t/trace
	result $? "rl_probe ($1): a kprobe on rl_probe_hit fires"
	echo '-:rlprobe' >> $t/kprobe_events
	c=/sys/kernel/debug/dynamic_debug/control
	grep '\[rl_probe\]' $c > /tmp/dyndbg.$1
	echo 'module rl_probe +p' > $c && h=$(cat $hits) && echo 'module rl_probe -p' > $c &&
		dmesg | grep -q "rl_probe: hit $h\$"
	result $? "rl_probe ($1): dynamic debug enables its pr_debug()"
	rmmod rl_probe
	result $? "rl_probe ($1) unloads"
}
traced rloader
traced finit
functions=$(tr '\n' ' ' < /tmp/ftrace.rloader)
[ -s /tmp/ftrace.rloader ] && cmp -s /tmp/ftrace.rloader /tmp/ftrace.finit
result $? "rl_probe: the function tracer lists the same functions ($functions)"
[ -s /tmp/dyndbg.rloader ] && cmp -s /tmp/dyndbg.rloader /tmp/dyndbg.finit
result $? "rl_probe: dynamic debug lists the same call site ($(cat /tmp/dyndbg.rloader))"

echo "1..$n"
[ "$failed" = 0 ]
