#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make series: write the whole project as a git format-patch series against
# the pinned upstream release, following harness/series.plan, into
# BUILD_DIR/series/.
#
#   harness/series.sh BUILD_DIR

set -euo pipefail
build=$1
build=$(realpath -m "$build")
top=$(cd "$(dirname "$0")/.." && pwd)
tarball=${RLOADER_KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
repo=$build/series-git
outdir=$build/series
die() { echo "series: $*" >&2; exit 1; }

# The base holds only the upstream files the patches change (and the
# Makefile and MAINTAINERS, which the series needs): format-patch writes the
# same patches as from a whole tree, and making it takes seconds.
needed=$( { echo Makefile; echo MAINTAINERS
	grep -v -E '^(#|$)' "$top/patches/series" | while read -r p; do
		sed -n 's|^--- a/||p' "$top/patches/$p"; done; } | sort -u)
if [ -d "$repo/.git" ]; then
	for f in $needed; do
		git -C "$repo" cat-file -e "base:$f" 2>/dev/null || { rm -rf "$repo"; break; }
	done
fi
if [ ! -d "$repo/.git" ]; then
	echo "series: making a git tree of the files the patches change in $(basename "$tarball")"
	rm -rf "$repo"; mkdir -p "$repo"
	top_dir=$( (tar -tf "$tarball" || true) | head -1 | cut -d/ -f1)
	# shellcheck disable=SC2086
	tar -xf "$tarball" -C "$repo" --strip-components=1 $(printf "$top_dir/%s " $needed)
	v=$(sed -nE 's/^(VERSION|PATCHLEVEL|SUBLEVEL) = ([0-9]+)$/\2/p' "$repo/Makefile" | paste -sd.)
	git -C "$repo" init -q
	echo '/*' > "$repo/.git/info/exclude"
	git -C "$repo" -c core.excludesFile=/dev/null add -f -A . > /dev/null
	git -C "$repo" -c user.name=upstream -c user.email=upstream@invalid commit -q -m "Linux $v"
	git -C "$repo" tag base
fi
git -C "$repo" config user.name "${RLOADER_SERIES_NAME:-rloader developers}"
git -C "$repo" config user.email "${RLOADER_SERIES_EMAIL:-rloader@users.noreply.invalid}"
git -C "$repo" am --abort > /dev/null 2>&1 || true
git -C "$repo" checkout -q -f base
git -C "$repo" clean -q -f -d -x

while read -r kind arg paths; do
	case "$kind" in ''|'#'*) continue;; esac
	case "$kind" in
	patch)
		git -C "$repo" am -q "$top/patches/$arg" || die "patch $arg does not apply"
		;;
	files)
		for p in $paths; do
			[ -e "$top/$p" ] || continue
			(cd "$top" && git ls-files -co --exclude-standard -- "$p") |
				grep -vE '^tools/rloader/(target|fuzz/(target|corpus|artifacts))/' |
				while read -r f; do
					mkdir -p "$repo/$(dirname "$f")"; cp "$top/$f" "$repo/$f"
					git -C "$repo" add -f "$f"
				done
		done
		git -C "$repo" diff --cached --quiet && { echo "series: nothing for $arg"; continue; }
		python3 "$top/harness/series-maintainers.py" "$top/harness/series/maintainers.txt" \
			"$arg" "$repo/MAINTAINERS" || die "MAINTAINERS lines for $arg"
		git -C "$repo" add MAINTAINERS
		git -C "$repo" commit -q -s -F "$top/harness/series/$arg"
		;;
	*) die "bad line in series.plan: $kind" ;;
	esac
done < "$top/harness/series.plan"

rm -rf "$outdir"
git -C "$repo" format-patch -q --cover-letter -o "$outdir" base..HEAD
# Fill the cover letter from harness/series/cover.txt (subject, then blurb).
cover=$outdir/0000-cover-letter.patch
subject=$(head -1 "$top/harness/series/cover.txt")
tail -n +2 "$top/harness/series/cover.txt" > "$outdir/blurb"
sed -i -e "s|\*\*\* SUBJECT HERE \*\*\*|$subject|" -e "/\*\*\* BLURB HERE \*\*\*/{
r $outdir/blurb
d
}" "$cover"
rm "$outdir/blurb"
echo "series: $(ls "$outdir" | wc -l) files in $outdir"
