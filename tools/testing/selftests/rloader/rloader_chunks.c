// SPDX-License-Identifier: GPL-2.0
/*
 * rloader_chunks: load module files through /dev/rloader in several write
 * chunkings and compare each outcome with finit_module(2) on the same file.
 *
 *   rloader_chunks FILE...
 *   rloader_chunks --finit FILE...    (only load them with finit_module(2))
 *
 * For every FILE (a .ko, signed or not, or a compressed .ko.gz/.ko.xz/
 * .ko.zst), first the oracle: finit_module(2), with
 * MODULE_INIT_COMPRESSED_FILE for a compressed file as kmod passes it,
 * gives the errno of the load and, if it loaded, the module's taint
 * letters (/sys/module/NAME/taint); the module is unloaded again.  Then the
 * same file is written to /dev/rloader whole (as by cat), in writes of
 * 4096 and 65536 bytes (dd bs=), of 7 bytes and, for files up to 64 KiB, of
 * one byte; the errno is that of the first write that fails, or of the
 * close.  Each chunking is one KTAP result: it passes if the errno and the
 * taint letters equal the oracle's, and the module, if it loaded, unloads.
 * A module without an exit function stays loaded after the oracle and
 * cannot be compared in the same boot: it fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static int tests, failed;

static void result(int ok, const char *fmt, const char *file, const char *what)
{
	tests++;
	if (!ok)
		failed++;
	printf("%s %d ", ok ? "ok" : "not ok", tests);
	printf(fmt, file, what);
	printf("\n");
	fflush(stdout);
}

/* The module name a file holds, as kmod derives it from the file name. */
static void module_name(const char *path, char *name, size_t size)
{
	char *copy = strdup(path), *base = basename(copy), *p;

	snprintf(name, size, "%s", base);
	free(copy);
	p = strstr(name, ".ko");
	if (p)
		*p = '\0';
	for (p = name; *p; p++)
		if (*p == '-')
			*p = '_';
}

static int is_compressed(const unsigned char *b, size_t len)
{
	return (len >= 3 && !memcmp(b, "\x1f\x8b\x08", 3)) ||
	       (len >= 6 && !memcmp(b, "\xfd\x37\x7a\x58\x5a\x00", 6)) ||
	       (len >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4));
}

/* The taint letters of a loaded module ("" if none), or "-" if not loaded. */
static void taint_of(const char *name, char *taint, size_t size)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/taint", name);
	f = fopen(path, "r");
	if (!f) {
		snprintf(taint, size, "-");
		return;
	}
	if (!fgets(taint, size, f))
		taint[0] = '\0';
	taint[strcspn(taint, "\n")] = '\0';
	fclose(f);
}

/* Unloads @name; 0 if it is gone, 1 if it has no exit function, -1 on failure. */
static int unload(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	if (access(path, F_OK))
		return 0;
	if (syscall(SYS_delete_module, name, O_NONBLOCK) == 0)
		return 0;
	if (errno == EBUSY)
		return 1;
	fprintf(stderr, "delete_module %s: %s\n", name, strerror(errno));
	return -1;
}

/* Writes @len bytes of @buf to the device in @chunk-byte writes. */
static int through_rloader(const unsigned char *buf, size_t len, size_t chunk)
{
	size_t off = 0;
	int fd, err = 0;

	fd = open("/dev/rloader", O_WRONLY);
	if (fd < 0)
		return -errno;
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;
		ssize_t w = write(fd, buf + off, n);

		if (w < 0) {
			err = errno;
			break;
		}
		off += w;
	}
	if (close(fd) && !err)
		err = errno;
	return err;
}

static int through_finit(const char *path, int compressed)
{
	int fd = open(path, O_RDONLY), err = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", compressed ? MODULE_INIT_COMPRESSED_FILE : 0))
		err = errno;
	close(fd);
	return err;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	FILE *f = fopen(path, "rb");

	if (!f || fstat(fileno(f), &st)) {
		if (f)
			fclose(f);
		return NULL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (buf && fread(buf, 1, st.st_size, f) != (size_t)st.st_size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = st.st_size;
	return buf;
}

int main(int argc, char **argv)
{
	static const size_t chunks[] = { (size_t)-1, 65536, 4096, 7, 1 };
	static const char *const names[] = { "whole", "65536", "4096", "7", "1" };
	int i;

	if (argc > 1 && !strcmp(argv[1], "--finit")) {
		for (i = 2; i < argc; i++) {
			unsigned char head[8] = { 0 };
			FILE *f = fopen(argv[i], "rb");
			size_t n = f ? fread(head, 1, sizeof(head), f) : 0;
			int err;

			if (f)
				fclose(f);
			err = through_finit(argv[i], is_compressed(head, n));
			if (err) {
				fprintf(stderr, "rloader_chunks: finit_module %s: %s\n", argv[i],
					strerror(err < 0 ? -err : err));
				return 1;
			}
		}
		return 0;
	}
	printf("TAP version 13\n");
	for (i = 1; i < argc; i++) {
		char name[128], want_taint[64], got_taint[64], what[160];
		const char *path = argv[i];
		unsigned char *buf;
		int want, got, left, c;
		size_t len;

		buf = slurp(path, &len);
		if (!buf) {
			result(0, "%s: %s", path, "cannot be read");
			continue;
		}
		module_name(path, name, sizeof(name));
		if (unload(name)) {
			result(0, "%s: %s", path, "already loaded and cannot be unloaded");
			free(buf);
			continue;
		}
		want = through_finit(path, is_compressed(buf, len));
		taint_of(name, want_taint, sizeof(want_taint));
		left = unload(name);
		printf("# %s: finit_module: errno %d (%s), taint '%s'%s\n", path,
		       want, want ? strerror(want) : "loaded", want_taint,
		       left == 1 ? ", permanent" : "");
		if (left) {
			/* Permanent (or stuck): rloader cannot load it again here. */
			result(0, "%s: %s", path,
			       "stays loaded (no exit function?): cannot be compared in one boot");
			free(buf);
			continue;
		}
		for (c = 0; c < (int)ARRAY_SIZE(chunks); c++) {
			if (chunks[c] == 1 && len > 65536)
				continue;
			got = through_rloader(buf, len, chunks[c]);
			taint_of(name, got_taint, sizeof(got_taint));
			left = unload(name);
			snprintf(what, sizeof(what),
				 "writes of %s bytes: errno %d%s%s, taint '%s'%s", names[c],
				 got, got ? " " : "", got ? strerror(got) : "", got_taint,
				 left ? ", does not unload" : "");
			result(got == want && !strcmp(got_taint, want_taint) && !left,
			       "%s: %s", path, what);
		}
		free(buf);
	}
	printf("1..%d\n", tests);
	printf("# %d passed, %d failed\n", tests - failed, failed);
	return failed ? 1 : 0;
}
