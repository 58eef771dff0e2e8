// SPDX-License-Identifier: GPL-2.0
/*
 * rloader_corrupt: write a malformed copy of a kernel module.
 *
 *   rloader_corrupt KIND IN.ko OUT.ko   copy IN.ko to OUT.ko with one defect
 *   rloader_corrupt --list              list the KINDs, one per line
 *
 * IN.ko is a valid x86_64 module.  Each KIND damages one field so that
 * rloader must refuse the image for exactly one reason; where the engine has
 * an error kind for that reason, the KIND carries its name.  Exits 1 with a
 * message if IN.ko lacks what KIND needs, 2 on a usage error.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kselftest.h"
#include "rloader_elf.h"

/* Where modpost puts the name in struct module, and its size. */
#define MODULE_NAME_OFFSET	24
#define MODULE_NAME_LEN		56

static __noreturn __printf(1, 2) void die(const char *fmt, ...)
{
	va_list ap;

	fputs("rloader_corrupt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void read_image(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n;
	const char *msg;

	if (!f)
		die("cannot open %s", path);
	image = malloc(cap);
	while (image && (n = fread(image + image_len, 1, cap - image_len, f)) > 0) {
		image_len += n;
		if (image_len == cap)
			image = realloc(image, cap *= 2);
	}
	if (!image)
		die("out of memory reading %s", path);
	if (ferror(f))
		die("cannot read %s", path);
	fclose(f);

	/* What every KIND relies on; anything less is not a module to start from. */
	msg = rl_elf_parse();
	if (msg)
		die("%s: %s", path, msg);
}

static void write_image(const char *path)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		die("cannot create %s", path);
	if (fwrite(image, 1, image_len, f) != image_len || fclose(f))
		die("cannot write %s", path);
}

/* The file bytes of section @i, which must have some, inside the image. */
static unsigned char *contents(unsigned int i)
{
	unsigned char *p = rl_section_bytes(i);

	if (!p)
		die("section %u has no bytes in the file", i);
	return p;
}

/* The contents of a table of @entsize-byte entries; sets *@count. */
static void *table(unsigned int i, size_t entsize, size_t *count)
{
	void *p = rl_table(i, entsize, count);

	if (!p)
		die("section %u is not an aligned array of %zu-byte entries", i, entsize);
	return p;
}

static Elf64_Shdr *need_section(const char *name)
{
	unsigned int i = rl_find_section(name);

	if (!i)
		die("no section %s", name);
	return &shdrs[i];
}

static unsigned int symtab_index(void)
{
	unsigned int i = rl_symtab();

	if (!i)
		die("no symbol table");
	return i;
}

static Elf64_Sym *symbols(size_t *count)
{
	return table(symtab_index(), sizeof(Elf64_Sym), count);
}

/* The symbol string table; sets *@size. */
static char *symbol_strings(size_t *size)
{
	unsigned int link = shdrs[symtab_index()].sh_link;

	if (!link || link >= shnum || shdrs[link].sh_type != SHT_STRTAB || !shdrs[link].sh_size)
		die("no symbol string table");
	*size = shdrs[link].sh_size;
	return (char *)contents(link);
}

static const char *symbol_name(const Elf64_Sym *sym)
{
	size_t size;
	const char *strings = symbol_strings(&size);

	if (sym->st_name >= size || !memchr(strings + sym->st_name, 0, size - sym->st_name))
		return "";
	return strings + sym->st_name;
}

/*
 * The first named symbol the module defines in one of its sections (not an
 * LTO marker, which the kernel lets be SHN_COMMON).
 */
static Elf64_Sym *defined_symbol(void)
{
	size_t n, k;
	Elf64_Sym *syms = symbols(&n);

	for (k = 1; k < n; k++) {
		const char *name = symbol_name(&syms[k]);

		if (*name && strncmp(name, "__gnu_lto", 9) &&
		    syms[k].st_shndx != SHN_UNDEF && syms[k].st_shndx < shnum)
			return &syms[k];
	}
	die("no named symbol defined in a section");
}

