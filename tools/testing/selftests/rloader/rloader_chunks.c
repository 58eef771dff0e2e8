// SPDX-License-Identifier: GPL-2.0
/*
 * rloader_chunks: load module files through /dev/rloader in several write
 * chunkings and compare each outcome with finit_module(2) on the same file.
 *
 *   rloader_chunks FILE...
 *   rloader_chunks --finit FILE...    (only load them with finit_module(2))
 *   rloader_chunks --record finit|rloader FILE
 *
 * For every FILE (a .ko, signed or not, or a compressed .ko.gz/.ko.xz/
 * .ko.zst), first the oracle: finit_module(2), with
 * MODULE_INIT_COMPRESSED_FILE for a compressed file as kmod passes it,
 * gives the errno of the load and, if it loaded, the module's taint
 * letters (/sys/module/NAME/taint); the module is unloaded again.  A second
 * finit_module(2) load and unload gives the kernel log of the cycle (from
 * /dev/kmsg; the second, so that messages the kernel prints once per boot
 * are behind it).  Then the same file is written to /dev/rloader whole (as
 * by cat), in writes of 4096 and 65536 bytes (dd bs=), of 7 bytes and, for
 * files up to 64 KiB, of one byte; the errno is that of the first write
 * that fails, or of the close.  Each chunking is one KTAP result: it passes
 * if the errno, the state of the loaded module (its /proc/modules line
 * without the address; the size, state, taint and reference count in
 * /sys/module/NAME; the names of its sysfs attributes, sections, notes,
 * holders and parameters) and the kernel log of the load and
 * unload (without rloader's own "rloader: " lines, which say why it
 * refused an image, without the lines of raid6_pq's benchmark, whose
 * choice of algorithm depends on the timing, and with numbers of time and
 * throughput as "N")
 * equal the oracle's, and the module, if it loaded, unloads.
 * A module without an exit function stays loaded after the oracle and
 * cannot be compared in the same boot: it fails.
 *
 * --record loads FILE once, through finit_module(2) or through rloader in
 * 4096-byte writes, unloads it and prints what the comparison above looks
 * at, one "rlrec: NAME errno|state|unload|log ..." line each, for a
 * comparison of two boots, one with each loader (rloader_record.sh).
 */
#include <dirent.h>
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

#define STATE_SIZE (64 * 1024)

/* Appends "@key @value" as a line to @out. */
static void state_add(char *out, const char *key, const char *value)
{
	size_t n = strlen(out);

	snprintf(out + n, STATE_SIZE - n, "%s %s\n", key, value);
}

/* Appends the first line of file @dir/@file, or "-" if it cannot be read. */
static void state_file(char *out, const char *dir, const char *file)
{
	char path[512], line[256] = "-";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		line[strcspn(line, "\n")] = '\0';
		fclose(f);
	}
	state_add(out, file, line);
}

/* Appends the sorted names in directory @dir/@sub, or "-" if there is none. */
static void state_dir(char *out, const char *dir, const char *sub)
{
	char path[512], names[STATE_SIZE / 2] = "";
	struct dirent **entries;
	int i, n;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	n = scandir(path, &entries, NULL, alphasort);
	if (n < 0) {
		state_add(out, sub, "-");
		return;
	}
	for (i = 0; i < n; i++) {
		size_t used = strlen(names);

		if (strcmp(entries[i]->d_name, ".") && strcmp(entries[i]->d_name, ".."))
			snprintf(names + used, sizeof(names) - used, "%s%s",
				 used ? " " : "", entries[i]->d_name);
		free(entries[i]);
	}
	free(entries);
	state_add(out, sub, names);
}

/*
 * What a loaded module looks like from user space, as lines to compare: its
 * /proc/modules line without the address, the size, state, taint and
 * reference count attributes of /sys/module/@name, and the names in it, in
 * its sections, notes, holders and parameters directories.  "-" if it is
 * not loaded.
 */
