// SPDX-License-Identifier: GPL-2.0
/*
 * rloader_fuzz: feed structurally damaged copies of real modules to
 * /dev/rloader, one image at a time, and record what happens.
 *
 *   rloader_fuzz [--seed S] [--first I] [--count N] [--dev PATH]
 *                [--dry-run | --write FILE | --finit] MOD.ko...
 *
 * Image I of seed S is a copy of one of the MOD.ko files with one to four
 * stacked mutations (ELF header, section headers, string tables, symbols,
 * relocations, the struct module template, .modinfo, ksymtab, special
 * sections, NOBITS sections, bit flips, truncation), all chosen by a PRNG
 * keyed by (S, I) alone: the same S, I and MOD.ko list give the same image.
 * Before writing image I it logs "fuzz: begin I ..." to /dev/kmsg, after it
 * "fuzz: I MODULE MUTATIONS -> OUTCOME [REASON]", where OUTCOME is
 *
 *   accepted           loaded; unloaded again by the name it got
 *   permanent          loaded without an exit function ("[permanent]" in
 *                      /proc/modules), so it stays: the kernel's rule
 *   refused:ERRNO      the write (or close) failed and rloader logged why
 *                      (or the module's init ran and failed, and it or,
 *                      under initcall_debug, do_one_initcall() said so)
 *   noreason:ERRNO     the write failed without a "rloader: " kernel line
 *                      or one of the module's own
 *   unload:ERRNO       accepted, but it could not be unloaded
 *   report             the kernel logged a warning, BUG or lockdep report
 *                      (the line follows)
 *
 * The kernel log lines survive a crash of the guest, so the host knows which
 * image a crash belongs to.  The same lines go to stdout.  The last line is
 * "fuzz: done N passed, N failed" (accepted, permanent and refused:* pass).
 *
 * --dry-run only prints the mutations; --write FILE writes image --first to
 * FILE instead of loading it (to reproduce one case on another machine);
 * --finit loads the images with the kernel's own loader, finit_module(2),
 * instead, the oracle for a crash (any kernel line is then a reason).

 * Exits 0 if every image passed, 1 if not, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../kselftest.h"
#include "rloader_elf.h"

#define MAX_SEEDS	32
#define MAX_MUTATIONS	4
#define MODULE_NAME_LEN	56
#define DESC_LEN	512

struct seed {
	const char *path;
	unsigned char *data;
	size_t len;
	char name[MODULE_NAME_LEN];
	unsigned int this_module;	/* section index */
	size_t name_off;		/* of the name in the template */
	size_t modinfo_name_off;	/* file offset of the name in "name=" */
};

static struct seed seeds[MAX_SEEDS];
static unsigned int nseeds;
static unsigned char *work;
static size_t work_cap;
static char desc[DESC_LEN];
static int kmsg_fd = -1;
/* The module the image being built is a copy of. */
static const struct seed *cur;

