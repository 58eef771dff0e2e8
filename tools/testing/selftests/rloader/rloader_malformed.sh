#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Selftests of the module images rloader must refuse.  For every kind of
# defect that rloader's ELF engine or the kernel's registration rejects,
# rloader_corrupt damages a real module; writing the result to /dev/rloader
# must fail with the expected errno, log a kernel message naming the reason,
# and leave nothing behind in /proc/modules or /sys/module.

. "$(dirname "$(readlink -f "$0")")/rloader_lib.sh"

# One case per line: KIND MODULE ERRNO STAGE REGEX.
#
# KIND is the rloader_corrupt corruption applied to MODULE.  ERRNO is the
# error of the write (of the close for ENODATA: the image never completes).
# REGEX (extended, up to the end of the line) must match a new kernel
# message after the prefix STAGE implies:
#   image   "rloader: invalid module image: "  (refused by the engine)
#   device  "rloader: "                        (refused while collecting)
#   load    "rloader: MODULE: "                (refused while loading)
#   kernel  "MODULE: "                         (refused by the kernel)
cases() {
	cat <<'EOF'
bad-magic rust_minimal ENOEXEC image invalid ELF header magic$
bad-class rust_minimal ENOEXEC image ELF class 1 is not ELFCLASS64$
bad-data nls_cp437 ENOEXEC image ELF data encoding 2 is not little-endian$
bad-version rust_minimal ENOEXEC image ELF version 0 is not EV_CURRENT$
not-relocatable nls_cp437 ENOEXEC image invalid ELF header type 2 != ET_REL$
bad-machine rust_minimal ENOEXEC image invalid architecture 3 in ELF header \(need EM_X86_64\)$
bad-shentsize nls_cp437 ENOEXEC image invalid ELF section header size 40$
extended-numbering rust_minimal ENOEXEC image extended section numbering \(SHN_XINDEX\) is not supported$
shdrs-out-of-file nls_cp437 ENOEXEC image section header table \([0-9]+ entries at 0xffffffffffffffc0\) overflows the image$
image-too-large rust_minimal EFBIG device image too large: its headers need [0-9]+ bytes, the limit is [0-9]+$
shdrs-past-end nls_cp437 ENODATA device incomplete module image: [0-9]+ of [0-9]+ bytes received$
bad-null-section rust_minimal ENOEXEC image section 0 is not an empty SHT_NULL section$
section-out-of-file nls_cp437 ENOEXEC image section [0-9]+ \(type 1\) lies outside the image$
section-past-end rust_minimal ENODATA device incomplete module image: [0-9]+ of [0-9]+ bytes received$
bad-shstrndx nls_cp437 ENOEXEC image invalid section name table index [0-9]+$
shstrtab-not-strtab rust_minimal ENOEXEC image section name table \(section [0-9]+\) is not SHT_STRTAB$
empty-strtab nls_cp437 ENOEXEC image string table section [0-9]+ is empty$
strtab-unterminated rust_minimal ENOEXEC image string table section [0-9]+ is not NUL-terminated$
section-name-oob nls_cp437 ENOEXEC image section [0-9]+ name offset [0-9]+ is outside the name table$
duplicate-modinfo rust_minimal ENOEXEC image only one \.modinfo section must exist \(another at section [0-9]+\)$
missing-this-module nls_cp437 ENOEXEC image exactly one \.gnu\.linkonce\.this_module section must exist \(none found\)$
duplicate-this-module rust_minimal ENOEXEC image exactly one \.gnu\.linkonce\.this_module section must exist \(another at section [0-9]+\)$
this-module-nobits nls_cp437 ENOEXEC image \.gnu\.linkonce\.this_module \(section [0-9]+\) must have contents$
this-module-not-alloc rust_minimal ENOEXEC image \.gnu\.linkonce\.this_module \(section [0-9]+\) must be SHF_ALLOC$
this-module-size nls_cp437 ENOEXEC image \.gnu\.linkonce\.this_module \(section [0-9]+\) is [0-9]+ bytes, the running kernel's struct module is [0-9]+$
missing-symtab rust_minimal ENOEXEC image module has no symbol table \(stripped\?\)$
duplicate-symtab nls_cp437 ENOEXEC image more than one symbol table \(another at section [0-9]+\)$
symtab-bad-link rust_minimal ENOEXEC image symbol table sh_link 0 is not a valid section$
symtab-link-not-strtab nls_cp437 ENOEXEC image symbol string table \(section [0-9]+\) is not SHT_STRTAB$
symtab-bad-size rust_minimal ENOEXEC image symbol table \(section [0-9]+\) has entsize 16 and size [0-9]+$
symbol-name-oob nls_cp437 ENOEXEC image symbol [0-9]+ name offset [0-9]+ is outside the string table$
symbol-bad-section rust_minimal ENOEXEC image symbol [0-9]+ '[^']+' has an invalid section index [0-9]+$
common-symbol nls_cp437 ENOEXEC image common symbol [0-9]+ '[^']+': please compile with -fno-common$
livepatch-symbol rust_minimal ENOEXEC image livepatch symbol/section [1-9][0-9]* '[^']+' is not supported$
livepatch-rela nls_cp437 ENOEXEC image livepatch symbol/section 0 '\.rela[^']+' is not supported$
write-and-exec rust_minimal ENOEXEC image section [0-9]+ '[^']+' has invalid WRITE\|EXEC flags$
bad-alignment nls_cp437 ENOEXEC image section [0-9]+ '[^']+' alignment 24 is not a power of two$
rel-not-supported rust_minimal ENOEXEC image section [0-9]+ '\.rela[^']+': REL relocation unsupported$
rela-bad-size nls_cp437 ENOEXEC image relocation section [0-9]+ '[^']+' has a bad entry size or length$
rela-bad-link rust_minimal ENOEXEC image relocation section [0-9]+ '[^']+' links to section [0-9]+, not the symbol table$
rela-bad-info nls_cp437 ENOEXEC image relocation section [0-9]+ '[^']+' applies to invalid section [0-9]+$
reloc-bad-symbol rust_minimal ENOEXEC image relocation [0-9]+ in section [0-9]+ names symbol [0-9]+ past the symbol table$
reloc-out-of-section nls_cp437 ENOEXEC image relocation [0-9]+ in section [0-9]+ at offset 0x[0-9a-f]+ is outside its [0-9]+-byte target$
reloc-unknown-type rust_minimal ENOEXEC image relocation [0-9]+ in section [0-9]+: unknown rela relocation 9 \(R_X86_64_GOTPCREL\)$
reloc-overflow nls_cp437 ENOEXEC load relocation [0-9]+ in section [0-9]+: overflow in relocation type 10 \(R_X86_64_32\) val 0x[0-9a-f]+; likely not compiled with -mcmodel=kernel$
reloc-target-nonzero rust_minimal ENOEXEC load relocation [0-9]+ in section [0-9]+: invalid relocation target, existing value is nonzero for type [0-9]+$
layout-overflow rust_minimal ENOMEM load layout overflows while placing section [0-9]+$
unresolved nls_cp437 ENOENT load Unknown symbol [XY][^ ]* \(err -2\)$
missing-vermagic rust_minimal ENOEXEC load no version magic in \.modinfo$
vermagic-mismatch nls_cp437 ENOEXEC kernel version magic '[XY][^']*' should be '[^']*'$
livepatch-modinfo rust_minimal ENOEXEC load livepatch modules are not supported by rloader$
EOF
}