static void state_of(const char *name, char *out)
{
	char dir[256], line[512];
	FILE *f;

	out[0] = '\0';
	snprintf(dir, sizeof(dir), "/sys/module/%s", name);
	if (access(dir, F_OK)) {
		state_add(out, "module", "-");
		return;
	}
	f = fopen("/proc/modules", "r");
	while (f && fgets(line, sizeof(line), f)) {
		size_t n = strlen(name);
		char *addr = strstr(line, " 0x"), *end;

		if (strncmp(line, name, n) || line[n] != ' ')
			continue;
		line[strcspn(line, "\n")] = '\0';
		/* name size refcount deps state 0xADDRESS [(taints)] */
		if (addr) {
			end = addr + strcspn(addr + 1, " ") + 1;
			memmove(addr, end, strlen(end) + 1);
		}
		state_add(out, "/proc/modules", line);
	}
	if (f)
		fclose(f);
	state_file(out, dir, "coresize");
	state_file(out, dir, "initsize");
	state_file(out, dir, "initstate");
	state_file(out, dir, "taint");
	state_file(out, dir, "refcnt");
	state_dir(out, dir, ".");
	state_dir(out, dir, "sections");
	state_dir(out, dir, "notes");
	state_dir(out, dir, "holders");
	state_dir(out, dir, "parameters");
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

#define KLOG_SIZE (256 * 1024)

/* Opens the kernel log at its end, to read what is logged from now on. */
static int klog_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Timing noise: a number followed by a unit of time or of throughput
 * (raid6's "gen() 2794 MB/s") becomes "N".
 */
static void klog_normalise(char *msg)
{
	static const char *const units[] = { " MB/s", "MB/s", " ms", "ms", " us", "us",
					     " ns", "ns", " s", "s" };
	char *p = msg, *q = msg;

	while (*p) {
		size_t d = strspn(p, "0123456789"), u, k;

		if (!d || (p > msg && (p[-1] == '_' || p[-1] == 'x' ||
				       (p[-1] >= 'a' && p[-1] <= 'z')))) {
			*q++ = *p++;
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(units); k++) {
			u = strlen(units[k]);
			if (!strncmp(p + d, units[k], u) &&
			    !(p[d + u] >= 'a' && p[d + u] <= 'z'))
				break;
		}
		if (k < ARRAY_SIZE(units)) {
			/* The padding before the number varies with its width. */
			while (q > msg && q[-1] == ' ')
				q--;
			*q++ = ' ';
			*q++ = 'N';
			p += d;
		} else {
			memmove(q, p, d);
			q += d;
			p += d;
		}
	}
	*q = '\0';
}

/*
 * Reads the messages logged since klog_open() into @out, one a line,
 * without rloader's own and with timing noise normalised, and closes @fd.
 */
static void klog_read(int fd, char *out, size_t size)
{
	static char rec[8192];
	size_t used = 0;
	ssize_t n;

	out[0] = '\0';
	if (fd < 0) {
		snprintf(out, size, "(no /dev/kmsg)\n");
		return;
	}
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *msg, *end;

		if (n <= 0)
			continue;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		end = strchr(msg, '\n');
		if (end)
			*end = '\0';
		/*
		 * rloader's reasons for a refusal, and raid6_pq's benchmark of its
		 * algorithms, whose choice depends on the timing.
		 */
		if (!strncmp(msg, "rloader: ", 9) || !strncmp(msg, "raid6: ", 7))
			continue;
		klog_normalise(msg);
		snprintf(out + used, size - used, "%s\n", msg);
		used += strlen(out + used);
	}
	close(fd);
}

/* Prints the first line where @got (of rloader) differs from @want (of @what). */
static void lines_diff(const char *what, const char *want, const char *got)
{
	size_t i = 0, line = 0;

	while (want[i] && want[i] == got[i]) {
		if (want[i] == '\n')
			line = i + 1;
		i++;
	}
	want += line;
	got += line;
	printf("# %s differs: finit_module '%.*s', rloader '%.*s'\n", what,
	       (int)strcspn(want, "\n"), want, (int)strcspn(got, "\n"), got);
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

/* Prints each line of @text as "rlrec: @name @key LINE". */
static void record_lines(const char *name, const char *key, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");

		printf("rlrec: %s %s %.*s\n", name, key, (int)n, text);
		text += n + (text[n] == '\n');
	}
}

/* --record: one load of @path through @loader, and what it left. */
static int record(const char *loader, const char *path)
{
	static char log[KLOG_SIZE], state[STATE_SIZE];
	char name[128];
	unsigned char *buf;
	int err, left, klog;
	size_t len;

	buf = slurp(path, &len);
	if (!buf) {
		fprintf(stderr, "rloader_chunks: cannot read %s\n", path);
		return 1;
	}
	module_name(path, name, sizeof(name));
	klog = klog_open();
	if (!strcmp(loader, "finit"))
		err = through_finit(path, is_compressed(buf, len));
	else
		err = through_rloader(buf, len, 4096);
	state_of(name, state);
	left = unload(name);
	klog_read(klog, log, KLOG_SIZE);
	printf("rlrec: %s errno %d\n", name, err);
	record_lines(name, "state", state);
	printf("rlrec: %s unload %d\n", name, left);
	record_lines(name, "log", log);
	fflush(stdout);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	static const size_t chunks[] = { (size_t)-1, 65536, 4096, 7, 1 };
	static const char *const names[] = { "whole", "65536", "4096", "7", "1" };
	int i;

	if (argc == 4 && !strcmp(argv[1], "--record") &&
	    (!strcmp(argv[2], "finit") || !strcmp(argv[2], "rloader")))
		return record(argv[2], argv[3]);
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
		char name[128], want_taint[64], got_taint[64], what[224];
		static char want_log[KLOG_SIZE], got_log[KLOG_SIZE];
		static char want_state[STATE_SIZE], got_state[STATE_SIZE];
		const char *path = argv[i];
		int want, got, left, c, klog, again, same_log, same_state;
		unsigned char *buf;
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
		state_of(name, want_state);
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
		klog = klog_open();
		again = through_finit(path, is_compressed(buf, len));
		left = unload(name);
		klog_read(klog, want_log, KLOG_SIZE);
		if (again != want || left) {
			result(0, "%s: %s", path, "a second finit_module(2) load differs");
			free(buf);
			continue;
		}
		for (c = 0; c < (int)ARRAY_SIZE(chunks); c++) {
			if (chunks[c] == 1 && len > 65536)
				continue;
			klog = klog_open();
			got = through_rloader(buf, len, chunks[c]);
			taint_of(name, got_taint, sizeof(got_taint));
			state_of(name, got_state);
			same_state = !strcmp(got_state, want_state);
			if (!same_state)
				lines_diff("module state", want_state, got_state);
			left = unload(name);
			klog_read(klog, got_log, KLOG_SIZE);
			same_log = !strcmp(got_log, want_log);
			if (!same_log)
				lines_diff("log", want_log, got_log);
			snprintf(what, sizeof(what),
				 "writes of %s bytes: errno %d%s%s, taint '%s'%s%s%s", names[c],
				 got, got ? " " : "", got ? strerror(got) : "", got_taint,
				 left ? ", does not unload" : "",
				 same_state ? "" : ", another module state",
				 same_log ? "" : ", another kernel log");
			result(got == want && same_state && !left && same_log, "%s: %s",
			       path, what);
		}
		free(buf);
	}
	printf("1..%d\n", tests);
	printf("# %d passed, %d failed\n", tests - failed, failed);
	return failed ? 1 : 0;
}