/* The first named global symbol the module needs from elsewhere. */
static Elf64_Sym *undefined_symbol(void)
{
	size_t n, k;
	Elf64_Sym *syms = symbols(&n);

	for (k = 1; k < n; k++)
		if (syms[k].st_shndx == SHN_UNDEF && *symbol_name(&syms[k]) &&
		    ELF64_ST_BIND(syms[k].st_info) == STB_GLOBAL)
			return &syms[k];
	die("no undefined global symbol");
}

/* The first SHT_RELA section that applies to an allocated section. */
static Elf64_Shdr *alloc_rela(void)
{
	unsigned int i;

	for (i = 1; i < shnum; i++)
		if (shdrs[i].sh_type == SHT_RELA && shdrs[i].sh_info < shnum &&
		    (shdrs[shdrs[i].sh_info].sh_flags & SHF_ALLOC))
			return &shdrs[i];
	die("no relocation section for an allocated section");
}

/* Bytes a relocation of this type writes (0 for the types rloader refuses). */
static unsigned int reloc_width(unsigned int type)
{
	switch (type) {
	case R_X86_64_64:
	case R_X86_64_PC64:
		return 8;
	case R_X86_64_32:
	case R_X86_64_32S:
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		return 4;
	}
	return 0;
}

/*
 * The first relocation of alloc_rela() that writes bytes and refers to a
 * symbol in an allocated section.  Sets *@target to the section it patches.
 */
static Elf64_Rela *alloc_reloc(Elf64_Shdr **target)
{
	Elf64_Shdr *rela = alloc_rela();
	size_t n, nsyms, k;
	Elf64_Rela *r = table(rela - shdrs, sizeof(Elf64_Rela), &n);
	Elf64_Sym *syms = symbols(&nsyms);

	*target = &shdrs[rela->sh_info];
	for (k = 0; k < n; k++) {
		size_t sym = ELF64_R_SYM(r[k].r_info);
		unsigned int sec = sym < nsyms ? syms[sym].st_shndx : SHN_UNDEF;

		if (reloc_width(ELF64_R_TYPE(r[k].r_info)) && sec != SHN_UNDEF &&
		    sec < shnum && (shdrs[sec].sh_flags & SHF_ALLOC))
			return &r[k];
	}
	die("no relocation against an allocated section in section %u",
	    (unsigned int)(rela - shdrs));
}

/* The .modinfo string "KEY=...". */
static char *modinfo_entry(const char *key)
{
	Elf64_Shdr *info = need_section(".modinfo");
	char *p = (char *)contents(info - shdrs);
	char *entry = rl_modinfo_find(p, p + info->sh_size, key);

	if (!entry)
		die("no %s= in .modinfo", key);
	return entry;
}

/* Changes the first byte of @s to something else. */
static void mangle(char *s)
{
	s[0] = s[0] == 'X' ? 'Y' : 'X';
}

/* --- the corruptions ------------------------------------------------------ */

static void bad_magic(void)
{
	ehdr->e_ident[EI_MAG3] = 'X';
}

static void bad_class(void)
{
	ehdr->e_ident[EI_CLASS] = ELFCLASS32;
}

static void bad_data(void)
{
	ehdr->e_ident[EI_DATA] = ELFDATA2MSB;
}

static void bad_version(void)
{
	ehdr->e_ident[EI_VERSION] = EV_NONE;
}

static void not_relocatable(void)
{
	ehdr->e_type = ET_EXEC;
}

static void bad_machine(void)
{
	ehdr->e_machine = EM_386;
}

static void bad_shentsize(void)
{
	ehdr->e_shentsize = sizeof(Elf32_Shdr);
}

static void extended_numbering(void)
{
	ehdr->e_shstrndx = SHN_XINDEX;
}

static void bad_shstrndx(void)
{
	ehdr->e_shstrndx = shnum;
}

static void bad_null_section(void)
{
	shdrs[0].sh_type = SHT_PROGBITS;
}

/* The table's end wraps around the address space. */
static void shdrs_out_of_file(void)
{
	ehdr->e_shoff = (Elf64_Off)0 - sizeof(Elf64_Shdr);
}

