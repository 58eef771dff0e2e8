// SPDX-License-Identifier: GPL-2.0
/*
 * rloaderctl: control requests for /dev/rloader.
 *
 *   rloaderctl load [-l BYTES] FILE [PARAM=VALUE...]
 *                            load the module in FILE with parameters (like
 *                            cat FILE > /dev/rloader, which passes none);
 *                            -l: first set the image size limit of the open
 *                            file (RLOADER_IOC_SET_MAX_SIZE)
 *   rloaderctl unload NAME    unload module NAME (the RLOADER_IOC_UNLOAD ioctl)
 *   rloaderctl finit FILE [PARAM=VALUE...]
 *                            load FILE with the kernel's own loader,
 *                            finit_module(2), once (busybox insmod falls
 *                            back to init_module(2) on any failure, which
 *                            runs a failing init twice)
 *
 * Exits 0 on success; otherwise prints the error and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RLOADER_DEV		"/dev/rloader"
#define MODULE_NAME_LEN		56
#define RLOADER_IOC_UNLOAD	_IOW('r', 1, char[MODULE_NAME_LEN])
#define ARGS_LEN		1024
#define RLOADER_IOC_SET_ARGS	_IOW('r', 2, char[ARGS_LEN])
#define RLOADER_IOC_SET_MAX_SIZE _IOW('r', 3, unsigned long long)

static int fail(const char *what, const char *arg)
{
	fprintf(stderr, "rloaderctl: %s %s: %s\n", what, arg, strerror(errno));
	return 1;
}

/* Joins the parameters into @args ("a=1 b=2"); returns its length or -1. */
static long join_params(char *args, int nparams, char **params)
{
	size_t len = 0;
	int i;

	for (i = 0; i < nparams; i++) {
		size_t l = strlen(params[i]);

		if (len + l + 2 > ARGS_LEN) {
			errno = E2BIG;
			return -1;
		}
		if (len)
			args[len++] = ' ';
		memcpy(args + len, params[i], l);
		len += l;
	}
	return len;
}

static int load(const char *path, const char *limit, int nparams, char **params)
{
	unsigned long long max = limit ? strtoull(limit, NULL, 0) : 0;
	static char buf[1 << 16];
	char args[ARGS_LEN] = { 0 };
	long len = join_params(args, nparams, params);
	int in, out;
	ssize_t n;

	if (len < 0)
		return fail("load", path);

	in = open(path, O_RDONLY);
	if (in < 0)
		return fail("open", path);
	out = open(RLOADER_DEV, O_WRONLY);
	if (out < 0)
		return fail("open", RLOADER_DEV);
	if (limit && ioctl(out, RLOADER_IOC_SET_MAX_SIZE, &max) < 0)
		return fail("size limit for", path);
	if (len && ioctl(out, RLOADER_IOC_SET_ARGS, args) < 0)
		return fail("parameters for", path);
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		char *p = buf;

		while (n > 0) {
			ssize_t w = write(out, p, n);

			if (w < 0)
				return fail("load", path);
			p += w;
			n -= w;
		}
	}
	if (n < 0)
		return fail("read", path);
	if (close(out) < 0)
		return fail("load", path);
	close(in);
	return 0;
}

static int finit(const char *path, int nparams, char **params)
{
	char args[ARGS_LEN] = { 0 };
	int fd;

	if (join_params(args, nparams, params) < 0)
		return fail("finit_module", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open", path);
	if (syscall(SYS_finit_module, fd, args, 0) < 0)
		return fail("finit_module", path);
	close(fd);
	return 0;
}

static int unload(const char *name)
{
	char buf[MODULE_NAME_LEN] = { 0 };
	size_t len;
	int fd;

	len = strlen(name);
	if (len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return fail("unload", name);
	}
	memcpy(buf, name, len);
	fd = open(RLOADER_DEV, O_WRONLY);
	if (fd < 0)
		return fail("open", RLOADER_DEV);
	if (ioctl(fd, RLOADER_IOC_UNLOAD, buf) < 0)
		return fail("unload", name);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "load") && !strcmp(argv[2], "-l"))
		return load(argv[4], argv[3], argc - 5, argv + 5);
	if (argc >= 3 && !strcmp(argv[1], "load"))
		return load(argv[2], NULL, argc - 3, argv + 3);
	if (argc == 3 && !strcmp(argv[1], "unload"))
		return unload(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "finit"))
		return finit(argv[2], argc - 3, argv + 3);
	fprintf(stderr,
		"usage: %s load [-l BYTES] FILE [PARAM=VALUE...] | unload NAME | finit FILE [PARAM=VALUE...]\n",
		argv[0]);
	return 2;
}
