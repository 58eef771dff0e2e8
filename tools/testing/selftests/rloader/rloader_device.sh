#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Selftests of the /dev/rloader misc device: registration and mode, the
# CAP_SYS_MODULE checks on open and write, images written in any chunking,
# the size limit, and module unload while the device is open.

. "$(dirname "$(readlink -f "$0")")/rloader_lib.sh"

ktap_print_header

require rloader rust_minimal
IMAGE=$(modpath rust_minimal)
SIZE=$(stat -c %s "$IMAGE")

ktap_set_plan 24

unload_rloader 2>/dev/null
ktap_test_result "insmod rloader" load_rloader

if [ -c "$DEV" ]; then
	ktap_test_pass "$DEV is a character device"
else
	ktap_test_fail "$DEV is a character device"
fi

mode=$(stat -c '%a %U' "$DEV" 2>/dev/null)
if [ "$mode" = "600 root" ]; then
	ktap_test_pass "$DEV has mode 0600, owner root"
else
	ktap_print_msg "mode/owner is '$mode'"
	ktap_test_fail "$DEV has mode 0600, owner root"
fi

# Root without CAP_SYS_MODULE: DAC still allows the open, rloader must not.
nocap="$DIR/rloader_nocap"
expect_err "Operation not permitted" "open without CAP_SYS_MODULE fails with EPERM" \
	$nocap sh -c "exec 3>$DEV"

# An fd opened with the capability, used for writing by a process without.
exec 3>"$DEV"
expect_err "Operation not permitted" "write without CAP_SYS_MODULE fails with EPERM" \
	$nocap sh -c "cat '$IMAGE' >&3"
exec 3>&-

# Writes of every chunking load the module as soon as the image is complete.
for bs in 1 7 512 4096 65536 "$SIZE"; do
	mark_dmesg
	if dd if="$IMAGE" of="$DEV" bs="$bs" conv=notrunc 2>"$TMP/dd" &&
	   grep -q '^rust_minimal ' /proc/modules && grep -q '^rust_minimal ' "$DEV" &&
	   rmmod rust_minimal; then
		expect_dmesg "rust_minimal: Rust minimal sample \(init\)" \
			"write in $bs-byte chunks loads the module"
	else
		ktap_print_msg "dd bs=$bs: $(cat "$TMP/dd")"
		ktap_test_fail "write in $bs-byte chunks loads the module"
	fi
done

# The image size limit (64 MiB): an ELF header whose section header table
# starts at 128 MiB is refused as soon as it arrives.
{
	head -c 40 "$IMAGE"
	printf '\000\000\000\010\000\000\000\000'
	tail -c +49 "$IMAGE" | head -c 16
} > "$TMP/huge.ko"
expect_err "File too large" "an image over 64 MiB is refused with EFBIG" \
	sh -c "cat '$TMP/huge.ko' > $DEV"

# The limit is per open file: a lower one refuses a real module written
# through that file, and leaves every other writer at 64 MiB.
mark_dmesg
expect_err "File too large" "with its limit set to 4096 bytes, a file refuses rust_minimal" \
	"$DIR/rloaderctl" load -l 4096 "$IMAGE"
too_large='rloader: image too large: (more than the limit of 4096 bytes|'
too_large="$too_large"'its headers need [0-9]+ bytes, the limit is 4096)'
expect_dmesg "$too_large" "the refusal names the limit"
# (ktap_test_result splits its command into words: no quoting or redirection.)
cat_image() { cat "$IMAGE" > "$DEV"; }
ktap_test_result "another writer still loads rust_minimal" cat_image
ktap_test_result "and unloads it" rmmod rust_minimal
ktap_test_result "a limit of the image's size loads it" "$DIR/rloaderctl" load -l "$SIZE" "$IMAGE"
ktap_test_result "and unloads it again" rmmod rust_minimal
expect_err "Invalid argument" "a limit of 0 is refused" \
	"$DIR/rloaderctl" load -l 0 "$IMAGE"

# The listing shows text addresses under the rule of /proc/modules.
kptr=$(cat /proc/sys/kernel/kptr_restrict)
listed_as() { # listed_as KPTR_RESTRICT REGEX DESCRIPTION
	echo "$1" > /proc/sys/kernel/kptr_restrict
	if grep -qE "$2" "$DEV"; then
		ktap_test_pass "$3"
	else
		ktap_print_msg "$(grep '^rust_minimal ' "$DEV")"
		ktap_test_fail "$3"
	fi
}
cat "$IMAGE" > "$DEV"
listed_as 2 '^rust_minimal 0x0 ' "with kptr_restrict=2 the listing hides the text address"
listed_as 0 '^rust_minimal 0xffffffff[0-9a-f]{8} ' "with kptr_restrict=0 root sees it"
echo "$kptr" > /proc/sys/kernel/kptr_restrict
rmmod rust_minimal

# The device's owner is rloader: an open file pins the module.
exec 3>"$DEV"
expect_err "Resource temporarily unavailable\|in use" \
	"rmmod rloader while $DEV is open is refused" rmmod rloader
if grep -q '^rloader ' /proc/modules && [ -c "$DEV" ]; then
	exec 3>&-
	ktap_test_result "rmmod rloader after close" rmmod rloader
else
	exec 3>&-
	ktap_test_fail "rmmod rloader after close"
fi

if [ ! -e "$DEV" ] && ! grep -q '^rloader ' /proc/modules; then
	ktap_test_pass "$DEV is gone after rmmod"
else
	ktap_test_fail "$DEV is gone after rmmod"
fi

ktap_finished
