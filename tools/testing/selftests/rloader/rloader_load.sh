#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Selftests of loading modules through /dev/rloader: the load and its
# effects (lsmod, sysfs, init output), name clashes with either loader,
# unload through rmmod and through rloader's ioctl, refused images,
# differential checks against insmod, stress and concurrent loads.

. "$(dirname "$(readlink -f "$0")")/rloader_lib.sh"

ktap_print_header

require rloader rust_minimal

CTL="$DIR/rloaderctl"
MIN=$(modpath rust_minimal)
# Modules compared between insmod and rloader: C and Rust, with exports,
# many relocations and parameters.
DIFF_MODS="rust_minimal rust_print nls_cp437 nls_utf8 crc7 crc_itu_t crc_ccitt ext2"
STRESS=${RLOADER_STRESS:-100}

ktap_set_plan $((25 + $(echo $DIFF_MODS | wc -w)))

load_rloader

# state NAME: the /proc/modules line of NAME without its address (taints kept).
state() { awk -v m="$1" '$1 == m { print $1, $2, $3, $4, $5, $7 }' /proc/modules | sed 's/ $//'; }
loaded() { grep -q "^$1 " /proc/modules; }

mark_dmesg
if cat "$MIN" > "$DEV" 2> "$TMP/err"; then
	ktap_test_pass "cat rust_minimal.ko > $DEV loads it"
else
	ktap_print_msg "cat failed: $(cat "$TMP/err")"
	ktap_test_fail "cat rust_minimal.ko > $DEV loads it"
fi
if state rust_minimal | grep -qE '^rust_minimal [0-9]+ 0 - Live$' &&
   [ "$(cat /sys/module/rust_minimal/initstate)" = live ]; then
	ktap_test_pass "rust_minimal is live in /proc/modules and sysfs"
else
	ktap_print_msg "/proc/modules: '$(state rust_minimal)'"
	ktap_test_fail "rust_minimal is live in /proc/modules and sysfs"
fi
expect_dmesg "rust_minimal: Rust minimal sample \(init\)" "its init function ran"
# name text_base text data rodata ro_after_init relocations symbols load_us,
# then the ten stage times, which add up to load_us (each rounded down).
listing='^rust_minimal 0x[0-9a-f]+( [0-9]+){4} [1-9][0-9]* [1-9][0-9]* [1-9][0-9]*( [0-9]+){10}$'
if grep -qE "$listing" "$DEV" && grep -q '^# name .* load_us validate_us .* init_us$' "$DEV" &&
   awk '$1 == "rust_minimal" { s = 0; for (i = 10; i <= 19; i++) s += $i
	exit !(s <= $9 && s + 10 >= $9) }' "$DEV"; then
	ktap_test_pass "reading $DEV lists it with regions, relocations and stage times"
else
	ktap_print_msg "listing: $(cat "$DEV")"
	ktap_test_fail "reading $DEV lists it with regions, relocations and stage times"
fi
if new_dmesg | grep -q '^\[[ 0-9.]*\] rloader:'; then
	new_dmesg | sed 's/^/#   /'
	ktap_test_fail "a successful load logs no line of rloader's own"
else
	ktap_test_pass "a successful load logs no line of rloader's own"
fi

mark_dmesg
expect_err "File exists" "loading it again fails with EEXIST" sh -c "cat '$MIN' > $DEV"
expect_dmesg "rloader: rust_minimal: a module of this name is already loaded" \
	"the refusal names the module and the reason"

mark_dmesg
ktap_test_result "rmmod unloads it" rmmod rust_minimal
if ! loaded rust_minimal && [ ! -e /sys/module/rust_minimal ]; then
	ktap_test_pass "nothing is left in /proc/modules and sysfs"
else
	ktap_test_fail "nothing is left in /proc/modules and sysfs"
fi
expect_dmesg "rust_minimal: Rust minimal sample \(exit\)" "its exit function ran"
if grep -q '^rust_minimal ' "$DEV"; then
	ktap_test_fail "the listing forgets it once it is unloaded"
else
	ktap_test_pass "the listing forgets it once it is unloaded"
fi

insmod "$MIN"
expect_err "File exists" "a module loaded by insmod cannot be loaded again by rloader" \
	sh -c "cat '$MIN' > $DEV"
rmmod rust_minimal

