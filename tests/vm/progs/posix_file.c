// SPDX-License-Identifier: GPL-2.0
/*
 * posix_file.c - POSIX semantics of regular files, attributes, xattrs and
 * ACLs on a mounted VexFS, with exact assertions.
 *
 * usage: posix_file DIR    (DIR on the filesystem under test; run as root)
 *
 * Tests that need another user fork and drop to uid/gid 1000 or 1001.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/falloc.h>

#include "check.h"

static char dir[4096];

static const char *p(const char *name)
{
	static char buf[8][4200];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static int make_file(const char *name, const void *data, size_t len)
{
	int fd = open(p(name), O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0 && len && write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return fd;
}

static uint64_t free_blocks(void)
{
	struct statfs st;

	sync();
	if (statfs(dir, &st))
		return 0;
	return st.f_bfree;
}

/* Run @fn as @uid/@gid in a child; returns its exit status. */
static int as_user(uid_t uid, gid_t gid, int (*fn)(void))
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
		    setresuid(uid, uid, uid))
			_exit(99);
		_exit(fn());
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 98;
}

static void test_read_write(void)
{
	char buf[64] = {};
	int fd = make_file("rw", "hello world", 11);

	CHECK(fd >= 0);
	CHECK(pread(fd, buf, sizeof(buf), 0) == 11);
	CHECK(!memcmp(buf, "hello world", 11));
	CHECK(pwrite(fd, "W", 1, 6) == 1);
	CHECK(pread(fd, buf, 11, 0) == 11 && !memcmp(buf, "hello World", 11));
	CHECK(pread(fd, buf, 10, 11) == 0);	/* at EOF */
	CHECK(pread(fd, buf, 10, 1000) == 0);	/* past EOF */
	close(fd);

	fd = open(p("rw"), O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(write(fd, "!", 1) == 1);		/* O_APPEND wins */
	close(fd);
	fd = open(p("rw"), O_RDONLY);
	CHECK(read(fd, buf, sizeof(buf)) == 12 && buf[11] == '!');
	close(fd);
	CHECK_OK(unlink(p("rw")));
}

static void test_sparse(void)
{
	static char zero[4096], buf[4096];
	const off_t big = 8LL << 30;	/* 8 GiB */
	struct stat st;
	int fd = make_file("sparse", NULL, 0);

	CHECK(pwrite(fd, "end", 3, big - 3) == 3);
	CHECK(!fstat(fd, &st) && st.st_size == big);
	/* One 4 KiB block of data (and maybe one extent block). */
	CHECK(st.st_blocks > 0 && st.st_blocks <= 16);
	CHECK(pread(fd, buf, sizeof(buf), 1 << 20) == sizeof(buf));
	CHECK(!memcmp(buf, zero, sizeof(buf)));
	CHECK(pread(fd, buf, sizeof(buf), big - 4096) == 4096);
	CHECK(!memcmp(buf, zero, 4093) && !memcmp(buf + 4093, "end", 3));
	close(fd);
	CHECK_OK(unlink(p("sparse")));
}

static void test_truncate(void)
{
	static char data[1 << 20], buf[8192];
	uint64_t before, after_write, after_trunc;
	struct stat st;
	int fd;

	memset(data, 'x', sizeof(data));
	before = free_blocks();
	fd = make_file("trunc", data, sizeof(data));
	CHECK(fd >= 0);
	CHECK_OK(fsync(fd));
	after_write = free_blocks();
	CHECK(before - after_write >= 256);	/* 1 MiB of 4 KiB blocks */

	CHECK_OK(ftruncate(fd, 5000));		/* down, mid-block */
	after_trunc = free_blocks();
	CHECK(after_trunc - after_write >= 254);
	CHECK(!fstat(fd, &st) && st.st_size == 5000);

	CHECK_OK(ftruncate(fd, 10000));		/* up: the tail reads 0 */
	CHECK(pread(fd, buf, sizeof(buf), 4096) == 5904);
	CHECK(buf[5000 - 4096 - 1] == 'x' && buf[5000 - 4096] == 0 &&
	      buf[5903] == 0);
	CHECK_OK(ftruncate(fd, 0));
	CHECK(!fstat(fd, &st) && st.st_size == 0 && st.st_blocks == 0);
	close(fd);
	CHECK_OK(unlink(p("trunc")));
	CHECK(free_blocks() == before);
}

static void test_mmap_shared(void)
{
	char buf[8192];
	char *map;
	int fd = make_file("mmap", NULL, 0);

	CHECK_OK(ftruncate(fd, 8192));
	map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED);
	if (map == MAP_FAILED)
		return;
	memcpy(map + 100, "mapped", 6);
	memcpy(map + 5000, "second page", 11);
	CHECK_OK(msync(map, 8192, MS_SYNC));
	CHECK(pread(fd, buf, sizeof(buf), 0) == 8192);
	CHECK(!memcmp(buf + 100, "mapped", 6));
	CHECK(!memcmp(buf + 5000, "second page", 11));
	CHECK(pwrite(fd, "WRITE", 5, 200) == 5);
	CHECK(!memcmp(map + 200, "WRITE", 5));
	munmap(map, 8192);
	close(fd);

	/* After the cache is dropped the data comes from disk. */
	fd = open(p("mmap"), O_RDONLY);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	CHECK(pread(fd, buf, sizeof(buf), 0) == 8192);
	CHECK(!memcmp(buf + 100, "mapped", 6) && !memcmp(buf + 200, "WRITE", 5));
	close(fd);
	CHECK_OK(unlink(p("mmap")));
}

