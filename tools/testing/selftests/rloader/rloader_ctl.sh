#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Selftests of rloaderctl (tools/rloader/ctl), the user tool over
# /dev/rloader: load, unload, list, check and modprobe, their success and
# failure paths (exit status and message), and the kernel's demand loading
# (request_module()) served by rloaderctl as the modprobe helper: a vfat and
# an iso9660 mount and a dummy link.
#
# Environment: RLOADERCTL (default: rloaderctl in $PATH), RLOADER_ROOT
# (modprobe -d ROOT, when the running kernel's modules are not under
# /lib/modules), RLOADER_IMAGES (default /images: vfat.img, cd.iso).

. "$(dirname "$(readlink -f "$0")")/rloader_lib.sh"

ktap_print_header

require rloader rust_minimal rl_chain_a rl_chain_b rl_chain_c rl_params rl_init_fail vfat msdos \
	isofs dummy

CTL=${RLOADERCTL:-$(command -v rloaderctl)}
IMAGES=${RLOADER_IMAGES:-/images}
ROOT_OPT=
[ -n "${RLOADER_ROOT:-}" ] && ROOT_OPT="-d $RLOADER_ROOT"
KVER=$(uname -r)
MODDIR=${RLOADER_ROOT:-}/lib/modules/$KVER
MIN=$(modpath rust_minimal)

ktap_set_plan 66

# A test that cannot run is a failure, not a skip.
if [ -z "$CTL" ] || [ ! -x "$CTL" ]; then
	ktap_print_msg "rloaderctl not found (set RLOADERCTL)"
	ktap_exit_fail_msg "rloaderctl not found"
fi
if [ ! -f "$MODDIR/modules.dep" ]; then
	ktap_print_msg "$MODDIR/modules.dep missing (set RLOADER_ROOT)"
	ktap_exit_fail_msg "no modules directory for modprobe"
fi

load_rloader

loaded() { grep -q "^$1 " /proc/modules; }
listed() { grep -q "^$1 " "$DEV"; }
cleanup_mods() { # unload whatever of these is loaded, users first
	for m in "$@"; do loaded "$m" && rmmod "$m"; done
	return 0
}

# expect RC REGEX DESCRIPTION CMD...: CMD exits with RC and its output
# (stdout and stderr) matches the extended regular expression REGEX.
expect() {
	rc=$1 re=$2 desc=$3
	shift 3
	"$@" > "$TMP/out" 2>&1
	got=$?
	if [ "$got" = "$rc" ] && grep -qE -- "$re" "$TMP/out"; then
		ktap_test_pass "$desc"
	else
		ktap_print_msg "'$*' exited $got (expected $rc), output:"
		sed 's/^/#   /' "$TMP/out"
		ktap_print_msg "expected to match: $re"
		ktap_test_fail "$desc"
	fi
}
# expect_exact RC TEXT DESCRIPTION CMD...: CMD exits with RC and its stdout
# is TEXT exactly (one line per module, in order, and the summary).
expect_exact() {
	rc=$1 text=$2 desc=$3
	shift 3
	"$@" > "$TMP/out" 2> "$TMP/err"
	got=$?
	printf '%s\n' "$text" > "$TMP/want"
	if [ "$got" = "$rc" ] && cmp -s "$TMP/out" "$TMP/want"; then
		ktap_test_pass "$desc"
	else
		ktap_print_msg "'$*' exited $got (expected $rc), stdout:"
		sed 's/^/#   /' "$TMP/out"
		ktap_print_msg "stderr:"
		sed 's/^/#   /' "$TMP/err"
		ktap_print_msg "expected stdout:"
		sed 's/^/#   /' "$TMP/want"
		ktap_test_fail "$desc"
	fi
}
# expect_silent DESCRIPTION CMD...: CMD succeeds and prints nothing.
expect_silent() {
	desc=$1
	shift
	"$@" > "$TMP/out" 2>&1
	got=$?
	if [ "$got" = 0 ] && [ ! -s "$TMP/out" ]; then
		ktap_test_pass "$desc"
	else
		ktap_print_msg "'$*' exited $got, output:"
		sed 's/^/#   /' "$TMP/out"
		ktap_test_fail "$desc"
	fi
}
# check_that DESCRIPTION SHELL-CONDITION
# The values of rl_params' parameters, on one line.
params() {
	cat /sys/module/rl_params/parameters/count /sys/module/rl_params/parameters/who |
		tr "\n" " "
}

check_that() {
	if eval "$2"; then
		ktap_test_pass "$1"
	else
		ktap_print_msg "not true: $2"
		ktap_test_fail "$1"
	fi
}
mp() { "$CTL" modprobe $ROOT_OPT "$@"; }

