// SPDX-License-Identifier: GPL-2.0
/*
 * bigwrite.c - large buffered writes on VexFS (tests/bigwrite/guest.sh).
 *
 * Writes that extend a file by many blocks allocate them in batches
 * (src/file.c): these checks say what a caller must see whatever path a
 * write takes.  Each subcommand exits 0 on success and prints why not
 * otherwise.
 *
 *   bigwrite append FILE      many extending writes, odd sizes, read back
 *   bigwrite gap FILE         a large write far past EOF: the gap reads 0
 *   bigwrite short FILE       a write whose buffer faults midway returns a
 *                             short count and leaves no blocks past EOF
 *   bigwrite overwrite FILE   overwrites inside the file, read back
 *   bigwrite fill DIR         one write larger than the free space: a
 *                             short count or ENOSPC, no blocks past EOF,
 *                             and every block back after unlink
 *   bigwrite unlinked DIR     a large write to an open, unlinked file;
 *                             the space comes back at close
 *   bigwrite direct FILE      what a large write wrote reads the same
 *                             with O_DIRECT
 *   bigwrite verify FILE SEED SIZE   the pattern of SEED, SIZE bytes long
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define MIB	(1024 * 1024)

static int fail(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, errno ? strerror(errno) : "mismatch");
	return 1;
}

/* The byte at offset @off of the pattern @seed. */
static unsigned char pat(unsigned int seed, uint64_t off)
{
	uint64_t x = (off >> 3) * 0x9e3779b97f4a7c15ULL + seed;

	x ^= x >> 29;
	return (unsigned char)(x >> (8 * (off & 7)));
}

static void fill(unsigned char *buf, size_t len, unsigned int seed,
		 uint64_t off)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pat(seed, off + i);
}

/* Read [@off, @off + @len) of @path and compare with @seed (0: zeros). */
static int compare(const char *path, unsigned int seed, uint64_t off,
		   uint64_t len)
{
	static unsigned char buf[MIB];
	int fd = open(path, O_RDONLY);
	uint64_t done = 0;

	if (fd < 0)
		return fail("open for reading");
	while (done < len) {
		size_t n = len - done < MIB ? len - done : MIB, i;
		ssize_t r = pread(fd, buf, n, off + done);

		if (r != (ssize_t)n) {
			close(fd);
			errno = r < 0 ? errno : 0;
			return fail("short read");
		}
		for (i = 0; i < n; i++)
			if (buf[i] != (seed ? pat(seed, off + done + i) : 0)) {
				close(fd);
				fprintf(stderr, "byte %llu differs\n",
					(unsigned long long)(off + done + i));
				return 1;
			}
		done += n;
	}
	close(fd);
	return 0;
}

/* Are the allocated blocks of @fd no more than its size needs? */
static int no_blocks_past_eof(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return fail("fstat");
	/* st_blocks counts 512-byte units, extent tree blocks included. */
	if ((uint64_t)st.st_blocks * 512 >
	    ((uint64_t)st.st_size + st.st_blksize - 1) / st.st_blksize *
	    st.st_blksize + 4 * (uint64_t)st.st_blksize) {
		fprintf(stderr, "size %lld but %lld blocks of 512\n",
			(long long)st.st_size, (long long)st.st_blocks);
		return 1;
	}
	return 0;
}

static int cmd_append(const char *path)
{
	static const size_t sizes[] = { 3 * MIB + 17, 65536, 4095,
					9 * MIB + 4096, 131072 + 1, 1 };
	unsigned char *buf = malloc(10 * MIB);
	uint64_t off = 0;
	unsigned int i;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || !buf)
		return fail("open");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fill(buf, sizes[i], 7, off);
		if (write(fd, buf, sizes[i]) != (ssize_t)sizes[i])
			return fail("write");
		off += sizes[i];
	}
	if (fsync(fd) || no_blocks_past_eof(fd))
		return fail("fsync");
	close(fd);
	free(buf);
	printf("%llu\n", (unsigned long long)off);
	return compare(path, 7, 0, off);
}

static int cmd_gap(const char *path)
{
	unsigned char *buf = malloc(5 * MIB);
	uint64_t at = 64 * MIB + 512;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || !buf)
		return fail("open");
	if (write(fd, "head", 4) != 4)
		return fail("write head");
	fill(buf, 5 * MIB, 9, at);
	if (pwrite(fd, buf, 5 * MIB, at) != 5 * MIB)
		return fail("pwrite past EOF");
	close(fd);
	free(buf);
	return compare(path, 0, 4, at - 4) || compare(path, 9, at, 5 * MIB);
}

static int cmd_short(const char *path)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = 4 * MIB, hole = 2 * MIB + 3 * pg;
	unsigned char *buf;
	struct stat st;
	ssize_t w;
	int fd;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return fail("mmap");
	fill(buf, len, 11, 0);
	/* The write faults at @hole: it must stop there. */
	if (munmap(buf + hole, pg))
		return fail("munmap");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail("open");
	w = write(fd, buf, len);
	if (w < 0 || (size_t)w > hole) {
		fprintf(stderr, "write returned %zd, hole at %zu\n", w, hole);
		return 1;
	}
	if (fstat(fd, &st) || st.st_size != w) {
		fprintf(stderr, "size %lld after a write of %zd\n",
			(long long)st.st_size, w);
		return 1;
	}
	if (no_blocks_past_eof(fd))
		return 1;
	close(fd);
	return compare(path, 11, 0, w);
}

