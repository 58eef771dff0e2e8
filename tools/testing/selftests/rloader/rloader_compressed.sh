#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Compressed modules through /dev/rloader, each compared with
# finit_module(2) by rloader_chunks: modules compressed in the format the
# running kernel decompresses (/sys/module/compression), given to
# finit_module(2) with MODULE_INIT_COMPRESSED_FILE as kmod does, then to
# rloader whole and in writes of 65536, 4096, 7 and 1 bytes.  The images
# are those of $RLOADER_IMAGES/compressed (default /images/compressed) when
# a harness made them (busybox compresses neither xz nor zstd), otherwise
# made here with the compressor and options of scripts/Makefile.modinst.

. "$(dirname "$(readlink -f "$0")")/rloader_lib.sh"

require rloader rl_chain_a nls_cp437 rust_minimal
if [ ! -r /sys/module/compression ]; then
	ktap_print_header
	ktap_skip_all "the kernel does not decompress modules (CONFIG_MODULE_DECOMPRESS)"
	exit "$KSFT_SKIP"
fi
format=$(cat /sys/module/compression)
case $format in
gzip) ext=gz compress="gzip -n -9 -c" ;;
xz) ext=xz compress="xz --check=crc32 --lzma2=dict=1MiB -c" ;;
zstd) ext=zst compress="zstd -q -T0 -19 -c" ;;
*) ext=$format compress=false ;;
esac
images=${RLOADER_IMAGES:-/images}/compressed
files=
for m in rl_chain_a nls_cp437 rust_minimal; do
	f=$images/$m.ko.$ext
	if [ ! -f "$f" ]; then
		f=$TMP/$m.ko.$ext
		$compress "$(modpath $m)" > "$f" || echo "# $compress failed on $m"
	fi
	files="$files $f"
done
load_rloader
# rloader_chunks writes the KTAP header, a result per file and chunking,
# and the plan.
"$DIR/rloader_chunks" $files
