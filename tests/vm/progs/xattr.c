// SPDX-License-Identifier: GPL-2.0
/*
 * xattr.c - a minimal getfattr/setfattr for the guests (busybox has none).
 *
 *   xattr set FILE NAME VALUE
 *   xattr get FILE NAME         prints the value
 *   xattr list FILE             prints "name=value" lines, sorted by name;
 *                               a value with unprintable bytes as 0x<hex>
 *   xattr setacl FILE UID       an access ACL granting UID read
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_value(const char *name, const char *v, ssize_t n)
{
	ssize_t i;

	for (i = 0; i < n && isprint((unsigned char)v[i]); i++)
		;
	printf("%s=", name);
	if (i == n) {
		printf("%.*s\n", (int)n, v);
		return;
	}
	printf("0x");
	for (i = 0; i < n; i++)
		printf("%02x", (unsigned char)v[i]);
	printf("\n");
}

/* The posix_acl_xattr form (version 2) the kernel reads, little-endian. */
static int set_read_acl(const char *path, uint32_t uid)
{
	static const struct { uint16_t tag, perm; } ents[] = {
		{ 0x01, 6 },	/* ACL_USER_OBJ rw- */
		{ 0x02, 4 },	/* ACL_USER r-- (uid) */
		{ 0x04, 4 },	/* ACL_GROUP_OBJ r-- */
		{ 0x10, 4 },	/* ACL_MASK r-- */
		{ 0x20, 0 },	/* ACL_OTHER --- */
	};
	unsigned char buf[4 + 5 * 8], *q = buf + 4;
	size_t i;

	memset(buf, 0, sizeof(buf));
	buf[0] = 2;
	for (i = 0; i < 5; i++, q += 8) {
		uint32_t id = ents[i].tag == 0x02 ? uid : 0xffffffffU;

		q[0] = ents[i].tag;
		q[2] = ents[i].perm;
		q[4] = id;
		q[5] = id >> 8;
		q[6] = id >> 16;
		q[7] = id >> 24;
	}
	return lsetxattr(path, "system.posix_acl_access", buf, sizeof(buf), 0) ? 1 : 0;
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
	if (argc == 4 && !strcmp(argv[1], "setacl"))
		return set_read_acl(argv[2], (uint32_t)strtoul(argv[3], NULL, 10));
	if (argc == 3 && !strcmp(argv[1], "list")) {
		n = llistxattr(argv[2], names, sizeof(names));
		if (n < 0)
			return 1;
		for (i = 0; i < n && count < 1024; i += strlen(names + i) + 1)
			list[count++] = names + i;
		qsort(list, count, sizeof(list[0]), cmp);
		for (i = 0; i < count; i++) {
			ssize_t v = lgetxattr(argv[2], list[i], buf, sizeof(buf));

			print_value(list[i], buf, v < 0 ? 0 : v);
		}
		return 0;
	}
	fprintf(stderr, "usage: xattr set FILE NAME VALUE | get FILE NAME | list FILE | setacl FILE UID\n");
	return 2;
}