static __noreturn __printf(1, 2) void die(const char *fmt, ...)
{
	va_list ap;

	fputs("rloader_fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* --- the PRNG (splitmix64) ------------------------------------------------ */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [0, n), 0 if n is 0. */
static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void rng_key(uint64_t seed, uint64_t index)
{
	rng = seed * 0x100000001b3ULL ^ (index + 1) * 0xd6e8feb86659fd93ULL;
	rnd();
	rnd();
}

/* --- output ------------------------------------------------------------- */

static __printf(1, 2) void note(const char *fmt, ...)
{
	size_t len = strlen(desc);
	va_list ap;

	if (len && len < sizeof(desc) - 1)
		desc[len++] = ',';
	va_start(ap, fmt);
	vsnprintf(desc + len, sizeof(desc) - len, fmt, ap);
	va_end(ap);
}

/* One line to stdout and, at warning level so it reaches the console, to the kernel log. */
static __printf(1, 2) void report(const char *fmt, ...)
{
	char line[900];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line + 3, sizeof(line) - 4, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 5)
		n = sizeof(line) - 5;
	memcpy(line, "<4>", 3);
	line[n + 3] = '\n';
	fwrite(line + 3, 1, n + 1, stdout);
	fflush(stdout);
	if (kmsg_fd >= 0 && write(kmsg_fd, line, n + 4) < 0)
		perror("rloader_fuzz: /dev/kmsg");
}

/* --- the seed modules ------------------------------------------------------ */

static void read_file(const char *path, unsigned char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n;
	unsigned char *p;

	if (!f)
		die("cannot open %s", path);
	p = malloc(cap);
	*len = 0;
	while (p && (n = fread(p + *len, 1, cap - *len, f)) > 0) {
		*len += n;
		if (*len == cap)
			p = realloc(p, cap *= 2);
	}
	if (!p || ferror(f))
		die("cannot read %s", path);
	fclose(f);
	*data = p;
}

static void add_seed(const char *path)
{
	struct seed *s = &seeds[nseeds];
	unsigned int mi;
	const char *msg;
	char *info, *entry, *tmpl;
	size_t len;

	if (nseeds == MAX_SEEDS)
		die("more than %d modules", MAX_SEEDS);
	s->path = path;
	read_file(path, &s->data, &s->len);
	image = s->data;
	image_len = s->len;
	msg = rl_elf_parse();
	if (msg)
		die("%s: %s", path, msg);
	mi = rl_find_section(".modinfo");
	info = (char *)rl_section_bytes(mi);
	entry = mi && info ? rl_modinfo_find(info, info + shdrs[mi].sh_size, "name") : NULL;
	if (!entry)
		die("%s: no name= in .modinfo", path);
	len = strlen(entry + 5);
	if (!len || len >= MODULE_NAME_LEN)
		die("%s: bad module name", path);
	memcpy(s->name, entry + 5, len + 1);
	s->modinfo_name_off = (unsigned char *)entry + 5 - image;
	s->this_module = rl_find_section(THIS_MODULE);
	tmpl = (char *)rl_section_bytes(s->this_module);
	if (!s->this_module || !tmpl)
		die("%s: no %s", path, THIS_MODULE);
	entry = memmem(tmpl, shdrs[s->this_module].sh_size, s->name, len + 1);
	if (!entry)
		die("%s: no module name in %s", path, THIS_MODULE);
	s->name_off = entry - tmpl;
	if (s->len > work_cap) {
		work_cap = s->len;
		work = realloc(work, work_cap);
		if (!work)
			die("out of memory");
	}
	nseeds++;
}

/*
 * Gives the copy of @s a name of the same length that depends on @index, in
 * the template and in .modinfo, so that an image that could not be unloaded
 * does not make the next ones clash with it.
 */
static void rename_module(const struct seed *s, uint64_t index)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	size_t len = strlen(s->name), keep = len > 6 ? len - 6 : 1, k;
	char name[MODULE_NAME_LEN];

	memcpy(name, s->name, len + 1);
	for (k = len; k > keep; k--) {
		name[k - 1] = digits[index % 36];
		index /= 36;
	}
	memcpy(image + s->modinfo_name_off, name, len);
	memcpy(image + shdrs[s->this_module].sh_offset + s->name_off, name, len);
}

/* --- mutation helpers -------------------------------------------------------- */

struct field {
	const char *name;
	size_t off, size;
};

#define FIELD(type, f)	{ #f, offsetof(type, f), sizeof(((type *)0)->f) }

static const struct field ehdr_fields[] = {
	FIELD(Elf64_Ehdr, e_type), FIELD(Elf64_Ehdr, e_machine), FIELD(Elf64_Ehdr, e_version),
	FIELD(Elf64_Ehdr, e_entry), FIELD(Elf64_Ehdr, e_phoff), FIELD(Elf64_Ehdr, e_shoff),
	FIELD(Elf64_Ehdr, e_flags), FIELD(Elf64_Ehdr, e_ehsize), FIELD(Elf64_Ehdr, e_phentsize),
	FIELD(Elf64_Ehdr, e_phnum), FIELD(Elf64_Ehdr, e_shentsize), FIELD(Elf64_Ehdr, e_shnum),
	FIELD(Elf64_Ehdr, e_shstrndx),
};

static const struct field shdr_fields[] = {
	FIELD(Elf64_Shdr, sh_name), FIELD(Elf64_Shdr, sh_type), FIELD(Elf64_Shdr, sh_flags),
	FIELD(Elf64_Shdr, sh_addr), FIELD(Elf64_Shdr, sh_offset), FIELD(Elf64_Shdr, sh_size),
	FIELD(Elf64_Shdr, sh_link), FIELD(Elf64_Shdr, sh_info), FIELD(Elf64_Shdr, sh_addralign),
	FIELD(Elf64_Shdr, sh_entsize),
};

static const struct field sym_fields[] = {
	FIELD(Elf64_Sym, st_name), FIELD(Elf64_Sym, st_info), FIELD(Elf64_Sym, st_other),
	FIELD(Elf64_Sym, st_shndx), FIELD(Elf64_Sym, st_value), FIELD(Elf64_Sym, st_size),
};

static uint64_t get_le(const void *p, size_t size)
{
	uint64_t v = 0;

	memcpy(&v, p, size);
	return v;
}

static void put_le(void *p, size_t size, uint64_t v)
{
	memcpy(p, &v, size);
}

