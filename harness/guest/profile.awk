# SPDX-License-Identifier: GPL-2.0
#
# Sums a function_graph trace (funcgraph-tail, max_graph_depth 3) of module
# loads into one line per loader and function:
#
#   profile: LOADER DEPTH FUNCTION CALLS MICROSECONDS
#
# summed over every load in the trace, plus "profile: LOADER 0 loads N".
# A load of the kernel's loader is a call of load_module(), with the
# kernel_read_file() before it (its read of the file); a load of rloader is a
# vfs_write() that called rloader_may_load().  Depth 2 is what the root
# called, depth 3 what those called (as CALLER/FUNCTION).  rloader's own
# code is Rust, which the tracer does not see: its time is what vfs_write()
# spent outside the functions listed.
#
# Usage: awk -f profile.awk /sys/kernel/tracing/trace

# The duration column: "12.345 us", or "1234567 us" (no decimals) once long.
function dur(line,    m) {
	if (match(line, /[0-9]+(\.[0-9]+)? us/))
		return substr(line, RSTART, RLENGTH - 3) + 0
	return -1
}

function flush_root(loader, t,    k) {
	loads[loader]++
	total[loader] += t + read_us
	if (read_us) {
		calls[loader SUBSEP "2 kernel_read_file"]++
		us[loader SUBSEP "2 kernel_read_file"] += read_us
		read_us = 0
	}
	for (k in pend) {
		calls[loader SUBSEP k] += pcalls[k]
		us[loader SUBSEP k] += pend[k]
	}
	delete pend
	delete pcalls
}

/^#/ { next }
{
	bar = index($0, "|")
	if (!bar)
		next
	text = substr($0, bar + 1)
	match(text, /^ */)
	depth = int((RLENGTH - 1) / 2) + 1
	text = substr(text, RLENGTH + 1)
	d = dur(substr($0, 1, bar))
	if (text ~ /\(\) \{$/) {
		name = substr(text, 1, index(text, "(") - 1)
		stack[depth] = name
		if (depth == 1) {
			delete pend
			delete pcalls
			is_rl = 0
			# A read of the file counts for the load_module() after it.
			if (name != "load_module")
				read_us = 0
		}
		next
	}
	if (text ~ /^\}/) {
		name = text
		sub(/^\} \/\* /, "", name)
		sub(/ \*\/.*$/, "", name)
	} else if (text ~ /\(\);$/) {
		name = substr(text, 1, index(text, "(") - 1)
	} else {
		next
	}
	if (d < 0 || stack[1] == "")
		next
	if (depth == 1) {
		if (name == "kernel_read_file")
			read_us = d
		else if (name == "load_module")
			flush_root("finit_module", d)
		else if (name == "vfs_write" && is_rl)
			flush_root("rloader", d)
		stack[1] = ""
		next
	}
	if (name ~ /^rloader_may_load/)
		is_rl = 1
	key = depth == 2 ? "2 " name : "3 " stack[2] "/" name
	pend[key] += d
	pcalls[key]++
}

END {
	for (l in loads)
		printf "profile: %s 0 loads %d %.1f\n", l, loads[l], total[l]
	for (k in us) {
		split(k, p, SUBSEP)
		printf "profile: %s %s %d %.1f\n", p[1], p[2], calls[k], us[k]
	}
}
