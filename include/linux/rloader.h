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
 * @len: length of the image in bytes.
 * @sechdrs: a writable copy of the section header table.  Sections placed
 *	in module memory carry SHF_ALLOC and their final address in sh_addr.
 *	All other sections have SHF_ALLOC clear and sh_addr pointing at their
 *	bytes (in the image, or for the per-CPU section at the relocated
 *	template).
 * @modinfo_idx: index of the .modinfo section, 0 if there is none.
 * @pcpu_idx: index of the .data..percpu section, 0 if there is none.
 * @percpu: set by rloader_module_reserve() to the module's per-CPU area,
 *	or NULL if it has none.
 */
struct rloader_elf {
	const Elf_Ehdr *hdr;
	unsigned long len;
	Elf_Shdr *sechdrs;
	unsigned int modinfo_idx;
	unsigned int pcpu_idx;
	void __percpu *percpu;
};

int rloader_may_load(const void *image, unsigned long len);
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

#endif /* _LINUX_RLOADER_H */
