#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Selftests of modules loaded by rloader behaving as first-class modules,
# with the samples of CONFIG_SAMPLE_RLOADER_MODULES: dependencies and
# refused unloads (A/B/C stack, across both loaders), GPL-only and
# namespaced exports, a failing init, a device owner pinning its module,
# parameters, WARN with a symbolized trace, uaccess fixups, static keys,
# KUnit, per-CPU data, a large module and a Rust module.

. "$(dirname "$(readlink -f "$0")")/rloader_lib.sh"

ktap_print_header

require rloader rl_chain_a

CTL="$DIR/rloaderctl"
IOCTL="$DIR/rloader_ioctl"
PATCH="$DIR/rloader_patch"
# EAGAIN as strerror() says it (busybox rmmod, rloaderctl) or as kmod's
# rmmod explains it.
EAGAIN_MSG="Resource temporarily unavailable\|is in use"

ktap_set_plan 57

load_rloader

rl() { cat "$(modpath "$1")" > "$DEV"; }
users() { grep "^$1 " /proc/modules | cut -d' ' -f3,4; }
loaded() { grep -q "^$1 " /proc/modules; }
expect_users() { # expect_users NAME "REFCNT DEPS" DESCRIPTION
	if [ "$(users "$1")" = "$2" ]; then
		ktap_test_pass "$3"
	else
		ktap_print_msg "$1: '$(users "$1")', expected '$2'"
		ktap_test_fail "$3"
	fi
}
kmsg() { echo "<4>rloader-selftest: $*" > /dev/kmsg; }

# The A/B/C stack, all through rloader.
rl rl_chain_a && rl rl_chain_b && rl rl_chain_c
expect_users rl_chain_a "2 rl_chain_c,rl_chain_b," "A is used by B and C"
expect_users rl_chain_b "1 rl_chain_c," "B is used by C"
expect_err "$EAGAIN_MSG" "rmmod A fails while B and C use it" rmmod rl_chain_a
expect_err "$EAGAIN_MSG" "rloaderctl unload B fails while C uses it" "$CTL" unload rl_chain_b
unload_chain() { rmmod rl_chain_c && rmmod rl_chain_b && rmmod rl_chain_a; }
mark_dmesg
ktap_test_result "rmmod C, then B, then A" unload_chain
expect_dmesg "rl_chain_a: exit, rl_a_add called 4 times" "A saw every call B and C made"

# Mixed loaders: insmod binds to rloader's exports and the other way round.
insmod "$(modpath rl_chain_a)" && rl rl_chain_b && insmod "$(modpath rl_chain_c)"
expect_users rl_chain_a "2 rl_chain_c,rl_chain_b," \
	"insmod A, rloader B, insmod C: A used by B and C"
expect_users rl_chain_b "1 rl_chain_c," "insmod C holds rloader's B"
expect_err "$EAGAIN_MSG" "rmmod B fails while the insmod-loaded C uses it" rmmod rl_chain_b
rmmod rl_chain_c; rmmod rl_chain_b; rmmod rl_chain_a
if loaded rl_chain_a || loaded rl_chain_b || loaded rl_chain_c; then
	ktap_test_fail "the mixed stack unloads in order"
else
	ktap_test_pass "the mixed stack unloads in order"
fi

# A module exporting what another module already exports: A renamed.
"$PATCH" "$(modpath rl_chain_a)" "$TMP/dup.ko" rl_chain_a rl_chain_x all
rl rl_chain_a
mark_dmesg
expect_err "Exec format error" "a duplicate export fails with ENOEXEC, as under insmod" \
	sh -c "cat '$TMP/dup.ko' > $DEV"
expect_dmesg "rl_chain_x: exports duplicate symbol rl_a_[a-z]+ \(owned by rl_chain_a\)" \
	"the duplicate symbol and its owner are named"
rmmod rl_chain_a

# An unresolved symbol: B without A.
mark_dmesg
expect_err "No such file or directory" "B without A fails with ENOENT" rl rl_chain_b
expect_dmesg "rloader: rl_chain_b: Unknown symbol rl_a_add \(err -2\)" \
	"every missing symbol is named"

