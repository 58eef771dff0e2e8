#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lints of make check, each ending in "lint-NAME: N passed, N failed".
#
#   harness/lint.sh BUILD_DIR rustfmt     rustfmt --check of every project .rs file
#   harness/lint.sh BUILD_DIR clippy [J [FLAVOUR]]   CLIPPY=1 rebuild of the Rust modules of
#                                         the FLAVOUR kernel (distro) + cargo clippy
#   harness/lint.sh BUILD_DIR checkpatch  checkpatch.pl on every patch of make series
#
# rustfmt runs the kernel's own "make LLVM=1 rustfmtcheck" in BUILD_DIR/linux
# (it needs no configuration and no O=; it checks every .rs file of the tree
# with the tree's .rustfmt.toml) and "cargo fmt --check" with the same
# configuration in tools/rloader; each project .rs file is one test, which
# fails on any diff.  Diffs in other files (upstream, or left over in the
# tree by an older overlay) are shown but not counted.
#
# clippy needs that kernel (make kernel-distro): it rebuilds only the
# objects of the project's Rust modules with CLIPPY=1 (kbuild rebuilds an
# object whose command line changed; the rust/ crates, which hold the
# project's rust/kernel/ files, are rebuilt under clippy on the way) and
# fails an object on any diagnostic in its build; then "cargo clippy
# --all-targets -- -D warnings" in tools/rloader.
#
# checkpatch runs make series, then scripts/checkpatch.pl in default mode
# with --max-line-length=100 on each patch; each patch is one test, which
# fails on any ERROR or WARNING.

set -uo pipefail
build=$(realpath -m "${1:?usage: lint.sh BUILD_DIR rustfmt|clippy|checkpatch}")
what=${2:?usage: lint.sh BUILD_DIR rustfmt|clippy|checkpatch}
jobs=${3:-2}
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$build/linux
export PATH="$HOME/.cargo/bin:$PATH"
ldir=$build/lint
mkdir -p "$ldir" "$build/logs"
pass=0 fail=0

