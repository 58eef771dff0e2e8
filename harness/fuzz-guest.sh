#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz /dev/rloader in the guest: rloader_fuzz writes COUNT damaged module
# images, one at a time, under panic_on_warn, initcall_debug and (debug
# kernel) KASAN with kasan.fault=panic; the guest is booted again after
# every crash and goes on with the next image.
#
#   harness/fuzz-guest.sh BUILD_DIR FLAVOUR COUNT [SEED]
#
# Every image is one test: it passes if rloader accepted it (and it was
# unloaded again, or it has no exit function and stays, as the kernel wants)
# or refused it with an errno and a reason in the kernel log.  A crash, a
# hang (no console output for RLOADER_FUZZ_STALL s, default 240: the debug
# kernel has no soft lockup or hung task detector, whose panics would come
# first), a warning, a KASAN report, a refusal without a reason or a failed
# unload fails it, unless the kernel's own loader, given the same image in a
# boot of its own, fails on it too (see "the oracle" below).  After
# each boot the log goes through checklog.sh (lockdep, kmemleak, ...): each
# problem it finds is one more failure, as is a boot whose end (rloader
# unloaded, kmemleak scanned) is missing.  The results, one line per image,
# and each boot's console are in LOGDIR/fuzz-FLAVOUR/; the table is printed
# and written to RLOADER_FUZZ_SUMMARY (default LOGDIR/fuzz-FLAVOUR/
# summary.txt).  The last line is "N passed, N failed".
#
# RLOADER_FUZZ_JOBS=J (default 1) splits the images into J consecutive
# ranges, each fuzzed by its own guest (QEMU under TCG keeps one host CPU
# busy per vCPU: use one job per host CPU), and prints one table for all.
# RLOADER_FUZZ_FIRST (default 0) is the index of the first image.
#
# A boot runs at most RLOADER_FUZZ_PER_BOOT images (default 5000), so that
# kmemleak scans now and then; after RLOADER_FUZZ_MAX_BOOTS boots (default:
# no limit) or once RLOADER_FUZZ_MAX_SECS have passed (checked before each
# boot) it stops, and every image not run counts as a failure.  RLOADER_GUEST_DIR and RLOADER_KSFT_SRC work
# as for guest.sh.  To rebuild one image on the host: rloader_fuzz --seed
# SEED --first INDEX --write out.ko followed by the module list of the
# boot's "rloader-guest: fuzz begin" line.

set -uo pipefail
build=$1 flavour=$2 count=$3 seed=${4:-1}
build=$(realpath -m "$build")
here=$(cd "$(dirname "$0")" && pwd)
gdir=${RLOADER_GUEST_DIR:-$build/guest/$flavour}
logdir=$build/logs
[ -n "${RLOADER_GUEST_DIR:-}" ] && logdir=$gdir
fdir=$logdir/fuzz-$flavour
summary=${RLOADER_FUZZ_SUMMARY:-$fdir/summary.txt}
per_boot=${RLOADER_FUZZ_PER_BOOT:-5000}
stall=${RLOADER_FUZZ_STALL:-240}
max_boots=${RLOADER_FUZZ_MAX_BOOTS:-0}
max_secs=${RLOADER_FUZZ_MAX_SECS:-0}
rm -rf "$fdir"
mkdir -p "$fdir" "$(dirname "$summary")"
results=$fdir/results.txt
problems=$fdir/problems.txt
: > "$results"
: > "$problems"

# initcall_debug: do_one_initcall() logs what each module's init returned,
# the reason for an init that fails without a word of its own.
cmdline="panic_on_warn=1 kasan.fault=panic softlockup_panic=1 hung_task_panic=1 oops=panic initcall_debug"

bad='Oops|BUG:|WARNING:|Kernel panic|general protection fault|UBSAN:|unreferenced object|possible circular locking|possible recursive locking|INFO: possible|INFO: task .* blocked|rcu: INFO|self-detected stall|soft lockup|kernel BUG|rloader-guest: watchdog'

