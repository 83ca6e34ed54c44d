// SPDX-License-Identifier: GPL-2.0
/*
 * odirect.c - O_DIRECT checks, run in a VM guest by tests/dio/guest.sh.
 *
 * usage: odirect CHECK FILE
 *
 * Each CHECK exercises one rule of direct I/O on FILE (created or
 * replaced) and exits 0 if the rule holds, 1 with a message if not:
 *   aligned     direct reads and overwrites of aligned buffers, read back
 *               both direct and through the page cache
 *   misaligned  a misaligned buffer, offset or length gives EINVAL
 *   coherent    a buffered write still in the page cache is seen by a
 *               direct read; a direct write is seen by a buffered read of
 *               a page that was cached before it
 *   hole        a hole reads as zeros; a direct write into a hole lands
 *   eof         a direct write past EOF extends the file, the gap is zeros
 *   prealloc    direct writes into fallocated blocks, and past them
 *   same        the file reads the same direct and buffered (after a
 *               remount: the data survived)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define ALIGN	4096
#define MIB	(1024 * 1024)

static const char *file;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", file);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void *abuf(size_t len)
{
	void *p;

	if (posix_memalign(&p, ALIGN, len + ALIGN))
		die("out of memory");
	return p;
}

/* The pattern byte at offset @off for @seed: differs between seeds. */
static unsigned char pat(off_t off, int seed)
{
	return (unsigned char)(off * 7 + seed * 13 + (off >> 12) + 1);
}

static void fill(unsigned char *buf, off_t off, size_t len, int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pat(off + i, seed);
}

/* Check @len bytes at @off against @seed, or zeros when @seed < 0. */
static void expect(const unsigned char *buf, off_t off, size_t len, int seed,
		   const char *what)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char want = seed < 0 ? 0 : pat(off + i, seed);

		if (buf[i] != want)
			die("%s: byte %lld is 0x%02x, want 0x%02x", what,
			    (long long)(off + i), buf[i], want);
	}
}

static int xopen(int flags)
{
	int fd = open(file, flags, 0644);

	if (fd < 0)
		die("open(%s): %s", flags & O_DIRECT ? "O_DIRECT" : "buffered",
		    strerror(errno));
	return fd;
}

static void xpwrite(int fd, const void *buf, size_t len, off_t off,
		    const char *what)
{
	ssize_t n = pwrite(fd, buf, len, off);

	if (n != (ssize_t)len)
		die("%s: pwrite(%zu at %lld) = %zd: %s", what, len,
		    (long long)off, n, n < 0 ? strerror(errno) : "short");
}

static void xpread(int fd, void *buf, size_t len, off_t off,
		   const char *what)
{
	ssize_t n = pread(fd, buf, len, off);

	if (n != (ssize_t)len)
		die("%s: pread(%zu at %lld) = %zd: %s", what, len,
		    (long long)off, n, n < 0 ? strerror(errno) : "short");
}

/* A fresh file of @size bytes of pattern @seed, on disk. */
static void make_file(off_t size, int seed)
{
	unsigned char *buf = abuf(MIB);
	int fd = xopen(O_RDWR | O_CREAT | O_TRUNC);
	off_t off;

	for (off = 0; off < size; off += MIB) {
		size_t len = size - off < MIB ? size - off : MIB;

		fill(buf, off, len, seed);
		xpwrite(fd, buf, len, off, "setup");
	}
	if (fsync(fd))
		die("fsync: %s", strerror(errno));
	close(fd);
	free(buf);
}

static void read_both(off_t off, size_t len, int seed, const char *what)
{
	unsigned char *buf = abuf(len);
	int fd;

	fd = xopen(O_RDONLY | O_DIRECT);
	memset(buf, 0xa5, len);
	xpread(fd, buf, len, off, what);
	expect(buf, off, len, seed, what);
	close(fd);
	fd = xopen(O_RDONLY);
	memset(buf, 0xa5, len);
	xpread(fd, buf, len, off, what);
	expect(buf, off, len, seed, what);
	close(fd);
	free(buf);
}

