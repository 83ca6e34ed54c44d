// SPDX-License-Identifier: GPL-2.0
/*
 * godown.c - shut a filesystem down with FS_IOC_SHUTDOWN, as xfstests'
 * src/godown.c does (the guest has no xfs_io).
 *
 * usage: godown [default|logflush|nologflush] PATH
 *
 * Exits 0 if the ioctl succeeded, 1 with the error on stderr otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/types.h>

#include "vexfs_uapi.h"


int main(int argc, char **argv)
{
	__u32 flags;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: godown default|logflush|nologflush|N PATH\n");
		return 2;
	}
	if (!strcmp(argv[1], "default"))
		flags = FS_SHUTDOWN_FLAGS_DEFAULT;
	else if (!strcmp(argv[1], "logflush"))
		flags = FS_SHUTDOWN_FLAGS_LOGFLUSH;
	else if (!strcmp(argv[1], "nologflush"))
		flags = FS_SHUTDOWN_FLAGS_NOLOGFLUSH;
	else
		flags = (__u32)strtoul(argv[1], NULL, 0);
	fd = open(argv[2], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "godown: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (ioctl(fd, FS_IOC_SHUTDOWN, &flags) < 0) {
		fprintf(stderr, "godown: %s: FS_IOC_SHUTDOWN: %s\n", argv[2],
			strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}
