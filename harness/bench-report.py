#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# bench-report.py BENCH_TXT OUT_DIR: the tables and the plot of make bench.
#
# BENCH_TXT holds the guest's lines (harness/guest/init, bench mode):
#
#   bench: NAME SIZE load|cycle finit_module P10 P50 P90 rloader P10 P50 P90 ratio R
#   stages: NAME load_us M validate_us M ... init_us M  (rloader's stage clock, medians)
#   profile: NAME LOADER DEPTH FUNCTION CALLS US   (summed over the traced loads)
#   profile: NAME LOADER 0 loads N US
#   memory: NAME LOADER LOADS PEAK_BYTES   (memory.awk: median high-water mark)
#
# Prints the load and the load+unload tables (microseconds; ratio of the
# medians, rloader over finit_module, and its geometric mean), rloader's
# stage clock (median microseconds of each stage of an untraced load), the
# peak kernel memory of a load for each loader, then, per module, where each
# loader spends a traced load; writes OUT_DIR/bench.txt
# (the same), OUT_DIR/load-vs-size.dat and, with gnuplot,
# OUT_DIR/load-vs-size.png.

import math
import shutil
import subprocess
import sys
from collections import defaultdict


def parse(path):
    rows = defaultdict(dict)
    order = []
    profile = defaultdict(lambda: defaultdict(dict))
    loads = defaultdict(dict)
    stages = {}
    memory = defaultdict(dict)
    with open(path) as f:
        for line in f:
            w = line.split()
            if w[:1] == ["bench:"] and len(w) == 14:
                name, size, what = w[1], int(w[2]), w[3]
                if name not in rows:
                    order.append(name)
                rows[name][what] = {
                    "size": size,
                    "finit": [float(x) for x in w[5:8]],
                    "rloader": [float(x) for x in w[9:12]],
                    "ratio": float(w[13]),
                }
            elif w[:1] == ["stages:"] and len(w) % 2 == 0:
                stages[w[1]] = [(k[:-3], float(v)) for k, v in zip(w[2::2], w[3::2])]
            elif w[:1] == ["memory:"] and len(w) == 5:
                memory[w[1]][w[2]] = (int(w[3]), int(w[4]))
            elif w[:1] == ["profile:"] and len(w) == 7:
                name, loader, depth = w[1], w[2], int(w[3])
                if depth == 0:
                    loads[name][loader] = (int(w[5]), float(w[6]))
                else:
                    profile[name][loader][(depth, w[4])] = (int(w[5]), float(w[6]))
    return order, rows, profile, loads, stages, memory


def geomean(values):
    values = [v for v in values if v > 0]
    if not values:
        return float("nan")
    return math.exp(sum(math.log(v) for v in values) / len(values))


def timing_table(order, rows, what):
    out = [
        f"{what} (microseconds: p10 / median / p90)",
        f"{'module':<20} {'KiB':>6}  {'finit_module':>26}  {'rloader':>26}  {'ratio':>5}",
    ]
    ratios = []
    for name in order:
        r = rows[name].get(what)
        if not r:
            continue
        f, l = r["finit"], r["rloader"]
        ratios.append(r["ratio"])
        out.append(
            f"{name:<20} {r['size'] // 1024:>6}  "
            f"{f[0]:>8.0f} {f[1]:>8.0f} {f[2]:>8.0f}  "
            f"{l[0]:>8.0f} {l[1]:>8.0f} {l[2]:>8.0f}  {r['ratio']:>5.2f}"
        )
    out.append(f"{'geometric mean':<61}{geomean(ratios):>5.2f}  "
               f"(worst {max(ratios, default=float('nan')):.2f})")
    return out


def stage_table(order, rows, stages):
    names = next((list(k for k, _ in v) for v in stages.values()), [])
    if not names:
        return ["rloader's stage clock: no stage lines"]
    short = [n[:8] for n in names]
    out = [
        "rloader's stage clock (median microseconds per stage of an untraced load;",
        "'load' is their sum, from the complete image to init's end; finit_module's",
        "median load, the whole call, for comparison)",
        f"{'module':<20} {'finit':>7} " + " ".join(f"{n:>8}" for n in short),
    ]
    for name in order:
        if name not in stages:
            continue
        finit = rows[name].get("load", {}).get("finit", [0, 0, 0])[1]
        vals = dict(stages[name])
        out.append(f"{name:<20} {finit:>7.0f} " + " ".join(f"{vals.get(n, 0):>8.0f}" for n in names))
    return out