/* A value for a @size-byte field that now holds @old: edges, neighbours, noise. */
static uint64_t interesting(uint64_t old, size_t size)
{
	uint64_t mask = size == 8 ? UINT64_MAX : ((uint64_t)1 << (size * 8)) - 1;

	switch (below(14)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return mask;
	case 3:
		return (old + 1) & mask;
	case 4:
		return (old - 1) & mask;
	case 5:
		return old ^ ((uint64_t)1 << below(size * 8));
	case 6:
		return mask >> 1;
	case 7:
		return (mask >> 1) + 1;
	case 8:
		return image_len & mask;
	case 9:
		return shnum & mask;
	case 10:
		return ((uint64_t)1 << 30) & mask;
	case 11:
		return (old + 8 * (1 + below(8))) & mask;
	case 12:
		return (mask - below(64)) & mask;
	}
	return rnd() & mask;
}

/* Sets one random field of the @n-entry table @fields at @base; notes "@what.FIELD". */
static void mutate_field(unsigned char *base, const struct field *fields, size_t n,
			 const char *what)
{
	const struct field *f = &fields[below(n)];
	uint64_t old = get_le(base + f->off, f->size), v = interesting(old, f->size);

	put_le(base + f->off, f->size, v);
	note("%s.%s=0x%llx", what, f->name, (unsigned long long)v);
}

/* A random section of type @type (any type if 0) with file bytes, or 0. */
static unsigned int pick_section(unsigned int type)
{
	unsigned int i, found = 0, n = 0;

	for (i = 1; i < shnum; i++) {
		if ((type && shdrs[i].sh_type != type) || !rl_section_bytes(i))
			continue;
		if (!below(++n))
			found = i;
	}
	return found;
}

/* --- the mutation classes: each returns 0 if it did something ------------ */

static int m_ehdr(void)
{
	if (!below(4)) {
		unsigned int k = below(EI_NIDENT);

		ehdr->e_ident[k] = interesting(ehdr->e_ident[k], 1);
		note("ehdr.e_ident[%u]=0x%x", k, ehdr->e_ident[k]);
		return 0;
	}
	mutate_field(image, ehdr_fields, ARRAY_SIZE(ehdr_fields), "ehdr");
	return 0;
}

static int m_shdr(void)
{
	unsigned int i = below(shnum);
	char what[32];

	snprintf(what, sizeof(what), "shdr[%u]", i);
	mutate_field((unsigned char *)&shdrs[i], shdr_fields, ARRAY_SIZE(shdr_fields), what);
	return 0;
}

/* The section name table or the symbol string table. */
static int m_strtab(void)
{
	unsigned int i = below(2) ? ehdr->e_shstrndx : shdrs[rl_symtab()].sh_link;
	unsigned char *p = rl_section_bytes(i);
	size_t size = i < shnum ? shdrs[i].sh_size : 0, k;

	if (!p || !size || shdrs[i].sh_type != SHT_STRTAB)
		return -1;
	switch (below(5)) {
	case 0:
		p[size - 1] = 'x';
		note("strtab[%u].last=x", i);
		break;
	case 1:
		p[0] = 'x';
		note("strtab[%u].first=x", i);
		break;
	case 2:
		shdrs[i].sh_size = below(size);
		note("strtab[%u].sh_size=0x%llx", i, (unsigned long long)shdrs[i].sh_size);
		break;
	case 3:
		/* Join two names: a NUL becomes a letter. */
		k = below(size);
		while (k < size && p[k])
			k++;
		if (k >= size)
			return -1;
		p[k] = 'x';
		note("strtab[%u].nul@0x%zx=x", i, k);
		break;
	default:
		k = below(size);
		p[k] = rnd();
		note("strtab[%u][0x%zx]=0x%x", i, k, p[k]);
		break;
	}
	return 0;
}

static int m_sym(void)
{
	static const uint16_t shndx[] = {
		SHN_UNDEF, SHN_ABS, SHN_COMMON, SHN_LIVEPATCH, SHN_XINDEX, 0xfeff, 0xff00,
	};
	unsigned int st = rl_symtab();
	size_t n;
	Elf64_Sym *syms = st ? rl_table(st, sizeof(Elf64_Sym), &n) : NULL;
	Elf64_Sym *sym;
	char what[32];

	if (!syms || n < 2)
		return -1;
	n = 1 + below(n - 1);
	sym = &syms[n];
	snprintf(what, sizeof(what), "sym[%zu]", n);
	if (!below(3)) {
		sym->st_shndx = below(2) ? shndx[below(ARRAY_SIZE(shndx))] : shnum + below(4);
		note("%s.st_shndx=0x%x", what, sym->st_shndx);
		return 0;
	}
	mutate_field((unsigned char *)sym, sym_fields, ARRAY_SIZE(sym_fields), what);
	return 0;
}

