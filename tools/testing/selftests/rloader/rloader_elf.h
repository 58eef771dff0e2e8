/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ELF helpers shared by rloader_corrupt and rloader_fuzz: one x86_64 module
 * image in memory and bounds-checked views of its sections.
 *
 * The image is the buffer @image of @image_len bytes; rl_elf_parse() checks
 * what every user relies on and sets @ehdr, @shdrs and @shnum.  The lookups
 * never read outside the image and return NULL or 0 when what they look for
 * is not there, so that they also work on an image already damaged.
 */
#ifndef RLOADER_ELF_H
#define RLOADER_ELF_H

#include <elf.h>
#include <stdint.h>
#include <string.h>

/* The kernel's livepatch markers (include/uapi/linux/elf.h); not in libc. */
#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH		0xff20
#endif
#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH	0x00100000
#endif

#define THIS_MODULE		".gnu.linkonce.this_module"

static unsigned char *image;
static size_t image_len;
static Elf64_Ehdr *ehdr;
static Elf64_Shdr *shdrs;
static unsigned int shnum;

/* True if [off, off + len) lies inside the image. */
static inline int in_image(uint64_t off, uint64_t len)
{
	return off <= image_len && len <= image_len - off;
}

/*
 * Checks the ELF header and the section header table of the image and sets
 * ehdr, shdrs and shnum.  Returns NULL, or what is wrong.
 */
static inline const char *rl_elf_parse(void)
{
	ehdr = (Elf64_Ehdr *)image;
	if (image_len < sizeof(*ehdr) || memcmp(ehdr->e_ident, ELFMAG, SELFMAG) ||
	    ehdr->e_ident[EI_CLASS] != ELFCLASS64 || ehdr->e_machine != EM_X86_64 ||
	    ehdr->e_type != ET_REL)
		return "not an x86_64 relocatable ELF64 object";
	shnum = ehdr->e_shnum;
	if (ehdr->e_shentsize != sizeof(Elf64_Shdr) || !shnum ||
	    ehdr->e_shoff % 8 || !in_image(ehdr->e_shoff, (uint64_t)shnum * sizeof(Elf64_Shdr)))
		return "unusable section header table";
	shdrs = (Elf64_Shdr *)(image + ehdr->e_shoff);
	if (ehdr->e_shstrndx == SHN_UNDEF || ehdr->e_shstrndx >= shnum)
		return "no section name table";
	return NULL;
}

/* The file bytes of section @i, or NULL if it has none inside the image. */
static inline unsigned char *rl_section_bytes(unsigned int i)
{
	Elf64_Shdr *s = &shdrs[i];

	if (i >= shnum || s->sh_type == SHT_NOBITS || !in_image(s->sh_offset, s->sh_size))
		return NULL;
	return image + s->sh_offset;
}

/* The name of section @i ("" if it has none that can be read). */
static inline const char *rl_section_name(unsigned int i)
{
	unsigned int n = ehdr->e_shstrndx;
	const char *base;

	if (n >= shnum || i >= shnum)
		return "";
	base = (const char *)rl_section_bytes(n);
	if (!base || shdrs[i].sh_name >= shdrs[n].sh_size ||
	    !memchr(base + shdrs[i].sh_name, 0, shdrs[n].sh_size - shdrs[i].sh_name))
		return "";
	return base + shdrs[i].sh_name;
}

/* The index of the first section called @name, or 0. */
static inline unsigned int rl_find_section(const char *name)
{
	unsigned int i;

	for (i = 1; i < shnum; i++)
		if (!strcmp(rl_section_name(i), name))
			return i;
	return 0;
}

/* The index of the first symbol table, or 0. */
static inline unsigned int rl_symtab(void)
{
	unsigned int i;

	for (i = 1; i < shnum; i++)
		if (shdrs[i].sh_type == SHT_SYMTAB)
			return i;
	return 0;
}

/*
 * The entries of section @i as an 8-byte aligned array of @entsize-byte
 * entries, or NULL; sets *@count.
 */
static inline void *rl_table(unsigned int i, size_t entsize, size_t *count)
{
	unsigned char *p = rl_section_bytes(i);

	if (!p || shdrs[i].sh_offset % 8 || shdrs[i].sh_entsize != entsize)
		return NULL;
	*count = shdrs[i].sh_size / entsize;
	return p;
}

/*
 * The relocations that apply to section @target (those of the first
 * SHT_RELA section whose sh_info names it), or NULL; sets *@count.
 */
static inline Elf64_Rela *rl_relocations_of(unsigned int target, size_t *count)
{
	unsigned int i;

	for (i = 1; i < shnum; i++)
		if (shdrs[i].sh_type == SHT_RELA && shdrs[i].sh_info == target)
			return rl_table(i, sizeof(Elf64_Rela), count);
	return NULL;
}

/* The "KEY=..." string in the .modinfo bytes @p..@end, or NULL. */
static inline char *rl_modinfo_find(char *p, char *end, const char *key)
{
	size_t keylen = strlen(key);

	while (p < end) {
		char *nul = memchr(p, 0, end - p);

		if (!nul)
			break;
		if ((size_t)(nul - p) > keylen && !strncmp(p, key, keylen) && p[keylen] == '=')
			return p;
		p = nul + 1;
	}
	return NULL;
}

#endif /* RLOADER_ELF_H */
