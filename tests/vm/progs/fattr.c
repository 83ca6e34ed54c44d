// SPDX-License-Identifier: GPL-2.0
/*
 * fattr - chattr flags and what they forbid, for tests/vm/guest/chattr.sh,
 * which runs each scenario on ext4 and on VexFS in the same guest and
 * compares the outputs line by line.
 *
 *   fattr get PATH              print FS_IOC_GETFLAGS as 0x%x
 *   fattr set PATH HEX          FS_IOC_SETFLAGS; print ok or the errno name
 *   fattr file DIR i|a          a file with +i or +a: every path that could
 *                               change it, one "name result" line each
 *   fattr dir DIR i|a           a directory with +i or +a: its entries
 *   fattr refuse DIR            what FS_IOC_SETFLAGS/FSSETXATTR refuse
 *
 * Results are "ok", an errno name (EPERM...) or SIGBUS.  Needs root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/falloc.h>
#include <linux/fs.h>

static const char *errname(int e)
{
	static char buf[32];

	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EBADF: return "EBADF";
	case ENODATA: return "ENODATA";
	case ENOTEMPTY: return "ENOTEMPTY";
	case EROFS: return "EROFS";
	}
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

/* Print one result: @rc < 0 means errno says why. */
static void res(const char *name, int rc)
{
	printf("%s %s\n", name, errname(rc < 0 ? errno : 0));
}

static int getflags(const char *path, unsigned int *flags)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK), rc;

	if (fd < 0)
		return -1;
	rc = ioctl(fd, FS_IOC_GETFLAGS, flags);
	close(fd);
	return rc;
}

static int setflags(const char *path, unsigned int flags)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK), rc, e;

	if (fd < 0)
		return -1;
	rc = ioctl(fd, FS_IOC_SETFLAGS, &flags);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

static int addflags(const char *path, unsigned int add)
{
	unsigned int fl;

	if (getflags(path, &fl))
		return -1;
	return setflags(path, fl | add);
}

/* The flags this test is about; a filesystem may add its own (ext4: e). */
#define USER_FL (FS_SYNC_FL | FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL | \
		 FS_NOATIME_FL | FS_DIRSYNC_FL | FS_PROJINHERIT_FL)

/* Set exactly @fl of USER_FL, keeping the filesystem's own flags. */
static int setuser(const char *path, unsigned int fl)
{
	unsigned int old;

	if (getflags(path, &old))
		return -1;
	return setflags(path, (old & ~USER_FL) | fl);
}

/* What chattr -X does: the flags read back, without @clr. */
static int clrflags(const char *path, unsigned int clr)
{
	unsigned int fl;

	if (getflags(path, &fl))
		return -1;
	return setflags(path, fl & ~clr);
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void mkfile(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, "hello\n", 6) != 6 || close(fd))
		die(path);
}

static int do_open(const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

static int append_byte(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND), rc;

	if (fd < 0)
		return -1;
	rc = write(fd, "x", 1) == 1 ? 0 : -1;
	close(fd);
	return rc;
}

/* Write through a shared mapping in a child: ok, SIGBUS or the errno. */
static void mmap_write(const char *name, int fd)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	pid_t pid;
	int st;

	if (p == MAP_FAILED) {
		res(name, -1);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		p[0] = 'H';
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		die("fork");
	if (WIFSIGNALED(st))
		printf("%s %s\n", name, WTERMSIG(st) == SIGBUS ? "SIGBUS" :
		       strsignal(WTERMSIG(st)));
	else
		printf("%s ok\n", name);
	munmap(p, 4096);
}

static void open_mmap_write(const char *name, const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0) {
		res(name, -1);
		return;
	}
	mmap_write(name, fd);
	close(fd);
}

/*
 * One file with +@flag, and a descriptor opened for writing before the
 * flag was set (the paths the VFS cannot check at open time).
 */