/* Relocation types rloader does not apply (or that no module uses). */
static const unsigned int odd_types[] = {
	R_X86_64_NONE, R_X86_64_GOT32, R_X86_64_COPY, R_X86_64_GLOB_DAT, R_X86_64_JUMP_SLOT,
	R_X86_64_RELATIVE, R_X86_64_GOTPCREL, R_X86_64_16, R_X86_64_PC16, R_X86_64_8,
	R_X86_64_PC8, R_X86_64_DTPMOD64, R_X86_64_TPOFF64, R_X86_64_GOTOFF64, R_X86_64_GOTPC32,
	R_X86_64_SIZE32, R_X86_64_IRELATIVE, R_X86_64_REX_GOTPCRELX, 43, 255, 0xffffffff,
};

static int m_rela(void)
{
	unsigned int i = pick_section(SHT_RELA), sym, type;
	size_t n, k;
	Elf64_Rela *r = i ? rl_table(i, sizeof(Elf64_Rela), &n) : NULL;
	Elf64_Shdr *target;

	if (!r || !n)
		return -1;
	k = below(n);
	target = shdrs[i].sh_info < shnum ? &shdrs[shdrs[i].sh_info] : NULL;
	sym = ELF64_R_SYM(r[k].r_info);
	type = ELF64_R_TYPE(r[k].r_info);
	switch (below(4)) {
	case 0: {
		static const int64_t back[] = { 0, 1, 3, 4, 7, 8 };
		uint64_t size = target ? target->sh_size : 0;

		r[k].r_offset = below(3) ? size - back[below(ARRAY_SIZE(back))] :
			interesting(r[k].r_offset, 8);
		note("rela[%u][%zu].r_offset=0x%llx", i, k, (unsigned long long)r[k].r_offset);
		break;
	}
	case 1:
		type = odd_types[below(ARRAY_SIZE(odd_types))];
		r[k].r_info = ELF64_R_INFO(sym, type);
		note("rela[%u][%zu].type=%u", i, k, type);
		break;
	case 2:
		sym = interesting(sym, 4);
		r[k].r_info = ELF64_R_INFO(sym, type);
		note("rela[%u][%zu].sym=0x%x", i, k, sym);
		break;
	default: {
		/* Far enough to overflow a 32-bit field. */
		uint64_t up = below(2), d = (uint64_t)1 << (32 + below(31));

		r[k].r_addend = up ? (uint64_t)r[k].r_addend + d : (uint64_t)r[k].r_addend - d;
		note("rela[%u][%zu].r_addend=0x%llx", i, k, (unsigned long long)r[k].r_addend);
		break;
	}
	}
	return 0;
}

/* The struct module template, including its name, mem[] and init/exit. */
static int m_this_module(void)
{
	const struct seed *s = cur;
	unsigned int t = s->this_module;
	unsigned char *p = rl_section_bytes(t);
	size_t size = shdrs[t].sh_size, off, n, k;
	Elf64_Rela *r;

	if (!p || size < 8)
		return -1;
	switch (below(4)) {
	case 0:
		/* The name loses its NUL terminator. */
		if (s->name_off + MODULE_NAME_LEN > size)
			return -1;
		memset(p + s->name_off, 'A', MODULE_NAME_LEN);
		note("this_module.name=unterminated");
		return 0;
	case 1:
		/* A field the template's relocations set (init, exit) is not zero. */
		r = rl_relocations_of(t, &n);
		if (!r || !n)
			return -1;
		k = below(n);
		off = r[k].r_offset;
		if (off > size - 8)
			return -1;
		put_le(p + off, 8, 0xffffffff81000000ULL + below(1 << 24));
		note("this_module.reloc_target@0x%zx", off);
		return 0;
	case 2:
		/* A relocation of the template moves to another field. */
		r = rl_relocations_of(t, &n);
		if (!r || !n)
			return -1;
		k = below(n);
		r[k].r_offset = 8 * below(size / 8 + 2);
		note("this_module.reloc[%zu].r_offset=0x%llx", k,
		     (unsigned long long)r[k].r_offset);
		return 0;
	}
	/* Any qword: list, mkobj, mem[], the key and parameter pointers... */
	off = 8 * below(size / 8);
	put_le(p + off, 8, interesting(get_le(p + off, 8), 8));
	note("this_module.qword@0x%zx=0x%llx", off, (unsigned long long)get_le(p + off, 8));
	return 0;
}

