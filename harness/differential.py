#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare the records of two boots of the distro kernel, one loading every
module through finit_module(2), the other through rloader
(rloader_record.sh, rloader_chunks --record), module by module.

usage: differential.py FINIT_LOG RLOADER_LOG

A record is the lines "rlrec: NAME KEY VALUE" of a console log (errno,
state, unload, log), in order.  Each module in either log is one result:
it passes if both boots recorded it and every line is the same.  Prints
the results as KTAP-like lines, then "N passed, N failed".
"""

import re
import sys

RECORD = re.compile(r"^(?:# )*rlrec: (\S+) (\S+) ?(.*)$")


def records(path):
    out = {}
    with open(path, errors="replace") as f:
        for line in f:
            m = RECORD.match(line.rstrip("\r\n"))
            if m:
                out.setdefault(m.group(1), []).append((m.group(2), m.group(3)))
    return out


def first_difference(want, got):
    for i in range(max(len(want), len(got))):
        a = want[i] if i < len(want) else ("(end)", "")
        b = got[i] if i < len(got) else ("(end)", "")
        if a != b:
            return "%s: finit_module '%s %s', rloader '%s %s'" % (
                a[0] if a[0] == b[0] else "record", a[0], a[1], b[0], b[1])
    return None


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: differential.py FINIT_LOG RLOADER_LOG")
    finit, rloader = records(sys.argv[1]), records(sys.argv[2])
    passed = failed = 0
    results = []
    if len(finit) < 50:
        results.append((False, "the finit_module boot recorded %d modules, "
                        "fewer than 50" % len(finit)))
    for name in sorted(set(finit) | set(rloader)):
        if name not in rloader or name not in finit:
            which = "rloader" if name not in rloader else "finit_module"
            results.append((False, "%s: no record from the %s boot" % (name, which)))
            continue
        diff = first_difference(finit[name], rloader[name])
        errno = dict(finit[name]).get("errno", "?")
        if diff:
            results.append((False, "%s: %s" % (name, diff)))
        else:
            results.append((True, "%s: errno %s, state, unload and %d log lines "
                            "alike" % (name, errno, sum(k == "log" for k, _ in finit[name]))))
    for n, (ok, what) in enumerate(results, 1):
        print("%s %d %s" % ("ok" if ok else "not ok", n, what))
        passed += ok
        failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