# Namespaced export with and without the import.
rl rl_ns_provider
"$PATCH" "$(modpath rl_ns_user)" "$TMP/noimport.ko" import_ns=RLOADER_TEST import_ns=XLOADER_TEST
mark_dmesg
expect_err "Invalid argument" "a module without import_ns fails with EINVAL" \
	sh -c "cat '$TMP/noimport.ko' > $DEV"
noimport='rl_ns_user: module uses symbol \(rl_ns_fn\) from namespace RLOADER_TEST,'
expect_dmesg "$noimport but does not import it" "the missing namespace import is reported"
mark_dmesg
ktap_test_result "the module that imports the namespace loads" rl rl_ns_user
expect_dmesg "rl_ns_user: init, rl_ns_fn\(14\) = " "it calls the namespaced function"
rmmod rl_ns_user; rmmod rl_ns_provider

# A failing init: its error is what the write returns, nothing stays.
mark_dmesg
expect_err "No such device" "an init failing with ENODEV fails the load with ENODEV" rl rl_init_fail
same_log_as_finit rl_init_fail "the failed load logs what finit_module's logs, and no more"
if ! loaded rl_init_fail && [ ! -e /sys/module/rl_init_fail ] &&
   ! grep -q '^rl_init_fail ' "$DEV"; then
	ktap_test_pass "nothing is left of the failed module (not in lsmod, sysfs or the listing)"
else
	ktap_test_fail "nothing is left of the failed module (not in lsmod, sysfs or the listing)"
fi

# Init goes through do_one_initcall() under either loader: initcall_debug,
# switched on at run time, traces both the same way (or neither, on a
# kernel whose tracing takes the initcall tracepoints).
initcall_trace() {
	echo 1 > /sys/module/kernel/parameters/initcall_debug
	mark_dmesg
	"$@"
	echo 0 > /sys/module/kernel/parameters/initcall_debug
	new_dmesg | grep -E '(calling  |initcall )init_module.*\[rl_chain_a\]' |
		sed -E 's/^\[[ 0-9.]*\] //; s/ @ [0-9]+$//; s/ after [0-9]+ usecs$//'
	rmmod rl_chain_a
}
initcall_trace "$DIR/rloaderctl" finit "$(modpath rl_chain_a)" > "$TMP/initcall.finit"
initcall_trace rl rl_chain_a > "$TMP/initcall.rloader"
if cmp -s "$TMP/initcall.finit" "$TMP/initcall.rloader"; then
	ktap_test_pass "initcall_debug traces rloader's init calls as finit_module's"
else
	ktap_print_msg "finit_module: $(cat "$TMP/initcall.finit")"
	ktap_print_msg "rloader: $(cat "$TMP/initcall.rloader")"
	ktap_test_fail "initcall_debug traces rloader's init calls as finit_module's"
fi

# All code in .init.text and no exit function: MOD_TEXT is empty.  The
# module stays loaded, as without an exit function it cannot be unloaded.
mark_dmesg
ktap_test_result "a module with all its code in .init.text loads" rl rl_init_only
expect_dmesg "rl_init_only: init, with no core text" "its init ran"
if loaded rl_init_only && [ -d /sys/module/rl_init_only/sections ] &&
   grep -q '^rl_init_only ' "$DEV"; then
	ktap_test_pass "it is listed, with its sysfs directory"
else
	ktap_test_fail "it is listed, with its sysfs directory"
fi
expect_err "Device or resource busy" "without an exit function it cannot be unloaded" \
	rmmod rl_init_only

# THIS_MODULE owns the misc device: an open file pins the module.
rl rl_miscdev
if [ "$(cat /dev/rl_miscdev)" = rl_miscdev ]; then
	ktap_test_pass "the module's misc device works"
else
	ktap_test_fail "the module's misc device works"
fi
exec 3< /dev/rl_miscdev
expect_users rl_miscdev "1 -" "an open file holds a reference"
expect_err "$EAGAIN_MSG" "rmmod fails while the device is open" rmmod rl_miscdev
# Unload racing with a user: a process holds the device for a while;
# every unload attempt meanwhile fails, the first after it succeeds.
exec 3<&-
sh -c 'exec 4< /dev/rl_miscdev; sleep 1' &
holder=$!
sleep 0.2
refused=0 unloaded=0
while kill -0 $holder 2>/dev/null; do
	# Once the holder exited (a zombie until waited for) the unload may succeed.
	if "$CTL" unload rl_miscdev 2>/dev/null; then unloaded=1; break; fi
	refused=$((refused + 1))
	sleep 0.1