static int m_modinfo(void)
{
	unsigned int i = rl_find_section(".modinfo");
	char *p = (char *)rl_section_bytes(i), *e;
	size_t size = i ? shdrs[i].sh_size : 0, k;

	if (!p || !size)
		return -1;
	switch (below(5)) {
	case 0:
		for (k = 0; k < size; k++)
			if (!p[k])
				p[k] = ' ';
		note("modinfo.nuls=none");
		break;
	case 1:
		e = rl_modinfo_find(p, p + size, "vermagic");
		if (!e)
			return -1;
		e[7] = 'X';
		note("modinfo.vermagic=dropped");
		break;
	case 2:
		/* An entry at least as long as "livepatch=Y" is overwritten by it. */
		for (k = below(size); k + 12 < size; k++)
			if (!p[k] && strnlen(p + k + 1, size - k - 1) >= 11)
				break;
		if (k + 12 >= size)
			return -1;
		memset(p + k + 1, 0, strnlen(p + k + 1, size - k - 1));
		memcpy(p + k + 1, "livepatch=Y", 11);
		note("modinfo.livepatch@0x%zx", k + 1);
		break;
	case 3:
		p[size - 1] = 'x';
		note("modinfo.last=x");
		break;
	default:
		k = below(size);
		p[k] = below(2) ? '=' : rnd();
		note("modinfo[0x%zx]=0x%x", k, (unsigned char)p[k]);
		break;
	}
	return 0;
}

/* __ksymtab, __ksymtab_gpl, __ksymtab_strings, __kcrctab*. */
static int m_ksymtab(void)
{
	unsigned int i, found = 0, n = 0;
	unsigned char *p;
	size_t size, k;

	for (i = 1; i < shnum; i++) {
		const char *name = rl_section_name(i);

		if ((!strncmp(name, "__ksymtab", 9) || !strncmp(name, "__kcrctab", 9)) &&
		    !below(++n))
			found = i;
	}
	p = rl_section_bytes(found);
	size = found ? shdrs[found].sh_size : 0;
	if (!p || !size)
		return -1;
	switch (below(3)) {
	case 0:
		shdrs[found].sh_size = below(2) ? size - 1 - below(size) : size + 1 + below(16);
		note("ksymtab[%u].sh_size=0x%llx", found, (unsigned long long)shdrs[found].sh_size);
		break;
	case 1:
		p[size - 1] = 'x';
		note("ksymtab[%u].last=x", found);
		break;
	default:
		k = below(size);
		p[k] = rnd();
		note("ksymtab[%u][0x%zx]=0x%x", found, k, p[k]);
		break;
	}
	return 0;
}

static const char *const special[] = {
	"__bug_table", ".altinstructions", ".altinstr_replacement", ".smp_locks",
	".orc_unwind", ".orc_unwind_ip", ".orc_header", ".retpoline_sites", ".return_sites",
	".call_sites", ".ibt_endbr_seal", "__jump_table", "__ex_table", ".data..percpu",
	"__param", ".init_array", ".ctors", ".static_call_sites", ".static_call.text",
	"__versions", ".note.gnu.property", "__mcount_loc", ".init.text", ".exit.text",
	".data..ro_after_init", "__dyndbg", "__tracepoints", "__kunit_suites",
};

static int m_special(void)
{
	unsigned int i, found = 0, n = 0, k;
	Elf64_Shdr *sh;

	for (i = 1; i < shnum; i++)
		for (k = 0; k < ARRAY_SIZE(special); k++)
			if (!strcmp(rl_section_name(i), special[k]) && !below(++n))
				found = i;
	if (!found)
		return -1;
	sh = &shdrs[found];
	switch (below(7)) {
	case 0:
		sh->sh_flags &= ~(Elf64_Xword)SHF_ALLOC;
		note("special[%u].alloc=0", found);
		break;
	case 1:
		sh->sh_type = SHT_NOBITS;
		note("special[%u].type=nobits", found);
		break;
	case 2:
		sh->sh_size = below(3) ? sh->sh_size - 1 - below(8) : interesting(sh->sh_size, 8);
		note("special[%u].sh_size=0x%llx", found, (unsigned long long)sh->sh_size);
		break;
	case 3:
		sh->sh_entsize = interesting(sh->sh_entsize, 8);
		note("special[%u].sh_entsize=0x%llx", found, (unsigned long long)sh->sh_entsize);
		break;
	case 4:
		sh->sh_offset = below(2) ? sh->sh_offset + 1 + below(7) :
					   interesting(sh->sh_offset, 8);
		note("special[%u].sh_offset=0x%llx", found, (unsigned long long)sh->sh_offset);
		break;
	case 5:
		sh->sh_flags |= below(2) ? SHF_EXECINSTR | SHF_WRITE : SHF_WRITE;
		note("special[%u].sh_flags=0x%llx", found, (unsigned long long)sh->sh_flags);
		break;
	default:
		sh->sh_addralign = interesting(sh->sh_addralign, 8);
		note("special[%u].sh_addralign=0x%llx", found,
		     (unsigned long long)sh->sh_addralign);
		break;
	}
	return 0;
}

