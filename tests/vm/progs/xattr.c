// SPDX-License-Identifier: GPL-2.0
/*
 * xattr.c - a minimal getfattr/setfattr for the guests (busybox has none).
 *
 *   xattr set FILE NAME VALUE
 *   xattr get FILE NAME         prints the value
 *   xattr list FILE             prints "name=value" lines, sorted by name
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	static char buf[65536], names[65536];
	char *list[1024];
	ssize_t n;
	int i, count = 0;

	if (argc == 5 && !strcmp(argv[1], "set"))
		return lsetxattr(argv[2], argv[3], argv[4], strlen(argv[4]), 0) ? 1 : 0;
	if (argc == 4 && !strcmp(argv[1], "get")) {
		n = lgetxattr(argv[2], argv[3], buf, sizeof(buf));
		if (n < 0)
			return 1;
		printf("%.*s\n", (int)n, buf);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "list")) {
		n = llistxattr(argv[2], names, sizeof(names));
		if (n < 0)
			return 1;
		for (i = 0; i < n && count < 1024; i += strlen(names + i) + 1)
			list[count++] = names + i;
		qsort(list, count, sizeof(list[0]), cmp);
		for (i = 0; i < count; i++) {
			ssize_t v = lgetxattr(argv[2], list[i], buf, sizeof(buf));

			printf("%s=%.*s\n", list[i], v < 0 ? 0 : (int)v, buf);
		}
		return 0;
	}
	fprintf(stderr, "usage: xattr set FILE NAME VALUE | get FILE NAME | list FILE\n");
	return 2;
}