done
wait $holder
[ $unloaded = 1 ] || { "$CTL" unload rl_miscdev && unloaded=1; }
if [ $refused -gt 0 ] && [ $unloaded = 1 ] && ! loaded rl_miscdev; then
	ktap_test_pass "unloads racing with a user fail until it closes ($refused refused)"
else
	ktap_print_msg "refused $refused, unloaded $unloaded"
	ktap_test_fail "unloads racing with a user fail until it closes"
fi

# Parameters, passed by rloaderctl, the same as insmod's.
args="count=5 who=rloader values=1,2,3"
mark_dmesg
insmod "$(modpath rl_params)" $args
a=$(cat /sys/module/rl_params/parameters/count /sys/module/rl_params/parameters/who)
rmmod rl_params
mark_dmesg
ktap_test_result "rloaderctl load with parameters" "$CTL" load "$(modpath rl_params)" $args
b=$(cat /sys/module/rl_params/parameters/count /sys/module/rl_params/parameters/who)
expect_dmesg "rl_params: init, count=5 who=rloader loud=N values=3 sum=6" "init sees the parameters"
if [ "$a" = "$b" ] && [ "$(echo $b)" = "5 rloader" ]; then
	ktap_test_pass "the parameters in sysfs are the same as with insmod"
else
	ktap_print_msg "insmod: '$a' rloader: '$b'"
	ktap_test_fail "the parameters in sysfs are the same as with insmod"
fi
echo 7 > /sys/module/rl_params/parameters/count
mark_dmesg
rmmod rl_params
expect_dmesg "rl_params: exit, count=7" "a parameter written through sysfs reaches the module"

# WARN in a module warns with a symbolized trace; it is no oops.  (The
# init function is named by its alias init_module, as with insmod.)
warn_re='WARNING: CPU: [0-9]+ PID: [0-9]+ at [^ ]*rl_warn\.c:[0-9]+ '
warn_re="$warn_re"'(init_module|rl_warn_init|rl_warn_trigger_set)'
warn_re="$warn_re"'\+0x[0-9a-f]+/0x[0-9a-f]+ \[rl_warn\]'
kmsg "expect-begin $warn_re"
mark_dmesg
ktap_test_result "a module whose init WARNs loads" rl rl_warn
echo 3 > /sys/module/rl_warn/parameters/trigger
kmsg "expect-end"
expect_dmesg "$warn_re" "the warning names the module function and offset"
if [ "$(new_dmesg | grep -cE "$warn_re")" -eq 2 ] && rmmod rl_warn; then
	ktap_test_pass "the module warns again on demand and unloads"
else
	ktap_test_fail "the module warns again on demand and unloads"
fi

# A faulting user access in the module is fixed up into EFAULT.
rl rl_uaccess
for cmd in 0x5201 0x5202 0x5203 0x5204; do
	r=$("$IOCTL" /dev/rl_uaccess $cmd 16)
	[ "$r" = EFAULT ] || break
done
if [ "$r" = EFAULT ] && [ "$("$IOCTL" /dev/rl_uaccess 0x5201 buf)" = 0 ]; then
	ktap_test_pass "faulting user accesses return EFAULT"
else
	ktap_print_msg "ioctl $cmd returned '$r'"
	ktap_test_fail "faulting user accesses return EFAULT"
fi
rmmod rl_uaccess

# Static keys and static calls follow their toggles.
rl rl_static_key
p=/sys/module/rl_static_key/parameters
s0="$(cat $p/branch $p/call)"; echo Y > $p/enabled
s1="$(cat $p/branch $p/call)"; echo N > $p/enabled
s2="$(cat $p/branch $p/call)"
# branch+call before, while and after the toggle is set
states=$(printf '%s;' "$s0" "$s1" "$s2" | tr '\n' +)
if [ "$states" = "off+off;on+on;off+off;" ]; then
	ktap_test_pass "the static key and the static call follow their toggles"
else
	ktap_print_msg "branch+call: $states"
	ktap_test_fail "the static key and the static call follow their toggles"
fi
rmmod rl_static_key