# strerror() of the errnos above.
strerror() {
	case $1 in
	ENOEXEC) echo "Exec format error" ;;
	ENODATA) echo "No data available" ;;
	EFBIG) echo "File too large" ;;
	ENOMEM) echo "Cannot allocate memory" ;;
	ENOENT) echo "No such file or directory" ;;
	esac
}

# The kernel log since mark_dmesg, without timestamps.
log_since_mark() { new_dmesg | sed 's/^\[[ 0-9.]*\] //'; }

# The module's traces in /proc/modules and sysfs, if any.
traces() {
	grep "^$1 " /proc/modules
	[ -e "/sys/module/$1" ] && echo "/sys/module/$1 exists"
}

# run_case KIND MODULE ERRNO STAGE REGEX: one test.
run_case() {
	kind=$1 mod=$2 err=$3 stage=$4 re=$5
	desc="$kind ($mod): $err"
	case $stage in
	image) prefix="rloader: invalid module image: " ;;
	device) prefix="rloader: " ;;
	load) prefix="rloader: $mod: " ;;
	kernel) prefix="$mod: " ;;
	esac
	msg=$(strerror "$err")
	if ! src=$(modpath "$mod"); then
		ktap_test_fail "$desc: no $mod.ko"
		return
	fi
	if ! "$CORRUPT" "$kind" "$src" "$TMP/bad.ko" < /dev/null 2> "$TMP/out"; then
		ktap_print_msg "$(cat "$TMP/out")"
		ktap_test_fail "$desc: cannot build the image"
		return
	fi
	count=$(wc -l < /proc/modules)
	mark_dmesg
	# An incomplete image is refused when the file is closed, which cat
	# does not check: rloaderctl does.
	if [ "$err" = ENODATA ]; then
		set -- "$CTL" load "$TMP/bad.ko"
	else
		set -- sh -c "cat '$TMP/bad.ko' > $DEV"
	fi
	ok=1
	if "$@" < /dev/null > "$TMP/out" 2>&1; then
		ktap_print_msg "the image was accepted"
		ok=0
	elif ! grep -q "$msg" "$TMP/out"; then
		ktap_print_msg "failed with '$(cat "$TMP/out")', expected '$msg'"
		ok=0
	fi
	log_since_mark > "$TMP/log"
	if ! grep -qE "^$prefix$re" "$TMP/log"; then
		ktap_print_msg "no kernel message matching '^$prefix$re'; new messages:"
		sed 's/^/#   /' "$TMP/log"
		ok=0
	fi
	if [ "$(wc -l < /proc/modules)" != "$count" ] || [ -n "$(traces "$mod")" ]; then
		ktap_print_msg "left behind: $(traces "$mod")"
		sed 's/^/#   /' /proc/modules
		ok=0
	fi
	if [ $ok = 1 ]; then
		ktap_test_pass "$desc"
	else
		ktap_test_fail "$desc"
	fi
}

ktap_print_header

require rloader rust_minimal nls_cp437

CORRUPT="$DIR/rloader_corrupt"
CTL="$DIR/rloaderctl"

ktap_set_plan $(($(cases | wc -l) + 1))

load_rloader
for m in rust_minimal nls_cp437; do
	grep -q "^$m " /proc/modules && rmmod $m
done
cut -d' ' -f1-5 /proc/modules > "$TMP/modules.before"

cases > "$TMP/cases"
while read -r kind mod err stage re; do
	run_case "$kind" "$mod" "$err" "$stage" "$re"
done < "$TMP/cases"

cut -d' ' -f1-5 /proc/modules > "$TMP/modules.after"
if cmp -s "$TMP/modules.before" "$TMP/modules.after"; then
	ktap_test_pass "/proc/modules is as it was before the refused images"
else
	diff "$TMP/modules.before" "$TMP/modules.after" | sed 's/^/#   /'
	ktap_test_fail "/proc/modules is as it was before the refused images"
fi

ktap_finished