# crash_kind LOGFILE: what killed the guest, from its first report line.
crash_kind() {
	case "$(grep -m1 -aE "$bad" "$1")" in
	*"BUG: KASAN"*) echo kasan ;;
	*WARNING:*) echo warning ;;
	*"soft lockup"* | *"blocked for more than"* | *"INFO: task"* | *stall* | *watchdog*) echo hang ;;
	"") echo died ;;
	*) echo crash ;;
	esac
}

# without_fuzz_lines LOG: LOG for checklog.sh: without the fuzzer's own
# lines (a "report" result quotes the report), and without the kernel's
# lines while an image that got a "report" result was loaded: that report
# is the image's failure already (or, under the oracle, its pass), not one
# more of the boot.
without_fuzz_lines() {
	local reported
	reported=$(grep -aoE '^\[[ 0-9.]*\] fuzz: [0-9]+ .* -> report' "$1" |
		sed -E 's/.*\] fuzz: ([0-9]+) .*/\1/' | paste -sd' ')
	awk -v reported="$reported" '
		BEGIN { n = split(reported, r, " "); for (k = 1; k <= n; k++) rep[r[k]] = 1 }
		/^\[[ 0-9.]*\] fuzz: begin [0-9]+ / {
			i = $0; sub(/.*\] fuzz: begin /, "", i); sub(/ .*/, "", i); skip = (i in rep); next
		}
		/^\[[ 0-9.]*\] fuzz: [0-9]+ .* -> / { skip = 0; next }
		/^\[[ 0-9.]*\] fuzz: / { next }
		!skip { print }
	' "$1"
}

first=${RLOADER_FUZZ_FIRST:-0} boot=0 reuse=0 stuck=0
end=$((first + count))
jobs=${RLOADER_FUZZ_JOBS:-1}
start=$(date +%s)
if [ "$jobs" -gt 1 ]; then
	# One guest directory per job; each job starts once the one before
	# has its initramfs, so that no two install into the tree at once.
	per=$(( (count + jobs - 1) / jobs ))
	for j in $(seq 1 "$jobs"); do
		f=$((first + (j - 1) * per)) c=$per
		[ $((f + c)) -gt "$end" ] && c=$((end - f))
		[ "$c" -gt 0 ] || break
		jdir=$build/guest/$flavour-fuzz$j
		rm -f "$jdir/initramfs.cpio.gz"
		echo "fuzz-guest($flavour): job $j: images $f..$((f + c - 1)) (log: $fdir/job-$j.out)"
		RLOADER_FUZZ_JOBS=1 RLOADER_FUZZ_FIRST=$f RLOADER_GUEST_DIR=$jdir \
			RLOADER_FUZZ_SUMMARY=$fdir/summary-$j.txt \
			bash "$0" "$build" "$flavour" "$c" "$seed" > "$fdir/job-$j.out" 2>&1 &
		while [ ! -f "$jdir/initramfs.cpio.gz" ] && kill -0 $! 2>/dev/null; do sleep 2; done
		gdir=$jdir
	done
	wait
	for j in $(seq 1 "$jobs"); do
		jf=$build/guest/$flavour-fuzz$j/fuzz-$flavour
		[ -d "$jf" ] || continue
		cat "$jf/results.txt" >> "$results"
		sed "s/^/job $j: /" "$jf/problems.txt" >> "$problems"
		b=$(ls "$jf"/boot-*.log 2>/dev/null | wc -l)
		boot=$((boot + b))
		[ -f "$jf/boot-1.log.txt" ] && [ ! -f "$fdir/boot-1.log.txt" ] && cp "$jf/boot-1.log.txt" "$fdir/"
		grep -q 'passed, .* failed' "$fdir/job-$j.out" ||
			echo "job $j: no result (see $fdir/job-$j.out)" >> "$problems"
	done
	sort -n -k2 -o "$results" "$results"
	first=$end
