// SPDX-License-Identifier: GPL-2.0
/*
 * fsstress.c - concurrent metadata stress, checked against a model.
 *
 *   fsstress run DIR NPROC NOPS SEED MODEL
 *	NPROC processes create, write, append, rename, link and unlink files
 *	in the same NDIRS shared directories of DIR at once.  Each process
 *	owns the names that start with its number, so it can keep an exact
 *	model of them while all of them churn the same directories.  The
 *	models are written to MODEL as "path length crc" lines.
 *   fsstress verify DIR MODEL
 *	After a remount: every file in MODEL is present with its length and
 *	contents, and no other file exists.
 *
 * The seed is printed; process i uses SEED + i.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NDIRS		4
#define NAMES		64	/* names per process */
#define MAX_DATA	16384

struct object {			/* one inode: its contents */
	unsigned char data[MAX_DATA];
	size_t len;
	int links;
};

struct slot {			/* one name a process owns */
	struct object *obj;	/* NULL: the name does not exist */
};

static const char *top;
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static uint32_t crc32(const unsigned char *p, size_t n)
{
	uint32_t c = ~0U;
	int k;

	while (n--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xEDB88320 : c >> 1;
	}
	return ~c;
}

static void slot_path(char *buf, size_t size, int proc, int i)
{
	snprintf(buf, size, "%s/d%d/p%d_%d", top, i % NDIRS, proc, i);
}

static void fail(int proc, const char *what, const char *path)
{
	fprintf(stderr, "fsstress: proc %d: %s %s: %s\n", proc, what, path,
		strerror(errno));
	exit(1);
}

static void put_object(struct object *o)
{
	if (o && !--o->links)
		free(o);
}

static void do_write(int proc, struct slot *s, int i, bool append)
{
	char path[4096];
	size_t len = rnd() % 4096 + 1, k;
	unsigned char buf[4096];
	int fd;

	slot_path(path, sizeof(path), proc, i);
	if (!s[i].obj) {
		s[i].obj = calloc(1, sizeof(struct object));
		s[i].obj->links = 1;
		append = false;
	}
	if (append && s[i].obj->len + len > MAX_DATA)
		append = false;
	for (k = 0; k < len; k++)
		buf[k] = (unsigned char)rnd();
	fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC),
		  0644);
	if (fd < 0)
		fail(proc, "open", path);
	if (write(fd, buf, len) != (ssize_t)len)
		fail(proc, "write", path);
	if (rnd() % 8 == 0 && fsync(fd))
		fail(proc, "fsync", path);
	close(fd);
	if (!append)
		s[i].obj->len = 0;
	memcpy(s[i].obj->data + s[i].obj->len, buf, len);
	s[i].obj->len += len;
}

static void do_unlink(int proc, struct slot *s, int i)
{
	char path[4096];

	slot_path(path, sizeof(path), proc, i);
	if (!s[i].obj)
		return;
	if (unlink(path))
		fail(proc, "unlink", path);
	put_object(s[i].obj);
	s[i].obj = NULL;
}

static void do_rename(int proc, struct slot *s, int i, int j)
{
	char from[4096], to[4096];

	if (!s[i].obj || i == j)
		return;
	slot_path(from, sizeof(from), proc, i);
	slot_path(to, sizeof(to), proc, j);
	if (s[j].obj == s[i].obj)	/* same inode: rename is a no-op */
		return;
	if (rename(from, to))
		fail(proc, "rename", from);
	put_object(s[j].obj);
	s[j].obj = s[i].obj;
	s[i].obj = NULL;
}

static void do_link(int proc, struct slot *s, int i, int j)
{
	char from[4096], to[4096];

	if (!s[i].obj || s[j].obj)
		return;
	slot_path(from, sizeof(from), proc, i);
	slot_path(to, sizeof(to), proc, j);
	if (link(from, to))
		fail(proc, "link", from);
	s[j].obj = s[i].obj;
	s[j].obj->links++;
}

