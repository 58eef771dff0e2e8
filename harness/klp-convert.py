#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn a livepatch module built with weak .klp.sym.* references into the
ELF format of Documentation/livepatch/module-elf-format.rst.

usage: klp-convert.py IN.ko OUT.ko

Every symbol named .klp.sym.<object>.<name>,<pos> becomes SHN_LIVEPATCH.
Every SHT_RELA section whose entries all refer to such symbols of one
object becomes .klp.rela.<object>.<section> with SHF_ALLOC and
SHF_RELA_LIVEPATCH.  The section name table grows, so it is moved to the
end of the file.  This is the one step of klp-convert that samples/rloader's
rl_klp needs; it knows no more than that module uses.
"""

import struct
import sys

SHT_SYMTAB, SHT_RELA = 2, 4
SHF_ALLOC = 0x2
SHF_RELA_LIVEPATCH = 0x00100000
SHN_LIVEPATCH = 0xFF20
SHDR = struct.Struct("<IIQQQQIIQQ")
SYM = struct.Struct("<IBBHQQ")
RELA = struct.Struct("<QQq")


def cstr(table, off):
    return table[off:table.index(b"\0", off)].decode()


def convert(data):
    e_shoff, = struct.unpack_from("<Q", data, 0x28)
    e_shnum, e_shstrndx = struct.unpack_from("<HH", data, 0x3C)
    shdrs = [list(SHDR.unpack_from(data, e_shoff + i * SHDR.size))
             for i in range(e_shnum)]

    def body(h):
        return data[h[4]:h[4] + h[5]]

    shstrtab = bytearray(body(shdrs[e_shstrndx]))
    symidx = next(i for i, h in enumerate(shdrs) if h[1] == SHT_SYMTAB)
    symtab = shdrs[symidx]
    strtab = body(shdrs[symtab[6]])
    objects = {}
    for k in range(symtab[5] // SYM.size):
        off = symtab[4] + k * SYM.size
        st_name, info, other, shndx, value, size = SYM.unpack_from(data, off)
        name = cstr(strtab, st_name)
        if name.startswith(".klp.sym."):
            objects[k] = name[len(".klp.sym."):].split(".", 1)[0]
            SYM.pack_into(data, off, st_name, info, other, SHN_LIVEPATCH,
                          value, size)
    converted = 0
    for h in shdrs:
        if h[1] != SHT_RELA or h[6] != symidx or not h[5]:
            continue
        syms = {RELA.unpack_from(data, h[4] + j)[1] >> 32
                for j in range(0, h[5], RELA.size)}
        objs = {objects.get(s) for s in syms}
        if len(objs) != 1 or None in objs:
            continue
        target = cstr(shstrtab, shdrs[h[7]][0]).lstrip(".")
        h[0] = len(shstrtab)
        shstrtab += b".klp.rela.%s.%s\0" % (objs.pop().encode(),
                                             target.encode())
        h[2] |= SHF_ALLOC | SHF_RELA_LIVEPATCH
        converted += 1
    if not objects or not converted:
        sys.exit("klp-convert: no .klp.sym symbols or sections to convert")
    data += bytes(-len(data) % 8)
    shdrs[e_shstrndx][4] = len(data)
    shdrs[e_shstrndx][5] = len(shstrtab)
    data += shstrtab
    for i, h in enumerate(shdrs):
        SHDR.pack_into(data, e_shoff + i * SHDR.size, *h)
    return data


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[3])
    with open(sys.argv[1], "rb") as f:
        data = bytearray(f.read())
    with open(sys.argv[2], "wb") as f:
        f.write(convert(data))


if __name__ == "__main__":
    main()