ok() { echo "ok - $what: $*"; pass=$((pass + 1)); }
notok() { echo "not ok - $what: $*"; fail=$((fail + 1)); }
# diagnostics BASE ROOT < rustc output: "FILE:LINE:COL: warning: MSG" for each
# diagnostic, FILE relative to ROOT (rustc names it relative to BASE).
diagnostics() {
	awk '/^(warning|error)(\[[^]]*\])?: / { msg = $0; next }
	     msg != "" && /^ *--> / { sub(/^ *--> /, ""); print $0 ": " msg; msg = "" }' |
		while IFS= read -r x; do
			f=${x%%:*}
			case "$f" in /*) ;; *) f=$1/$f ;; esac
			echo "$(realpath -m --relative-to="$2" "$f"):${x#*:}"
		done | sort -u
}
finish() { echo "lint-$what: $pass passed, $fail failed"; [ "$fail" = 0 ]; exit; }
[ -d "$tree" ] && [ -f "$build/overlay.list" ] || { notok "no tree: run 'make tree'"; finish; }

case "$what" in
rustfmt)
	cfg=$tree/.rustfmt.toml
	(cd "$tree" && make -s LLVM=1 rustfmtcheck) > "$ldir/rustfmtcheck.out" 2>&1
	rc=$?
	(cd "$tree/tools/rloader" && cargo fmt --check -- --config-path "$cfg") \
		> "$ldir/cargo-fmt.out" 2>&1
	crc=$?
	# "Diff in /abs/path/file.rs:LINE:" (the path may contain "..").
	cat "$ldir/rustfmtcheck.out" "$ldir/cargo-fmt.out" |
		sed -nE 's/^Diff in (.*\.rs)(:| at line )([0-9]+).*/\1 \3/p' |
		while read -r f l; do echo "$(realpath -m --relative-to="$tree" "$f"):$l"; done |
		sort -u > "$ldir/rustfmt.diffs"
	grep '\.rs$' "$build/overlay.list" | sort > "$ldir/rustfmt.files"
	while read -r f; do
		lines=$(grep "^$f:" "$ldir/rustfmt.diffs" | cut -d: -f2 | sort -n | paste -sd, -)
		if [ -n "$lines" ]; then notok "$f (diff at lines $lines)"; else ok "$f"; fi
	done < "$ldir/rustfmt.files"
	up=$(grep -vFf <(sed 's/$/:/' "$ldir/rustfmt.files") "$ldir/rustfmt.diffs")
	if [ -n "$up" ]; then
		echo "# rustfmt: diffs outside the overlay (upstream, or left over in the tree; not counted):"
		echo "$up" | sed 's/^/#   /'
	fi
	# A failing run that names no file (a parse error, a missing rustfmt).
	if [ $rc != 0 ] && [ ! -s "$ldir/rustfmt.diffs" ]; then
		notok "make rustfmtcheck failed (exit $rc)"; tail -20 "$ldir/rustfmtcheck.out"
	fi
	if [ $crc != 0 ] && ! grep -q '^Diff in' "$ldir/cargo-fmt.out"; then
		notok "cargo fmt --check in tools/rloader failed (exit $crc)"; tail -20 "$ldir/cargo-fmt.out"
	fi
	if [ $fail != 0 ]; then
		echo "# rustfmt: to see the diffs: make -C $tree LLVM=1 rustfmtcheck;" \
			"to fix them: make -C $tree LLVM=1 rustfmt, then copy the files back"
	fi
	;;
clippy)
	flavour=${4:-distro}
	out=$build/out/$flavour
	[ -f "$out/.config" ] && [ -f "$out/rust/libkernel.rmeta" ] ||
		{ notok "no $flavour kernel: run 'make kernel-$flavour'"; finish; }
	objs="samples/rust/rloader/rloader.o samples/rloader/rl_rust_hello.o"
	# kbuild.sh takes this lock too: never race a build of the same tree.
	exec 9>"$out.lock"
	flock 9
	for obj in $objs; do
		[ -f "$tree/${obj%.o}.rs" ] || { notok "$obj: ${obj%.o}.rs missing"; continue; }
		log=$ldir/clippy-$(basename "$obj" .o).out
		make -C "$tree" O="$out" ARCH=x86_64 LLVM=1 CLIPPY=1 -j"$jobs" "$obj" > "$log" 2>&1
		rc=$?
		# Each diagnostic: "warning: MSG" (or error:), then " --> FILE:LINE:COL".
		diagnostics "$out" "$tree" < "$log" > "$log.found"
		if [ $rc != 0 ] || [ -s "$log.found" ]; then
			notok "$obj ($(wc -l < "$log.found") findings, exit $rc)"
			sed 's/^/#   /' "$log.found"
			[ -s "$log.found" ] || tail -20 "$log"
		else
			ok "$obj"
		fi
	done
	crate=$top/tools/rloader
	log=$ldir/cargo-clippy.out
	(cd "$crate" && CARGO_TARGET_DIR=$build/cargo cargo clippy --all-targets -- -D warnings) > "$log" 2>&1
	rc=$?
	if [ $rc = 0 ]; then
		ok "cargo clippy --all-targets tools/rloader"
	else
		notok "cargo clippy --all-targets tools/rloader (exit $rc)"
		diagnostics "$crate" "$top" < "$log" | sed 's/^/#   /'
		grep -q -- '-->' "$log" || tail -20 "$log"
	fi
	;;
checkpatch)
	bash "$top/harness/series.sh" "$build" > "$ldir/series.out" 2>&1 ||
		{ cat "$ldir/series.out"; notok "make series failed"; finish; }
	for p in "$build"/series/*.patch; do
		n=$(basename "$p")
		[ "$n" = 0000-cover-letter.patch ] && continue
		(cd "$tree" && perl scripts/checkpatch.pl --max-line-length=100 --show-types \
			--no-summary "$p") > "$ldir/$n.out" 2>&1
		rc=$?
		# "WARNING:TYPE: message" then "#N: FILE: path:line:" for code.
		awk '/^(ERROR|WARNING):/ { if (m != "") print m; m = $0; next }
		     m != "" && /^#[0-9]+: FILE: / { sub(/^#[0-9]+: FILE: /, ""); print $0 " " m; m = ""; next }
		     m != "" { print "(commit message or diffstat) " m; m = "" }
		     END { if (m != "") print m }' "$ldir/$n.out" > "$ldir/$n.found"
		if [ -s "$ldir/$n.found" ]; then
			notok "$n ($(wc -l < "$ldir/$n.found") findings)"
			sed 's/^/#   /' "$ldir/$n.found"
		elif [ $rc != 0 ]; then
			notok "$n (checkpatch.pl exit $rc)"; tail -20 "$ldir/$n.out"
		else
			ok "$n"
		fi
	done
	;;
*)
	echo "lint.sh: unknown lint $what" >&2; exit 2 ;;
esac
finish