/* Huge or executable NOBITS sections. */
static int m_nobits(void)
{
	static const uint64_t huge[] = {
		1ULL << 31, 1ULL << 32, 1ULL << 40, UINT64_MAX, UINT64_MAX - 4095, 1ULL << 63,
	};
	unsigned int i, found = 0, n = 0;

	if (below(3)) {
		for (i = 1; i < shnum; i++)
			if (shdrs[i].sh_type == SHT_NOBITS && !below(++n))
				found = i;
	}
	if (!found) {
		/* Code without bytes. */
		for (i = 1; i < shnum; i++)
			if ((shdrs[i].sh_flags & SHF_EXECINSTR) && !below(++n))
				found = i;
		if (!found)
			return -1;
		shdrs[found].sh_type = SHT_NOBITS;
		note("nobits[%u].code", found);
		return 0;
	}
	if (below(2)) {
		shdrs[found].sh_size = huge[below(ARRAY_SIZE(huge))];
		note("nobits[%u].sh_size=0x%llx", found, (unsigned long long)shdrs[found].sh_size);
	} else {
		shdrs[found].sh_flags |= SHF_EXECINSTR;
		note("nobits[%u].exec", found);
	}
	return 0;
}

/* Bit flips in the metadata: headers, tables, strings, the template, .modinfo. */
static int m_bitflip(void)
{
	const struct seed *s = cur;
	uint64_t start, len, off;
	unsigned int i, flips = 1 + below(4);

	switch (below(4)) {
	case 0:
		start = 0;
		len = sizeof(Elf64_Ehdr);
		break;
	case 1:
		start = ehdr->e_shoff;
		len = (uint64_t)shnum * sizeof(Elf64_Shdr);
		break;
	default:
		i = pick_section(0);
		if (!i || (shdrs[i].sh_flags & SHF_EXECINSTR) || !shdrs[i].sh_size)
			return -1;
		/* Not the bytes of code or data: only what the loader interprets. */
		if ((shdrs[i].sh_flags & SHF_ALLOC) && i != s->this_module &&
		    shdrs[i].sh_type == SHT_PROGBITS && strncmp(rl_section_name(i), "__", 2))
			return -1;
		start = shdrs[i].sh_offset;
		len = shdrs[i].sh_size;
		break;
	}
	if (!in_image(start, len) || !len)
		return -1;
	while (flips--) {
		off = start + below(len);
		image[off] ^= 1 << below(8);
		note("bitflip@0x%llx", (unsigned long long)off);
	}
	return 0;
}

/* The image ends early (applied last, after the others). */
static size_t truncate_to;

static int m_truncate(void)
{
	truncate_to = below(2) ? below(image_len) : image_len - 1 - below(64);
	note("truncate=0x%zx", truncate_to);
	return 0;
}

static const struct mutation {
	const char *name;
	int (*apply)(void);
	unsigned int weight;
} mutations[] = {
	{ "ehdr", m_ehdr, 2 },
	{ "shdr", m_shdr, 6 },
	{ "strtab", m_strtab, 3 },
	{ "sym", m_sym, 5 },
	{ "rela", m_rela, 5 },
	{ "this_module", m_this_module, 4 },
	{ "modinfo", m_modinfo, 3 },
	{ "ksymtab", m_ksymtab, 2 },
	{ "special", m_special, 5 },
	{ "nobits", m_nobits, 2 },
	{ "bitflip", m_bitflip, 4 },
	{ "truncate", m_truncate, 1 },
};

static const struct mutation *pick_mutation(void)
{
	unsigned int total = 0, i, k;

	for (i = 0; i < ARRAY_SIZE(mutations); i++)
		total += mutations[i].weight;
	k = below(total);
	for (i = 0; k >= mutations[i].weight; i++)
		k -= mutations[i].weight;
	return &mutations[i];
}

/* Builds image @index of @seed into work; returns the seed module used. */
static const struct seed *build(uint64_t seed, uint64_t index, size_t *len)
{
	const struct seed *s;
	unsigned int n, tries;

	rng_key(seed, index);
	s = &seeds[below(nseeds)];
	cur = s;
	memcpy(work, s->data, s->len);
	image = work;
	image_len = s->len;
	rl_elf_parse();
	rename_module(s, index);
	desc[0] = 0;
	truncate_to = image_len;
	for (n = 1 + below(MAX_MUTATIONS); n; n--)
		for (tries = 0; tries < 20 && pick_mutation()->apply(); tries++)
			;
	/* Mutations read the headers the earlier ones may have damaged. */
	*len = truncate_to;
	return s;
}