static int file_scenario(const char *dir, unsigned int flag)
{
	char f[4096], g[4096];
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	int fd, wfd;

	snprintf(f, sizeof(f), "%s/f", dir);
	mkfile(f);
	if (setxattr(f, "user.pre", "1", 1, 0))
		die("setxattr user.pre");
	fd = open(f, O_RDWR);
	wfd = open(f, O_WRONLY | O_APPEND);
	if (fd < 0 || wfd < 0)
		die("open f");
	if (addflags(f, flag))
		die("set flag");

	res("open_rdonly", do_open(f, O_RDONLY));
	res("open_wronly", do_open(f, O_WRONLY));
	res("open_rdwr", do_open(f, O_RDWR));
	res("open_append_write", append_byte(f));
	res("open_trunc", do_open(f, O_WRONLY | O_TRUNC));
	res("open_rdonly_trunc", do_open(f, O_RDONLY | O_TRUNC));
	res("write_preopened", write(fd, "y", 1) == 1 ? 0 : -1);
	res("pwrite_preopened", pwrite(fd, "y", 1, 0) == 1 ? 0 : -1);
	res("append_preopened", write(wfd, "z", 1) == 1 ? 0 : -1);
	res("truncate", truncate(f, 1));
	res("ftruncate_preopened", ftruncate(fd, 2));
	res("chmod", chmod(f, 0600));
	res("chown", chown(f, 0, 0));
	res("utimes_set", utimensat(AT_FDCWD, f, ts, 0));
	res("utimes_now", utimensat(AT_FDCWD, f, NULL, 0));
	res("setxattr", setxattr(f, "user.new", "v", 1, 0));
	res("removexattr", removexattr(f, "user.pre"));
	res("fallocate_preopened", fallocate(fd, 0, 0, 8192));
	res("fallocate_append_fd", fallocate(wfd, 0, 0, 8192));
	res("fallocate_keep_size", fallocate(wfd, FALLOC_FL_KEEP_SIZE, 0,
					      8192));
	res("fallocate_punch", fallocate(fd, FALLOC_FL_PUNCH_HOLE |
					 FALLOC_FL_KEEP_SIZE, 0, 1));
	open_mmap_write("mmap_shared_rdwr", f, O_RDWR);
	open_mmap_write("mmap_shared_rdwr_append", f, O_RDWR | O_APPEND);
	mmap_write("mmap_shared_preopened", fd);
	snprintf(g, sizeof(g), "%s/f.renamed", dir);
	res("rename", rename(f, g));
	if (!access(g, F_OK) && rename(g, f))
		die("rename back");
	snprintf(g, sizeof(g), "%s/f.link", dir);
	res("link", link(f, g));
	if (!access(g, F_OK))
		unlink(g);
	snprintf(g, sizeof(g), "%s/other", dir);
	mkfile(g);
	res("rename_over", rename(g, f));
	unlink(g);
	res("unlink", unlink(f));
	res("clear_flag", clrflags(f, flag));
	close(fd);
	close(wfd);
	unlink(f);
	return 0;
}

/* A directory with +@flag holding one file: what may happen inside. */
static int dir_scenario(const char *dir, unsigned int flag)
{
	char d[4096], p[4096], q[4096];

	snprintf(d, sizeof(d), "%s/d", dir);
	if (mkdir(d, 0755))
		die("mkdir d");
	snprintf(p, sizeof(p), "%s/d/old", dir);
	mkfile(p);
	snprintf(p, sizeof(p), "%s/d/sub", dir);
	if (mkdir(p, 0755))
		die("mkdir d/sub");
	if (addflags(d, flag))
		die("set flag");

	snprintf(p, sizeof(p), "%s/d/new", dir);
	res("create", do_open(p, O_WRONLY | O_CREAT | O_EXCL));
	snprintf(p, sizeof(p), "%s/d/newdir", dir);
	res("mkdir", mkdir(p, 0755));
	snprintf(p, sizeof(p), "%s/d/sym", dir);
	res("symlink", symlink("old", p));
	snprintf(p, sizeof(p), "%s/d/old", dir);
	snprintf(q, sizeof(q), "%s/d/hard", dir);
	res("link_inside", link(p, q));
	res("write_old", append_byte(p));
	res("open_trunc_old", do_open(p, O_WRONLY | O_TRUNC));
	res("unlink_old", unlink(p));
	snprintf(q, sizeof(q), "%s/d/old2", dir);
	res("rename_inside", rename(p, q));
	snprintf(q, sizeof(q), "%s/moved", dir);
	res("rename_out", rename(p, q));
	snprintf(p, sizeof(p), "%s/outside", dir);
	mkfile(p);
	snprintf(q, sizeof(q), "%s/d/moved_in", dir);
	res("rename_in", rename(p, q));
	snprintf(p, sizeof(p), "%s/d/sub", dir);
	res("rmdir_sub", rmdir(p));
	res("chmod_dir", chmod(d, 0700));
	res("setxattr_dir", setxattr(d, "user.x", "1", 1, 0));
	res("rmdir_dir", rmdir(d));
	res("clear_flag", clrflags(d, flag));
	return 0;
}

/* Drop CAP_LINUX_IMMUTABLE from the effective set (root stays owner). */
static void drop_linux_immutable(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		die("capget");
	d[CAP_LINUX_IMMUTABLE / 32].effective &=
		~(1U << (CAP_LINUX_IMMUTABLE % 32));
	if (syscall(SYS_capset, &h, d))
		die("capset");
}