static void test_sync_calls(void)
{
	int fd = make_file("sync", "data", 4);

	CHECK_OK(fsync(fd));
	CHECK_OK(fdatasync(fd));
	CHECK_OK(syncfs(fd));
	close(fd);
	CHECK_OK(unlink(p("sync")));
}

static void test_fallocate(void)
{
	char buf[4096], zero[4096] = {};
	struct stat st;
	int fd = make_file("falloc", NULL, 0);

	CHECK_OK(fallocate(fd, 0, 0, 1 << 20));
	CHECK(!fstat(fd, &st) && st.st_size == 1 << 20);
	CHECK(st.st_blocks >= (1 << 20) / 512);
	CHECK(pread(fd, buf, sizeof(buf), 12345) == sizeof(buf));
	CHECK(!memcmp(buf, zero, sizeof(buf)));

	CHECK_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 1 << 20, 1 << 20));
	CHECK(!fstat(fd, &st) && st.st_size == 1 << 20);
	CHECK(st.st_blocks >= (2 << 20) / 512);

	/* Punch and zero range in depth: tests/vm/guest/punch.sh. */
	CHECK_OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			   0, 4096));
	CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096), EOPNOTSUPP);
	CHECK_OK(fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 4096));
	CHECK(pread(fd, buf, sizeof(buf), 0) == sizeof(buf));
	CHECK(!memcmp(buf, zero, sizeof(buf)));
	CHECK_ERR(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 4096), EOPNOTSUPP);
	CHECK_ERR(fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, 4096), EOPNOTSUPP);
	close(fd);
	CHECK_OK(unlink(p("falloc")));
}

static void test_max_file_size(void)
{
	const off_t max = 1LL << 44;	/* 2^32 blocks of 4 KiB: 16 TiB */
	int fd = make_file("huge", NULL, 0);

	CHECK_OK(ftruncate(fd, max));
	CHECK_ERR(ftruncate(fd, max + 1), EFBIG);
	CHECK_ERR(pwrite(fd, "x", 1, max), EFBIG);
	CHECK(pwrite(fd, "x", 1, max - 1) == 1);
	close(fd);
	CHECK_OK(unlink(p("huge")));
}