fi
while [ "$first" -lt "$end" ]; do
	if [ "$max_boots" -gt 0 ] && [ "$boot" -ge "$max_boots" ]; then
		echo "fuzz-guest($flavour): $boot boots done, stopping at image $first"
		break
	fi
	if [ "$max_secs" -gt 0 ] && [ $(($(date +%s) - start)) -ge "$max_secs" ]; then
		echo "fuzz-guest($flavour): $max_secs s are up, stopping at image $first"
		break
	fi
	n=$((end - first))
	[ "$n" -gt "$per_boot" ] && n=$per_boot
	boot=$((boot + 1))
	blog=$fdir/boot-$boot.log
	echo "fuzz-guest($flavour): boot $boot: images $first..$((first + n - 1)) of seed $seed"
	RLOADER_GUEST_REUSE=$reuse RLOADER_GUEST_STALL=$stall RLOADER_GUEST_TIMEOUT=$((900 + n)) \
	RLOADER_GUEST_APPEND="$cmdline rlfuzz=$seed,$first,$n" \
		bash "$here/guest.sh" "$build" "$flavour" fuzz > "$fdir/boot-$boot.out" 2>&1
	reuse=1
	if [ ! -f "$logdir/guest-$flavour-fuzz.log" ]; then
		cat "$fdir/boot-$boot.out"
		echo "fuzz-guest($flavour): the guest did not boot" | tee -a "$problems"
		break
	fi
	mv "$logdir/guest-$flavour-fuzz.log" "$blog"
	rm -f "$logdir/guest-$flavour-fuzz.log.txt"
	tr -d '\r' < "$blog" > "$blog.txt"
	grep -aoE 'fuzz: [0-9]+ .* -> .*' "$blog.txt" > "$fdir/boot-$boot.res"
	cat "$fdir/boot-$boot.res" >> "$results"
	done_n=$(wc -l < "$fdir/boot-$boot.res")
	last=$(tail -1 "$fdir/boot-$boot.res" | cut -d' ' -f2)
	if [ "$done_n" = "$n" ]; then
		# A whole boot: its end must be there too.
		checked=$blog.txt
		grep -q "rloader-guest: fuzz end" "$blog.txt" ||
			echo "boot $boot: the guest died after its last image (see $blog)" >> "$problems"
		grep -q "rloader-guest: rloader unloaded" "$blog.txt" ||
			echo "boot $boot: rloader was not unloaded at the end" >> "$problems"
		if [ "$flavour" = debug ] && ! grep -q "rloader-guest: kmemleak scan done" "$blog.txt"; then
			echo "boot $boot: no kmemleak scan" >> "$problems"
		fi
		grep -q "rloader-guest: done" "$blog.txt" ||
			echo "boot $boot: the guest did not finish" >> "$problems"
		first=$((first + n))
	else
		# The guest died at the image after the last result.
		c=$first
		[ -n "$last" ] && c=$((last + 1))
		if ! grep -aq "fuzz: begin $c " "$blog.txt"; then
			if [ -n "$last" ]; then
				# Died after the result of image $last: a crash in
				# work that image left behind (a deferred free...).
				sed -n "/fuzz: $last /,\$p" "$blog.txt" > "$fdir/tail.txt"
				line=$(grep -m1 -aE "$bad" "$fdir/tail.txt" | sed 's/^\[[ 0-9.]*\] //')
				if [ -n "$line" ]; then
					grep -m1 -aE -A40 "$bad" "$fdir/tail.txt" > "$fdir/crash-$last-after.txt"
					echo "boot $boot: after image $last: $(crash_kind "$fdir/tail.txt"): $line (crash-$last-after.txt)" >> "$problems"
					echo "fuzz-guest($flavour): after image $last: $line"
					stuck=0 first=$c
					checked=$fdir/before.txt
					sed -n "1,/fuzz: $last /p" "$blog.txt" > "$checked"
					without_fuzz_lines "$checked" > "$fdir/checked.txt"
					"$here/checklog.sh" "$fdir/checked.txt" > "$fdir/checklog-$boot.out" ||
						sed "s/^/boot $boot: /" "$fdir/checklog-$boot.out" >> "$problems"
					continue
				fi
			fi
			echo "boot $boot: died before image $c (see $blog)" >> "$problems"
			stuck=$((stuck + 1))
			[ $stuck -ge 2 ] && break
			continue
		fi
		stuck=0
		sed -n "/fuzz: begin $c /,\$p" "$blog.txt" > "$fdir/tail.txt"
		kind=$(crash_kind "$fdir/tail.txt")
		what=$(grep -m1 -ao "fuzz: begin $c .*" "$blog.txt" | cut -d' ' -f4-)
		grep -m1 -aE -A40 "$bad" "$fdir/tail.txt" > "$fdir/crash-$c.txt"
		[ -s "$fdir/crash-$c.txt" ] || tail -40 "$fdir/tail.txt" > "$fdir/crash-$c.txt"
		line=$(grep -m1 -aE "$bad" "$fdir/tail.txt" | sed 's/^\[[ 0-9.]*\] //')
		echo "fuzz: $c $what -> $kind ${line:-the guest stopped} (crash-$c.txt, boot-$boot.log)" >> "$results"
		echo "fuzz-guest($flavour): image $c: $kind: ${line:-the guest stopped}"
		# Only the part before the crash is checked below.
		checked=$fdir/before.txt
		sed -n "1,/fuzz: begin $c /p" "$blog.txt" > "$checked"
		first=$((c + 1))
	fi
	without_fuzz_lines "$checked" > "$fdir/checked.txt"
	if ! "$here/checklog.sh" "$fdir/checked.txt" > "$fdir/checklog-$boot.out"; then
		sed "s/^/boot $boot: /" "$fdir/checklog-$boot.out" >> "$problems"
	fi
