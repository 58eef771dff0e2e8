#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything rloader's build and tests need, idempotently, from the
# package registries only (Debian, crates.io, PyPI).  Safe to run repeatedly:
# each step checks first and does nothing when its tool is already there.

set -euo pipefail

BINDGEN_VERSION=0.73.2
VNG_VERSION=1.42

die() { echo "setup: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

export PATH="$HOME/.cargo/bin:$PATH"

SUDO=
if [ "$(id -u)" != 0 ]; then
	have sudo || die "need root or sudo to install Debian packages"
	SUDO=sudo
fi

debs=(clang lld llvm libclang-dev flex bison bc libelf-dev libssl-dev cpio kmod
      busybox-static qemu-system-x86 linux-source-6.12 binutils rsync python3-pip
      xz-utils zstd make git libkmod-dev dosfstools mtools genisoimage iproute2 gnuplot-nox
      e2fsprogs btrfs-progs squashfs-tools)
missing=()
for p in "${debs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	have apt-get || die "apt-get not found: install ${missing[*]} by hand"
	echo "setup: installing Debian packages: ${missing[*]}"
	$SUDO apt-get update -qq || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
fi

have rustup || die "rustup not found: install Rust with rustup (https://rustup.rs) first"
if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
	echo "setup: adding rustup component rust-src"
	rustup component add rust-src || die "rustup component add rust-src failed"
fi

if ! have bindgen || [ "$(bindgen --version | awk '{print $2}')" != "$BINDGEN_VERSION" ]; then
	echo "setup: installing bindgen-cli $BINDGEN_VERSION from crates.io (~2 min)"
	cargo install --quiet --locked bindgen-cli --version "$BINDGEN_VERSION" ||
		die "cargo install bindgen-cli failed"
fi

if ! have cargo-fuzz; then
	echo "setup: installing cargo-fuzz from crates.io"
	cargo install --quiet --locked cargo-fuzz || die "cargo install cargo-fuzz failed"
fi

if ! have vng; then
	echo "setup: installing virtme-ng $VNG_VERSION from PyPI"
	pip3 install --quiet "virtme-ng==$VNG_VERSION" ||
		pip3 install --quiet --break-system-packages "virtme-ng==$VNG_VERSION" ||
		die "pip install virtme-ng failed"
fi

echo "setup: toolchain ready"
