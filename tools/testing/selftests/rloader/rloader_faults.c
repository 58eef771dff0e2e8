// SPDX-License-Identifier: GPL-2.0
/*
 * rloader_faults: fail the N-th fault-injectable call of one operation of
 * rloader, for N = 1, 2, ... until the operation no longer reaches an N-th
 * call, and check after each N that the failure left nothing behind.
 *
 *   rloader_faults load NAME FILE [PARAMS]   load FILE through /dev/rloader
 *   rloader_faults initfail NAME FILE ERRNO  the same, init fails with ERRNO
 *   rloader_faults unload NAME FILE          delete_module() of NAME
 *   rloader_faults open                      open() of /dev/rloader
 *   rloader_faults close                     close() of /dev/rloader
 *   rloader_faults read                      read() of the listing
 *
 * fail-nth (Documentation/fault-injection/fault-injection.rst) is per task,
 * so this program arms /proc/thread-self/fail-nth and makes the system call
 * itself, in the same thread; reading fail-nth back afterwards gives 0 when
 * the fault was injected.  Which calls are fault-injectable (failslab,
 * fail_page_alloc) is set up by the caller in debugfs.
 *
 * After every N: the call succeeded, or failed with an errno (printed); the
 * module list (/proc/modules), /sys/module/ and the listing of /dev/rloader
 * are what they were before, or, after a successful load, the module is
 * listed and live and unloads back to the state before; after a failed
 * unload the module is still fully loaded and then unloads.  Exits 0 when
 * every N passed, 1 at the first failure (the reason on stderr).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEV "/dev/rloader"
#define MAX_N 20000
#define STATE_MAX (1 << 20)
#define ARGS_LEN 1024
#define RLOADER_IOC_SET_ARGS _IOW('r', 2, char[ARGS_LEN])

static int nth_fd = -1;
static char *image;
static size_t image_len;
static unsigned int nr_injected, nr_tolerated;
static unsigned int errnos[256];
static char tolerated_at[256];

/* Remembers the first Ns whose injected fault did not make the call fail. */
static void tolerated(unsigned int n)
{
	size_t l = strlen(tolerated_at);

	nr_tolerated++;
	if (l < sizeof(tolerated_at) - 16)
		snprintf(tolerated_at + l, sizeof(tolerated_at) - l, " %u", n);
}

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(nth_fd, buf, len, 0) != len) {
		fprintf(stderr, "fail-nth: write %u: %s\n", n, strerror(errno));
		exit(1);
	}
}

/* Disarms fail-nth and tells whether the fault was injected. */
static int disarm(void)
{
	char buf[16] = "";
	ssize_t r;

	r = pread(nth_fd, buf, sizeof(buf) - 1, 0);
	if (r <= 0) {
		fprintf(stderr, "fail-nth: read: %s\n", r ? strerror(errno) : "empty");
		exit(1);
	}
	arm(0);
	return strtoul(buf, NULL, 10) == 0;
}

static int read_file(const char *path, char *buf, size_t size, size_t *len)
{
	ssize_t r;
	int fd;

	*len = 0;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while (*len < size - 1) {
		r = read(fd, buf + *len, size - 1 - *len);
		if (r < 0) {
			close(fd);
			return -1;
		}
		if (!r)
			break;
		*len += r;
	}
	buf[*len] = '\0';
	close(fd);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The module list, /sys/module/ and the listing, as one string. */
static char *snapshot(void)
{
	static char *names[8192];
	char *s = malloc(STATE_MAX);
	size_t len, used = 0;
	struct dirent *de;
	unsigned int i, n = 0;
	DIR *d;

	if (!s) {
		perror("malloc");
		exit(1);
	}
	if (read_file("/proc/modules", s, STATE_MAX / 2, &len)) {
		perror("/proc/modules");
		exit(1);
	}
	used = len;
	d = opendir("/sys/module");
	if (!d) {
		perror("/sys/module");
		exit(1);
	}
	while ((de = readdir(d)) && n < 8192)
		names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	used += snprintf(s + used, STATE_MAX - used, "-- /sys/module\n");
	for (i = 0; i < n; i++) {
		if (used < STATE_MAX / 4 * 3)
			used += snprintf(s + used, STATE_MAX - used, "%s\n", names[i]);
		free(names[i]);
	}
	used += snprintf(s + used, STATE_MAX - used, "-- %s\n", DEV);
	if (read_file(DEV, s + used, STATE_MAX - used, &len)) {
		perror(DEV);
		exit(1);
	}
	return s;
}

/* Prints the lines of @now that differ from @then. */
static void show_diff(const char *then, const char *now)
{
	const char *p;

	fprintf(stderr, "state before:\n%s", then);
	fprintf(stderr, "state after:\n%s", now);
	for (p = now; *p; p = strchr(p, '\n') + 1) {
		size_t l = strcspn(p, "\n");
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)l, p);
		if (!strstr(then, line))
			fprintf(stderr, "new: %s\n", line);
		if (!p[l])
			break;
	}
}

