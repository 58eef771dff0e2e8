// SPDX-License-Identifier: GPL-2.0
/*
 * rloader_ioctl: call one ioctl and print how it ended.
 *
 *   rloader_ioctl DEVICE CMD ARG
 *
 * Opens DEVICE read-write and calls ioctl(fd, CMD, ARG).  CMD and ARG are
 * numbers in C notation (0x5201, 16); ARG may also be the word "buf", which
 * passes the address of a valid 4 KiB buffer instead.  Prints "0" when the
 * ioctl succeeds and the name of its errno (e.g. "EFAULT") when it fails,
 * and exits with 0 in both cases; exits with 2 on bad usage and 1 when the
 * device cannot be opened.
 *
 * The selftests use it with /dev/rl_uaccess and an unmapped address such as
 * 16 to check that the faulting user access is fixed up into -EFAULT.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ERRNO_NAME(e) { e, #e }

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	ERRNO_NAME(EPERM),
	ERRNO_NAME(ENOENT),
	ERRNO_NAME(EINTR),
	ERRNO_NAME(EIO),
	ERRNO_NAME(ENXIO),
	ERRNO_NAME(E2BIG),
	ERRNO_NAME(EBADF),
	ERRNO_NAME(EAGAIN),
	ERRNO_NAME(ENOMEM),
	ERRNO_NAME(EACCES),
	ERRNO_NAME(EFAULT),
	ERRNO_NAME(EBUSY),
	ERRNO_NAME(EEXIST),
	ERRNO_NAME(ENODEV),
	ERRNO_NAME(EINVAL),
	ERRNO_NAME(ENOTTY),
	ERRNO_NAME(ENOSPC),
	ERRNO_NAME(ERANGE),
	ERRNO_NAME(EOPNOTSUPP),
};

static int parse_number(const char *s, unsigned long *val)
{
	char *end;

	errno = 0;
	*val = strtoul(s, &end, 0);
	return errno || end == s || *end != '\0' ? -1 : 0;
}

int main(int argc, char **argv)
{
	static char buf[4096];
	unsigned long cmd, arg;
	unsigned int i;
	int fd, ret, err;

	if (argc != 4) {
		fprintf(stderr, "usage: %s DEVICE CMD ARG|buf\n", argv[0]);
		return 2;
	}
	if (parse_number(argv[2], &cmd)) {
		fprintf(stderr, "%s: bad command number\n", argv[2]);
		return 2;
	}
	if (!strcmp(argv[3], "buf")) {
		memset(buf, 0x5a, sizeof(buf));
		arg = (unsigned long)buf;
	} else if (parse_number(argv[3], &arg)) {
		fprintf(stderr, "%s: bad argument\n", argv[3]);
		return 2;
	}

	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	ret = ioctl(fd, cmd, arg);
	err = errno;
	close(fd);

	if (ret != -1) {
		printf("0\n");
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(errno_names); i++) {
		if (errno_names[i].err == err) {
			printf("%s\n", errno_names[i].name);
			return 0;
		}
	}
	printf("errno %d\n", err);
	return 0;
}