/* The table is claimed to start far beyond rloader's size limit. */
static void image_too_large(void)
{
	ehdr->e_shoff = (Elf64_Off)1 << 30;
}

/* The table is claimed to start at the end of the file: it never arrives. */
static void shdrs_past_end(void)
{
	ehdr->e_shoff = (image_len + 7) & ~(Elf64_Off)7;
}

/* A section whose end wraps around. */
static void section_out_of_file(void)
{
	Elf64_Shdr *s = need_section(".comment");

	s->sh_offset = UINT64_MAX - 7;
	s->sh_size = 16;
}

/* A section that ends past the end of the file: the image never completes. */
static void section_past_end(void)
{
	need_section(".comment")->sh_size = image_len;
}

static void shstrtab_not_strtab(void)
{
	shdrs[ehdr->e_shstrndx].sh_type = SHT_PROGBITS;
}

static void empty_strtab(void)
{
	size_t size;

	symbol_strings(&size);
	shdrs[shdrs[symtab_index()].sh_link].sh_size = 0;
}

static void strtab_unterminated(void)
{
	size_t size;
	char *strings = symbol_strings(&size);

	strings[size - 1] = 'x';
}

static void section_name_oob(void)
{
	need_section(".comment")->sh_name = shdrs[ehdr->e_shstrndx].sh_size;
}

static void duplicate_modinfo(void)
{
	need_section(".comment")->sh_name = need_section(".modinfo")->sh_name;
}

/* Its name loses the leading dot. */
static void missing_this_module(void)
{
	need_section(THIS_MODULE)->sh_name++;
}

static void duplicate_this_module(void)
{
	need_section(".comment")->sh_name = need_section(THIS_MODULE)->sh_name;
}

static void this_module_nobits(void)
{
	need_section(THIS_MODULE)->sh_type = SHT_NOBITS;
}

static void this_module_not_alloc(void)
{
	need_section(THIS_MODULE)->sh_flags &= ~(Elf64_Xword)SHF_ALLOC;
}

static void this_module_size(void)
{
	Elf64_Shdr *s = need_section(THIS_MODULE);

	if (s->sh_size < 64)
		die("%s is too small", THIS_MODULE);
	s->sh_size -= 64;
}

static void missing_symtab(void)
{
	shdrs[symtab_index()].sh_type = SHT_PROGBITS;
}

static void duplicate_symtab(void)
{
	need_section(".comment")->sh_type = SHT_SYMTAB;
}

static void symtab_bad_link(void)
{
	shdrs[symtab_index()].sh_link = SHN_UNDEF;
}

static void symtab_link_not_strtab(void)
{
	shdrs[symtab_index()].sh_link = need_section(THIS_MODULE) - shdrs;
}

static void symtab_bad_size(void)
{
	shdrs[symtab_index()].sh_entsize = sizeof(Elf32_Sym);
}

static void symbol_name_oob(void)
{
	size_t size;

	symbol_strings(&size);
	defined_symbol()->st_name = size;
}

static void symbol_bad_section(void)
{
	defined_symbol()->st_shndx = shnum;
}

static void common_symbol(void)
{
	defined_symbol()->st_shndx = SHN_COMMON;
}

static void livepatch_symbol(void)
{
	defined_symbol()->st_shndx = SHN_LIVEPATCH;
}

/* The first allocated code section. */
static Elf64_Shdr *text(void)
{
	unsigned int i;

	for (i = 1; i < shnum; i++)
		if ((shdrs[i].sh_flags & (SHF_ALLOC | SHF_EXECINSTR)) ==
		    (SHF_ALLOC | SHF_EXECINSTR))
			return &shdrs[i];
	die("no code section");
}

static void write_and_exec(void)
{
	text()->sh_flags |= SHF_WRITE;
}

static void bad_alignment(void)
{
	text()->sh_addralign = 24;
}

static void livepatch_rela(void)
{
	alloc_rela()->sh_flags |= SHF_RELA_LIVEPATCH;
}

static void rel_not_supported(void)
{
	alloc_rela()->sh_type = SHT_REL;
}