/* --- running one image ------------------------------------------------------ */

#define MAX_LOADED	512
/* Longer than a module name: a name that lost its NUL shows up in full. */
#define LISTED_LEN	256

/*
 * The names in /proc/modules; returns how many.  Only lines of the form
 * "NAME SIZE REFS ..." count: a name without its NUL prints whatever
 * follows it in struct module, which can break its line in pieces.
 */
static unsigned int read_modules(char names[][LISTED_LEN], unsigned int max)
{
	FILE *f = fopen("/proc/modules", "r");
	char line[4096];
	unsigned long size;
	unsigned int n = 0, refs;

	if (!f)
		die("cannot read /proc/modules");
	while (n < max && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %lu %u", names[n], &size, &refs) == 3)
			n++;
	fclose(f);
	return n;
}

static int listed(char names[][LISTED_LEN], unsigned int n, const char *name)
{
	while (n--)
		if (!strcmp(names[n], name))
			return 1;
	return 0;
}

/* True if /proc/modules marks module @name "[permanent]" (init, no exit). */
static int is_permanent(const char *name)
{
	FILE *f = fopen("/proc/modules", "r");
	char line[4096], first[LISTED_LEN];
	int found = 0;

	if (!f)
		die("cannot read /proc/modules");
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%255s", first) == 1 && !strcmp(first, name) &&
			strstr(line, "[permanent]");
	fclose(f);
	return found;
}

static const char *errname(int err)
{
	static char buf[16];
	const char *name = strerrorname_np(err);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

static const char *const bad_lines[] = {
	"WARNING:", "BUG:", "Oops", "Call Trace:", "general protection", "UBSAN:",
	"possible circular", "possible recursive", "INFO: possible", "blocked for more than",
	"unreferenced object", "Kernel panic", "kernel BUG", "rcu: INFO", "self-detected stall",
};

/*
 * Reads the kernel messages logged since the last call: copies the first
 * "rloader: " one, or else the first of module @name's own ("NAME: ...",
 * as when its init ran and failed, which the kernel's loader reports by
 * the errno alone), to @reason, the first that looks like a kernel report
 * to @bad (all @size bytes); returns 1 if there was such a report.
 */
static int use_finit;

static int read_kmsg(int fd, const char *name, char *reason, char *bad, size_t size)
{
	char own[160] = "";
	size_t namelen = name ? strlen(name) : 0;

	char rec[2048];
	int found = 0;
	size_t k;
	ssize_t n;

	for (;;) {
		char *text, *end;

		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = 0;
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		end = strchr(text, '\n');
		if (end)
			*end = 0;
		if (!strncmp(text, "fuzz: ", 6))
			continue;
		if (!*reason && (use_finit || !strncmp(text, "rloader: ", 9)))
			snprintf(reason, size, "%s", text);
		if (!*own && namelen && !strncmp(text, name, namelen) &&
		    !strncmp(text + namelen, ": ", 2))
			snprintf(own, sizeof(own), "%s", text);
		/*
		 * Under initcall_debug, do_one_initcall() reports what the
		 * module's init returned: the reason for an init that fails
		 * without a word of its own (register_filesystem()'s EBUSY).
		 */
		if (!*own && !strncmp(text, "initcall ", 9) && strstr(text, " returned -"))
			snprintf(own, sizeof(own), "%s", text);
		for (k = 0; k < ARRAY_SIZE(bad_lines) && !found; k++) {
			if (strstr(text, bad_lines[k])) {
				snprintf(bad, size, "%s", text);
				found = 1;
			}
		}
	}
	if (!*reason && *own)
		snprintf(reason, size, "%s", own);
	return found;
}

/* Loads the @len bytes of the image with finit_module(2); returns its errno. */
static int load_finit(size_t len)
{
	int fd = memfd_create("rloader_fuzz", MFD_CLOEXEC), err = 0;

	if (fd < 0)
		die("memfd_create: %s", strerror(errno));
	if (write(fd, work, len) != (ssize_t)len)
		die("cannot write the image to a memfd: %s", strerror(errno));
	if (syscall(SYS_finit_module, fd, "", 0) < 0)
		err = errno;
	close(fd);
	return err;
}

/* Loads image @index; returns 1 if it passed. */
static int run_one(const char *dev, int kfd, uint64_t index, const struct seed *s, size_t len)
{
	static char before[MAX_LOADED][LISTED_LEN], after[MAX_LOADED][LISTED_LEN];
	unsigned int nb, na, k;
	char reason[160] = "", bad[160] = "", outcome[80];
	const char *why = "";
	int fd, err = 0, ok = 1;
	ssize_t n;

	nb = read_modules(before, MAX_LOADED);
	report("fuzz: begin %llu %s %s", (unsigned long long)index, s->name, desc);
	lseek(kfd, 0, SEEK_END);
	if (use_finit) {
		err = load_finit(len);
	} else {
		fd = open(dev, O_WRONLY);
		if (fd < 0)
			die("cannot open %s: %s", dev, strerror(errno));
		n = write(fd, work, len);
		if (n < 0)
			err = errno;
		else if ((size_t)n != len)
			err = -1;
		if (close(fd) && !err)
			err = errno;
	}
	if (!err) {
		/* Unload what got in, by the names it got. */
		na = read_modules(after, MAX_LOADED);
		snprintf(outcome, sizeof(outcome), "accepted");
		for (k = 0; k < na; k++) {
			if (listed(before, nb, after[k]))
				continue;
			if (!syscall(SYS_delete_module, after[k], O_NONBLOCK))
				continue;
			if (errno == EBUSY && is_permanent(after[k])) {
				snprintf(outcome, sizeof(outcome), "permanent");
				/* It is there to stay: not left behind by the next images. */
				if (nb < MAX_LOADED)
					memcpy(before[nb++], after[k], LISTED_LEN);
				continue;
			}
			snprintf(outcome, sizeof(outcome), "unload:%s", errname(errno));
			why = after[k];
			ok = 0;
		}
		na = read_modules(after, MAX_LOADED);
		for (k = 0; k < na && ok; k++)
			if (!listed(before, nb, after[k])) {
				snprintf(outcome, sizeof(outcome), "unload:left");
				why = after[k];
				ok = 0;
			}
	}
	if (read_kmsg(kfd, s->name, reason, bad, sizeof(reason))) {
		snprintf(outcome, sizeof(outcome), "report");
		why = bad;
		ok = 0;
	} else if (err > 0) {
		ok = !!*reason;
		snprintf(outcome, sizeof(outcome), "%s:%s", ok ? "refused" : "noreason",
			 errname(err));
		why = reason;
	} else if (err < 0) {
		snprintf(outcome, sizeof(outcome), "short-write");
		ok = 0;
	}
	report("fuzz: %llu %s %s -> %s%s%s", (unsigned long long)index, s->name, desc, outcome,
	       *why ? " " : "", why);
	return ok;
}

int main(int argc, char **argv)
{
	uint64_t seed = 1, first = 0, count = 1, i;
	const char *dev = "/dev/rloader", *out = NULL;
	unsigned long pass = 0, fail = 0;
	int dry = 0, a;
	size_t len;

	for (a = 1; a < argc && !strncmp(argv[a], "--", 2); a++) {
		if (!strcmp(argv[a], "--dry-run")) {
			dry = 1;
			continue;
		}
		if (!strcmp(argv[a], "--finit")) {
			use_finit = 1;
			continue;
		}
		if (a + 1 == argc)
			break;
		if (!strcmp(argv[a], "--seed"))
			seed = strtoull(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--first"))
			first = strtoull(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--count"))
			count = strtoull(argv[++a], NULL, 0);
		else if (!strcmp(argv[a], "--dev"))
			dev = argv[++a];
		else if (!strcmp(argv[a], "--write"))
			out = argv[++a];
		else
			break;
	}
	if (a == argc || !strncmp(argv[a], "--", 2)) {
		fprintf(stderr, "usage: %s [--seed S] [--first I] [--count N] [--dev PATH]\n"
			"\t[--dry-run | --write FILE | --finit] MOD.ko...\n", argv[0]);
		return 2;
	}
	for (; a < argc; a++)
		add_seed(argv[a]);

	if (out) {
		FILE *f = fopen(out, "wb");

		const struct seed *s = build(seed, first, &len);

		if (!f || fwrite(work, 1, len, f) != len || fclose(f))
			die("cannot write %s", out);
		printf("fuzz: %llu %s %s\n", (unsigned long long)first, s->name, desc);
		return 0;
	}
	if (!dry) {
		kmsg_fd = open("/dev/kmsg", O_RDWR | O_NONBLOCK);
		if (kmsg_fd < 0)
			die("cannot open /dev/kmsg: %s", strerror(errno));
	}
	for (i = first; i < first + count; i++) {
		const struct seed *s = build(seed, i, &len);

		if (dry) {
			printf("fuzz: %llu %s %s len=%zu\n", (unsigned long long)i, s->name, desc,
			       len);
			continue;
		}
		if (run_one(dev, kmsg_fd, i, s, len))
			pass++;
		else
			fail++;
	}
	if (!dry)
		report("fuzz: done %lu passed, %lu failed", pass, fail);
	return fail ? 1 : 0;
}
