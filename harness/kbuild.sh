#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build one kernel flavour in BUILD_DIR/out/FLAVOUR.
#
#   harness/kbuild.sh BUILD_DIR FLAVOUR JOBS FRAGMENT...
#
# The configuration is tinyconfig plus the fragments from kernel/configs/;
# it is regenerated when a fragment changes, and every option a fragment
# asks for is checked to have taken effect (unless a later fragment asks
# for it otherwise: the later one wins, as in the kernel's merge).

set -euo pipefail
build=$1 flavour=$2 jobs=$3
build=$(realpath -m "$build")
shift 3
tree=$build/linux
out=$build/out/$flavour
mkdir -p "$out" "$build/logs"
# Serialize builds of one flavour (several shells may ask at once).
exec 9>"$out.lock"
flock 9
export PATH="$HOME/.cargo/bin:$PATH"
kmake() { make -s -C "$tree" O="$out" ARCH=x86_64 LLVM=1 -j"$jobs" "$@"; }

stamp=$(cd "$tree/kernel/configs" && cat "$@" | sha256sum | cut -d' ' -f1)
if [ ! -f "$out/.config" ] || [ "$(cat "$out/.rloader-config" 2>/dev/null)" != "$stamp" ]; then
	echo "kbuild($flavour): configuring tinyconfig $*"
	if ! kmake rustavailable >/dev/null 2>"$build/logs/rustavailable.log"; then
		cat "$build/logs/rustavailable.log" >&2
		echo "kbuild: Rust is not available for this kernel: run 'make setup'" >&2
		exit 1
	fi
	kmake tinyconfig "$@" >/dev/null
	bad=0 frags=("$@") n=0
	for f in "$@"; do
		n=$((n + 1))
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=*) want=$line; opt=${line%%=*} ;;
			"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}; want="# $opt is not set" ;;
			*) continue ;;
			esac
			# A later fragment that sets the option again overrides this one.
			overridden=0
			for later in "${frags[@]:$n}"; do
				grep -qE "^$opt=|^# $opt is not set" "$tree/kernel/configs/$later" && overridden=1
			done
			[ $overridden = 1 ] && continue
			got=$(grep -E "^$opt=|^# $opt is not set" "$out/.config" || echo "# $opt is not set")
			if [ "$got" != "$want" ]; then
				echo "kbuild($flavour): $f asks for '$want' but the config has '$got'" >&2
				bad=1
			fi
		done < "$tree/kernel/configs/$f"
	done
	[ $bad = 0 ] || exit 1
	echo "$stamp" > "$out/.rloader-config"
fi

echo "kbuild($flavour): building Linux $(cat "$build/kernelversion") in $out"
start=$(date +%s)
if ! kmake bzImage modules > "$build/logs/kbuild-$flavour.log" 2>&1; then
	tail -40 "$build/logs/kbuild-$flavour.log" >&2
	echo "kbuild($flavour): build failed, full log: $build/logs/kbuild-$flavour.log" >&2
	exit 1
fi
grep -E "warning:|error:" "$build/logs/kbuild-$flavour.log" | grep -E "samples/rust/rloader|rust/kernel/(miscdevice|fs)" && {
	echo "kbuild($flavour): warnings in rloader code (see above)" >&2; exit 1; }
echo "kbuild($flavour): done in $(( $(date +%s) - start )) s"