static void test_times(void)
{
	struct timespec ts[2] = {
		{ .tv_sec = 1000000000, .tv_nsec = 123456789 },
		{ .tv_sec = 1234567890, .tv_nsec = 987654321 },
	};
	struct statx sx;
	struct stat st1, st2;
	int fd = make_file("times", "x", 1);

	CHECK_OK(utimensat(AT_FDCWD, p("times"), ts, 0));
	CHECK(!stat(p("times"), &st1));
	CHECK(st1.st_atim.tv_sec == ts[0].tv_sec &&
	      st1.st_atim.tv_nsec == ts[0].tv_nsec);
	CHECK(st1.st_mtim.tv_sec == ts[1].tv_sec &&
	      st1.st_mtim.tv_nsec == ts[1].tv_nsec);

	CHECK(!statx(AT_FDCWD, p("times"), 0, STATX_BTIME, &sx));
	CHECK(sx.stx_mask & STATX_BTIME);
	CHECK(sx.stx_btime.tv_sec > 1600000000);	/* creation, not utime */

	usleep(20000);
	CHECK(write(fd, "y", 1) == 1);
	CHECK(!fstat(fd, &st2));
	CHECK(st2.st_mtim.tv_sec > st1.st_mtim.tv_sec);
	CHECK(st2.st_ctim.tv_sec >= st1.st_ctim.tv_sec);
	usleep(20000);
	CHECK_OK(fchmod(fd, 0600));
	CHECK(!fstat(fd, &st1));
	CHECK(st1.st_ctim.tv_sec > st2.st_ctim.tv_sec ||
	      (st1.st_ctim.tv_sec == st2.st_ctim.tv_sec &&
	       st1.st_ctim.tv_nsec > st2.st_ctim.tv_nsec));
	close(fd);
	CHECK_OK(unlink(p("times")));
}

static void test_ino_generation_stable(void)
{
	struct stat a, b;
	int fd = make_file("ino", "x", 1);

	CHECK(!fstat(fd, &a));
	close(fd);
	CHECK(!stat(p("ino"), &b));
	CHECK(a.st_ino == b.st_ino && a.st_ino >= 16);
	CHECK_OK(unlink(p("ino")));
}

static int write_as_other(void)
{
	int fd = open(p("suid"), O_WRONLY);

	if (fd < 0)
		return 1;
	if (write(fd, "z", 1) != 1)
		return 2;
	close(fd);
	return 0;
}

static void test_chmod_chown_suid(void)
{
	struct stat st;
	int fd = make_file("suid", "x", 1);

	CHECK_OK(fchmod(fd, 06755));
	CHECK(!fstat(fd, &st) && (st.st_mode & 07777) == 06755);
	CHECK_OK(fchown(fd, 1000, 1000));
	CHECK(!fstat(fd, &st) && st.st_uid == 1000 && st.st_gid == 1000);
	/* chown of an executable clears set-user-ID and set-group-ID. */
	CHECK((st.st_mode & 07777) == 0755);

	CHECK_OK(fchmod(fd, 04777));
	close(fd);
	/* A write by someone else clears set-user-ID. */
	CHECK(as_user(1001, 1001, write_as_other) == 0);
	CHECK(!stat(p("suid"), &st) && !(st.st_mode & S_ISUID));
	CHECK_OK(unlink(p("suid")));
}

static int open_private(void)
{
	return open(p("private"), O_RDONLY) < 0 && errno == EACCES ? 0 : 1;
}

static int create_in_root_dir(void)
{
	return open(p("rootdir/new"), O_CREAT | O_WRONLY, 0644) < 0 &&
	       errno == EACCES ? 0 : 1;
}

static void test_eacces(void)
{
	int fd = make_file("private", "secret", 6);

	CHECK_OK(fchmod(fd, 0600));
	close(fd);
	CHECK(as_user(1000, 1000, open_private) == 0);
	CHECK_OK(mkdir(p("rootdir"), 0755));
	CHECK(as_user(1000, 1000, create_in_root_dir) == 0);
	CHECK_OK(rmdir(p("rootdir")));
	CHECK_OK(unlink(p("private")));
}