static void rela_bad_size(void)
{
	alloc_rela()->sh_entsize = sizeof(Elf64_Rel);
}

static void rela_bad_link(void)
{
	alloc_rela()->sh_link = ehdr->e_shstrndx;
}

static void rela_bad_info(void)
{
	alloc_rela()->sh_info = shnum;
}

/* The relocation section applies to itself: its target goes unrelocated. */
static void rela_self_target(void)
{
	Elf64_Shdr *s = alloc_rela();

	s->sh_info = s - shdrs;
}

static void reloc_bad_symbol(void)
{
	Elf64_Shdr *target;
	Elf64_Rela *r = alloc_reloc(&target);
	size_t nsyms;

	symbols(&nsyms);
	r->r_info = ELF64_R_INFO(nsyms, ELF64_R_TYPE(r->r_info));
}

/* The relocation patches the bytes just past the end of its section. */
static void reloc_out_of_section(void)
{
	Elf64_Shdr *target;
	Elf64_Rela *r = alloc_reloc(&target);

	r->r_offset = target->sh_size;
}

static void reloc_unknown_type(void)
{
	Elf64_Shdr *target;
	Elf64_Rela *r = alloc_reloc(&target);

	r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), R_X86_64_GOTPCREL);
}

/* A module address does not fit a zero-extended 32-bit field. */
static void reloc_overflow(void)
{
	Elf64_Shdr *target;
	Elf64_Rela *r = alloc_reloc(&target);

	r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), R_X86_64_32);
}

static void reloc_target_nonzero(void)
{
	Elf64_Shdr *target;
	Elf64_Rela *r = alloc_reloc(&target);
	unsigned char *bytes = contents(target - shdrs);

	if (r->r_offset >= target->sh_size)
		die("relocation outside its section");
	bytes[r->r_offset] = 0x5a;
}

/* An allocated section without file bytes grows to the whole address space. */
static void layout_overflow(void)
{
	unsigned int i;

	for (i = 1; i < shnum; i++) {
		if (shdrs[i].sh_type == SHT_NOBITS && (shdrs[i].sh_flags & SHF_ALLOC)) {
			shdrs[i].sh_size = UINT64_MAX;
			return;
		}
	}
	die("no allocated SHT_NOBITS section");
}

/* .data takes the name of .text: two placed sections share a name in sysfs. */
static void duplicate_section_name(void)
{
	need_section(".data")->sh_name = need_section(".text")->sh_name;
}

/* The first undefined global symbol gets a name no kernel exports. */
static void unresolved(void)
{
	size_t size;
	char *strings = symbol_strings(&size);

	mangle(strings + undefined_symbol()->st_name);
}

/* "vermagic=" becomes "vermagiX=". */
static void missing_vermagic(void)
{
	mangle(modinfo_entry("vermagic") + strlen("vermagi"));
}

static void vermagic_mismatch(void)
{
	char *value = modinfo_entry("vermagic") + strlen("vermagic=");

	if (!*value)
		die("the vermagic in .modinfo is empty");
	mangle(value);
}

/* The description entry becomes "livepatch=Y", NUL-padded. */
static void livepatch_modinfo(void)
{
	static const char tag[] = "livepatch=Y";
	char *entry = modinfo_entry("description");
	size_t len = strlen(entry);

	if (len < strlen(tag))
		die("the description in .modinfo is too short");
	memset(entry, 0, len);
	memcpy(entry, tag, strlen(tag));
}

/* --- what the kernel's C code reads: section 0, tables, struct module ----- */

/* Section 0 gets a name, which C code walking every header would follow. */
static void null_section_name(void)
{
	shdrs[0].sh_name = 1;
}

/* .comment becomes a non-empty SHT_NULL entry. */
static void null_section_used(void)
{
	need_section(".comment")->sh_type = SHT_NULL;
}

/* The module's struct module template, and its size in *@size. */
static unsigned char *this_module(size_t *size)
{
	Elf64_Shdr *s = need_section(THIS_MODULE);

	if (s->sh_size < MODULE_NAME_OFFSET + MODULE_NAME_LEN)
		die("%s is too small", THIS_MODULE);
	*size = s->sh_size;
	return contents(s - shdrs);
}

