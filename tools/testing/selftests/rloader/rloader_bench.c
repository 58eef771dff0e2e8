// SPDX-License-Identifier: GPL-2.0
/*
 * rloader_bench: time loading a module with the kernel's loader and with
 * rloader, side by side in one boot.
 *
 *   rloader_bench ROUNDS MODULE.ko...
 *
 * For each module, ROUNDS times and alternating between the two loaders:
 * load it with finit_module(2) from an open file, or with one write(2) of
 * the whole image (already in memory) to /dev/rloader, and unload it with
 * delete_module(2).  Only the load call is timed; the unload is the same
 * kernel code for both.  Prints one line per module:
 *
 *   bench: NAME finit_module MEDIAN_US rloader MEDIAN_US ratio R
 *
 * where R is rloader's median over finit_module's (below 1: rloader is
 * faster).  Exits 1 if any load or unload fails.
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

static int unload(const char *name)
{
	if (syscall(SYS_delete_module, name, O_NONBLOCK) == 0)
		return 0;
	fprintf(stderr, "rloader_bench: delete_module %s: %s\n", name, strerror(errno));
	return -1;
}

static int bench_module(const char *path, int rounds)
{
	double *kt = calloc(rounds, sizeof(double));
	double *rt = calloc(rounds, sizeof(double));
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
	if (fd < 0 || fstat(fd, &st) || !kt || !rt) {
		perror(path);
		return -1;
	}
	image = malloc(st.st_size);
	if (!image || pread(fd, image, st.st_size, 0) != st.st_size) {
		perror(path);
		goto out;
	}
	for (i = 0; i < rounds; i++) {
		double t0, t1;
		int dev;

		t0 = now_us();
		if (syscall(SYS_finit_module, fd, "", 0)) {
			fprintf(stderr, "rloader_bench: finit_module %s: %s\n", path,
				strerror(errno));
			goto out;
		}
		t1 = now_us();
		kt[i] = t1 - t0;
		if (unload(base))
			goto out;

		dev = open("/dev/rloader", O_WRONLY);
		if (dev < 0) {
			perror("/dev/rloader");
			goto out;
		}
		t0 = now_us();
		if (write(dev, image, st.st_size) != st.st_size) {
			fprintf(stderr, "rloader_bench: rloader %s: %s\n", path, strerror(errno));
			close(dev);
			goto out;
		}
		t1 = now_us();
		close(dev);
		rt[i] = t1 - t0;
		if (unload(base))
			goto out;
	}
	{
		double km = median(kt, rounds), rm = median(rt, rounds);

		printf("bench: %s finit_module %.1f rloader %.1f ratio %.2f\n",
		       base, km, rm, rm / km);
	}
	ret = 0;
out:
	free(image);
	free(kt);
	free(rt);
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 0, i, ret = 0;

	if (argc < 3 || rounds < 1) {
		fprintf(stderr, "usage: %s ROUNDS MODULE.ko...\n", argv[0]);
		return 2;
	}
	for (i = 2; i < argc; i++)
		if (bench_module(argv[i], rounds))
			ret = 1;
	return ret;
}
