#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# One half of the comparison of the two loaders in separate boots of the
# distribution-like kernel: every module of modules.dep (module_lines()),
# what it needs and then itself loaded through one loader,
# RLOADER_RECORD_LOADER (finit or rloader), the module recorded by
# rloader_chunks --record (errno, state, unload, kernel log), then
# everything unloaded.  harness/differential.py compares the records of a
# boot with each loader, module by module.  Not part of the default
# kselftest list: the guest runs it in its "record" mode.  KTAP: one
# result per module, that its record was written and what it needed
# loaded.

dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/rloader_modules.sh"
loader=${RLOADER_RECORD_LOADER:-}

echo "TAP version 13"
[ "$loader" = finit ] || [ "$loader" = rloader ]
result $? "the loader to record is finit or rloader ('$loader')"
"$dir/rloader_chunks" --finit "$mods/$(path_of rloader)"
result $? "rloader loads through finit_module"
module_lines > /tmp/modules
while IFS= read -r line; do
	mod=${line%%:*}
	deps_load "$loader" "$mod" && "$dir/rloader_chunks" --record "$loader" "$mods/$mod"
	ok=$?
	stack_unload || ok=1
	result $ok "$(name_of "$mod") recorded through $loader"
done < /tmp/modules
echo "1..$n"
[ "$failed" = 0 ]