static void test_xattrs(void)
{
	static char big[65537], got[65537];
	char list[1024];
	ssize_t n;
	int i, fd = make_file("xattr", NULL, 0);

	CHECK_OK(fsetxattr(fd, "user.a", "1", 1, 0));
	CHECK_OK(fsetxattr(fd, "user.b", "22", 2, XATTR_CREATE));
	CHECK_ERR(fsetxattr(fd, "user.b", "x", 1, XATTR_CREATE), EEXIST);
	CHECK_ERR(fsetxattr(fd, "user.c", "x", 1, XATTR_REPLACE), ENODATA);
	CHECK_OK(fsetxattr(fd, "user.b", "333", 3, XATTR_REPLACE));
	CHECK(fgetxattr(fd, "user.b", got, sizeof(got)) == 3 &&
	      !memcmp(got, "333", 3));
	CHECK_ERR(fgetxattr(fd, "user.b", got, 1), ERANGE);
	CHECK_ERR(fgetxattr(fd, "user.none", got, sizeof(got)), ENODATA);
	CHECK_OK(fsetxattr(fd, "trusted.t", "t", 1, 0));
	CHECK_OK(fsetxattr(fd, "security.s", "s", 1, 0));

	n = flistxattr(fd, list, sizeof(list));
	CHECK(n == (ssize_t)(sizeof("user.a") + sizeof("user.b") +
			     sizeof("trusted.t") + sizeof("security.s")));

	/* A 64 KiB value is stored out of line and comes back intact. */
	for (i = 0; i < 65536; i++)
		big[i] = (char)(i * 7);
	CHECK_OK(fsetxattr(fd, "user.big", big, 65536, 0));
	CHECK(fgetxattr(fd, "user.big", got, sizeof(got)) == 65536);
	CHECK(!memcmp(big, got, 65536));
	big[0] ^= 1;
	CHECK_OK(fsetxattr(fd, "user.big", big, 65536, 0));
	CHECK(fgetxattr(fd, "user.big", got, sizeof(got)) == 65536);
	CHECK(!memcmp(big, got, 65536));
	CHECK_ERR(fsetxattr(fd, "user.toobig", big, 65537, 0), E2BIG);

	CHECK_OK(fremovexattr(fd, "user.a"));
	CHECK_ERR(fremovexattr(fd, "user.a"), ENODATA);
	CHECK_OK(fremovexattr(fd, "user.big"));
	close(fd);

	/* Survives dropping the inode from the cache. */
	fd = open(p("xattr"), O_RDONLY);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	CHECK(fgetxattr(fd, "user.b", got, sizeof(got)) == 3);
	close(fd);
	CHECK_OK(unlink(p("xattr")));
}

static void test_xattr_enospc(void)
{
	char name[64], value[200];
	int i, fd = make_file("xattr_full", NULL, 0), err = 0;

	memset(value, 'v', sizeof(value));
	/* One block holds only so many: the overflow is a clean ENOSPC. */
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "user.attr%04d", i);
		if (fsetxattr(fd, name, value, sizeof(value), 0)) {
			err = errno;
			break;
		}
	}
	CHECK(i > 10 && err == ENOSPC);
	CHECK(fgetxattr(fd, "user.attr0000", value, sizeof(value)) == 200);
	close(fd);
	CHECK_OK(unlink(p("xattr_full")));
}

/* The VFS's portable ACL xattr encoding. */
struct acl_entry { uint16_t tag, perm; uint32_t id; };
#define ACL_USER_OBJ	0x01
#define ACL_USER	0x02
#define ACL_GROUP_OBJ	0x04
#define ACL_MASK	0x10
#define ACL_OTHER	0x20

static size_t make_acl(char *buf, uint32_t user, uint16_t perm)
{
	struct acl_entry e[] = {
		{ ACL_USER_OBJ, 6, 0xffffffff },
		{ ACL_USER, perm, user },
		{ ACL_GROUP_OBJ, 0, 0xffffffff },
		{ ACL_MASK, perm, 0xffffffff },
		{ ACL_OTHER, 0, 0xffffffff },
	};
	uint32_t version = 2;

	memcpy(buf, &version, 4);
	memcpy(buf + 4, e, sizeof(e));
	return 4 + sizeof(e);
}

static int read_acl_file(void)
{
	char buf[8];
	int fd = open(p("acl"), O_RDONLY);

	return fd >= 0 && read(fd, buf, sizeof(buf)) == 6 ? 0 : 1;
}

static int read_inherited(void)
{
	return open(p("acldir/child"), O_RDONLY) >= 0 ? 0 : 1;
}

