/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Registration interface for in-kernel module loaders (rloader).
 *
 * An in-kernel loader receives a module image, lays its sections out in
 * module memory, binds its symbols and applies its relocations itself.
 * These functions hand the result to the kernel's own module machinery, so
 * that the module is a regular member of the module list: lsmod, rmmod,
 * sysfs, kallsyms, exception tables, bug tables, alternatives, static keys
 * and notifiers all work on it.  Every failure is unwound by the kernel's
 * own teardown.
 *
 * The functions are exported into the RLOADER symbol namespace only.
 * See Documentation/rloader/kernel-api.rst for the calling sequence.
 */
#ifndef _LINUX_RLOADER_H
#define _LINUX_RLOADER_H

#include <linux/elf.h>
#include <linux/module.h>

struct file;

/**
 * struct rloader_elf - the ELF view of a module image being loaded
 * @hdr: the image, as received; it must stay valid and unchanged until
 *	rloader_module_formed() returns.
 * @len: length of the ELF object in bytes (the image without its
 *	signature, as rloader_may_load() found it).
 * @sechdrs: a writable copy of the section header table.  Sections placed
 *	in module memory carry SHF_ALLOC and their final address in sh_addr;
 *	so do the symbol table and its string table, with the address of
 *	their kallsyms copies in init data, where load_module() puts them.
 *	All other sections have SHF_ALLOC clear and sh_addr pointing at their
 *	bytes (in the image, or for the per-CPU section at the relocated
 *	template).
 * @modinfo_idx: index of the .modinfo section, 0 if there is none.
 * @sym_idx: index of the symbol table section (for the livepatch core,
 *	which keeps the ELF information of a livepatch module).
 * @pcpu_idx: index of the .data..percpu section, 0 if there is none.
 * @sig_ok: the image carries a valid signature (from rloader_may_load()).
 * @percpu: set by rloader_module_reserve() to the module's per-CPU area,
 *	or NULL if it has none.
 */
struct rloader_elf {
	const Elf_Ehdr *hdr;
	unsigned long len;
	Elf_Shdr *sechdrs;
	unsigned int modinfo_idx;
	unsigned int sym_idx;
	unsigned int pcpu_idx;
	bool sig_ok;
	void __percpu *percpu;
};

/**
 * struct rloader_stream - the buffers of one rloader_decompress() call
 * @in: compressed bytes
 * @in_len: how many bytes @in holds
 * @in_pos: the first byte not yet consumed; advanced by the call
 * @out: room for decompressed bytes
 * @out_len: the size of @out
 * @out_pos: the first byte of @out not yet written; advanced by the call
 */
struct rloader_stream {
	const void *in;
	size_t in_len;
	size_t in_pos;
	void *out;
	size_t out_len;
	size_t out_pos;
};

struct rloader_decompressor;

int rloader_may_load(const void *image, unsigned long *len, bool *sig_ok);
void *rloader_alloc_mem(enum mod_mem_type type, unsigned int size);
void rloader_free_mem(void *ptr);
int rloader_module_reserve(struct module *mod, struct rloader_elf *elf);
int rloader_resolve_symbol(struct module *mod, const struct rloader_elf *elf,
			   const char *name, unsigned long *value);
void rloader_module_abort(struct module *mod);
int rloader_module_formed(struct module *mod, const struct rloader_elf *elf,
			  const char *args);
int rloader_module_init(struct module *mod);
bool rloader_may_show_addresses(const struct file *file);
int rloader_module_delete(const char *name, unsigned int flags);
struct rloader_decompressor *rloader_decompress_begin(const void *head,
						      size_t len);
int rloader_decompress(struct rloader_decompressor *d, struct rloader_stream *s);
void rloader_decompress_end(struct rloader_decompressor *d);

#endif /* _LINUX_RLOADER_H */