cleanup_mods rl_chain_c rl_chain_b rl_chain_a rust_minimal rl_params vfat msdos fat isofs dummy \
	nls_cp437 nls_iso8859_1 nls_utf8 nls_base loop

# --- --help ------------------------------------------------------------------
expect 0 "Usage: rloaderctl \[OPTIONS\] <COMMAND>" "rloaderctl --help" "$CTL" --help
for sub in load unload list check modprobe; do
	expect 0 "Usage: rloaderctl $sub " "rloaderctl $sub --help" "$CTL" "$sub" --help
done
expect 2 "unrecognized subcommand 'frobnicate'" "an unknown subcommand fails with status 2" \
	"$CTL" frobnicate

# --- load ----------------------------------------------------------------------
expect_silent "load FILE loads a module and prints nothing" "$CTL" load "$MIN"
check_that "the module is live and in rloader's listing" \
	"loaded rust_minimal && listed rust_minimal"
expect 1 "^rloaderctl: ERROR: could not insert module $MIN: File exists\$" \
	"loading it again fails with EEXIST, worded as insmod" "$CTL" load "$MIN"
expect 1 "^rloaderctl: kernel: rloader: rust_minimal: a module of this name is already loaded\$" \
	"the failure quotes the kernel's reason with the module's name" "$CTL" load "$MIN"
rmmod rust_minimal
expect 1 \
	"^rloaderctl: ERROR: could not load module /nonexistent/x.ko: No such file or directory\$" \
	"a missing file fails with ENOENT" "$CTL" load /nonexistent/x.ko
echo 'this is not a module' > "$TMP/junk.ko"
expect 1 "^rloaderctl: ERROR: could not insert module $TMP/junk.ko: Invalid module format\$" \
	"a non-ELF file fails with ENOEXEC" "$CTL" load "$TMP/junk.ko"
expect 1 "^rloaderctl: kernel: rloader: invalid module image: .*magic" \
	"the ENOEXEC failure says why (the kernel's reason)" "$CTL" load "$TMP/junk.ko"
gzip -c "$MIN" > "$TMP/min.ko.gz"
expect_silent "load - takes a gzip-compressed module from stdin" \
	sh -c "'$CTL' load - < '$TMP/min.ko.gz'"
check_that "the compressed module was loaded" "loaded rust_minimal"
rmmod rust_minimal
expect_silent "load FILE PARAM=VALUE passes parameters" "$CTL" load "$(modpath rl_params)" \
	count=4 who=ctl
check_that "the parameters reach the module" \
	'[ "$(params)" = "4 ctl " ]'
rmmod rl_params
expect 1 "^rloaderctl: ERROR: could not insert module .*rl_init_fail.ko: No such device\$" \
	"a failing init fails the load with its error" "$CTL" load "$(modpath rl_init_fail)"

# --- unload --------------------------------------------------------------------
"$CTL" load "$(modpath rl_chain_a)" && "$CTL" load "$(modpath rl_chain_b)"
expect 1 "^rloaderctl: ERROR: Module rl_chain_a is in use by: rl_chain_b\$" \
	"unloading a module in use fails, naming its users (as rmmod)" "$CTL" unload rl_chain_a
expect 1 "^rloaderctl: ERROR: Module rl_no_such is not currently loaded\$" \
	"unloading an unknown module fails (as rmmod)" "$CTL" unload rl_no_such
"$CTL" unload --wait 30000 rl_chain_a > "$TMP/wait.out" 2>&1 &
waiter=$!
sleep 1
"$CTL" unload rl_chain_b
wait $waiter
wrc=$?
check_that "unload --wait waits until the module is no longer used, then unloads it" \
	"[ $wrc = 0 ] && ! loaded rl_chain_a && ! loaded rl_chain_b"
"$CTL" load "$(modpath rl_chain_a)" && "$CTL" load "$MIN"
expect 1 "^rust_minimal: removed\$" "unload of several modules prints a line per module" \
	"$CTL" unload rust_minimal rl_chain_a rl_no_such
"$CTL" load "$(modpath rl_chain_a)" && "$CTL" load "$MIN"
expect 1 "^2 removed, 1 failed\$" "and a summary, with the exit status of the failure" \
	"$CTL" unload rust_minimal rl_chain_a rl_no_such
"$CTL" load "$(modpath rl_chain_a)" && "$CTL" load "$MIN"
expect_silent "--quiet prints nothing on success" "$CTL" --quiet unload rust_minimal rl_chain_a

# --- list ----------------------------------------------------------------------
"$CTL" load "$(modpath rl_chain_a)" && "$CTL" load "$(modpath rl_chain_b)"
expect 0 "^Module +Address +Size +Text +Data +Rodata +Relocs +Symbols +Load_us +Used by\$" \
	"list prints a table header" "$CTL" list
