#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build rloaderctl (tools/rloader/ctl) and rloader-check (tools/rloader),
# the file system images of the demand-loading tests, and install them.
#
#   harness/ctl.sh BUILD_DIR build           -> BUILD_DIR/ctl/{bin,images}
#   harness/ctl.sh BUILD_DIR install ROOT    -> ROOT/usr/bin, the shared
#                                               libraries ldd lists and the
#                                               ELF interpreter, ROOT/images

set -euo pipefail
build=$(realpath -m "$1") what=$2
top=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"
ctl=$build/ctl
die() { echo "ctl: $*" >&2; exit 1; }

build() {
	mkdir -p "$ctl/bin" "$build/logs"
	local log=$build/logs/ctl-build.log
	(cd "$top/tools/rloader/ctl" && CARGO_TARGET_DIR=$build/ctl-target cargo build --release --locked) > "$log" 2>&1 ||
		{ tail -30 "$log"; die "cargo build of rloaderctl failed (log: $log)"; }
	(cd "$top/tools/rloader" && CARGO_TARGET_DIR=$build/cargo cargo build --release --bin rloader-check) >> "$log" 2>&1 ||
		{ tail -30 "$log"; die "cargo build of rloader-check failed (log: $log)"; }
	install -m 755 "$build/ctl-target/release/rloaderctl" "$build/cargo/release/rloader-check" "$ctl/bin/"

	# Images whose file system modules are not loaded: each holds hello.txt.
	local img=$ctl/images
	rm -rf "$img"; mkdir -p "$img/src"
	echo "hello from vfat" > "$img/src/hello.txt"
	mkfs.vfat -C -n RLOADER "$img/vfat.img" 1024 > /dev/null || die "mkfs.vfat failed"
	mcopy -i "$img/vfat.img" "$img/src/hello.txt" ::/hello.txt || die "mcopy failed"
	echo "hello from iso9660" > "$img/src/hello.txt"
	genisoimage -quiet -o "$img/cd.iso" "$img/src" || die "genisoimage failed"
	rm -rf "$img/src"
}

install_into() {
	local root=$1 f lib
	mkdir -p "$root/usr/bin"
	install -m 755 "$ctl/bin/rloaderctl" "$ctl/bin/rloader-check" "$root/usr/bin/"
	# The shared libraries (libkmod and what it needs, libc) and ld.so,
	# at the paths ldd names, so that the guest's ld.so finds them.
	for f in "$ctl/bin/rloaderctl" "$ctl/bin/rloader-check"; do
		ldd "$f" | grep -oE '/[^ ]+' | while read -r lib; do
			mkdir -p "$root/$(dirname "$lib")"
			cp -L "$lib" "$root/$lib"
		done
	done
	mkdir -p "$root/images"
	cp "$ctl/images/"* "$root/images/"
}

case "$what" in
build) build ;;
install) install_into "$(realpath -m "${3:?install needs ROOT}")" ;;
*) die "unknown action $what" ;;
esac
