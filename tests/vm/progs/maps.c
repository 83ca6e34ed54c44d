// SPDX-License-Identifier: GPL-2.0
/*
 * maps - what a file's block map says, in a form two filesystems can be
 * compared by (tests/vm/guest/maps.sh runs it on VexFS and on ext4).
 *
 *   maps make FILE SIZE [OFF:LEN]...  create FILE of SIZE bytes with data
 *                                     (0x5a) only at the ranges given
 *   maps fiemap FILE [SYNC]           the FIEMAP extents, logical only:
 *                                     "OFF END FLAGS" per line, logically
 *                                     adjacent extents merged (physical
 *                                     placement differs between
 *                                     filesystems); FLAGS is "last" or "-"
 *   maps seek FILE                    SEEK_DATA and SEEK_HOLE from a set
 *                                     of offsets around every block
 *                                     boundary of interest and the size
 *   maps walk FILE                    the data ranges by SEEK_DATA/HOLE
 *   maps keepsize FILE OFF LEN        fallocate(FALLOC_FL_KEEP_SIZE)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int make(int argc, char **argv)
{
	static char buf[1 << 16];
	int fd, i;

	fd = open(argv[0], O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0)
		die(argv[0]);
	memset(buf, 0x5a, sizeof(buf));
	if (ftruncate(fd, strtoll(argv[1], NULL, 0)))
		die("ftruncate");
	for (i = 2; i < argc; i++) {
		long long off, len;
		char *colon = strchr(argv[i], ':');

		if (!colon)
			die("OFF:LEN");
		off = strtoll(argv[i], NULL, 0);
		len = strtoll(colon + 1, NULL, 0);
		while (len > 0) {
			size_t n = len < (long long)sizeof(buf) ? (size_t)len : sizeof(buf);
			ssize_t w = pwrite(fd, buf, n, off);

			if (w <= 0)
				die("pwrite");
			off += w;
			len -= w;
		}
	}
	if (close(fd))
		die("close");
	return 0;
}

static int fiemap(const char *path, int sync)
{
	unsigned int n = 512, i;
	struct fiemap *fm;
	uint64_t start = 0, end = 0, flags = 0;
	int fd, have = 0, lasts = 0;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	fm = calloc(1, sizeof(*fm) + n * sizeof(struct fiemap_extent));
	if (!fm)
		die("calloc");
	fm->fm_start = 0;
	fm->fm_length = FIEMAP_MAX_OFFSET;
	fm->fm_flags = sync ? FIEMAP_FLAG_SYNC : 0;
	fm->fm_extent_count = n;
	if (ioctl(fd, FS_IOC_FIEMAP, fm))
		die("FS_IOC_FIEMAP");
	for (i = 0; i < fm->fm_mapped_extents; i++) {
		struct fiemap_extent *e = &fm->fm_extents[i];
		uint64_t f = e->fe_flags & ~(uint64_t)FIEMAP_EXTENT_LAST;

		if (e->fe_flags & FIEMAP_EXTENT_LAST)
			lasts++;
		if (f)
			printf("unexpected flags %#llx at %llu\n",
			       (unsigned long long)f,
			       (unsigned long long)e->fe_logical);
		if (have && e->fe_logical == end) {
			end += e->fe_length;
			flags = e->fe_flags;
			continue;
		}
		if (have)
			printf("%llu %llu -\n", (unsigned long long)start,
			       (unsigned long long)end);
		start = e->fe_logical;
		end = start + e->fe_length;
		flags = e->fe_flags;
		have = 1;
	}
	if (have)
		printf("%llu %llu %s\n", (unsigned long long)start,
		       (unsigned long long)end,
		       flags & FIEMAP_EXTENT_LAST ? "last" : "-");
	if (lasts > 1)
		printf("%d extents flagged last\n", lasts);
	printf("extents %s\n", fm->fm_mapped_extents ? "some" : "none");
	return 0;
}

static void seek_one(int fd, long long off)
{
	long long d = lseek(fd, off, SEEK_DATA);
	int de = errno;
	long long h = lseek(fd, off, SEEK_HOLE);
	int he = errno;

	printf("%lld: data %lld%s hole %lld%s\n", off, d,
	       d < 0 ? (de == ENXIO ? " ENXIO" : " ERR") : "",
	       h, h < 0 ? (he == ENXIO ? " ENXIO" : " ERR") : "");
}

static int seek(const char *path)
{
	struct stat st;
	long long b, size;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die(path);
	size = st.st_size;
	seek_one(fd, -1);
	for (b = 0; b <= size + 8192; b += 4096) {
		seek_one(fd, b);
		seek_one(fd, b + 1);
		if (b)
			seek_one(fd, b - 1);
	}
	seek_one(fd, size - 1);
	seek_one(fd, size);
	seek_one(fd, size + 1);
	return 0;
}

static int walk(const char *path)
{
	long long pos = 0, d, h;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die(path);
	for (;;) {
		d = lseek(fd, pos, SEEK_DATA);
		if (d < 0) {
			printf("end %s\n", errno == ENXIO ? "ENXIO" : "ERR");
			return 0;
		}
		h = lseek(fd, d, SEEK_HOLE);
		if (h < 0)
			die("SEEK_HOLE");
		printf("data %lld %lld\n", d, h);
		pos = h;
	}
}

static int keepsize(char **argv)
{
	int fd = open(argv[0], O_WRONLY);

	if (fd < 0)
		die(argv[0]);
	if (fallocate(fd, FALLOC_FL_KEEP_SIZE, strtoll(argv[1], NULL, 0),
		      strtoll(argv[2], NULL, 0)))
		die("fallocate");
	return close(fd) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "make"))
		return make(argc - 2, argv + 2);
	if (argc >= 3 && !strcmp(argv[1], "fiemap"))
		return fiemap(argv[2], argc > 3);
	if (argc == 3 && !strcmp(argv[1], "seek"))
		return seek(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "walk"))
		return walk(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "keepsize"))
		return keepsize(argv + 2);
	fprintf(stderr, "usage: maps make|fiemap|seek|walk FILE ...\n");
	return 2;
}