def memory_table(order, rows, memory):
    out = [
        "peak kernel memory of a load (KiB: the most it had allocated and not yet",
        "freed at any point of the call, slab, per-CPU and vmalloc; median of the",
        "traced loads; ratio rloader / finit_module)",
        f"{'module':<20} {'KiB':>6} {'finit_module':>13} {'rloader':>9} {'ratio':>6}",
    ]
    ratios = []
    for name in order:
        m = memory.get(name, {})
        if "finit_module" not in m or "rloader" not in m:
            continue
        f, r = m["finit_module"][1], m["rloader"][1]
        ratio = r / f if f else float("nan")
        ratios.append(ratio)
        size = rows[name].get("load", {}).get("size", 0)
        out.append(f"{name:<20} {size // 1024:>6} {f / 1024:>13.0f} {r / 1024:>9.0f} {ratio:>6.2f}")
    if len(out) == 4:
        return ["peak kernel memory of a load: no memory lines"]
    out.append(f"{'geometric mean':<51}{geomean(ratios):>6.2f}  "
               f"(worst {max(ratios, default=float('nan')):.2f})")
    return out


def profile_table(order, profile, loads, top=6):
    out = [
        "where a traced load spends its time (function_graph, microseconds per load;",
        "'own code' is what the root function spent outside the functions listed:",
        "for rloader its Rust engine, which the tracer does not see)",
    ]
    for name in order:
        if name not in loads:
            continue
        out.append(f"{name}:")
        for loader in ("finit_module", "rloader"):
            if loader not in loads[name]:
                continue
            n, total = loads[name][loader]
            n = max(n, 1)
            level2 = {f: v for (d, f), v in profile[name][loader].items() if d == 2}
            listed = sum(us for _, us in level2.values())
            parts = sorted(level2.items(), key=lambda kv: -kv[1][1])
            shown = ", ".join(
                f"{f} {us / n:.0f}" + (f" ({c // n}x)" if c // n > 1 else "")
                for f, (c, us) in parts[:top]
            )
            out.append(f"  {loader:<12} {total / n:>8.0f}  own code {max(total - listed, 0) / n:.0f}, "
                       f"{shown}")
    return out


def plot(order, rows, out_dir):
    dat = f"{out_dir}/load-vs-size.dat"
    with open(dat, "w") as f:
        f.write("# module size_bytes finit_median_us rloader_median_us\n")
        for name in order:
            r = rows[name].get("load")
            if r:
                f.write(f"{name} {r['size']} {r['finit'][1]} {r['rloader'][1]}\n")
    if not shutil.which("gnuplot"):
        return "gnuplot missing: no plot (run 'make setup')"
    png = f"{out_dir}/load-vs-size.png"
    script = f"""
set terminal pngcairo noenhanced size 900,560 font ",10"
set output "{png}"
set title "Module load time against module size (QEMU TCG, median)"
set xlabel "module file size (KiB)"
set ylabel "load time (microseconds)"
set logscale xy
set key top left
set grid
plot "{dat}" using ($2/1024):3 with points pt 7 ps 1.2 title "finit_module(2)", \\
     "{dat}" using ($2/1024):4 with points pt 5 ps 1.0 title "rloader (write to /dev/rloader)", \\
     "{dat}" using ($2/1024):4:1 with labels offset 1,-0.8 font ",8" left notitle
"""
    res = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if res.returncode != 0:
        return f"gnuplot failed: {res.stderr.strip()}"
    return f"plot: {png}"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: bench-report.py BENCH_TXT OUT_DIR")
    order, rows, profile, loads, stages, memory = parse(sys.argv[1])
    if not order:
        sys.exit("bench-report: no bench lines in " + sys.argv[1])
    lines = timing_table(order, rows, "load")
    lines += [""] + timing_table(order, rows, "cycle")
    lines += [""] + stage_table(order, rows, stages)
    lines += [""] + memory_table(order, rows, memory)
    lines += [""] + profile_table(order, profile, loads)
    text = "\n".join(lines) + "\n"
    with open(f"{sys.argv[2]}/bench.txt", "w") as f:
        f.write(text)
    print(text, end="")
    print(plot(order, rows, sys.argv[2]))


if __name__ == "__main__":
    main()
