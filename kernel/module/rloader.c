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
 *	rloader_may_load()		policy and signature, before anything
 *					is allocated
 *	rloader_alloc_mem()		one call per non-empty memory type
 *	  ... copy the sections, fill mod->mem[] ...
 *	rloader_module_reserve()	the module joins the list (UNFORMED)
 *	rloader_resolve_symbol()	for each undefined symbol
 *	  ... relocate, fill mod->kallsyms and mod->core_kallsyms ...
 *	rloader_module_formed()		livepatch relocations, then up to
 *					COMING, sysfs and parameters
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
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/rloader.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stringify.h>
#include "internal.h"

#if defined(CONFIG_MODULE_COMPRESS_GZIP)
#include <linux/zlib.h>
#define MODULE_COMPRESSION	gzip
#elif defined(CONFIG_MODULE_COMPRESS_XZ)
#include <linux/xz.h>
#define MODULE_COMPRESSION	xz
#elif defined(CONFIG_MODULE_COMPRESS_ZSTD)
#include <linux/zstd.h>
#define MODULE_COMPRESSION	zstd
#endif

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
	info->index.sym = elf->sym_idx;
	info->index.pcpu = elf->pcpu_idx;
	info->sig_ok = elf->sig_ok;
}

/**
 * rloader_may_load() - check that the caller may load this module image
 * @image: the complete image, as received (after decompression)
 * @len: its length in bytes; set to the length of the ELF object, without
 *	the signature that may follow it
 * @sig_ok: set to whether the image carries a valid signature
 *
 * Applies the policy of init_module(2): CAP_SYS_MODULE,
 * /proc/sys/kernel/modules_disabled and the LSM hooks for module data, then,
 * as load_module() does first, the module signature policy
 * (module.sig_enforce, lockdown).  Nothing has been allocated for the
 * module yet when this refuses it.
 *
 * Context: Process context of the task that supplied the image.
 * Return: 0 if the load may go ahead, a negative errno otherwise
 * (-EKEYREJECTED for an image without a valid signature where signatures
 * are enforced).
 */
