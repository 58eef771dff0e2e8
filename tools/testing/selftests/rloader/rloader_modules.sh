# SPDX-License-Identifier: GPL-2.0
#
# The modules of the running kernel's modules.dep, loaded with what they
# need as modprobe would, through either loader, and KTAP results: shared
# by the tests of the distribution-like kernel (rloader_distro.sh,
# rloader_unenforced.sh, rloader_record.sh).  POSIX sh; the caller sets
# $dir to the directory of rloader_chunks.

mods=/lib/modules/$(uname -r)

# result OK DESCRIPTION: one KTAP result, numbered and counted in $n and
# $failed.
n=0 failed=0
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}

# The modules.dep lines of the modules the tests load one by one: all but
# the livepatches (which stay loaded until disabled; rloader_distro.sh
# tests them), the loader itself, rl_warn, which warns on purpose, and
# rl_init_only, which cannot be unloaded (rloader_samples.sh tests both
# with either loader).
module_lines() {
	awk -F: '$1 !~ /\/(rloader|rl_klp|rl_warn|rl_init_only)\.ko|\/livepatch\//' \
		"$mods/modules.dep"
}

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

load_with() { # load_with LOADER PATH: one load of modules.dep's PATH
	if [ "$1" = rloader ]; then
		dd if="$mods/$2" of=/dev/rloader bs=4096 2>/dev/null
	else
		"$dir/rloader_chunks" --finit "$mods/$2"
	fi
}

# stack_load LOADER PATH: loads what PATH needs (its modules.softdep
# pre-dependencies, then its modules.dep dependencies, the end of the line
# first), then PATH, each through LOADER unless it is loaded; what it
# loaded goes on $stack, for stack_unload.
stack=
deps_load() { # deps_load LOADER PATH: what PATH needs, not PATH itself
	local s
	for s in $(pre_softdeps "$(name_of "$2")"); do
		s=$(path_of "$(echo "$s" | tr - _)")
		if [ -n "$s" ]; then
			stack_load "$1" "$s" || return 1
		fi
	done
	for s in $(awk -F: -v p="$2" '$1 == p { print $2 }' "$mods/modules.dep" |
		   tr ' ' '\n' | tac); do
		stack_load "$1" "$s" || return 1
	done
}
stack_load() {
	local nm
	nm=$(name_of "$2")
	[ -d "/sys/module/$nm" ] && return 0
	deps_load "$1" "$2" && load_with "$1" "$2" || return 1
	stack="$nm $stack"
}
stack_unload() { # unloads what stack_load loaded, last first
	local nm i
	for nm in $stack; do
		i=0
		until rmmod "$nm" 2>/dev/null; do
			i=$((i + 1))
			[ $i -lt 25 ] || { echo "# cannot unload $nm"; stack=; return 1; }
			sleep 0.2
		done
	done
	stack=
}
