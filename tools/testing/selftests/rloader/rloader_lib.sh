# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the rloader selftests.  POSIX sh, so that the tests run
# under busybox in a minimal guest as well as under bash on a full system.

DIR="$(dirname "$(readlink -f "$0")")"
KTAP_HELPERS="$DIR/../kselftest/ktap_helpers.sh"
if [ -e "$KTAP_HELPERS" ]; then
	. "$KTAP_HELPERS"
else
	echo "$KTAP_HELPERS file not found [SKIP]"
	exit 4
fi

DEV=/dev/rloader
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Where the modules come from: modprobe when they are installed for the
# running kernel, otherwise $RLOADER_MODDIR (a directory of .ko files).
# $RLOADER_MODDIR first, under either spelling of the name, so that a
# module found there is never taken from elsewhere.
modpath() { # modpath NAME -> path of NAME.ko (NAME with '_' or '-')
	for n in "$1" "$(echo "$1" | tr _ -)"; do
		if [ -n "${RLOADER_MODDIR:-}" ] && [ -f "$RLOADER_MODDIR/$n.ko" ]; then
			echo "$RLOADER_MODDIR/$n.ko"
			return 0
		fi
	done
	for n in "$1" "$(echo "$1" | tr _ -)"; do
		modinfo -F filename "$n" 2>/dev/null | grep -v '^(builtin)$' && return 0
	done
	return 1
}

# require NAME...: skip the whole test unless run as root with NAME.ko found
# for every NAME.
require() {
	if [ "$(id -u)" != 0 ]; then
		ktap_skip_all "must be run as root"
		exit "$KSFT_SKIP"
	fi
	for m in "$@"; do
		if ! modpath "$m" > /dev/null; then
			ktap_skip_all "$m.ko not found (modprobe, or set RLOADER_MODDIR)"
			exit "$KSFT_SKIP"
		fi
	done
}

load_rloader() {
	grep -q '^rloader ' /proc/modules && return 0
	if [ -n "${RLOADER_MODDIR:-}" ] && [ -f "$RLOADER_MODDIR/rloader.ko" ]; then
		insmod "$RLOADER_MODDIR/rloader.ko"
	else
		modprobe rloader
	fi
}

unload_rloader() {
	grep -q '^rloader ' /proc/modules || return 0
	rmmod rloader
}

# Messages the kernel logged since the last call of mark_dmesg.  The mark
# is the last line itself (timestamped, so unique) rather than a line
# count, which stops growing once the log buffer is full.
mark_dmesg() { dmesg | tail -n 1 > "$TMP/dmesg.mark"; }
new_dmesg() {
	dmesg | awk -v mark="$TMP/dmesg.mark" '
		BEGIN { getline last < mark }
		$0 == last { n = 0; next }
		{ line[n++] = $0 }
		END { for (i = 0; i < n; i++) print line[i] }'
}

# expect_dmesg REGEX DESCRIPTION: a new kernel message matches REGEX.
expect_dmesg() {
	if new_dmesg | grep -qE "$1"; then
		ktap_test_pass "$2"
	else
		ktap_print_msg "no kernel message matching '$1'; new messages:"
		new_dmesg | sed 's/^/#   /'
		ktap_test_fail "$2"
	fi
}

# same_log_as_finit NAME DESCRIPTION: the kernel log of a load of NAME
# through rloader (one that fails and leaves nothing behind) is line for
# line that of finit_module(2) on the same file, timestamps aside.
same_log_as_finit() {
	mark_dmesg
	cat "$(modpath "$1")" > "$DEV" 2> /dev/null
	new_dmesg | sed 's/^\[[ 0-9.]*\] //' > "$TMP/log.rloader"
	mark_dmesg
	"$DIR/rloaderctl" finit "$(modpath "$1")" > /dev/null 2>&1
	new_dmesg | sed 's/^\[[ 0-9.]*\] //' > "$TMP/log.finit"
	if [ -s "$TMP/log.finit" ] && cmp -s "$TMP/log.rloader" "$TMP/log.finit"; then
		ktap_test_pass "$2"
	else
		ktap_print_msg "rloader logged:"
		sed 's/^/#   /' "$TMP/log.rloader"
		ktap_print_msg "finit_module logged:"
		sed 's/^/#   /' "$TMP/log.finit"
		ktap_test_fail "$2"
	fi
}

# expect_err "MESSAGE" DESCRIPTION CMD...: CMD fails and its stderr holds
# MESSAGE (the strerror() text of the expected errno).
expect_err() {
	msg=$1 desc=$2
	shift 2
	if "$@" > "$TMP/out" 2>&1; then
		ktap_print_msg "'$*' succeeded, expected: $msg"
		ktap_test_fail "$desc"
	elif grep -q "$msg" "$TMP/out"; then
		ktap_test_pass "$desc"
	else
		ktap_print_msg "'$*' failed with: $(cat "$TMP/out"), expected: $msg"
		ktap_test_fail "$desc"
	fi
}