static void test_posix_acls(void)
{
	char acl[64], got[64];
	size_t len = make_acl(acl, 1000, 4);
	struct stat st;
	int fd = make_file("acl", "secret", 6);

	CHECK_OK(fchmod(fd, 0600));
	close(fd);
	CHECK(as_user(1000, 1000, read_acl_file) != 0);	/* no ACL: denied */
	CHECK_OK(setxattr(p("acl"), "system.posix_acl_access", acl, len, 0));
	CHECK(getxattr(p("acl"), "system.posix_acl_access", got,
		       sizeof(got)) == (ssize_t)len);
	CHECK(!stat(p("acl"), &st) && (st.st_mode & 0777) == 0640);
	CHECK(as_user(1000, 1000, read_acl_file) == 0);	/* ACL grants it */
	CHECK(as_user(1001, 1001, read_acl_file) != 0);	/* others still not */

	/* A default ACL on a directory is inherited by new files. */
	CHECK_OK(mkdir(p("acldir"), 0755));
	CHECK_OK(setxattr(p("acldir"), "system.posix_acl_default", acl, len, 0));
	/* The mask comes from the create mode's group bits: r here. */
	fd = open(p("acldir/child"), O_CREAT | O_WRONLY, 0640);
	CHECK(fd >= 0);
	close(fd);
	CHECK(getxattr(p("acldir/child"), "system.posix_acl_access", got,
		       sizeof(got)) > 0);
	CHECK(as_user(1000, 1000, read_inherited) == 0);

	CHECK_OK(removexattr(p("acl"), "system.posix_acl_access"));
	CHECK(as_user(1000, 1000, read_acl_file) != 0);
	CHECK_OK(unlink(p("acldir/child")));
	CHECK_OK(rmdir(p("acldir")));
	CHECK_OK(unlink(p("acl")));
}

static void test_umask_applies(void)
{
	struct stat st;
	mode_t old = umask(027);
	int fd = open(p("umask"), O_CREAT | O_WRONLY, 0666);

	umask(old);
	CHECK(fd >= 0 && !fstat(fd, &st) && (st.st_mode & 0777) == 0640);
	close(fd);
	CHECK_OK(unlink(p("umask")));
}

static void test_enospc_then_delete(void)
{
	static char chunk[1 << 20];
	uint64_t before = free_blocks();
	int fd = make_file("fill", NULL, 0), err = 0;
	ssize_t n;

	memset(chunk, 0xab, sizeof(chunk));
	for (;;) {
		n = write(fd, chunk, sizeof(chunk));
		if (n < (ssize_t)sizeof(chunk)) {
			err = n < 0 ? errno : 0;
			if (n >= 0 && write(fd, chunk, sizeof(chunk)) < 0)
				err = errno;
			break;
		}
	}
	CHECK(err == ENOSPC);
	CHECK(free_blocks() == 0);
	/* A full disk fails new metadata cleanly too. */
	CHECK_ERR(fallocate(fd, 0, 1LL << 40, 4096), ENOSPC);
	close(fd);
	CHECK_OK(unlink(p("fill")));
	CHECK(free_blocks() == before);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: posix_file DIR\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	umask(022);

	RUN_TEST("file/", test_read_write);
	RUN_TEST("file/", test_sparse);
	RUN_TEST("file/", test_truncate);
	RUN_TEST("file/", test_mmap_shared);
	RUN_TEST("file/", test_sync_calls);
	RUN_TEST("file/", test_fallocate);
	RUN_TEST("file/", test_max_file_size);
	RUN_TEST("file/", test_times);
	RUN_TEST("file/", test_ino_generation_stable);
	RUN_TEST("file/", test_chmod_chown_suid);
	RUN_TEST("file/", test_eacces);
	RUN_TEST("file/", test_umask_applies);
	RUN_TEST("file/", test_xattrs);
	RUN_TEST("file/", test_xattr_enospc);
	RUN_TEST("file/", test_posix_acls);
	RUN_TEST("file/", test_enospc_then_delete);
	return tests_failed ? 1 : 0;
}