/* The name fills all of its MODULE_NAME_LEN bytes. */
static void bad_module_name(void)
{
	size_t size;

	memset(this_module(&size) + MODULE_NAME_OFFSET, 'x', MODULE_NAME_LEN);
}

/* The last byte of .modinfo, its final NUL, becomes 'x'. */
static void modinfo_unterminated(void)
{
	Elf64_Shdr *info = need_section(".modinfo");

	if (!info->sh_size)
		die(".modinfo is empty");
	contents(info - shdrs)[info->sh_size - 1] = 'x';
}

/* .comment gets a section type no tool writes. */
static void unknown_section_type(void)
{
	need_section(".comment")->sh_type = 0x2a00;
}

/* The first non-empty allocated code section becomes SHT_NOBITS. */
static void exec_nobits(void)
{
	unsigned int i;

	for (i = 1; i < shnum; i++)
		if ((shdrs[i].sh_flags & (SHF_ALLOC | SHF_EXECINSTR)) ==
		    (SHF_ALLOC | SHF_EXECINSTR) && shdrs[i].sh_size) {
			shdrs[i].sh_type = SHT_NOBITS;
			return;
		}
	die("no code section");
}

/* The first table the kernel reads by name loses SHF_ALLOC. */
static void special_section(void)
{
	static const char *const names[] = {
		".altinstructions", ".smp_locks", ".orc_unwind_ip", ".retpoline_sites",
		".return_sites", ".call_sites", ".ibt_endbr_seal", "__bug_table",
	};
	unsigned int i, k;

	for (i = 1; i < shnum; i++)
		for (k = 0; k < ARRAY_SIZE(names); k++)
			if (!strcmp(rl_section_name(i), names[k])) {
				shdrs[i].sh_flags &= ~(Elf64_Xword)SHF_ALLOC;
				return;
			}
	die("no table the kernel reads by name");
}

/* __ex_table loses a byte: a partial entry. */
static void bad_table_size(void)
{
	Elf64_Shdr *s = need_section("__ex_table");

	if (!s->sh_size)
		die("__ex_table is empty");
	s->sh_size--;
}

/* .data..percpu becomes 64 MiB of zeros. */
static void percpu_too_large(void)
{
	Elf64_Shdr *s = need_section(".data..percpu");

	s->sh_type = SHT_NOBITS;
	s->sh_size = 64 << 20;
}

/* The relocations that fill the struct module template; sets *@count. */
static Elf64_Rela *this_module_relocations(size_t *count)
{
	Elf64_Rela *r = rl_relocations_of(need_section(THIS_MODULE) - shdrs, count);

	if (!r || !*count)
		die("no relocations of %s", THIS_MODULE);
	return r;
}

/* The relocation of struct module's init moves to another field. */
static void this_module_relocation(void)
{
	size_t n;

	this_module_relocations(&n)[0].r_offset = 0;
}

/* init_module is relocated 256 MiB past itself, outside the module. */
static void bad_entry_point(void)
{
	size_t n, k;
	Elf64_Rela *r = this_module_relocations(&n);

	for (k = 0; k < n; k++) {
		Elf64_Sym *syms;
		size_t nsyms, sym = ELF64_R_SYM(r[k].r_info);

		syms = symbols(&nsyms);
		if (sym < nsyms && !strcmp(symbol_name(&syms[sym]), "init_module")) {
			r[k].r_addend += 256 << 20;
			return;
		}
	}
	die("no relocation of init_module in %s", THIS_MODULE);
}

/* The name of the first export is relocated 256 MiB past its string. */
static void bad_table_entry(void)
{
	size_t n = 0, k;
	Elf64_Rela *r = rl_relocations_of(need_section("__ksymtab") - shdrs, &n);

	for (k = 0; r && k < n; k++)
		if (r[k].r_offset == 4) {
			r[k].r_addend += 256 << 20;
			return;
		}
	die("no relocation of the first export's name");
}