static int fsx_set(const char *path, unsigned int xflags, unsigned int projid,
		   unsigned int extsize)
{
	struct fsxattr fa;
	int fd = open(path, O_RDONLY), rc, e;

	if (fd < 0)
		return -1;
	rc = ioctl(fd, FS_IOC_FSGETXATTR, &fa);
	if (!rc) {
		fa.fsx_xflags = xflags;
		fa.fsx_projid = projid;
		fa.fsx_extsize = extsize;
		rc = ioctl(fd, FS_IOC_FSSETXATTR, &fa);
	}
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

static void print_fsx(const char *name, const char *path)
{
	struct fsxattr fa;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || ioctl(fd, FS_IOC_FSGETXATTR, &fa)) {
		res(name, -1);
	} else {
		printf("%s xflags=0x%x projid=%u extsize=%u\n", name,
		       fa.fsx_xflags, fa.fsx_projid, fa.fsx_extsize);
	}
	if (fd >= 0)
		close(fd);
}

static void print_flags(const char *name, const char *path)
{
	unsigned int fl;

	if (getflags(path, &fl))
		res(name, -1);
	else	/* ext4's own: extents, huge file, inline data, ... */
		printf("%s 0x%x\n", name, fl & USER_FL);
}

/* What the flag interfaces refuse, and the fsxattr view of the flags. */
static int refuse_scenario(const char *dir)
{
	char f[4096], d[4096];
	unsigned int fl;

	snprintf(f, sizeof(f), "%s/r", dir);
	snprintf(d, sizeof(d), "%s/rd", dir);
	mkfile(f);
	if (mkdir(d, 0755))
		die("mkdir rd");
	if (getflags(f, &fl))
		die("getflags");
	res("nocow_file", setflags(f, fl | FS_NOCOW_FL));
	res("dirsync_file", setflags(f, fl | FS_DIRSYNC_FL));
	res("projinherit_file", setflags(f, fl | FS_PROJINHERIT_FL));
	res("dirsync_dir", addflags(d, FS_DIRSYNC_FL));
	res("projinherit_dir", addflags(d, FS_PROJINHERIT_FL));
	print_flags("dir_flags", d);
	res("fsx_projid", fsx_set(f, 0, 7, 0));
	res("fsx_extsize", fsx_set(f, FS_XFLAG_EXTSIZE, 0, 65536));
	res("fsx_realtime", fsx_set(f, FS_XFLAG_REALTIME, 0, 0));
	res("fsx_noatime_nodump", fsx_set(f, FS_XFLAG_NOATIME |
					  FS_XFLAG_NODUMP, 0, 0));
	print_flags("flags_after_fsx", f);
	print_fsx("fsx_after_fsx", f);
	res("fsx_dir_keeps_dirsync", fsx_set(d, FS_XFLAG_SYNC, 0, 0));
	print_flags("dir_flags_after_fsx", d);
	res("setflags_sync", setuser(f, FS_SYNC_FL));
	print_fsx("fsx_sync", f);

	fflush(stdout);
	if (fork() == 0) {
		drop_linux_immutable();
		res("nocap_set_i", addflags(f, FS_IMMUTABLE_FL));
		res("nocap_set_a", addflags(f, FS_APPEND_FL));
		res("nocap_fsx_i", fsx_set(f, FS_XFLAG_IMMUTABLE, 0, 0));
		res("nocap_set_A", addflags(f, FS_NOATIME_FL));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	if (setuser(f, FS_IMMUTABLE_FL))
		die("set i");
	fflush(stdout);
	if (fork() == 0) {
		drop_linux_immutable();
		res("nocap_clear_i", setuser(f, 0));
		res("nocap_keep_i_add_d", setuser(f, FS_IMMUTABLE_FL |
						   FS_NODUMP_FL));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	print_flags("flags_after_nocap", f);
	fflush(stdout);
	if (fork() == 0) {
		if (setuid(65534))
			die("setuid");
		res("nonowner_set_d", setuser(f, FS_IMMUTABLE_FL |
					       FS_NODUMP_FL));
		fflush(stdout);
		_exit(0);
	}
	wait(NULL);
	res("clear", clrflags(f, USER_FL));
	unlink(f);
	clrflags(d, USER_FL);
	rmdir(d);
	return 0;
}

static unsigned int flag_of(const char *s)
{
	if (!strcmp(s, "i"))
		return FS_IMMUTABLE_FL;
	if (!strcmp(s, "a"))
		return FS_APPEND_FL;
	fprintf(stderr, "fattr: flag must be i or a\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int fl;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "get")) {
		if (getflags(argv[2], &fl))
			die(argv[2]);
		printf("0x%x\n", fl);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "set")) {
		int rc = setflags(argv[2], strtoul(argv[3], NULL, 16));

		printf("%s\n", errname(rc ? errno : 0));
		return rc ? 1 : 0;
	}
	if (argc == 4 && !strcmp(argv[1], "file"))
		return file_scenario(argv[2], flag_of(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "dir"))
		return dir_scenario(argv[2], flag_of(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "refuse"))
		return refuse_scenario(argv[2]);
	fprintf(stderr, "usage: fattr get|set|file|dir|refuse ...\n");
	return 2;
}