int rloader_may_load(const void *image, unsigned long *len, bool *sig_ok)
{
	struct load_info info = { .hdr = (Elf_Ehdr *)image, .len = *len };
	int err;

	err = may_init_module();
	if (err)
		return err;
	err = security_kernel_load_data(LOADING_MODULE, true);
	if (err)
		return err;
	err = security_kernel_post_load_data((char *)image, *len,
					     LOADING_MODULE, "init_module");
	if (err)
		return err;
	err = module_sig_check(&info, 0);
	if (err) {
		/* As load_module() does for a load refused before layout. */
		audit_log_kern_module("?");
		return err;
	}
	*len = info.len;
	*sig_ok = info.sig_ok;
	return 0;
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
 * Writes the AUDIT_KERN_MODULE record of the load, checks the blacklist,
 * the version magic and the other modinfo the kernel's loader checks,
 * reserves the module's name (-EEXIST if a module of that name is loaded
 * or loading), applies taints (the signature's from @elf->sig_ok),
 * allocates the per-CPU area (stored in @elf->percpu), prepares unloading
 * and parameters, finds the module's special sections and records its
 * modinfo attributes.  The module stays MODULE_STATE_UNFORMED, invisible
 * to users of the list.
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

/*
 * Hands a livepatch module's relocation sections for vmlinux to the
 * livepatch core, as apply_relocations() does; those for modules wait until
 * the module is there.  The core resolves the SHN_LIVEPATCH symbols into
 * the core symbol table, which for a livepatch module holds every symbol of
 * the image at its index: the table copy_module_elf() later hands it.
 */
static int rloader_apply_livepatch(struct module *mod,
				   const struct load_info *info)
{
	Elf_Shdr *symsec = &info->sechdrs[info->index.sym];
	unsigned long image_symtab = symsec->sh_addr;
	unsigned int i;
	int err = 0;

	if (!is_livepatch_module(mod))
		return 0;
	symsec->sh_addr = (unsigned long)mod->core_kallsyms.symtab;
	for (i = 1; i < info->hdr->e_shnum && !err; i++) {
		const Elf_Shdr *rela = &info->sechdrs[i];

		if (!(rela->sh_flags & SHF_RELA_LIVEPATCH) ||
		    rela->sh_info >= info->hdr->e_shnum ||
		    !(info->sechdrs[rela->sh_info].sh_flags & SHF_ALLOC))
			continue;
		err = klp_apply_section_relocs(mod, info->sechdrs,
					       info->secstrings,
					       mod->core_kallsyms.strtab,
					       info->index.sym, i, NULL);
	}
	symsec->sh_addr = image_symtab;
	return err;
}

/**
 * rloader_module_formed() - make a bound and relocated module COMING
 * @mod: the module, reserved, with every relocation applied but the
 *	livepatch ones and its kallsyms tables set up
 * @elf: its image
 * @args: module parameters ("name=value ..."), or NULL for none
 *
 * Applies a livepatch module's relocation sections for vmlinux with the
 * livepatch core (SHF_RELA_LIVEPATCH sections and SHN_LIVEPATCH symbols,
 * which the loader leaves alone), then runs the kernel's post-relocation
 * steps (exception table sorting, per-CPU copy, alternatives and the other
 * arch fixups), the formation (duplicate export check, bug table, memory
 * protection), the COMING notifiers, parameter parsing and sysfs.  The
 * caller then starts the module with rloader_module_init().
 *
 * Context: Process context; may sleep.
 * Return: 0 on success.  A negative errno on failure, after which @mod has
 * been torn down and freed: -ENOEXEC, as for init_module(2), if the module
 * exports a symbol that is already exported; the livepatch core's errno
 * (-EINVAL for a symbol it cannot resolve) if a livepatch relocation fails.
 */
int rloader_module_formed(struct module *mod, const struct rloader_elf *elf,
			  const char *args)
{
	struct load_info info;
	char *copy;
	int err;

	rloader_load_info(&info, mod, elf);
	err = rloader_apply_livepatch(mod, &info);
	if (err)
		goto abort;
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

#ifdef CONFIG_MODULE_DECOMPRESS
/*
 * Streaming decompression of module images, with the decompressor of the
 * format the kernel's loader decompresses (CONFIG_MODULE_COMPRESS_*): the
 * same checks and messages as kernel/module/decompress.c, but fed as the
 * compressed bytes arrive, so that the compressed file is never held in
 * memory as a whole.
 */
struct rloader_decompressor {
#if defined(CONFIG_MODULE_COMPRESS_GZIP)
	struct z_stream_s zs;
	unsigned int header;	/* bytes of the fixed gzip header seen */
	u8 flags;
	bool inflating;		/* past the header (and the file name) */
	unsigned int trailer;	/* bytes of the CRC and size still to come */
#elif defined(CONFIG_MODULE_COMPRESS_XZ)
	struct xz_dec *xz;
#elif defined(CONFIG_MODULE_COMPRESS_ZSTD)
	u8 head[ZSTD_FRAMEHEADERSIZE_MAX];
	size_t head_len;
	size_t head_pos;	/* bytes of head the decoder has taken */
	void *wksp;
	zstd_dstream *ds;
#endif
	bool ended;
};

#if defined(CONFIG_MODULE_COMPRESS_GZIP)
#define RLOADER_GZIP_HEADER_LEN	10
#define RLOADER_GZIP_FNAME	0x08
#define RLOADER_GZIP_TRAILER_LEN	8

static int rloader_decompress_init(struct rloader_decompressor *d)
{
	d->zs.workspace = kvmalloc(zlib_inflate_workspacesize(), GFP_KERNEL);
	if (!d->zs.workspace)
		return -ENOMEM;
	if (zlib_inflateInit2(&d->zs, -MAX_WBITS) != Z_OK) {
		kvfree(d->zs.workspace);
		return -EINVAL;
	}
	return 0;
}

static void rloader_decompress_fini(struct rloader_decompressor *d)
{
	zlib_inflateEnd(&d->zs);
	kvfree(d->zs.workspace);
}

/*
 * The header as module_gzip_header_len() reads it: 10 bytes (the first three
 * checked by rloader_decompress_begin()), a file name.
 */
static void rloader_gzip_header(struct rloader_decompressor *d,
				struct rloader_stream *s)
{
	const u8 *in = s->in;

	while (!d->inflating && s->in_pos < s->in_len) {
		u8 c = in[s->in_pos++];

		if (d->header >= RLOADER_GZIP_HEADER_LEN) {
			/* In the file name, up to its NUL. */
			d->inflating = !c;
			continue;
		}
		if (d->header == 3)
			d->flags = c;
		d->header++;
		if (d->header == RLOADER_GZIP_HEADER_LEN)
			d->inflating = !(d->flags & RLOADER_GZIP_FNAME);
	}
}

static int rloader_decompress_step(struct rloader_decompressor *d,
				   struct rloader_stream *s)
{
	size_t left;
	int rc;

	rloader_gzip_header(d, s);
	if (!d->inflating)
		return 0;
	if (d->trailer) {
		/* The CRC and size after the deflate data, unchecked as by the kernel. */
		left = min_t(size_t, d->trailer, s->in_len - s->in_pos);
		s->in_pos += left;
		d->trailer -= left;
		return !d->trailer;
	}
	d->zs.next_in = s->in + s->in_pos;
	d->zs.avail_in = s->in_len - s->in_pos;
	d->zs.next_out = s->out + s->out_pos;
	d->zs.avail_out = s->out_len - s->out_pos;
	rc = zlib_inflate(&d->zs, Z_NO_FLUSH);
	s->in_pos = s->in_len - d->zs.avail_in;
	s->out_pos = s->out_len - d->zs.avail_out;
	if (rc == Z_STREAM_END) {
		d->trailer = RLOADER_GZIP_TRAILER_LEN;
		return 0;
	}
	if (rc == Z_OK || rc == Z_BUF_ERROR)
		return 0;
	pr_err("decompression failed with status %d\n", rc);
	return -EINVAL;
}
#elif defined(CONFIG_MODULE_COMPRESS_XZ)
static int rloader_decompress_init(struct rloader_decompressor *d)
{
	d->xz = xz_dec_init(XZ_DYNALLOC, (u32)-1);
	return d->xz ? 0 : -ENOMEM;
}

static void rloader_decompress_fini(struct rloader_decompressor *d)
{
	xz_dec_end(d->xz);
}

static int rloader_decompress_step(struct rloader_decompressor *d,
				   struct rloader_stream *s)
{
	struct xz_buf b = {
		.in = s->in, .in_pos = s->in_pos, .in_size = s->in_len,
		.out = s->out, .out_pos = s->out_pos, .out_size = s->out_len,
	};
	enum xz_ret ret;

	ret = xz_dec_run(d->xz, &b);
	s->in_pos = b.in_pos;
	s->out_pos = b.out_pos;
	if (ret == XZ_STREAM_END)
		return 1;
	if (ret == XZ_OK || ret == XZ_BUF_ERROR)
		return 0;
	pr_err("decompression failed with status %d\n", ret);
	return -EINVAL;
}
#elif defined(CONFIG_MODULE_COMPRESS_ZSTD)
static int rloader_decompress_init(struct rloader_decompressor *d)
{
	return 0;
}

static void rloader_decompress_fini(struct rloader_decompressor *d)
{
	kvfree(d->wksp);
}

/*
 * Collects the frame header, then sets the stream up for the window it
 * asks for, as module_zstd_decompress() does.
 */
static int rloader_zstd_header(struct rloader_decompressor *d,
			       struct rloader_stream *s)
{
	zstd_frame_header header;
	size_t need, take;

	for (;;) {
		need = zstd_get_frame_header(&header, d->head, d->head_len);
		if (!need)
			break;
		if (zstd_is_error(need) || need > sizeof(d->head)) {
			pr_err("ZSTD-compressed data has an incomplete frame header\n");
			return -EINVAL;
		}
		take = min_t(size_t, need - d->head_len, s->in_len - s->in_pos);
		if (!take)
			return 0;
		memcpy(d->head + d->head_len, s->in + s->in_pos, take);
		d->head_len += take;
		s->in_pos += take;
	}
	if (header.windowSize > (1 << ZSTD_WINDOWLOG_MAX)) {
		pr_err("ZSTD-compressed data has too large a window size\n");
		return -EINVAL;
	}
	need = zstd_dstream_workspace_bound(header.windowSize);
	d->wksp = kvmalloc(need, GFP_KERNEL);
	if (!d->wksp)
		return -ENOMEM;
	d->ds = zstd_init_dstream(header.windowSize, d->wksp, need);
	if (!d->ds) {
		pr_err("Can't initialize ZSTD stream\n");
		return -ENOMEM;
	}
	return 0;
}

/* One call of the stream decoder on @in, with the room @s has for output. */
static int rloader_zstd_run(struct rloader_decompressor *d,
			    struct rloader_stream *s, zstd_in_buffer *in)
{
	zstd_out_buffer out = {
		.dst = s->out, .size = s->out_len, .pos = s->out_pos,
	};
	size_t ret;

	ret = zstd_decompress_stream(d->ds, &out, in);
	s->out_pos = out.pos;
	if (zstd_is_error(ret)) {
		pr_err("ZSTD-decompression failed with status %d\n",
		       zstd_get_error_code(ret));
		return -EINVAL;
	}
	/* 0: the frame is complete. */
	return !ret;
}

static int rloader_decompress_step(struct rloader_decompressor *d,
				   struct rloader_stream *s)
{
	zstd_in_buffer in;
	int ret;

	if (!d->ds) {
		ret = rloader_zstd_header(d, s);
		if (ret || !d->ds)
			return ret;
	}
	if (d->head_pos < d->head_len) {
		/* The collected header goes to the decoder first. */
		in.src = d->head;
		in.size = d->head_len;
		in.pos = d->head_pos;
		ret = rloader_zstd_run(d, s, &in);
		d->head_pos = in.pos;
		if (ret || d->head_pos < d->head_len)
			return ret;
	}
	in.src = s->in;
	in.size = s->in_len;
	in.pos = s->in_pos;
	ret = rloader_zstd_run(d, s, &in);
	s->in_pos = in.pos;
	return ret;
}
#else
#error "Unexpected configuration for CONFIG_MODULE_DECOMPRESS"
#endif

#if defined(CONFIG_MODULE_COMPRESS_GZIP)
static const u8 rloader_magic[] = { 0x1f, 0x8b, 0x08 };
#elif defined(CONFIG_MODULE_COMPRESS_XZ)
static const u8 rloader_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
#else
static const u8 rloader_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };
#endif

/**
 * rloader_decompress_begin() - start decompressing a compressed module file
 * @head: the first bytes of the file, which start the magic number of a
 *	compression format
 * @len: how many there are
 *
 * Checks that the file is in the format the kernel decompresses modules
 * from (the one /sys/module/compression names) as the kernel's loader
 * checks it, and sets a decompressor up.  The compressed bytes, @head
 * included, are then fed to rloader_decompress() as they arrive.
 *
 * Context: Process context; may sleep.
 * Return: the decompressor; ERR_PTR(-EINVAL) for a file in another format
 * (logged as by the kernel's loader), ERR_PTR(-ENOMEM).
 */
struct rloader_decompressor *rloader_decompress_begin(const void *head,
						      size_t len)
{
	struct rloader_decompressor *d;

	if (len < sizeof(rloader_magic) ||
	    memcmp(head, rloader_magic, sizeof(rloader_magic))) {
		pr_err("not a %s compressed module\n",
		       __stringify(MODULE_COMPRESSION));
		return ERR_PTR(-EINVAL);
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return ERR_PTR(-ENOMEM);
	if (rloader_decompress_init(d)) {
		kfree(d);
		return ERR_PTR(-ENOMEM);
	}
	return d;
}
EXPORT_SYMBOL_NS_GPL(rloader_decompress_begin, RLOADER);

/**
 * rloader_decompress() - decompress what the input holds
 * @d: the decompressor
 * @s: the input, from @s->in_pos to @s->in_len, and room for output, from
 *	@s->out_pos to @s->out_len; both positions are advanced
 *
 * Decompresses until the input is used up, the output room is full or the
 * compressed stream ends (gzip: after its trailer; xz: after the stream
 * footer; zstd: at the end of the frame).  Bytes after the end are not
 * consumed.
 *
 * Context: Process context; may sleep.
 * Return: 1 once the stream has ended, 0 if it needs more input or more
 * output room, -EINVAL for data that does not decompress (logged as the
 * kernel's loader logs it), -ENOMEM.
 */
int rloader_decompress(struct rloader_decompressor *d, struct rloader_stream *s)
{
	size_t in_pos, out_pos;
	int ret;

	if (s->in_pos > s->in_len || s->out_pos > s->out_len)
		return -EINVAL;
	while (!d->ended) {
		in_pos = s->in_pos;
		out_pos = s->out_pos;
		ret = rloader_decompress_step(d, s);
		if (ret < 0)
			return ret;
		if (ret > 0)
			d->ended = true;
		else if (s->in_pos == in_pos && s->out_pos == out_pos)
			return 0;
		if (s->in_pos == s->in_len || s->out_pos == s->out_len)
			break;
	}
	return d->ended;
}
EXPORT_SYMBOL_NS_GPL(rloader_decompress, RLOADER);

/**
 * rloader_decompress_end() - free a decompressor
 * @d: the decompressor from rloader_decompress_begin(), or NULL
 *
 * Context: Process context; may sleep.
 */
void rloader_decompress_end(struct rloader_decompressor *d)
{
	if (!d)
		return;
	rloader_decompress_fini(d);
	kfree(d);
}
EXPORT_SYMBOL_NS_GPL(rloader_decompress_end, RLOADER);
#endif /* CONFIG_MODULE_DECOMPRESS */