static void check_aligned(void)
{
	unsigned char *buf = abuf(4 * MIB);
	int fd;

	make_file(8 * MIB, 1);
	fd = xopen(O_RDWR | O_DIRECT);
	xpread(fd, buf, 4 * MIB, 2 * MIB, "direct read 4 MiB");
	expect(buf, 2 * MIB, 4 * MIB, 1, "direct read 4 MiB");
	xpread(fd, buf, 4096, 12288, "direct read 4 KiB");
	expect(buf, 12288, 4096, 1, "direct read 4 KiB");
	/* 512-byte granularity is the device's: allowed too */
	xpread(fd, buf, 512, 1536, "direct read 512 B");
	expect(buf, 1536, 512, 1, "direct read 512 B");
	fill(buf, MIB, 64 * 1024, 2);
	xpwrite(fd, buf, 64 * 1024, MIB, "direct overwrite");
	fill(buf, 7 * MIB, MIB, 2);
	xpwrite(fd, buf, MIB, 7 * MIB, "direct overwrite of the tail");
	close(fd);
	read_both(MIB, 64 * 1024, 2, "overwritten range");
	read_both(MIB + 64 * 1024, MIB, 1, "after the overwrite");
	read_both(7 * MIB, MIB, 2, "overwritten tail");
	free(buf);
}

static void einval(ssize_t n, const char *what)
{
	if (n >= 0 || errno != EINVAL)
		die("%s: got %zd (%s), want EINVAL", what, n,
		    n < 0 ? strerror(errno) : "success");
}

static void check_misaligned(void)
{
	unsigned char *buf = abuf(2 * ALIGN);
	int fd;

	make_file(MIB, 1);
	fd = xopen(O_RDWR | O_DIRECT);
	einval(pread(fd, buf + 1, ALIGN, 0), "read into buffer + 1");
	einval(pread(fd, buf, ALIGN, 1), "read at offset 1");
	einval(pread(fd, buf, 100, 0), "read of 100 bytes");
	fill(buf, 0, 2 * ALIGN, 9);
	einval(pwrite(fd, buf + 1, ALIGN, 0), "write from buffer + 1");
	einval(pwrite(fd, buf, ALIGN, 3), "write at offset 3");
	close(fd);
	/* Nothing was written by the refused writes. */
	read_both(0, MIB, 1, "after refused writes");
	free(buf);
}

