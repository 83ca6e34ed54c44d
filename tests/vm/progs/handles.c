// SPDX-License-Identifier: GPL-2.0
/*
 * handles DIR - file handles (name_to_handle_at/open_by_handle_at, what
 * nfsd uses) and FS_IOC_GETVERSION on the VexFS mounted at DIR.
 *
 * A handle must reopen its file, and a directory's handle must reconnect
 * after the caches are dropped; a handle whose file was deleted, whose
 * generation is wrong or whose inode number is garbage must give ESTALE
 * and nothing else: no corruption report, no read-only remount.  Needs
 * CAP_DAC_READ_SEARCH (the guest runs as root).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define FH_TYPE_INO64_GEN	0x81	/* {ino lo, ino hi, generation} */

static const char *dir;
static int mount_fd = -1;

static const char *p(const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

struct handle {
	struct file_handle fh;
	uint32_t words[16];
};

static int get_handle(const char *path, struct handle *h)
{
	int mnt_id;

	h->fh.handle_bytes = sizeof(h->words);
	return name_to_handle_at(AT_FDCWD, path, &h->fh, &mnt_id, 0);
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd >= 0) {
		CHECK(write(fd, "2", 1) == 1);
		close(fd);
	}
}

static void test_handle_reopens_file(void)
{
	struct handle h;
	char buf[8] = {};
	struct stat a, b;
	int fd, gen = -1;

	fd = open(p("file"), O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, "one", 3) == 3);
	CHECK(!fstat(fd, &a));
	CHECK_OK(ioctl(fd, FS_IOC_GETVERSION, &gen));
	close(fd);

	CHECK_OK(get_handle(p("file"), &h));
	CHECK(h.fh.handle_type == FH_TYPE_INO64_GEN);
	CHECK(h.fh.handle_bytes == 12);
	CHECK(h.words[0] == (uint32_t)a.st_ino && h.words[1] == a.st_ino >> 32);
	/* The generation in the handle is the one FS_IOC_GETVERSION gives. */
	CHECK(h.words[2] == (uint32_t)gen);

	drop_caches();
	fd = open_by_handle_at(mount_fd, &h.fh, O_RDONLY);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(read(fd, buf, sizeof(buf)) == 3 && !strcmp(buf, "one"));
		CHECK(!fstat(fd, &b) && b.st_ino == a.st_ino);
		close(fd);
	}
}

static void test_generations_differ(void)
{
	int a = 0, b = 0, fd1, fd2;

	fd1 = open(p("gen1"), O_CREAT | O_RDWR, 0644);
	fd2 = open(p("gen2"), O_CREAT | O_RDWR, 0644);
	CHECK(fd1 >= 0 && fd2 >= 0);
	CHECK_OK(ioctl(fd1, FS_IOC_GETVERSION, &a));
	CHECK_OK(ioctl(fd2, FS_IOC_GETVERSION, &b));
	/* Random 32-bit generations: equal by chance once in 2^32 runs. */
	CHECK(a != b);
	close(fd1);
	close(fd2);
	/* The generation is on disk: the same after the inode is reread. */
	drop_caches();
	fd1 = open(p("gen1"), O_RDONLY);
	b = 0;
	CHECK(fd1 >= 0 && !ioctl(fd1, FS_IOC_GETVERSION, &b) && a == b);
	close(fd1);
	unlink(p("gen1"));
	unlink(p("gen2"));
}

static void test_directory_handle_reconnects(void)
{
	struct handle h;
	struct stat a, b;
	int fd;

	CHECK_OK(mkdir(p("d1"), 0755));
	CHECK_OK(mkdir(p("d1/d2"), 0755));
	CHECK_OK(mkdir(p("d1/d2/d3"), 0755));
	CHECK(!stat(p("d1/d2/d3"), &a));
	CHECK_OK(get_handle(p("d1/d2/d3"), &h));
	drop_caches();
	fd = open_by_handle_at(mount_fd, &h.fh, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(!fstat(fd, &b) && b.st_ino == a.st_ino);
		/* Reconnected: ".." of the handle's directory is d2. */
		CHECK(!fstatat(fd, "..", &b, 0));
		CHECK(!stat(p("d1/d2"), &a) && a.st_ino == b.st_ino);
		close(fd);
	}
}

static void test_deleted_file_is_stale(void)
{
	struct handle h;
	int fd;

	fd = open(p("doomed"), O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	close(fd);
	CHECK_OK(get_handle(p("doomed"), &h));
	CHECK_OK(unlink(p("doomed")));
	drop_caches();
	CHECK_ERR(open_by_handle_at(mount_fd, &h.fh, O_RDONLY), ESTALE);
}

static void test_forged_handles_are_stale(void)
{
	struct handle h, forged;

	CHECK_OK(get_handle(p("file"), &h));
	drop_caches();

	forged = h;
	forged.words[2] ^= 1;				/* wrong generation */
	CHECK_ERR(open_by_handle_at(mount_fd, &forged.fh, O_RDONLY), ESTALE);

	forged = h;
	forged.words[0] = 0xfffffff0;			/* past the table */
	forged.words[1] = 0x7fffffff;
	CHECK_ERR(open_by_handle_at(mount_fd, &forged.fh, O_RDONLY), ESTALE);

	forged = h;
	forged.words[0] = 1;				/* the bad-blocks ino */
	forged.words[1] = 0;
	CHECK_ERR(open_by_handle_at(mount_fd, &forged.fh, O_RDONLY), ESTALE);

	forged = h;
	forged.words[0] = 3;				/* reserved, unused */
	CHECK_ERR(open_by_handle_at(mount_fd, &forged.fh, O_RDONLY), ESTALE);

	forged = h;
	forged.fh.handle_bytes = 4;			/* truncated */
	CHECK_ERR(open_by_handle_at(mount_fd, &forged.fh, O_RDONLY), ESTALE);

	/* None of that was corruption: the filesystem is still writable. */
	CHECK_OK(mkdir(p("still-writable"), 0755));
	CHECK_OK(rmdir(p("still-writable")));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: handles DIR\n");
		return 2;
	}
	dir = argv[1];
	mount_fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (mount_fd < 0) {
		perror(dir);
		return 2;
	}
	RUN_TEST("handles/", test_handle_reopens_file);
	RUN_TEST("handles/", test_generations_differ);
	RUN_TEST("handles/", test_directory_handle_reconnects);
	RUN_TEST("handles/", test_deleted_file_is_stale);
	RUN_TEST("handles/", test_forged_handles_are_stale);
	return tests_failed ? 1 : 0;
}