ktap_test_result "rloaderctl load" "$CTL" load "$MIN"
ktap_test_result "rloaderctl unload" "$CTL" unload rust_minimal
if loaded rust_minimal; then
	ktap_test_fail "the module is gone after rloaderctl unload"
else
	ktap_test_pass "the module is gone after rloaderctl unload"
fi
expect_err "No such file or directory" "unloading an unknown module fails with ENOENT" \
	"$CTL" unload rl_no_such_module

# Refused images.
mark_dmesg
echo 'this is not a module' > "$TMP/junk"
expect_err "Exec format error" "a non-ELF image fails with ENOEXEC" \
	sh -c "cat '$TMP/junk' > $DEV"
expect_dmesg "rloader: invalid module image: .*magic" "the refusal names the bad magic"
head -c 1000 "$MIN" > "$TMP/short.ko"
mark_dmesg
expect_err "No data available" "an incomplete image fails at close with ENODATA" \
	"$CTL" load "$TMP/short.ko"
expect_dmesg "rloader: incomplete module image: 1000 of [0-9]+ bytes received" \
	"the refusal says how much was missing"
if loaded rust_minimal; then
	ktap_test_fail "nothing was loaded from the refused images"
else
	ktap_test_pass "nothing was loaded from the refused images"
fi

# Differential: the same module through insmod and through rloader gives
# the same /proc/modules line and the same kernel messages (but for lines
# of timekeeping and scheduling watchdogs, which a loaded host provokes at
# any time).
module_log() {
	new_dmesg | sed 's/^\[[ 0-9.]*\] //' | grep -v '^rloader: ' |
		grep -vE '^(clocksource|hrtimer|sched_clock|tsc|workqueue): '
}
for m in $DIFF_MODS; do
	f=$(modpath "$m") || { ktap_test_fail "$m: insmod and rloader agree (no $m.ko)"; continue; }
	name=$m
	mark_dmesg
	insmod "$f" && a=$(state "$name") && rmmod "$name"
	module_log > "$TMP/insmod.log"
	mark_dmesg
	cat "$f" > "$DEV" && b=$(state "$name") && rmmod "$name"
	module_log > "$TMP/rloader.log"
	if [ -n "$a" ] && [ "$a" = "$b" ] && cmp -s "$TMP/insmod.log" "$TMP/rloader.log"; then
		ktap_test_pass "$m: insmod and rloader agree"
	else
		ktap_print_msg "insmod:  '$a'"
		ktap_print_msg "rloader: '$b'"
		diff "$TMP/insmod.log" "$TMP/rloader.log" | sed 's/^/#   /'
		ktap_test_fail "$m: insmod and rloader agree"
	fi
done

# Stress: load and unload, and see that nothing accumulates.
mods_before=$(wc -l < /proc/modules)
i=0 ok=0
while [ $i -lt "$STRESS" ]; do
	cat "$MIN" > "$DEV" && rmmod rust_minimal && ok=$((ok + 1))
	i=$((i + 1))
done
if [ $ok -eq "$STRESS" ] && [ "$(wc -l < /proc/modules)" -eq "$mods_before" ]; then
	ktap_test_pass "$STRESS load/unload cycles"
else
	ktap_print_msg "$ok of $STRESS cycles succeeded"
	ktap_test_fail "$STRESS load/unload cycles"
fi

# Several processes loading different modules at once.
pids=
for m in nls_cp437 nls_utf8 crc7 crc_itu_t crc_ccitt; do
	f=$(modpath "$m") && { cat "$f" > "$DEV" & pids="$pids $!"; }
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
all=1
for m in nls_cp437 nls_utf8 crc7 crc_itu_t crc_ccitt; do loaded "$m" || all=0; done
if [ $fails -eq 0 ] && [ $all -eq 1 ]; then
	ktap_test_pass "five concurrent loads all succeed"
else
	ktap_print_msg "$fails loads failed; /proc/modules:"
	sed 's/^/#   /' /proc/modules
	ktap_test_fail "five concurrent loads all succeed"
fi
for m in nls_cp437 nls_utf8 crc7 crc_itu_t crc_ccitt; do rmmod "$m" 2>/dev/null; done

# Unloading rloader leaves nothing behind that the kernel would still use.
cat "$MIN" > "$DEV"
ktap_test_result "rmmod rloader while a module it loaded is live" unload_rloader
ktap_test_result "the module outlives rloader and still unloads" rmmod rust_minimal

ktap_finished