expect 0 "^rl_chain_a +0xffffffff[0-9a-f]{8} +[1-9][0-9]* .* 1 rl_chain_b\$" \
	"list shows each module, its address to root, and its users" "$CTL" list
old_kptr=$(cat /proc/sys/kernel/kptr_restrict)
echo 2 > /proc/sys/kernel/kptr_restrict
expect 0 "^rl_chain_b +0x0000000000000000 " \
	"with kptr_restrict=2 the address is hidden, as in /proc/modules" \
	"$CTL" list
echo "$old_kptr" > /proc/sys/kernel/kptr_restrict

# --- check ---------------------------------------------------------------------
expect 0 "^verdict: OK\$" "check of a module the running kernel can load: OK" \
	"$CTL" check "$(modpath rl_chain_c)"
"$CTL" unload rl_chain_b rl_chain_a > /dev/null
expect 1 "unresolved: rl_a_add: not exported" \
	"check names the symbols the running kernel does not export" \
	"$CTL" check "$(modpath rl_chain_b)"
expect 1 "^verdict: REFUSED\$" "and refuses the module" "$CTL" check "$(modpath rl_chain_b)"
expect 1 "^  reason: .+ \[[a-z-]+, errno 8\]\$" \
	"check of a non-ELF file gives the reason (ENOEXEC)" \
	"$CTL" check "$TMP/junk.ko"
expect 1 "^rloaderctl: ERROR: could not read /nonexistent/x.ko: No such file or directory\$" \
	"check of a missing file fails" "$CTL" check /nonexistent/x.ko

# --- modprobe ------------------------------------------------------------------
expect_exact 0 "rl_chain_a: loaded
rl_chain_b: loaded
rl_chain_c: loaded
3 loaded, 0 already loaded, 0 failed" "modprobe loads the dependencies first, a line each, and a \
	summary" \
	mp rl_chain_c
check_that "all three are rloader's" "listed rl_chain_a && listed rl_chain_b && listed rl_chain_c"
expect_exact 0 "rl_chain_a: already loaded
rl_chain_b: already loaded
rl_chain_c: already loaded
0 loaded, 3 already loaded, 0 failed" "modprobe of a loaded stack: already loaded, \
	success" mp rl_chain_c
in_use="^rloaderctl: FATAL: Module rl_chain_a is in use by:"
expect 1 "$in_use rl_chain_c rl_chain_b\$|$in_use rl_chain_b rl_chain_c\$" \
	"modprobe -r of a module in use fails" mp -r rl_chain_a
expect_exact 0 "rl_chain_c: removed
rl_chain_b: removed
rl_chain_a: removed
3 removed, 0 kept, 0 failed" "modprobe -r removes the module and its unused \
	dependencies" mp -r rl_chain_c
check_that "nothing of the stack is left" \
	"! loaded rl_chain_a && ! loaded rl_chain_b && ! loaded rl_chain_c"
expect 1 "^rloaderctl: FATAL: Module rl_no_such not found in directory $MODDIR\$" \
	"modprobe of an unknown module fails, as modprobe" mp rl_no_such
expect_silent "modprobe -q of an unknown module is silent" sh -c \
	"! $CTL modprobe $ROOT_OPT -q rl_no_such"
expect_silent "modprobe --quiet prints nothing on success" mp --quiet rl_chain_b
check_that "and loaded the stack" "loaded rl_chain_a && loaded rl_chain_b"
mp -q -r rl_chain_b
expect 1 "^rloaderctl: ERROR: could not insert 'rl_init_fail': No such device\$" \
	"modprobe reports a module that fails, with the reason" mp rl_init_fail
# kmod ends each line of --show-depends with a space.  The files are the
# installed ones, compressed where the kernel compresses its modules.
installed() { for f in "$MODDIR/$1".ko*; do echo "$f"; return; done; }
depends=$(printf 'insmod %s \ninsmod %s ' "$(installed kernel/fs/fat/fat)" \
	"$(installed kernel/fs/fat/vfat)")
expect_exact 0 "$depends" "modprobe --show-depends of an alias (fs-vfat): fat, then vfat" \
	sh -c "$CTL modprobe $ROOT_OPT --show-depends fs-vfat | grep 'fat/'"
expect 0 "^vfat: loaded\$" "modprobe of an alias loads the module it names" mp fs-vfat
check_that "fat and vfat are rloader's" "listed fat && listed vfat"
mp msdos > /dev/null
expect 0 "^fat: kept: Module fat is in use by: msdos\$" \
	"modprobe -r keeps a dependency another module uses" mp -r vfat
mp -q -r msdos
check_that "which goes with its last user" "! loaded fat && ! loaded vfat && ! loaded msdos"