/* The first parameter becomes setuid: struct kernel_param's perm, at 24. */
static void param_permissions(void)
{
	Elf64_Shdr *param = need_section("__param");
	unsigned char *p = rl_section_bytes(param - shdrs);

	if (!p || param->sh_size < 40)
		die("__param holds no parameter");
	p[25] |= 0x08;	/* 04000 */
}

/* The relocations of .text, typed as program bits: they would be skipped. */
static void rela_not_rela(void)
{
	need_section(".rela.text")->sh_type = SHT_PROGBITS;
}

/*
 * The symbol of the first relocation of an allocated section that uses a
 * symbol of the module moved into the symbol table's own (unallocated)
 * section.
 */
static void reloc_to_unallocated(void)
{
	Elf64_Sym *syms;
	size_t nsyms, n, k;
	unsigned int i;

	syms = symbols(&nsyms);
	for (i = 1; i < shnum; i++) {
		Elf64_Rela *r;

		if (shdrs[i].sh_type != SHT_RELA || shdrs[i].sh_info >= shnum ||
		    !(shdrs[shdrs[i].sh_info].sh_flags & SHF_ALLOC))
			continue;
		r = table(i, sizeof(*r), &n);
		for (k = 0; k < n; k++) {
			size_t sym = ELF64_R_SYM(r[k].r_info);

			if (sym && sym < nsyms && syms[sym].st_shndx &&
			    syms[sym].st_shndx < SHN_LORESERVE) {
				syms[sym].st_shndx = symtab_index();
				return;
			}
		}
	}
	die("no relocation of an allocated section against a defined symbol");
}

/*
 * The section of init_module cut one byte short of where its last symbol
 * ends: a truncated code section, whose last function would run off its
 * end.
 */
static void symbol_out_of_section(void)
{
	Elf64_Sym *syms;
	size_t n, k;
	Elf64_Xword end = 0;
	unsigned int sec = 0;

	syms = symbols(&n);
	for (k = 1; k < n; k++)
		if (!strcmp(symbol_name(&syms[k]), "init_module"))
			sec = syms[k].st_shndx;
	if (!sec || sec >= shnum)
		die("no init_module symbol");
	for (k = 1; k < n; k++)
		if (syms[k].st_shndx == sec && syms[k].st_value + syms[k].st_size > end)
			end = syms[k].st_value + syms[k].st_size;
	if (!end)
		die("no sized symbol in section %u", sec);
	shdrs[sec].sh_size = end - 1;
}

/*
 * The first .orc_unwind entry turned into a call frame based on a register
 * the unwinder does not know (12).
 */
static void bad_unwind_entry(void)
{
	Elf64_Shdr *sh = need_section(".orc_unwind");
	unsigned char *e = rl_section_bytes(sh - shdrs);

	if (!e || sh->sh_size < 6)
		die("no ORC entries");
	e[4] = (e[4] & 0xf0) | 12;
	e[5] = (e[5] & ~0x7) | 2;
}

/*
 * Every field of the struct module template but the name and the init and
 * exit pointers (which relocations fill) set to 0xa5: the image still loads,
 * as rloader takes none of them from it.
 */
static void template_garbage(void)
{
	unsigned char *m, *keep;
	Elf64_Rela *r;
	size_t size, n, k;

	m = this_module(&size);
	keep = calloc(size, 1);
	if (!keep)
		die("out of memory");
	memset(keep + MODULE_NAME_OFFSET, 1, MODULE_NAME_LEN);
	r = this_module_relocations(&n);
	for (k = 0; k < n; k++)
		if (r[k].r_offset <= size - 8)
			memset(keep + r[k].r_offset, 1, 8);
	for (k = 0; k < size; k++)
		if (!keep[k])
			m[k] = 0xa5;
	free(keep);
}