static int run_proc(int proc, unsigned long ops, uint64_t seed,
		    const char *model)
{
	static struct slot s[NAMES];
	char path[4096], mpath[4096];
	unsigned long n;
	FILE *f;
	int i;

	rng = seed | 1;
	for (n = 0; n < ops; n++) {
		int a = rnd() % NAMES, b = rnd() % NAMES;

		switch (rnd() % 10) {
		case 0: case 1: case 2:
			do_write(proc, s, a, false);
			break;
		case 3: case 4:
			do_write(proc, s, a, true);
			break;
		case 5: case 6:
			do_rename(proc, s, a, b);
			break;
		case 7:
			do_link(proc, s, a, b);
			break;
		default:
			do_unlink(proc, s, a);
			break;
		}
	}
	snprintf(mpath, sizeof(mpath), "%s.%d", model, proc);
	f = fopen(mpath, "w");
	if (!f)
		fail(proc, "fopen", mpath);
	for (i = 0; i < NAMES; i++) {
		if (!s[i].obj)
			continue;
		slot_path(path, sizeof(path), proc, i);
		fprintf(f, "%s %zu %08x\n", path + strlen(top) + 1,
			s[i].obj->len, crc32(s[i].obj->data, s[i].obj->len));
	}
	return fclose(f) ? 1 : 0;
}

static int run(const char *model, int nproc, unsigned long ops,
	       uint64_t seed)
{
	char path[4096];
	int i, status, bad = 0;
	FILE *out;

	printf("fsstress: seed %llu, %d processes, %lu ops each\n",
	       (unsigned long long)seed, nproc, ops);
	fflush(stdout);
	for (i = 0; i < NDIRS; i++) {
		snprintf(path, sizeof(path), "%s/d%d", top, i);
		if (mkdir(path, 0755) && errno != EEXIST)
			fail(-1, "mkdir", path);
	}
	for (i = 0; i < nproc; i++)
		if (fork() == 0)
			_exit(run_proc(i, ops, seed + i, model));
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad++;

	out = fopen(model, "w");
	for (i = 0; out && i < nproc; i++) {
		char line[8192];
		FILE *f;

		snprintf(path, sizeof(path), "%s.%d", model, i);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			fputs(line, out);
		if (f)
			fclose(f);
		unlink(path);
	}
	if (!out || fclose(out))
		bad++;
	return bad ? 1 : 0;
}

static int verify(const char *model)
{
	char line[8192], rel[4096], path[8192];
	static unsigned char buf[MAX_DATA + 1];
	int expected = 0, found = 0, bad = 0, i;
	FILE *f = fopen(model, "r");

	if (!f) {
		perror(model);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len;
		unsigned int crc;
		ssize_t got;
		int fd;

		if (sscanf(line, "%4095s %zu %x", rel, &len, &crc) != 3)
			continue;
		expected++;
		snprintf(path, sizeof(path), "%s/%s", top, rel);
		fd = open(path, O_RDONLY);
		got = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
		if (fd >= 0)
			close(fd);
		if (got != (ssize_t)len || crc32(buf, len) != crc) {
			fprintf(stderr, "fsstress: %s: expected %zu bytes crc %08x, got %zd\n",
				rel, len, crc, got);
			bad++;
		}
	}
	fclose(f);

	/* Nothing else may exist: count every entry of the directories. */
	for (i = 0; i < NDIRS; i++) {
		struct dirent *de;
		DIR *d;

		snprintf(path, sizeof(path), "%s/d%d", top, i);
		d = opendir(path);
		if (!d) {
			bad++;
			continue;
		}
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				found++;
		closedir(d);
	}
	if (found != expected) {
		fprintf(stderr, "fsstress: %d names on disk, %d in the model\n",
			found, expected);
		bad++;
	}
	printf("fsstress: verified %d files\n", expected);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "run")) {
		top = argv[2];
		return run(argv[6], atoi(argv[3]), strtoul(argv[4], NULL, 0),
			   strtoull(argv[5], NULL, 0));
	}
	if (argc == 4 && !strcmp(argv[1], "verify")) {
		top = argv[2];
		return verify(argv[3]);
	}
	fprintf(stderr, "usage: fsstress run DIR NPROC NOPS SEED MODEL\n"
			"       fsstress verify DIR MODEL\n");
	return 2;
}
