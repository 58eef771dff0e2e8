// SPDX-License-Identifier: GPL-2.0
/*
 * Registration interface for in-kernel module loaders.
 *
 * rloader (samples/rust/rloader) loads module images written to
 * /dev/rloader: it validates the ELF object, lays the sections out in
 * module memory, binds the undefined symbols and applies the relocations
 * itself.  The functions here let it register the result as a regular
 * module, reusing the steps of load_module() and do_init_module(), and
 * tear it down with the kernel's own code on every failure.
 *
 * Calling sequence, all in process context with no locks held:
 *
 *	rloader_may_load()		policy, before anything is allocated
 *	rloader_alloc_mem()		one call per non-empty memory type
 *	  ... copy the sections, fill mod->mem[] ...
 *	rloader_module_reserve()	the module joins the list (UNFORMED)
 *	rloader_resolve_symbol()	for each undefined symbol
 *	  ... relocate, fill mod->kallsyms and mod->core_kallsyms ...
 *	rloader_module_formed()		up to COMING, sysfs and parameters
 *	rloader_module_init()		constructors, init through
 *					do_one_initcall(), then LIVE, or
 *					GOING and freed on failure
 *
 * Before rloader_module_reserve() succeeds the caller owns the memory and
 * frees it with rloader_free_mem().  Afterwards the kernel owns the module:
 * a failure before rloader_module_formed() is unwound with
 * rloader_module_abort(); rloader_module_formed() and rloader_module_init()
 * unwind their own failures completely.
 */

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/execmem.h>
#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/kernel_read_file.h>
#include <linux/kmemleak.h>
#include <linux/module.h>
#include <linux/rloader.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "internal.h"

/*
 * Builds the kernel's private load_info for a module from the public
 * description the loader passes.  Only the fields the shared steps read are
 * set.
 */
static void rloader_load_info(struct load_info *info, struct module *mod,
			      const struct rloader_elf *elf)
{
	unsigned int shstrndx = elf->hdr->e_shstrndx;

	memset(info, 0, sizeof(*info));
	info->name = mod->name;
	info->mod = mod;
	info->hdr = (Elf_Ehdr *)elf->hdr;
	info->len = elf->len;
	info->sechdrs = elf->sechdrs;
	info->secstrings = (char *)elf->hdr +
			   elf->sechdrs[shstrndx].sh_offset;
	info->index.info = elf->modinfo_idx;
	info->index.pcpu = elf->pcpu_idx;
}

/**
 * rloader_may_load() - check that the caller may load this module image
 * @image: the complete image
 * @len: its length in bytes
 *
 * Applies the policy of init_module(2): CAP_SYS_MODULE,
 * /proc/sys/kernel/modules_disabled and the LSM hooks for module data.
 *
 * Context: Process context of the task that supplied the image.
 * Return: 0 if the load may go ahead, a negative errno otherwise.
 */
int rloader_may_load(const void *image, unsigned long len)
{
	int err;

	err = may_init_module();
	if (err)
		return err;
	err = security_kernel_load_data(LOADING_MODULE, true);
	if (err)
		return err;
	return security_kernel_post_load_data((char *)image, len,
					      LOADING_MODULE, "init_module");
}
EXPORT_SYMBOL_NS_GPL(rloader_may_load, RLOADER);

/**
 * rloader_alloc_mem() - allocate module memory for one memory type
 * @type: the memory type the region will hold
 * @size: its size in bytes; rounded up to whole pages
 *
 * The memory comes from the module area (so that code built with
 * -mcmodel=kernel reaches the kernel), is zeroed and writable.  Store it in
 * mod->mem[@type] together with PAGE_ALIGN(@size).
 *
 * Context: Process context; may sleep.
 * Return: the memory, or NULL if it cannot be allocated.
 */
void *rloader_alloc_mem(enum mod_mem_type type, unsigned int size)
{
	enum execmem_type etype;
	void *ptr;

	if (type >= MOD_MEM_NUM_TYPES || !size)
		return NULL;
	size = PAGE_ALIGN(size);
	etype = mod_mem_type_is_data(type) ? EXECMEM_MODULE_DATA :
					     EXECMEM_MODULE_TEXT;
	ptr = execmem_alloc(etype, size);
	if (!ptr)
		return NULL;
	/* Owned by the module from rloader_module_reserve() on. */
	kmemleak_not_leak(ptr);
	memset(ptr, 0, size);
	return ptr;
}
EXPORT_SYMBOL_NS_GPL(rloader_alloc_mem, RLOADER);

