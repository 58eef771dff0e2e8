// SPDX-License-Identifier: GPL-2.0
/*
 * rloader_nocap: run a command without CAP_SYS_MODULE.
 *
 *   rloader_nocap COMMAND [ARG...]
 *
 * Drops CAP_SYS_MODULE from the bounding set and from the effective,
 * permitted and inheritable sets, then executes COMMAND.  The user and group
 * IDs stay as they are, so a root caller still passes the DAC check on
 * /dev/rloader and only the capability check of rloader can refuse it.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned int idx = CAP_TO_INDEX(CAP_SYS_MODULE);
	unsigned int mask = CAP_TO_MASK(CAP_SYS_MODULE);

	if (argc < 2) {
		fprintf(stderr, "usage: %s COMMAND [ARG...]\n", argv[0]);
		return 2;
	}
	if (prctl(PR_CAPBSET_DROP, CAP_SYS_MODULE, 0, 0, 0)) {
		fprintf(stderr, "PR_CAPBSET_DROP: %s\n", strerror(errno));
		return 1;
	}
	if (syscall(SYS_capget, &hdr, data)) {
		fprintf(stderr, "capget: %s\n", strerror(errno));
		return 1;
	}
	data[idx].effective &= ~mask;
	data[idx].permitted &= ~mask;
	data[idx].inheritable &= ~mask;
	if (syscall(SYS_capset, &hdr, data)) {
		fprintf(stderr, "capset: %s\n", strerror(errno));
		return 1;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
	return 127;
}