done

# --- the oracle ----------------------------------------------------------------
# Each image that failed (a crash, warning, KASAN or other report, a hang) is
# loaded once more in a boot of its own, through finit_module(2).  If the
# kernel's own loader fails on it too, the image's code or data is broken
# in a way no loader can tell from its structure: its outcome becomes
# "as-finit:KIND" (a pass, listed in the table with both reports).  At most
# RLOADER_FUZZ_ORACLE_MAX images per job (default 100: a long run's crashes
# in the images' own code) are replayed; the others stay failures.
oracle_max=${RLOADER_FUZZ_ORACLE_MAX:-100}
failed_images() { grep -vE ' -> (accepted|permanent|refused:|noreason:|unload:|short-write)' "$results" | cut -d' ' -f2; }
if [ "$jobs" -le 1 ] && [ -s "$results" ]; then
	replayed=0
	for c in $(failed_images); do
		[ "$replayed" -ge "$oracle_max" ] && break
		[ "$max_secs" -gt 0 ] && [ $(($(date +%s) - start)) -ge "$max_secs" ] && break
		replayed=$((replayed + 1))
		olog=$fdir/oracle-$c.log
		RLOADER_GUEST_REUSE=1 RLOADER_GUEST_STALL=$stall RLOADER_GUEST_TIMEOUT=900 \
		RLOADER_GUEST_APPEND="$cmdline rlfuzz=$seed,$c,1,finit" \
			bash "$here/guest.sh" "$build" "$flavour" fuzz > "$fdir/oracle-$c.out" 2>&1
		[ -f "$logdir/guest-$flavour-fuzz.log" ] || continue
		tr -d '\r' < "$logdir/guest-$flavour-fuzz.log" > "$olog"
		rm -f "$logdir/guest-$flavour-fuzz.log" "$logdir/guest-$flavour-fuzz.log.txt"
		# No verdict unless the image was written.
		grep -aq "fuzz: begin $c " "$olog" || continue
		out=$(grep -aoE "fuzz: $c .* -> .*" "$olog" | head -1 | sed 's/.* -> //')
		if [ -z "$out" ]; then
			sed -n "/fuzz: begin $c /,\$p" "$olog" > "$fdir/tail.txt"
			line=$(grep -m1 -aE "$bad" "$fdir/tail.txt" | sed 's/^\[[ 0-9.]*\] //')
			out="$(crash_kind "$fdir/tail.txt") ${line:-the guest stopped}"
		fi
		out=${out//[|&\\]/ }
		echo "oracle: image $c under finit_module: $out"
		case "$out" in
		accepted* | permanent* | refused:* | noreason:* | unload:*)
			sed -i "s|^\(fuzz: $c .* -> .*\)\$|\1 [finit_module: $out]|" "$results" ;;
		*)
			sed -i "s|^\(fuzz: $c .*\) -> \([a-z]*\)\(.*\)\$|\1 -> as-finit:\2\3 [finit_module: $out]|" "$results" ;;
		esac
	done