/**
 * rloader_free_mem() - free memory from rloader_alloc_mem()
 * @ptr: the memory, or NULL
 *
 * Only for memory of a module that rloader_module_reserve() did not take.
 *
 * Context: Process context; may sleep.
 */
void rloader_free_mem(void *ptr)
{
	execmem_free(ptr);
}
EXPORT_SYMBOL_NS_GPL(rloader_free_mem, RLOADER);

/**
 * rloader_module_reserve() - add a laid-out module to the module list
 * @mod: the module's own struct module, in its final place in MOD_DATA,
 *	with mem[] describing the memory from rloader_alloc_mem()
 * @elf: the image; every section header must carry its final address
 *
 * Writes the AUDIT_KERN_MODULE record of the load, checks the signature
 * policy, the blacklist, the version magic and the other modinfo the
 * kernel's loader checks, reserves the module's name (-EEXIST if a module of
 * that name is loaded or loading), applies taints, allocates the per-CPU
 * area (stored in @elf->percpu), prepares unloading and parameters, finds
 * the module's special sections and records its modinfo attributes.  The
 * module stays MODULE_STATE_UNFORMED, invisible to users of the list.
 *
 * Context: Process context; may sleep.  Takes module_mutex.
 * Return: 0 on success: the kernel owns the memory from now on and the
 * caller must end with rloader_module_formed() or rloader_module_abort().
 * A negative errno on failure: the caller still owns the memory.
 */
int rloader_module_reserve(struct module *mod, struct rloader_elf *elf)
{
	struct load_info info;
	int err;

	rloader_load_info(&info, mod, elf);
	audit_log_kern_module(mod->name);
	err = module_sig_check(&info, 0);
	if (err)
		return err;
	if (blacklisted(mod->name)) {
		pr_err("Module %s is blacklisted\n", mod->name);
		return -EPERM;
	}
	err = check_modinfo(mod, &info, 0);
	if (err)
		return err;
	/* As for init_module(2): kmemleak scans only the data regions. */
	kmemleak_load_module(mod, &info);
	err = module_reserve(mod, &info);
	if (err) {
#ifdef CONFIG_SMP
		/*
		 * module_reserve() leaves the per-CPU area to module_deallocate(),
		 * which the caller does not run: the memory is still its own.
		 */
		free_percpu(mod->percpu);
		mod->percpu = NULL;
#endif
		return err;
	}
#ifdef CONFIG_SMP
	elf->percpu = mod->percpu;
#else
	elf->percpu = NULL;
#endif
	return 0;
}
EXPORT_SYMBOL_NS_GPL(rloader_module_reserve, RLOADER);

/**
 * rloader_resolve_symbol() - bind an undefined symbol of a reserved module
 * @mod: the module, reserved with rloader_module_reserve()
 * @elf: its image (for the namespaces it imports)
 * @name: the symbol name
 * @value: set to the symbol's address on success
 *
 * Looks @name up among the exports of vmlinux and of every formed module,
 * whichever loader loaded it, with the kernel's rules for GPL-only symbols,
 * proprietary taint and symbol namespaces, and records the dependency on the
 * owning module, so that it cannot be unloaded before @mod.  Like
 * init_module(2) it waits up to 30 s for an owner that is still running its
 * init function.
 *
 * Context: Process context; may sleep.  Takes module_mutex.
 * Return: 0, -ENOENT if no usable export exists, -EINVAL for a namespace
 * that is not imported, or another negative errno.
 */
