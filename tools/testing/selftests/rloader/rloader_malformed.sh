#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Selftests of the module images rloader must refuse.  For every kind of
# defect that rloader's ELF engine or the kernel's registration rejects,
# rloader_corrupt damages a real module; writing the result to /dev/rloader
# must fail with the expected errno, log a kernel message naming the reason,
# and leave nothing behind in /proc/modules or /sys/module.

. "$(dirname "$(readlink -f "$0")")/rloader_lib.sh"

# The cases are in rloader_malformed.cases, one a line: KIND MODULE ERRNO
# STAGE REGEX.
#
# KIND is the rloader_corrupt corruption applied to MODULE.  ERRNO is the
# error of the write (of the close for ENODATA: the image never completes).
# REGEX (extended, up to the end of the line) must match a new kernel
# message after the prefix STAGE implies:
#   image   "rloader: invalid module image: "  (refused by the engine)
#   device  "rloader: "                        (refused while collecting)
#   load    "rloader: MODULE: "                (refused while loading)
#   kernel  "MODULE: "                         (refused by the kernel)
cases() {
	grep -vE '^(#|$)' "$DIR/rloader_malformed.cases"
}

# strerror() of the errnos above.
strerror() {
	case $1 in
	ENOEXEC) echo "Exec format error" ;;
	ENODATA) echo "No data available" ;;
	EFBIG) echo "File too large" ;;
	ENOMEM) echo "Cannot allocate memory" ;;
	ENOENT) echo "No such file or directory" ;;
	esac
}

# The kernel log since mark_dmesg, without timestamps.
log_since_mark() { new_dmesg | sed 's/^\[[ 0-9.]*\] //'; }

# The module's traces in /proc/modules and sysfs, if any.
traces() {
	grep "^$1 " /proc/modules
	[ -e "/sys/module/$1" ] && echo "/sys/module/$1 exists"
}

# run_case KIND MODULE ERRNO STAGE REGEX: one test.
run_case() {
	kind=$1 mod=$2 err=$3 stage=$4 re=$5
	desc="$kind ($mod): $err"
	case $stage in
	image) prefix="rloader: invalid module image: " ;;
	device) prefix="rloader: " ;;
	load) prefix="rloader: $mod: " ;;
	kernel) prefix="$mod: " ;;
	esac
	msg=$(strerror "$err")
	if ! src=$(modpath "$mod"); then
		ktap_test_fail "$desc: no $mod.ko"
		return
	fi
	if ! "$CORRUPT" "$kind" "$src" "$TMP/bad.ko" < /dev/null 2> "$TMP/out"; then
		ktap_print_msg "$(cat "$TMP/out")"
		ktap_test_fail "$desc: cannot build the image"
		return
	fi
	count=$(wc -l < /proc/modules)
	mark_dmesg
	# An incomplete image is refused when the file is closed, which cat
	# does not check: rloaderctl does.
	if [ "$err" = ENODATA ]; then
		set -- "$CTL" load "$TMP/bad.ko"
	else
		set -- sh -c "cat '$TMP/bad.ko' > $DEV"
	fi
	ok=1
	if "$@" < /dev/null > "$TMP/out" 2>&1; then
		ktap_print_msg "the image was accepted"
		ok=0
	elif ! grep -q "$msg" "$TMP/out"; then
		ktap_print_msg "failed with '$(cat "$TMP/out")', expected '$msg'"
		ok=0
	fi
	log_since_mark > "$TMP/log"
	if ! grep -qE "^$prefix$re" "$TMP/log"; then
		ktap_print_msg "no kernel message matching '^$prefix$re'; new messages:"
		sed 's/^/#   /' "$TMP/log"
		ok=0
	fi
	if [ "$(wc -l < /proc/modules)" != "$count" ] || [ -n "$(traces "$mod")" ]; then
		ktap_print_msg "left behind: $(traces "$mod")"
		sed 's/^/#   /' /proc/modules
		ok=0
	fi
	if [ $ok = 1 ]; then
		ktap_test_pass "$desc"
	else
		ktap_test_fail "$desc"
	fi
}

ktap_print_header

require rloader rust_minimal nls_cp437 rl_chain_a rl_uaccess rl_percpu

CORRUPT="$DIR/rloader_corrupt"
CTL="$DIR/rloaderctl"

ktap_set_plan $(($(cases | wc -l) + 2))

load_rloader
for m in rust_minimal nls_cp437 rl_chain_a rl_uaccess rl_percpu; do
	grep -q "^$m " /proc/modules && rmmod $m
done
cut -d' ' -f1-5 /proc/modules > "$TMP/modules.before"

cases > "$TMP/cases"
while read -r kind mod err stage re; do
	run_case "$kind" "$mod" "$err" "$stage" "$re"
done < "$TMP/cases"

# rloader takes nothing from the struct module template but the name and
# the init and exit pointers: one full of garbage elsewhere loads, works
# and unloads.
desc="a struct module template with garbage outside name, init and exit loads"
if "$CORRUPT" template-garbage "$(modpath rl_percpu)" "$TMP/garbage.ko" > "$TMP/out" 2>&1 &&
   sh -c "cat '$TMP/garbage.ko' > $DEV" >> "$TMP/out" 2>&1 &&
   grep -q '^rl_percpu ' /proc/modules && rmmod rl_percpu >> "$TMP/out" 2>&1 &&
   [ ! -e /sys/module/rl_percpu ]; then
	ktap_test_pass "$desc"
else
	ktap_print_msg "$(cat "$TMP/out")"
	ktap_test_fail "$desc"
fi

cut -d' ' -f1-5 /proc/modules > "$TMP/modules.after"
if cmp -s "$TMP/modules.before" "$TMP/modules.after"; then
	ktap_test_pass "/proc/modules is as it was before the refused images"
else
	diff "$TMP/modules.before" "$TMP/modules.after" | sed 's/^/#   /'
	ktap_test_fail "/proc/modules is as it was before the refused images"
fi

ktap_finished
