#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Add the MAINTAINERS lines of harness/series/maintainers.txt for one
# "files" commit of make series.
#
#   harness/series-maintainers.py SPEC MSG MAINTAINERS
#
# Exits 0 whether or not MSG has lines; the file is rewritten in place.

import sys

ORDER = 'MRLSWQBCPTFXNK'


def is_heading(lines, i):
    """A section heading: after an empty line, followed by "X:\t"."""
    return (i > 0 and lines[i - 1] == '' and lines[i] and not lines[i][0].isspace()
            and i + 1 < len(lines) and len(lines[i + 1]) > 2
            and lines[i + 1][1:3] == ':\t' and lines[i + 1][0].isupper())


def key(line):
    return (ORDER.index(line[0]) if line[0] in ORDER else len(ORDER),
            line[3:] if line[0] in 'FX' else '')


def add(lines, entry, new):
    heads = [i for i in range(len(lines)) if is_heading(lines, i)]
    at = next((i for i in heads if lines[i] == entry), None)
    if at is None:
        # The first heading that sorts after ENTRY, past the preamble.
        after = next((i for i in heads if lines[i].upper() > entry.upper()
                      and lines[i][0].isalpha()), len(lines))
        lines[after:after] = [entry, new, '']
        return
    end = at + 1
    while end < len(lines) and lines[end] != '':
        end += 1
    body = lines[at + 1:end]
    if new in body:
        return
    pos = 0
    while pos < len(body) and key(body[pos]) <= key(new):
        pos += 1
    body.insert(pos, new)
    lines[at + 1:end] = body


def main():
    spec, msg, path = sys.argv[1:4]
    adds = []
    with open(spec) as f:
        for raw in f:
            raw = raw.rstrip('\n')
            if not raw or raw.startswith('#'):
                continue
            m, entry, line = raw.split('|', 2)
            if m == msg:
                adds.append((entry, line))
    if not adds:
        return
    with open(path) as f:
        lines = f.read().split('\n')
    for entry, line in adds:
        add(lines, entry, line)
    with open(path, 'w') as f:
        f.write('\n'.join(lines))


main()
