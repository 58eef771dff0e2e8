// SPDX-License-Identifier: GPL-2.0
/*
 * rloader_bench: time loading a module with the kernel's loader and with
 * rloader, side by side in one boot.
 *
 *   rloader_bench [--trace | --memory] [--label SUFFIX] ROUNDS MODULE.ko...
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
 * After each rloader load, the module's stage times are read from the
 * listing (the *_us columns of /dev/rloader), and a third line gives the
 * median of each:
 *
 *   stages: NAME load_us M validate_us M ... init_us M
 *
 * With --trace, each load call runs with /sys/kernel/tracing/tracing_on
 * set to 1 (and 0 around everything else), for a tracer the caller set up;
 * the lines then start with "traced:" instead, as the tracer slows both
 * loaders down.  --memory does the same for the caller's trace events
 * (memory.awk: the allocations of each load) and marks each load in the
 * trace with "rlbench: begin LOADER NAME" and "rlbench: end LOADER NAME"
 * in trace_marker; it prints no timing lines.  --label appends SUFFIX to
 * each NAME (the same module in another setting).  Exits 1 if any load or
 * unload fails.
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

static int trace_fd = -1, marker_fd = -1;
static const char *label = "";

/* Starts (@on) or stops tracing the load of @name by @loader. */
static void trace(int on, const char *loader, const char *name)
{
	if (trace_fd >= 0 && !on && marker_fd >= 0)
		dprintf(marker_fd, "rlbench: end %s %s%s\n", loader, name, label);
	if (trace_fd >= 0 && pwrite(trace_fd, on ? "1" : "0", 1, 0) != 1)
		perror("tracing_on");
	if (trace_fd >= 0 && on && marker_fd >= 0)
		dprintf(marker_fd, "rlbench: begin %s %s%s\n", loader, name, label);
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

#define MAX_STAGES 16
#define LISTING_SIZE 65536

static char stage_names[MAX_STAGES][32];
static int nr_stages;

/*
 * Reads the *_us columns of module @name from the listing into @us; the
 * first call also takes their names from the header.  Returns the number
 * of columns, or -1.
 */
static int read_stages(const char *name, double *us)
{
	static char buf[LISTING_SIZE];
	char *line, *save, *tok, *tsave;
	size_t len = strlen(name);
	int col, n = 0, fd;
	int cols[MAX_STAGES];
	ssize_t got;

	fd = open("/dev/rloader", O_RDONLY);
	if (fd < 0)
		return -1;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got <= 0)
		return -1;
	buf[got] = 0;
	line = strtok_r(buf, "\n", &save);
	if (!line)
		return -1;
	for (col = 0, tok = strtok_r(line, " ", &tsave); tok && n < MAX_STAGES;
	     col++, tok = strtok_r(NULL, " ", &tsave)) {
		size_t tl = strlen(tok);

		if (!strcmp(tok, "#")) {	/* the header's comment mark */
			col--;
			continue;
		}
		if (tl < 4 || strcmp(tok + tl - 3, "_us"))
			continue;
		snprintf(stage_names[n], sizeof(stage_names[n]), "%s", tok);
		cols[n++] = col;
	}
	nr_stages = n;
	while ((line = strtok_r(NULL, "\n", &save))) {
		int k = 0;

		if (strncmp(line, name, len) || line[len] != ' ')
			continue;
		for (col = 0, tok = strtok_r(line, " ", &tsave); tok && k < n;
		     col++, tok = strtok_r(NULL, " ", &tsave))
			if (col == cols[k])
				us[k++] = atof(tok);
		return k == n ? n : -1;
	}
	return -1;
}

static void print_stages(const char *name, double stages[][MAX_STAGES], int rounds)
{
	double *v = calloc(rounds, sizeof(double));
	int s, i;

	if (!v || !nr_stages) {
		free(v);
		return;
	}
	printf("stages: %s%s", name, label);
	for (s = 0; s < nr_stages; s++) {
		for (i = 0; i < rounds; i++)
			v[i] = stages[i][s];
		printf(" %s %.0f", stage_names[s], median(v, rounds));
	}
	printf("\n");
	free(v);
}

static int bench_module(const char *path, int rounds)
{
	double (*stages)[MAX_STAGES] = calloc(rounds, sizeof(*stages));
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
	if (fd < 0 || fstat(fd, &st) || !kt || !rt || !kc || !rc || !stages) {
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

		trace(1, "finit_module", base);
		t0 = now_us();
		err = syscall(SYS_finit_module, fd, "", 0);
		t1 = now_us();
		trace(0, "finit_module", base);
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
		trace(1, "rloader", base);
		t0 = now_us();
		err = write(dev, image, st.st_size) != st.st_size;
		t1 = now_us();
		trace(0, "rloader", base);
		if (err) {
			fprintf(stderr, "rloader_bench: rloader %s: %s\n", path, strerror(errno));
			close(dev);
			goto out;
		}
		close(dev);
		rt[i] = t1 - t0;
		if (read_stages(base, stages[i]) < 0) {
			fprintf(stderr, "rloader_bench: %s: no stage times in the listing\n", base);
			goto out;
		}
		if (unload(base, &u))
			goto out;
		rc[i] = rt[i] + u;
	}
	if (marker_fd < 0) {
		print_row("load", base, st.st_size, kt, rt, rounds);
		print_row("cycle", base, st.st_size, kc, rc, rounds);
	}
	if (trace_fd < 0)
		print_stages(base, stages, rounds);
	ret = 0;
out:
	free(stages);
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

	if (argc > 1 && (!strcmp(argv[1], "--trace") || !strcmp(argv[1], "--memory"))) {
		trace_fd = open("/sys/kernel/tracing/tracing_on", O_WRONLY);
		if (trace_fd < 0) {
			perror("/sys/kernel/tracing/tracing_on");
			return 1;
		}
		if (!strcmp(argv[1], "--memory")) {
			marker_fd = open("/sys/kernel/tracing/trace_marker", O_WRONLY);
			if (marker_fd < 0) {
				perror("/sys/kernel/tracing/trace_marker");
				return 1;
			}
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
			"usage: rloader_bench [--trace | --memory] [--label SUFFIX] ROUNDS MODULE.ko...\n");
		return 2;
	}
	for (i = 2; i < argc; i++)
		if (bench_module(argv[i], rounds))
			ret = 1;
	return ret;
}