# KUnit suites in the module run.
if modpath rl_kunit > /dev/null; then
	mark_dmesg
	rl rl_kunit
	expect_dmesg "# rl_kunit: pass:2 fail:0 skip:0 total:2" \
		"the module's KUnit suite runs and passes"
	rmmod rl_kunit
else
	ktap_test_fail "the module's KUnit suite runs and passes (no rl_kunit.ko)"
fi

# Same kernel log (rloader adds no line of its own to a successful load),
# and the same symbols in /proc/kallsyms (type and name; addresses differ),
# as insmod for the others.
ksyms() { awk -v m="[$1]" '$4 == m { print $2, $3 }' /proc/kallsyms | sort; }
same_as_insmod() {
	mark_dmesg
	insmod "$(modpath $1)" && ksyms $1 > "$TMP/insmod.syms" && rmmod $1
	new_dmesg | sed 's/^\[[ 0-9.]*\] //' > "$TMP/insmod.log"
	mark_dmesg
	rl $1 && ksyms $1 > "$TMP/rloader.syms" && rmmod $1
	new_dmesg | sed 's/^\[[ 0-9.]*\] //' > "$TMP/rloader.log"
	if [ -s "$TMP/insmod.log" ] && cmp -s "$TMP/insmod.log" "$TMP/rloader.log"; then
		ktap_test_pass "$1: same kernel log as with insmod"
	else
		diff "$TMP/insmod.log" "$TMP/rloader.log" | sed 's/^/#   /'
		ktap_test_fail "$1: same kernel log as with insmod"
	fi
	if [ -s "$TMP/insmod.syms" ] && cmp -s "$TMP/insmod.syms" "$TMP/rloader.syms"; then
		ktap_test_pass "$1: same symbols in /proc/kallsyms as with insmod"
	else
		diff "$TMP/insmod.syms" "$TMP/rloader.syms" | head -20 | sed 's/^/#   /'
		ktap_test_fail "$1: same symbols in /proc/kallsyms as with insmod"
	fi
}
for m in rl_big rl_percpu rl_rust_hello rl_relocs_100k; do
	same_as_insmod $m
done
# 2048 undefined symbols, bound to the exports of rl_export_10k (loaded by
# rloader): the same checksum over all of them under both loaders.
rl rl_export_10k
same_as_insmod rl_imports_2k
rl rl_imports_2k
bound=$(awk '$1 == "rl_imports_2k" { print $8 }' "$DEV")
# (and the few kernel symbols every module uses, such as _printk)
if [ "${bound:-0}" -ge 2048 ] && [ "$bound" -lt 2060 ]; then
	ktap_test_pass "rl_imports_2k binds its 2048 imports ($bound symbols)"
else
	ktap_print_msg "listing: $(cat "$DEV")"
	ktap_test_fail "rl_imports_2k binds its 2048 imports"
fi
rmmod rl_imports_2k rl_export_10k

# Large modules: many relocations, counted by rloader.
# expect_relocs NAME MIN: loaded by rloader, NAME applied more than MIN.
expect_relocs() {
	rl $1
	relocs=$(awk -v m=$1 '$1 == m { print $7 }' "$DEV")
	if [ "${relocs:-0}" -gt $2 ]; then
		ktap_test_pass "$1 needs more than $2 relocations ($relocs)"
	else
		ktap_print_msg "listing: $(cat "$DEV")"
		ktap_test_fail "$1 needs more than $2 relocations"
	fi
	rmmod $1
}
expect_relocs rl_big 10000
expect_relocs rl_relocs_100k 100000

# GPL-only export used by a non-GPL module.  Last: the non-GPL license
# taints the kernel, which turns lockdep off for the rest of the boot.
rl rl_gpl_provider
"$PATCH" "$(modpath rl_gpl_user)" "$TMP/nongpl.ko" license=GPL license=XYZ
mark_dmesg
expect_err "No such file or directory" "a non-GPL module cannot use a GPL-only export" \
	sh -c "cat '$TMP/nongpl.ko' > $DEV"
expect_dmesg "Unknown symbol rl_gpl_only" "the GPL-only symbol is reported"
ktap_test_result "the GPL module can use it" rl rl_gpl_user
expect_users rl_gpl_provider "1 rl_gpl_user," "the GPL user holds the provider"
rmmod rl_gpl_user; rmmod rl_gpl_provider

ktap_finished