fi
secs=$(( $(date +%s) - start ))

# --- the table ----------------------------------------------------------------
ran=$(wc -l < "$results")
{
	echo "rloader guest fuzzing: $flavour kernel, seed $seed, $ran of $count images in $boot boots, $secs s ($(awk -v n="$ran" -v s="$secs" 'BEGIN { printf "%.1f", s ? n / s : 0 }') images/s)"
	echo
	echo "| outcome | images |"
	echo "|---|---|"
	sed -E 's/.* -> ([^ :]+).*/\1/' "$results" | sort | uniq -c | sort -rn |
		awk '{ printf "| %s | %d |\n", $2, $1 }'
	echo
	echo "| refused with | images |"
	echo "|---|---|"
	sed -nE 's/.* -> refused:([A-Z0-9]+).*/\1/p' "$results" | sort | uniq -c | sort -rn |
		awk '{ printf "| %s | %d |\n", $2, $1 }'
	echo
	echo "| mutation class | images | accepted | failed |"
	echo "|---|---|---|---|"
	awk '{
		split($0, part, " -> "); out = part[2]; sub(/ .*/, "", out)
		n = split($4, m, ",")
		delete seen
		for (k = 1; k <= n; k++) {
			c = m[k]; sub(/[.[@=].*/, "", c)
			if (c == "" || c in seen) continue
			seen[c] = 1; img[c]++
			if (out == "accepted") acc[c]++
			else if (out !~ /^(refused:|as-finit:|permanent)/) bad[c]++
		}
	} END { for (c in img) printf "| %s | %d | %d | %d |\n", c, img[c], acc[c], bad[c] }' \
		"$results" | sort
	echo
	[ "$ran" -lt "$count" ] && echo "Not run: $((count - ran)) images (each one failure)." && echo
	if [ -s "$problems" ]; then
		echo "Problems in the boot logs:"
		sed 's/^/  /' "$problems"
		echo
	fi
	if grep -aq ' -> as-finit:' "$results"; then
		echo "Failed under finit_module(2) as well (the oracle; they pass):"
		grep -a ' -> as-finit:' "$results" | head -100 | sed 's/^/  /'
		echo
	fi
	if grep -vqE ' -> (accepted|permanent|refused:|as-finit:)' "$results"; then
		echo "Failed images (seed $seed; logs in $fdir):"
		grep -vE ' -> (accepted|permanent|refused:|as-finit:)' "$results" | head -100 | sed 's/^/  /'
		echo
		# The images are rebuilt from the stripped modules of the initramfs.
		mods=$(grep -a -m1 -o "rloader-guest: fuzz begin .*" "$fdir/boot-1.log.txt" |
			sed 's/.*modules: *//; s|/lib/modules/[^/]*/kernel/||g')
		kdir=$(echo "$gdir"/root/lib/modules/*/kernel)
		echo "To rebuild image I on the host (write it to /dev/rloader to replay it):"
		echo "  cd $kdir &&"
		echo "  $gdir/root/kselftest/rloader/rloader_fuzz --seed $seed --first I --write /tmp/I.ko $mods"
		echo
	fi
} > "$summary"
cat "$summary"

pass=$(grep -cE ' -> (accepted|permanent|refused:|as-finit:)' "$results")
fail=$(( ran - pass + $(wc -l < "$problems") + count - ran ))
echo "fuzz-guest($flavour): $pass passed, $fail failed in $secs s"
[ "$fail" = 0 ]
