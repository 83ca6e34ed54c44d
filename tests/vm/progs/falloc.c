// SPDX-License-Identifier: GPL-2.0
/*
 * falloc.c - fallocate(2) from the command line, for the guests (which
 * have no util-linux), and a file's st_blocks.
 *
 * usage: falloc MODE OFFSET LENGTH FILE
 *   MODE: alloc, keep (KEEP_SIZE), punch (PUNCH_HOLE | KEEP_SIZE),
 *         punchsize (PUNCH_HOLE alone: must fail with EOPNOTSUPP),
 *         zero (ZERO_RANGE), zerokeep (ZERO_RANGE | KEEP_SIZE),
 *         collapse (COLLAPSE_RANGE)
 *        falloc blocks FILE   prints st_blocks
 * Exit status 0 on success; on failure prints the errno's name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/falloc.h>

static const struct {
	const char *name;
	int mode;
} modes[] = {
	{ "alloc", 0 },
	{ "keep", FALLOC_FL_KEEP_SIZE },
	{ "punch", FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE },
	{ "punchsize", FALLOC_FL_PUNCH_HOLE },
	{ "zero", FALLOC_FL_ZERO_RANGE },
	{ "zerokeep", FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE },
	{ "collapse", FALLOC_FL_COLLAPSE_RANGE },
};

int main(int argc, char **argv)
{
	struct stat st;
	unsigned int i;
	int fd;

	if (argc == 3 && !strcmp(argv[1], "blocks")) {
		if (stat(argv[2], &st)) {
			perror(argv[2]);
			return 1;
		}
		printf("%lld\n", (long long)st.st_blocks);
		return 0;
	}
	if (argc != 5) {
		fprintf(stderr, "usage: falloc MODE OFFSET LENGTH FILE | falloc blocks FILE\n");
		return 2;
	}
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(argv[1], modes[i].name))
			break;
	if (i == sizeof(modes) / sizeof(modes[0])) {
		fprintf(stderr, "falloc: unknown mode %s\n", argv[1]);
		return 2;
	}
	fd = open(argv[4], O_RDWR | O_CREAT, 0644);
	if (fd < 0) {
		perror(argv[4]);
		return 1;
	}
	if (fallocate(fd, modes[i].mode, strtoll(argv[2], NULL, 0),
		      strtoll(argv[3], NULL, 0))) {
		printf("%s\n", errno == EOPNOTSUPP ? "EOPNOTSUPP" :
		       errno == EINVAL ? "EINVAL" : strerror(errno));
		return 1;
	}
	return close(fd) ? 1 : 0;
}