static void check_coherent(void)
{
	unsigned char *buf = abuf(MIB), *map;
	int dfd, bfd;

	make_file(4 * MIB, 1);
	/* Dirty in the page cache, not yet written back. */
	bfd = xopen(O_RDWR);
	fill(buf, MIB, 8192, 3);
	xpwrite(bfd, buf, 8192, MIB, "buffered write");
	dfd = xopen(O_RDWR | O_DIRECT);
	memset(buf, 0, MIB);
	xpread(dfd, buf, 16384, MIB, "direct read of dirty pages");
	expect(buf, MIB, 8192, 3, "direct read of dirty pages");
	expect(buf + 8192, MIB + 8192, 8192, 1, "direct read past them");

	/* Cached, then overwritten direct: the cache must not go stale. */
	map = mmap(NULL, 4 * MIB, PROT_READ, MAP_SHARED, bfd, 0);
	if (map == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	expect(map + 2 * MIB, 2 * MIB, 4096, 1, "mapped before");
	xpread(bfd, buf, 65536, 2 * MIB, "buffered read before");
	fill(buf, 2 * MIB, 65536, 4);
	xpwrite(dfd, buf, 65536, 2 * MIB, "direct write over cached pages");
	memset(buf, 0, 65536);
	xpread(bfd, buf, 65536, 2 * MIB, "buffered read after");
	expect(buf, 2 * MIB, 65536, 4, "buffered read after direct write");
	expect(map + 2 * MIB, 2 * MIB, 65536, 4, "mapping after direct write");
	munmap(map, 4 * MIB);
	close(dfd);
	close(bfd);
	free(buf);
}

static void check_hole(void)
{
	unsigned char *buf = abuf(MIB);
	int fd;

	unlink(file);
	fd = xopen(O_RDWR | O_CREAT | O_DIRECT);
	if (ftruncate(fd, 4 * MIB))
		die("ftruncate: %s", strerror(errno));
	memset(buf, 0xa5, MIB);
	xpread(fd, buf, MIB, MIB, "direct read of a hole");
	expect(buf, MIB, MIB, -1, "direct read of a hole");
	fill(buf, 2 * MIB, 128 * 1024, 5);
	xpwrite(fd, buf, 128 * 1024, 2 * MIB, "direct write into a hole");
	close(fd);
	read_both(2 * MIB, 128 * 1024, 5, "written hole");
	read_both(2 * MIB + 128 * 1024, 4096, -1, "hole after it");
	read_both(0, MIB, -1, "hole before it");
	free(buf);
}

static void check_eof(void)
{
	unsigned char *buf = abuf(MIB);
	struct stat st;
	int fd;

	make_file(MIB, 1);
	fd = xopen(O_RDWR | O_DIRECT);
	fill(buf, 2 * MIB, 256 * 1024, 6);
	xpwrite(fd, buf, 256 * 1024, 2 * MIB, "direct write past EOF");
	if (fstat(fd, &st) || st.st_size != 2 * MIB + 256 * 1024)
		die("size %lld after write past EOF", (long long)st.st_size);
	/* Half over the end: the write straddles i_size. */
	fill(buf, 2 * MIB + 128 * 1024, 256 * 1024, 7);
	xpwrite(fd, buf, 256 * 1024, 2 * MIB + 128 * 1024, "straddling write");
	close(fd);
	read_both(0, MIB, 1, "before the old EOF");
	read_both(MIB, MIB, -1, "gap");
	read_both(2 * MIB, 128 * 1024, 6, "first write");
	read_both(2 * MIB + 128 * 1024, 256 * 1024, 7, "straddling write");
	if (stat(file, &st) || st.st_size != 2 * MIB + 384 * 1024)
		die("size %lld after straddling write", (long long)st.st_size);
	free(buf);
}

static void check_prealloc(void)
{
	unsigned char *buf = abuf(MIB);
	int fd;

	unlink(file);
	fd = xopen(O_RDWR | O_CREAT | O_DIRECT);
	if (fallocate(fd, 0, 0, 4 * MIB))
		die("fallocate: %s", strerror(errno));
	fill(buf, MIB, MIB, 8);
	xpwrite(fd, buf, MIB, MIB, "direct write into preallocated blocks");
	if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 4 * MIB, MIB))
		die("fallocate keep size: %s", strerror(errno));
	fill(buf, 4 * MIB, MIB, 8);
	xpwrite(fd, buf, MIB, 4 * MIB, "direct write past EOF, preallocated");
	close(fd);
	read_both(0, MIB, -1, "preallocated, unwritten");
	read_both(MIB, MIB, 8, "preallocated, written");
	read_both(2 * MIB, 2 * MIB, -1, "preallocated, unwritten tail");
	read_both(4 * MIB, MIB, 8, "written past the old size");
	free(buf);
}

static void check_same(void)
{
	unsigned char *a, *b;
	struct stat st;
	int dfd, bfd;
	off_t off;

	if (stat(file, &st))
		die("stat: %s", strerror(errno));
	a = abuf(MIB);
	b = abuf(MIB);
	dfd = xopen(O_RDONLY | O_DIRECT);
	bfd = xopen(O_RDONLY);
	for (off = 0; off < st.st_size; off += MIB) {
		size_t len = st.st_size - off < MIB ? st.st_size - off : MIB;
		ssize_t n = pread(dfd, a, MIB, off);

		if (n != (ssize_t)len)
			die("direct pread at %lld = %zd", (long long)off, n);
		xpread(bfd, b, len, off, "buffered");
		if (memcmp(a, b, len))
			die("direct and buffered differ in [%lld, +%zu)",
			    (long long)off, len);
	}
	close(dfd);
	close(bfd);
	free(a);
	free(b);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} checks[] = {
		{ "aligned", check_aligned },
		{ "misaligned", check_misaligned },
		{ "coherent", check_coherent },
		{ "hole", check_hole },
		{ "eof", check_eof },
		{ "prealloc", check_prealloc },
		{ "same", check_same },
	};
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: odirect CHECK FILE\n");
		return 2;
	}
	file = argv[2];
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if (!strcmp(argv[1], checks[i].name)) {
			checks[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "odirect: unknown check %s\n", argv[1]);
	return 2;
}