static int cmd_overwrite(const char *path)
{
	unsigned char *buf = malloc(8 * MIB);
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || !buf)
		return fail("open");
	fill(buf, 8 * MIB, 13, 0);
	if (write(fd, buf, 8 * MIB) != 8 * MIB)
		return fail("write");
	/* Overwrite an unaligned range inside, with another pattern. */
	fill(buf, 3 * MIB, 15, MIB + 100);
	if (pwrite(fd, buf, 3 * MIB, MIB + 100) != 3 * MIB)
		return fail("overwrite");
	if (fsync(fd))
		return fail("fsync");
	close(fd);
	free(buf);
	return compare(path, 13, 0, MIB + 100) ||
	       compare(path, 15, MIB + 100, 3 * MIB) ||
	       compare(path, 13, 4 * MIB + 100, 4 * MIB - 100);
}

static int cmd_fill(const char *dir)
{
	struct statfs before, full, after;
	char path[4096];
	unsigned char *buf;
	uint64_t want;
	struct stat st;
	ssize_t w;
	int fd;

	snprintf(path, sizeof(path), "%s/fill", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || fstatfs(fd, &before))
		return fail("open");
	want = (uint64_t)before.f_bfree * before.f_bsize + 16 * MIB;
	buf = malloc(want);
	if (!buf)
		return fail("malloc");
	fill(buf, want, 17, 0);
	w = write(fd, buf, want);
	if (w < 0 && errno != ENOSPC)
		return fail("write");
	if (w >= 0 && (uint64_t)w >= want) {
		fprintf(stderr, "a write larger than the free space fit\n");
		return 1;
	}
	if (fstat(fd, &st) || st.st_size != (w < 0 ? 0 : w)) {
		fprintf(stderr, "size %lld after a write of %zd\n",
			(long long)st.st_size, w);
		return 1;
	}
	if (no_blocks_past_eof(fd) || fsync(fd) || fstatfs(fd, &full))
		return fail("after the write");
	free(buf);
	/* The head and the tail of what was written. */
	if (w > 2 * MIB &&
	    (compare(path, 17, 0, MIB) || compare(path, 17, w - MIB, MIB)))
		return 1;
	if (unlink(path))
		return fail("unlink");
	close(fd);
	sync();
	if (statfs(dir, &after))
		return fail("statfs");
	if (after.f_bfree != before.f_bfree) {
		fprintf(stderr, "%llu free blocks before, %llu after\n",
			(unsigned long long)before.f_bfree,
			(unsigned long long)after.f_bfree);
		return 1;
	}
	printf("wrote %zd of %llu; free %llu -> %llu -> %llu\n", w,
	       (unsigned long long)want, (unsigned long long)before.f_bfree,
	       (unsigned long long)full.f_bfree,
	       (unsigned long long)after.f_bfree);
	return 0;
}

static int cmd_unlinked(const char *dir)
{
	struct statfs before, during, after;
	unsigned char *buf = malloc(16 * MIB);
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/unlinked", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (!buf || fd < 0 || unlink(path) || statfs(dir, &before))
		return fail("open, unlink");
	fill(buf, 16 * MIB, 19, 0);
	if (write(fd, buf, 16 * MIB) != 16 * MIB || fsync(fd) ||
	    statfs(dir, &during))
		return fail("write");
	if (before.f_bfree - during.f_bfree <
	    (uint64_t)(16 * MIB / before.f_bsize)) {
		fprintf(stderr, "16 MiB written but only %llu blocks used\n",
			(unsigned long long)(before.f_bfree - during.f_bfree));
		return 1;
	}
	close(fd);
	sync();
	if (statfs(dir, &after))
		return fail("statfs");
	if (after.f_bfree != before.f_bfree) {
		fprintf(stderr, "%llu free blocks before, %llu after close\n",
			(unsigned long long)before.f_bfree,
			(unsigned long long)after.f_bfree);
		return 1;
	}
	free(buf);
	return 0;
}

static int cmd_direct(const char *path)
{
	size_t len = 6 * MIB + 8192;
	unsigned char *buf = malloc(len), *dbuf;
	size_t i;
	int fd;

	if (!buf || posix_memalign((void **)&dbuf, 4096, len))
		return fail("malloc");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail("open");
	fill(buf, len, 21, 0);
	if (write(fd, buf, len) != (ssize_t)len)
		return fail("write");
	close(fd);
	/* No fsync: the direct read must write back the cached pages. */
	fd = open(path, O_RDONLY | O_DIRECT);
	if (fd < 0)
		return fail("open O_DIRECT");
	if (read(fd, dbuf, len) != (ssize_t)len)
		return fail("direct read");
	for (i = 0; i < len; i++)
		if (dbuf[i] != buf[i]) {
			fprintf(stderr, "byte %zu differs\n", i);
			return 1;
		}
	/* A direct read at EOF returns nothing. */
	if (pread(fd, dbuf, 4096, len) != 0)
		return fail("direct read at EOF");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "append"))
		return cmd_append(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "gap"))
		return cmd_gap(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "short"))
		return cmd_short(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "overwrite"))
		return cmd_overwrite(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "fill"))
		return cmd_fill(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "unlinked"))
		return cmd_unlinked(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "direct"))
		return cmd_direct(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "verify"))
		return compare(argv[2], strtoul(argv[3], NULL, 0), 0,
			       strtoull(argv[4], NULL, 0));
	fprintf(stderr, "usage: see the head of bigwrite.c\n");
	return 2;
}