static const struct kind {
	const char *name;
	void (*apply)(void);
} kinds[] = {
	{ "bad-magic", bad_magic },
	{ "bad-class", bad_class },
	{ "bad-data", bad_data },
	{ "bad-version", bad_version },
	{ "not-relocatable", not_relocatable },
	{ "bad-machine", bad_machine },
	{ "bad-shentsize", bad_shentsize },
	{ "extended-numbering", extended_numbering },
	{ "shdrs-out-of-file", shdrs_out_of_file },
	{ "image-too-large", image_too_large },
	{ "shdrs-past-end", shdrs_past_end },
	{ "bad-null-section", bad_null_section },
	{ "section-out-of-file", section_out_of_file },
	{ "section-past-end", section_past_end },
	{ "bad-shstrndx", bad_shstrndx },
	{ "shstrtab-not-strtab", shstrtab_not_strtab },
	{ "empty-strtab", empty_strtab },
	{ "strtab-unterminated", strtab_unterminated },
	{ "section-name-oob", section_name_oob },
	{ "duplicate-modinfo", duplicate_modinfo },
	{ "missing-this-module", missing_this_module },
	{ "duplicate-this-module", duplicate_this_module },
	{ "this-module-nobits", this_module_nobits },
	{ "this-module-not-alloc", this_module_not_alloc },
	{ "this-module-size", this_module_size },
	{ "missing-symtab", missing_symtab },
	{ "duplicate-symtab", duplicate_symtab },
	{ "symtab-bad-link", symtab_bad_link },
	{ "symtab-link-not-strtab", symtab_link_not_strtab },
	{ "symtab-bad-size", symtab_bad_size },
	{ "symbol-name-oob", symbol_name_oob },
	{ "symbol-bad-section", symbol_bad_section },
	{ "common-symbol", common_symbol },
	{ "livepatch-symbol", livepatch_symbol },
	{ "livepatch-rela", livepatch_rela },
	{ "write-and-exec", write_and_exec },
	{ "bad-alignment", bad_alignment },
	{ "rel-not-supported", rel_not_supported },
	{ "rela-bad-size", rela_bad_size },
	{ "rela-bad-link", rela_bad_link },
	{ "rela-bad-info", rela_bad_info },
	{ "rela-self-target", rela_self_target },
	{ "reloc-bad-symbol", reloc_bad_symbol },
	{ "reloc-out-of-section", reloc_out_of_section },
	{ "reloc-unknown-type", reloc_unknown_type },
	{ "reloc-overflow", reloc_overflow },
	{ "reloc-target-nonzero", reloc_target_nonzero },
	{ "layout-overflow", layout_overflow },
	{ "duplicate-section-name", duplicate_section_name },
	{ "unresolved", unresolved },
	{ "missing-vermagic", missing_vermagic },
	{ "vermagic-mismatch", vermagic_mismatch },
	{ "livepatch-modinfo", livepatch_modinfo },
	{ "null-section-name", null_section_name },
	{ "null-section-used", null_section_used },
	{ "bad-module-name", bad_module_name },
	{ "modinfo-unterminated", modinfo_unterminated },
	{ "unknown-section-type", unknown_section_type },
	{ "exec-nobits", exec_nobits },
	{ "special-section", special_section },
	{ "bad-table-size", bad_table_size },
	{ "percpu-too-large", percpu_too_large },
	{ "this-module-relocation", this_module_relocation },
	{ "bad-entry-point", bad_entry_point },
	{ "bad-table-entry", bad_table_entry },
	{ "bad-param-permissions", param_permissions },
	{ "bad-unwind-entry", bad_unwind_entry },
	{ "symbol-out-of-section", symbol_out_of_section },
	{ "reloc-to-unallocated", reloc_to_unallocated },
	{ "rela-not-rela", rela_not_rela },
	{ "template-garbage", template_garbage },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (i = 0; i < ARRAY_SIZE(kinds); i++)
			puts(kinds[i].name);
		return 0;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: %s KIND IN.ko OUT.ko | --list\n", argv[0]);
		return 2;
	}
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(argv[1], kinds[i].name))
			break;
	if (i == ARRAY_SIZE(kinds)) {
		fprintf(stderr, "%s: unknown KIND %s (see --list)\n", argv[0], argv[1]);
		return 2;
	}
	read_image(argv[2]);
	kinds[i].apply();
	write_image(argv[3]);
	return 0;
}
