# SPDX-License-Identifier: GPL-2.0
#
# The memory high-water mark of each traced module load, from a trace of
# the kmem, percpu and vmalloc events around `rloader_bench --memory`
# (which marks each load with "rlbench: begin|end LOADER NAME"):
#
#   memory: NAME LOADER LOADS PEAK_BYTES   (the median over the loads)
#
# A load's peak is the largest amount, at any point of the load, of kernel
# memory it allocated and had not freed yet: slab and large kmalloc
# (bytes_alloc), per-CPU areas (bytes_alloc, all CPUs) and vmalloc areas
# (module memory, file and image buffers, large tables: the area's size
# without its guard page).  Memory freed during the load that was allocated
# before it is not counted either way.  Only the events of the loading
# task are in the trace (set_event_pid).
#
# Usage: awk -f memory.awk /sys/kernel/tracing/trace

function field(name,    m) {
	if (match($0, " " name "=[^ ]+")) {
		m = substr($0, RSTART + length(name) + 2, RLENGTH - length(name) - 2)
		return m
	}
	return ""
}

# The hexadecimal digits of the decimal number @d (a string: an address is
# too large for awk's numbers), without leading zeros, as "0x..." prints it.
function hex(d,    q, r, i, c, out) {
	out = ""
	while (d != "" && d != "0") {
		q = ""
		r = 0
		for (i = 1; i <= length(d); i++) {
			c = r * 10 + substr(d, i, 1)
			if (q != "" || int(c / 16) > 0)
				q = q int(c / 16)
			r = c % 16
		}
		out = substr("0123456789abcdef", r + 1, 1) out
		d = q == "" ? "0" : q
	}
	return out == "" ? "0" : out
}

function take(key, bytes) {
	if (!on || bytes <= 0)
		return
	# kvrealloc() reports the allocation krealloc() reported already.
	if (key in live)
		now -= live[key]
	live[key] = bytes
	now += bytes
	if (now > peak)
		peak = now
}

function give(key) {
	if (!on || !(key in live))
		return
	now -= live[key]
	delete live[key]
}

/tracing_mark_write: rlbench: begin / {
	on = 1
	now = peak = 0
	delete live
	next
}

/tracing_mark_write: rlbench: end / {
	n = split($0, w, " ")
	loader = w[n - 1]
	name = w[n]
	k = ++count[name SUBSEP loader]
	peaks[name SUBSEP loader SUBSEP k] = peak
	if (!(name in seen)) {
		seen[name] = 1
		order[++names] = name
	}
	on = 0
	next
}

/ kmalloc: | kmem_cache_alloc: / { take("s" field("ptr"), field("bytes_alloc") + 0); next }
/ kfree: | kmem_cache_free: / { give("s" field("ptr")); next }
/ percpu_alloc_percpu: / { take("p" field("ptr"), field("bytes_alloc") + 0); next }
/ percpu_free_percpu: / { give("p" field("ptr")); next }
# alloc_vmap_area prints "va_start: DECIMAL", free_vmap_area_noflush
# "va_start=0xHEX"; the size includes the guard page.
/ alloc_vmap_area: / {
	if (field("failed") == "0" && match($0, /va_start: [0-9]+/)) {
		a = hex(substr($0, RSTART + 10, RLENGTH - 10))
		size = field("size") + 0
		take("v" a, size > 4096 ? size - 4096 : size)
	}
	next
}
/ free_vmap_area_noflush: / { a = field("va_start"); sub(/^0x/, "", a); give("v" a); next }

END {
	for (i = 1; i <= names; i++) {
		for (l = 1; l <= 2; l++) {
			loader = l == 1 ? "finit_module" : "rloader"
			c = count[order[i] SUBSEP loader]
			if (!c)
				continue
			# The median: sort the c values (few) by insertion.
			for (a = 1; a <= c; a++)
				v[a] = peaks[order[i] SUBSEP loader SUBSEP a]
			for (a = 2; a <= c; a++)
				for (b = a; b > 1 && v[b - 1] > v[b]; b--) {
					t = v[b]; v[b] = v[b - 1]; v[b - 1] = t
				}
			med = c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
			printf "memory: %s %s %d %d\n", order[i], loader, c, med
		}
	}
}
