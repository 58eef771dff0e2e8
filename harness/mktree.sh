#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Assemble the kernel work tree: unpacked upstream source + the project's
# overlay files + the patch series in patches/series, applied in order.
#
#   harness/mktree.sh BUILD_DIR
#
# The tree is recreated from the tarball only when the tarball or the series
# changed; otherwise only overlay files whose content changed are copied, so
# kbuild rebuilds incrementally.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:?usage: mktree.sh BUILD_DIR}")
tarball=${RLOADER_KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
tree=$build/linux
mkdir -p "$build"
exec 8>"$build/mktree.lock"
flock 8

die() { echo "mktree: $*" >&2; exit 1; }

[ -f "$tarball" ] || die "$tarball not found: run 'make setup' (installs linux-source-6.12)"

series=$top/patches/series
key=$( { stat -c '%n %s %Y' "$tarball"; cat "$series";
	 while read -r p; do case "$p" in ''|'#'*) ;; *) cat "$top/patches/$p";; esac; done < "$series"; } |
       sha256sum | cut -d' ' -f1)

# Overlay: every project file that is not build harness.
overlay_list() {
	(cd "$top" && git ls-files -co --exclude-standard) |
		grep -vE '^(harness/|patches/|\.ci/|\.gitignore$|Makefile$|README\.md$|tools/rloader/(target|fuzz/(target|corpus|artifacts))/)' |
		while read -r f; do [ -f "$top/$f" ] && echo "$f"; done
}
[ -f "$build/overlay.list" ] && mv "$build/overlay.list" "$build/overlay.list.old"
overlay_list > "$build/overlay.list"

if [ ! -f "$tree/.rloader-key" ] || [ "$(cat "$tree/.rloader-key")" != "$key" ]; then
	echo "mktree: unpacking $(basename "$tarball")"
	rm -rf "$build/linux.tmp"
	mkdir -p "$build/linux.tmp"
	tar -xf "$tarball" -C "$build/linux.tmp" --strip-components=1
	while read -r p; do
		case "$p" in ''|'#'*) continue;; esac
		if ! patch -d "$build/linux.tmp" -p1 -N -s --no-backup-if-mismatch \
			-r - < "$top/patches/$p" >"$build/patch.log" 2>&1; then
			cat "$build/patch.log" >&2
			die "patch $p does not apply to $(basename "$tarball")"
		fi
	done < "$series"
	if [ -d "$tree" ]; then
		# Keep the timestamps of unchanged files so that kbuild only
		# rebuilds what the new series touches; overlay files are
		# protected from deletion and synced below.
		rm -f "$tree/.rloader-key"
		rsync -rlc --delete --exclude-from=<(sed 's|^|/|' "$build/overlay.list") \
			"$build/linux.tmp/" "$tree/"
		rm -rf "$build/linux.tmp"
	else
		mv "$build/linux.tmp" "$tree"
	fi
	echo "$key" > "$tree/.rloader-key"
fi

# Lay the overlay files over the tree.
cd "$top"
rsync -c --files-from="$build/overlay.list" "$top" "$tree"
# An overlay file removed from the repository goes from the tree too (overlay files are new
# files, never ones of the release), so that nothing built or checked there is stale.
if [ -f "$build/overlay.list.old" ]; then
	comm -23 <(sort "$build/overlay.list.old") <(sort "$build/overlay.list") |
		while read -r f; do rm -f "$tree/$f"; done
	rm -f "$build/overlay.list.old"
fi

v=$(make -s -C "$tree" kernelversion)
echo "$v" > "$build/kernelversion"
echo "mktree: Linux $v + $(grep -cvE '^(#|$)' "$series") patches + $(wc -l < "$build/overlay.list") overlay files"