mkdir -p "$TMP/modprobe.d"
cat > "$TMP/modprobe.d/test.conf" << EOF
blacklist vfat
options rl_params count=9 who=conf
softdep rl_chain_b pre: rust_minimal
EOF
CONF="-C $TMP/modprobe.d"
expect 0 "^vfat: blacklisted\$" "a blacklisted module is not loaded through an alias" mp $CONF \
	fs-vfat
check_that "vfat is not loaded" "! loaded vfat"
expect 0 "^vfat: blacklisted\$" "nor by name with -b (--use-blacklist)" mp $CONF -b vfat
expect 0 "^vfat: loaded\$" "by name without -b it is, as with modprobe" mp $CONF vfat
mp -q -r vfat
mp $CONF rl_params > /dev/null
check_that "options of modprobe.d reach the module" \
	'[ "$(params)" = "9 conf " ]'
rmmod rl_params
mp $CONF rl_params count=3 > /dev/null
check_that "parameters on the command line come after (override) those of modprobe.d" \
	'[ "$(params)" = "3 conf " ]'
rmmod rl_params
# libkmod's order: the dependencies, then the pre: soft dependencies, then
# the module.
mp $CONF rl_chain_b > "$TMP/softdep.out" 2>&1
order=$(grep -E '^(rust_minimal|rl_chain_b): loaded$' "$TMP/softdep.out" | cut -d: -f1 | tr '\n' \
	' ')
check_that "a pre: soft dependency is loaded before the module" \
	'[ "$order" = "rust_minimal rl_chain_b " ]'
mp -q -r rl_chain_b
cleanup_mods rust_minimal

# --- demand loading: request_module() through rloaderctl -------------------------
old_modprobe=$(cat /proc/sys/kernel/modprobe)
if [ -n "$ROOT_OPT" ]; then
	# The kernel passes no options: a wrapper adds the modules directory.
	helper=$TMP/modprobe
	printf '#!/bin/sh\nexec %s modprobe %s "$@"\n' "$CTL" "$ROOT_OPT" > "$helper"
	chmod 755 "$helper"
else
	helper=$CTL
fi
echo "$helper" > /proc/sys/kernel/modprobe
mkdir -p "$TMP/mnt"
# The loop device, where it is a module (the distro kernel): nothing
# creates /dev/loop-control for its demand loading here.
loop_mod=
if [ ! -e /dev/loop-control ] && ! loaded loop; then
	mp loop > /dev/null && loop_mod=loop
fi
mark_dmesg
mount -t vfat -o loop,ro "$IMAGES/vfat.img" "$TMP/mnt" > "$TMP/out" 2>&1
check_that "mount -t vfat works with vfat not loaded (request_module through rloaderctl)" \
	'[ "$(cat "$TMP/mnt/hello.txt" 2> /dev/null)" = "hello from vfat" ]'
check_that "vfat, fat and the code pages came in through rloader" \
	"listed vfat && listed fat && listed nls_cp437 && listed nls_iso8859_1"
umount "$TMP/mnt"
mount -t iso9660 -o loop,ro "$IMAGES/cd.iso" "$TMP/mnt" > "$TMP/out" 2>&1
check_that "mount -t iso9660 works with isofs not loaded" \
	'[ "$(cat "$TMP/mnt/hello.txt" "$TMP/mnt/HELLO.TXT" 2> /dev/null)" = "hello from iso9660" ]'
check_that "isofs came in through rloader" "listed isofs"
umount "$TMP/mnt"
ip link add rlctl0 type dummy > "$TMP/out" 2>&1
check_that "ip link add type dummy works with dummy not loaded" \
	"ip link show rlctl0 > /dev/null 2>&1"
check_that "dummy came in through rloader" "listed dummy"
ip link del rlctl0
echo "$old_modprobe" > /proc/sys/kernel/modprobe
check_that "the old modprobe helper is back" \
	'[ "$(cat /proc/sys/kernel/modprobe)" = "$old_modprobe" ]'
mp -q -r vfat isofs dummy nls_cp437 nls_iso8859_1 $loop_mod
check_that "modprobe -r of the demand-loaded modules leaves none of them" \
	"! loaded vfat && ! loaded fat && ! loaded isofs && ! loaded dummy && ! loaded nls_cp437"

# --- errors of the device ---------------------------------------------------------
unload_rloader
no_dev="/dev/rloader: No such file or directory \(is the rloader module loaded\?\)\$"
expect 1 "^rloaderctl: ERROR: could not read $no_dev" \
	"list without rloader says so" "$CTL" list
expect 1 "^rloaderctl: ERROR: could not open $no_dev" \
	"load without rloader says so" "$CTL" load "$MIN"
load_rloader

ktap_finished
