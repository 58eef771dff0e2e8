// SPDX-License-Identifier: GPL-2.0
/*
 * rloader_bench: time loading a module with the kernel's loader and with
 * rloader, side by side in one boot.
 *
 *   rloader_bench [--trace] [--label SUFFIX] ROUNDS MODULE.ko...
 *
 * For each module, ROUNDS times and alternating between the two loaders:
 * load it with finit_module(2) from an open file, or with one write(2) of
 * the whole image (already in memory) to /dev/rloader, and unload it with
 * delete_module(2).  The load call and the unload call are timed apart.
 * Prints two lines per module, for the load and for the whole cycle (load
 * and unload):
 *
 *   bench: NAME SIZE load finit_module P10 P50 P90 rloader P10 P50 P90 ratio R
 *   bench: NAME SIZE cycle finit_module P10 P50 P90 rloader P10 P50 P90 ratio R
 *
 * in microseconds, SIZE being the file's size in bytes and R rloader's
 * median over finit_module's (below 1: rloader is faster).
 *
 * With --trace, each load call runs with /sys/kernel/tracing/tracing_on
 * set to 1 (and 0 around everything else), for a tracer the caller set up;
 * the lines then start with "traced:" instead, as the tracer slows both
 * loaders down.  --label appends SUFFIX to each NAME (the same module in
 * another setting).  Exits 1 if any load or unload fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int trace_fd = -1;
static const char *label = "";

static void trace(int on)
{
	if (trace_fd >= 0 && pwrite(trace_fd, on ? "1" : "0", 1, 0) != 1)
		perror("tracing_on");
}

static int unload(const char *name, double *us)
{
	double t0 = now_us();

	if (syscall(SYS_delete_module, name, O_NONBLOCK) == 0) {
		*us = now_us() - t0;
		return 0;
	}
	fprintf(stderr, "rloader_bench: delete_module %s: %s\n", name, strerror(errno));
	return -1;
}

static double percentile(const double *sorted, int n, int p)
{
	return sorted[(n - 1) * p / 100];
}

static void print_row(const char *what, const char *name, long size, double *k,
		      double *r, int n)
{
	double km = median(k, n), rm = median(r, n);

	printf("%s: %s%s %ld %s finit_module %.1f %.1f %.1f rloader %.1f %.1f %.1f ratio %.2f\n",
	       trace_fd >= 0 ? "traced" : "bench", name, label, size, what,
	       percentile(k, n, 10), km, percentile(k, n, 90),
	       percentile(r, n, 10), rm, percentile(r, n, 90), rm / km);
}

static int bench_module(const char *path, int rounds)
{
	double *kt = calloc(rounds, sizeof(double));
	double *rt = calloc(rounds, sizeof(double));
	double *kc = calloc(rounds, sizeof(double));
	double *rc = calloc(rounds, sizeof(double));
	char name[64], *base, *dot, *p, *image;
	struct stat st;
	int fd, i, ret = -1;

	snprintf(name, sizeof(name), "%s", basename((char *)path));
	dot = strstr(name, ".ko");
	if (dot)
		*dot = 0;
	for (p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	base = name;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || !kt || !rt || !kc || !rc) {
		perror(path);
		return -1;
	}
	image = malloc(st.st_size);
	if (!image || pread(fd, image, st.st_size, 0) != st.st_size) {
		perror(path);
		goto out;
	}
	for (i = 0; i < rounds; i++) {
		double t0, t1, u;
		int dev, err;

		trace(1);
		t0 = now_us();
		err = syscall(SYS_finit_module, fd, "", 0);
		t1 = now_us();
		trace(0);
		if (err) {
			fprintf(stderr, "rloader_bench: finit_module %s: %s\n", path,
				strerror(errno));
			goto out;
		}
		kt[i] = t1 - t0;
		if (unload(base, &u))
			goto out;
		kc[i] = kt[i] + u;

		dev = open("/dev/rloader", O_WRONLY);
		if (dev < 0) {
			perror("/dev/rloader");
			goto out;
		}
		trace(1);
		t0 = now_us();
		err = write(dev, image, st.st_size) != st.st_size;
		t1 = now_us();
		trace(0);
		if (err) {
			fprintf(stderr, "rloader_bench: rloader %s: %s\n", path, strerror(errno));
			close(dev);
			goto out;
		}
		close(dev);
		rt[i] = t1 - t0;
		if (unload(base, &u))
			goto out;
		rc[i] = rt[i] + u;
	}
	print_row("load", base, st.st_size, kt, rt, rounds);
	print_row("cycle", base, st.st_size, kc, rc, rounds);
	ret = 0;
out:
	free(image);
	free(kt);
	free(rt);
	free(kc);
	free(rc);
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	int rounds, i, ret = 0;

	if (argc > 1 && !strcmp(argv[1], "--trace")) {
		trace_fd = open("/sys/kernel/tracing/tracing_on", O_WRONLY);
		if (trace_fd < 0) {
			perror("/sys/kernel/tracing/tracing_on");
			return 1;
		}
		argv++;
		argc--;
	}
	if (argc > 2 && !strcmp(argv[1], "--label")) {
		label = argv[2];
		argv += 2;
		argc -= 2;
	}
	rounds = argc > 1 ? atoi(argv[1]) : 0;
	if (argc < 3 || rounds < 1) {
		fprintf(stderr,
			"usage: rloader_bench [--trace] [--label SUFFIX] ROUNDS MODULE.ko...\n");
		return 2;
	}
	for (i = 2; i < argc; i++)
		if (bench_module(argv[i], rounds))
			ret = 1;
	return ret;
}