int rloader_resolve_symbol(struct module *mod, const struct rloader_elf *elf,
			   const char *name, unsigned long *value)
{
	const struct kernel_symbol *ksym;
	struct load_info info;

	rloader_load_info(&info, mod, elf);
	ksym = resolve_symbol_wait(mod, &info, name);
	if (!ksym)
		return -ENOENT;
	if (IS_ERR(ksym))
		return PTR_ERR(ksym);
	*value = kernel_symbol_value(ksym);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(rloader_resolve_symbol, RLOADER);

/**
 * rloader_module_abort() - undo rloader_module_reserve()
 * @mod: the module
 *
 * Drops the references taken by rloader_resolve_symbol(), removes the
 * module from the list and frees its memory and per-CPU area.  @mod is gone
 * when this returns.
 *
 * Context: Process context; may sleep.  Takes module_mutex.
 */
void rloader_module_abort(struct module *mod)
{
	module_unreserve(mod);
	module_deallocate(mod);
}
EXPORT_SYMBOL_NS_GPL(rloader_module_abort, RLOADER);

/**
 * rloader_module_formed() - make a bound and relocated module COMING
 * @mod: the module, reserved, with every relocation applied and its
 *	kallsyms tables set up
 * @elf: its image
 * @args: module parameters ("name=value ..."), or NULL for none
 *
 * Runs the kernel's post-relocation steps (exception table sorting,
 * per-CPU copy, alternatives and the other arch fixups), the formation
 * (duplicate export check, bug table, memory protection), the COMING
 * notifiers, parameter parsing and sysfs.  The caller then starts the
 * module with rloader_module_init().
 *
 * Context: Process context; may sleep.
 * Return: 0 on success.  A negative errno on failure, after which @mod has
 * been torn down and freed: -ENOEXEC, as for init_module(2), if the module
 * exports a symbol that is already exported.
 */
int rloader_module_formed(struct module *mod, const struct rloader_elf *elf,
			  const char *args)
{
	struct load_info info;
	char *copy;
	int err;

	rloader_load_info(&info, mod, elf);
	err = module_post_relocation(mod, &info);
	if (err)
		goto abort;
	copy = kstrdup(args ?: "", GFP_KERNEL);
	if (!copy) {
		err = -ENOMEM;
		goto arch_cleanup;
	}
	err = module_form(mod, &info, copy);
	if (err)
		goto arch_cleanup;
	return 0;

arch_cleanup:
	module_arch_cleanup(mod);
abort:
	rloader_module_abort(mod);
	return err;
}
EXPORT_SYMBOL_NS_GPL(rloader_module_formed, RLOADER);

/**
 * rloader_module_init() - start a formed module
 * @mod: the module, formed with rloader_module_formed()
 *
 * Starts the module as init_module(2) does, with do_init_module(): its
 * constructors, then its init function through do_one_initcall() (so
 * initcall_blacklist=, initcall_debug, the initcall tracepoints and the
 * preemption and interrupt checks apply).  On success the module goes
 * LIVE: LIVE notifiers, uevent, init memory freed, ro_after_init
 * protected.  If init fails the module goes GOING and is freed.
 *
 * Context: Process context; may sleep.
 * Return: 0, or the negative errno of init (or of the setup before it).
 */
int rloader_module_init(struct module *mod)
{
	return do_init_module(mod);
}
EXPORT_SYMBOL_NS_GPL(rloader_module_init, RLOADER);

/**
 * rloader_may_show_addresses() - may the opener of a file see module addresses
 * @file: an open file of the loader's device
 *
 * The rule of /proc/modules: kptr_restrict and CAP_SYSLOG of the credentials
 * the file was opened with.
 *
 * Return: true if addresses may be shown to the reader of @file.
 */
bool rloader_may_show_addresses(const struct file *file)
{
	return kallsyms_show_value(file->f_cred);
}
EXPORT_SYMBOL_NS_GPL(rloader_may_show_addresses, RLOADER);

/**
 * rloader_module_delete() - unload a module by name
 * @name: the module name
 * @flags: O_NONBLOCK and O_TRUNC as for delete_module(2)
 *
 * Same checks and semantics as delete_module(2), for modules loaded by any
 * loader: -EWOULDBLOCK while other modules use it, -EBUSY while it is
 * loading, in use or has no exit function.
 *
 * Context: Process context; may sleep.  Takes module_mutex.
 * Return: 0 or a negative errno.
 */
int rloader_module_delete(const char *name, unsigned int flags)
{
	if (!capable(CAP_SYS_MODULE) || modules_disabled)
		return -EPERM;
	return module_delete(name, flags);
}
EXPORT_SYMBOL_NS_GPL(rloader_module_delete, RLOADER);