static int same_state(const char *then, const char *what, unsigned int n)
{
	char *now = snapshot();
	int ok = !strcmp(then, now);

	if (!ok) {
		fprintf(stderr, "%s, N=%u: the state changed\n", what, n);
		show_diff(then, now);
	}
	free(now);
	return ok;
}

/* The names under /sys/module/NAME, two levels deep, sorted, one a line. */
static char *sysfs_tree(const char *name)
{
	static char *names[4096];
	char path[512], *s;
	unsigned int i, j, n = 0;
	struct dirent *de, *de2;
	size_t used = 0;
	DIR *d, *d2;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	d = opendir(path);
	while (d && (de = readdir(d)) && n < 4000) {
		if (de->d_name[0] == '.')
			continue;
		names[n++] = strdup(de->d_name);
		snprintf(path, sizeof(path), "/sys/module/%s/%s", name, de->d_name);
		d2 = opendir(path);
		while (d2 && (de2 = readdir(d2)) && n < 4000) {
			if (de2->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", de->d_name, de2->d_name);
			names[n++] = strdup(path);
		}
		if (d2)
			closedir(d2);
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	s = malloc(STATE_MAX);
	if (!s) {
		perror("malloc");
		exit(1);
	}
	s[0] = '\0';
	for (i = 0; i < n; i++) {
		j = snprintf(s + used, STATE_MAX - used, "%s\n", names[i]);
		if (used + j < STATE_MAX)
			used += j;
		free(names[i]);
	}
	return s;
}

/*
 * A load that got through an injected fault: say what is missing from its
 * /sys/module directory compared with a load without a fault (the
 * kernel's own loader lets some sysfs attributes go, e.g. sections/).
 */
static int has_line(const char *text, const char *line)
{
	size_t l = strlen(line);
	const char *p;

	for (p = text; *p; p += strcspn(p, "\n") + 1) {
		if (!strncmp(p, line, l) && p[l] == '\n')
			return 1;
		if (!p[strcspn(p, "\n")])
			break;
	}
	return 0;
}

static void compare_tree(const char *name, const char *clean, unsigned int n)
{
	char *now = sysfs_tree(name);
	char line[300];
	const char *p;

	for (p = clean; p && *p; p += strcspn(p, "\n") + 1) {
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
		if (!has_line(now, line))
			say("%s: N=%u: loaded without /sys/module/%s/%s\n", name, n, name, line);
		if (!p[strcspn(p, "\n")])
			break;
	}
	free(now);
}

static int is_live(const char *name)
{
	char path[256], buf[64];
	size_t len;

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	if (read_file(path, buf, sizeof(buf), &len))
		return 0;
	return !strcmp(buf, "live\n");
}

static void count_errno(int err)
{
	nr_injected++;
	errnos[err & 255]++;
}

static void print_errnos(const char *what)
{
	unsigned int i;

	for (i = 0; i < 256; i++)
		if (errnos[i])
			say("%s: %u times %s (errno %u)\n", what, errnos[i], strerror(i), i);
	if (*tolerated_at)
		say("%s: tolerated at N =%s\n", what, tolerated_at);
}

static int load_file(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		perror(path);
		return -1;
	}
	image_len = st.st_size;
	image = malloc(image_len);
	if (!image || read(fd, image, image_len) != (ssize_t)image_len) {
		perror(path);
		return -1;
	}
	close(fd);
	return 0;
}

static int unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

/*
 * Loads the image through a new file of /dev/rloader; with @n > 0 the N-th
 * fault-injectable call of the write() fails.  Returns 0 or an errno and
 * sets @injected.
 */
static int load_once(const char *params, unsigned int n, int *injected)
{
	char args[ARGS_LEN] = "";
	ssize_t r;
	int fd, err;

	fd = open(DEV, O_WRONLY);
	if (fd < 0) {
		perror(DEV);
		exit(1);
	}
	if (params && *params) {
		snprintf(args, sizeof(args), "%s", params);
		if (ioctl(fd, RLOADER_IOC_SET_ARGS, args)) {
			perror("RLOADER_IOC_SET_ARGS");
			exit(1);
		}
	}
	if (n)
		arm(n);
	r = write(fd, image, image_len);
	err = errno;
	*injected = n ? disarm() : 0;
	close(fd);
	if (r == (ssize_t)image_len)
		return 0;
	return r < 0 ? err : EIO;
}

static int do_load(const char *name, const char *params, int want)
{
	char *base = snapshot(), *clean = NULL;
	unsigned int n;
	int injected, err;

	/* What a load without a fault puts into /sys/module/NAME. */
	if (!want) {
		err = load_once(params, 0, &injected);
		if (err) {
			fprintf(stderr, "%s: loading without a fault: %s\n", name, strerror(err));
			return 1;
		}
		clean = sysfs_tree(name);
		if (unload(name)) {
			fprintf(stderr, "%s: unloading: %s\n", name, strerror(errno));
			return 1;
		}
	}

	for (n = 1; n <= MAX_N; n++) {
		err = load_once(params, n, &injected);
		if (err && err == want && !injected) {
			say("%s: N=%u: no call left to fail, init failed with %s as it should\n",
			    name, n, strerror(err));
			break;
		}
		if (err) {
			if (!injected) {
				fprintf(stderr,
					"%s: N=%u: failed with %s without an injected fault\n",
					name, n, strerror(err));
				return 1;
			}
			count_errno(err);
			if (!same_state(base, name, n))
				return 1;
			continue;
		}
		if (want) {
			fprintf(stderr, "%s: N=%u: loaded, but its init should fail with %s\n",
				name, n, strerror(want));
			unload(name);
			return 1;
		}
		if (!is_live(name)) {
			fprintf(stderr,
				"%s: N=%u: the write succeeded, but the module is not live\n",
				name, n);
			return 1;
		}
		if (injected)
			compare_tree(name, clean, n);
		if (unload(name)) {
			fprintf(stderr, "%s: N=%u: unloading after the load: %s\n",
				name, n, strerror(errno));
			return 1;
		}
		if (!same_state(base, name, n))
			return 1;
		if (!injected) {
			say("%s: N=%u: no call left to fail, loaded and unloaded\n", name, n);
			break;
		}
		/* The fault hit a call whose failure the kernel tolerates. */
		tolerated(n);
	}
	if (n > MAX_N) {
		fprintf(stderr, "%s: still failing after %u faults\n", name, MAX_N);
		return 1;
	}
	say("%s: %u faults made the load fail, %u were tolerated\n",
	    name, nr_injected, nr_tolerated);
	print_errnos(name);
	/* And it still loads and unloads normally. */
	err = load_once(params, 0, &injected);
	if (err != want) {
		fprintf(stderr, "%s: the last load ended with %s\n", name, strerror(err));
		return 1;
	}
	if (!want && unload(name)) {
		fprintf(stderr, "%s: the last unload: %s\n", name, strerror(errno));
		return 1;
	}
	err = !same_state(base, name, 0);
	free(base);
	free(clean);
	return err;
}

static int do_unload(const char *name)
{
	char *base = snapshot(), *loaded = NULL;
	unsigned int n;
	int injected, r, err;

	for (n = 1; n <= MAX_N; n++) {
		err = load_once(NULL, 0, &injected);
		if (err) {
			fprintf(stderr, "%s: N=%u: loading: %s\n", name, n, strerror(err));
			return 1;
		}
		free(loaded);
		loaded = snapshot();
		arm(n);
		r = unload(name);
		err = errno;
		injected = disarm();
		if (r) {
			if (!injected) {
				fprintf(stderr, "%s: N=%u: unload failed with %s without a fault\n",
					name, n, strerror(err));
				return 1;
			}
			count_errno(err);
			/* Still fully loaded and usable: it unloads. */
			if (!same_state(loaded, name, n))
				return 1;
			if (!is_live(name)) {
				fprintf(stderr, "%s: N=%u: not live after a failed unload\n",
					name, n);
				return 1;
			}
			if (unload(name)) {
				fprintf(stderr, "%s: N=%u: unload after the failed one: %s\n",
					name, n, strerror(errno));
				return 1;
			}
		} else if (injected) {
			tolerated(n);
		}
		if (!same_state(base, name, n))
			return 1;
		if (!r && !injected)
			break;
	}
	free(loaded);
	if (n > MAX_N) {
		fprintf(stderr, "%s: unload still reaching fault %u\n", name, MAX_N);
		return 1;
	}
	say("%s: unload: %u calls, %u faults made it fail, %u were tolerated\n",
	    name, n - 1, nr_injected, nr_tolerated);
	print_errnos(name);
	free(base);
	return 0;
}

static int rloader_refs(void)
{
	char buf[32];
	size_t len;

	if (read_file("/sys/module/rloader/refcnt", buf, sizeof(buf), &len)) {
		perror("/sys/module/rloader/refcnt");
		exit(1);
	}
	return atoi(buf);
}

/* open(), close() or read() of the device with the N-th call failing. */
static int do_device(const char *op)
{
	char *base = snapshot();
	int ref = rloader_refs(), injected, fd, err;
	unsigned int n;
	char buf[4096];
	ssize_t r = 0;

	for (n = 1; n <= MAX_N; n++) {
		if (!strcmp(op, "open")) {
			arm(n);
			fd = open(DEV, O_RDWR);
			err = errno;
			injected = disarm();
			r = fd;
			if (fd >= 0)
				close(fd);
		} else {
			fd = open(DEV, O_RDWR);
			if (fd < 0) {
				perror(DEV);
				return 1;
			}
			arm(n);
			if (!strcmp(op, "close")) {
				r = close(fd);
			} else {
				r = read(fd, buf, sizeof(buf));
				r = r < 0 ? r : 0;
			}
			err = errno;
			injected = disarm();
			if (strcmp(op, "close"))
				close(fd);
		}
		if (r < 0) {
			if (!injected) {
				fprintf(stderr, "%s: N=%u: failed with %s without a fault\n",
					op, n, strerror(err));
				return 1;
			}
			count_errno(err);
		} else if (injected) {
			tolerated(n);
		}
		if (rloader_refs() != ref) {
			fprintf(stderr, "%s: N=%u: the use count of rloader is %d, was %d\n",
				op, n, rloader_refs(), ref);
			return 1;
		}
		if (!same_state(base, op, n))
			return 1;
		if (!injected)
			break;
	}
	if (n > MAX_N) {
		fprintf(stderr, "%s: still reaching fault %u\n", op, MAX_N);
		return 1;
	}
	say("%s: %u calls, %u faults made it fail, %u were tolerated\n",
	    op, n - 1, nr_injected, nr_tolerated);
	print_errnos(op);
	free(base);
	return 0;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";

	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth_fd < 0) {
		perror("/proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)");
		return 1;
	}
	if (!strcmp(op, "load") && (argc == 4 || argc == 5)) {
		if (load_file(argv[3]))
			return 1;
		return do_load(argv[2], argc == 5 ? argv[4] : NULL, 0);
	}
	if (!strcmp(op, "initfail") && argc == 5) {
		if (load_file(argv[3]))
			return 1;
		return do_load(argv[2], NULL, atoi(argv[4]));
	}
	if (!strcmp(op, "unload") && argc == 4) {
		if (load_file(argv[3]))
			return 1;
		return do_unload(argv[2]);
	}
	if ((!strcmp(op, "open") || !strcmp(op, "close") || !strcmp(op, "read")) && argc == 2)
		return do_device(op);
	fprintf(stderr, "usage: %s load NAME FILE [PARAMS] | initfail NAME FILE ERRNO |\n"
		"       unload NAME FILE | open | close | read\n", argv[0]);
	return 2;
}
