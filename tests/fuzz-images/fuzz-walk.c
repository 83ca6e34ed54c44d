// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-walk - walk a mounted (possibly corrupt) filesystem completely, then
 * change it.  Runs in the VM guest against each hostile image.
 *
 * usage: fuzz-walk MOUNTPOINT
 *        fuzz-walk populate MOUNTPOINT
 *        fuzz-walk list DIRECTORY
 *        fuzz-walk getxattr PATH NAME
 *
 * populate fills a fresh filesystem with one of everything the format
 * has, deterministically (see populate()), to be the base image that
 * vexfs-fuzz corrupts.
 *
 * Walk: every directory is listed, every name lstat'ed, every regular file
 * read to its end, every symlink read, every attribute listed and read.
 * Change: create and write a file, make a directory, rename, link,
 * symlink, set an attribute, truncate and delete some of what the walk
 * found.  Every call may fail with a clean error on a corrupt image; the
 * program counts the failures and prints "walk: N objects, E errors".
 *
 * It exits 0 unless the walk itself misbehaves in a way no filesystem may:
 * a directory that lists more names than any could hold (a readdir that
 * never ends), or a read that returns more than the file's size allows.
 * Device files and FIFOs are never opened (a FIFO open would block).
 */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define MAX_DEPTH	48
#define MAX_NAMES	200000	/* per directory: far above the base image */
#define MAX_PATHS	64

static unsigned long objects, errors, change_errors;
static bool changing;
static int bad;

/* Paths the change phase works on, gathered by the walk. */
static char *files[MAX_PATHS], *dirs[MAX_PATHS];
static int nfiles, ndirs;

/* Count a failed call; name the first few, for the log. */
#define err_count() err_note(__LINE__)
static void err_note(int line)
{
	unsigned long *n = changing ? &change_errors : &errors;

	if (++*n <= 3)
		printf("walk: %s error at line %d: %s\n",
		       changing ? "change" : "walk", line, strerror(errno));
}

static void remember(char **list, int *n, const char *path)
{
	if (*n < MAX_PATHS)
		list[(*n)++] = strdup(path);
}

static void walk_xattrs(const char *path)
{
	static char names[65536], value[65536];
	ssize_t len, off;

	len = llistxattr(path, names, sizeof(names));
	if (len < 0) {
		if (errno != ENOTSUP)
			err_count();
		return;
	}
	for (off = 0; off < len; off += strlen(names + off) + 1) {
		if (lgetxattr(path, names + off, value, sizeof(value)) < 0)
			err_count();
		if (names[len - 1] != '\0')
			break;
	}
}

/*
 * Read a file: its first 4 MiB, then its last 64 KiB, so that a corrupt
 * (or legitimately huge sparse) size does not turn the walk into hours
 * of reading holes.
 */
static void read_file(const char *path, const struct stat *st)
{
	static char buf[65536];
	long long total = 0, tail;
	ssize_t n = 0;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0) {
		err_count();
		return;
	}
	while (total < (4LL << 20) && (n = read(fd, buf, sizeof(buf))) > 0) {
		total += n;
		if (total > st->st_size + (long long)sizeof(buf)) {
			printf("walk: %s: read %lld bytes of a %lld-byte file\n",
			       path, total, (long long)st->st_size);
			bad = 1;
			break;
		}
	}
	if (n < 0)
		err_count();
	tail = st->st_size - (long long)sizeof(buf);
	if (tail > total && pread(fd, buf, sizeof(buf), tail) < 0)
		err_count();
	close(fd);
}

static void walk(const char *path, int depth)
{
	unsigned long names = 0;
	struct dirent *de;
	DIR *d;

	if (depth > MAX_DEPTH)
		return;
	d = opendir(path);
	if (!d) {
		err_count();
		return;
	}
	for (;;) {
		char sub[4096], link[4096];
		struct stat st;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				err_count();
			break;
		}
		if (++names > MAX_NAMES) {
			printf("walk: %s: readdir does not end\n", path);
			bad = 1;
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		objects++;
		if (lstat(sub, &st)) {
			err_count();
			continue;
		}
		walk_xattrs(sub);
		if (S_ISDIR(st.st_mode)) {
			remember(dirs, &ndirs, sub);
			walk(sub, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			remember(files, &nfiles, sub);
			read_file(sub, &st);
		} else if (S_ISLNK(st.st_mode)) {
			if (readlink(sub, link, sizeof(link)) < 0)
				err_count();
		}
	}
	closedir(d);
}

/* The change phase: each step may fail cleanly. */
static void change(const char *mnt)
{
	static char buf[20000];
	char p[4096], q[4096];
	int fd, i;

	memset(buf, 'z', sizeof(buf));
	snprintf(p, sizeof(p), "%s/fz_new", mnt);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, buf, sizeof(buf)) < 0 || fsync(fd))
			err_count();
		close(fd);
	} else {
		err_count();
	}
	snprintf(q, sizeof(q), "%s/fz_dir", mnt);
	if (mkdir(q, 0755))
		err_count();
	if (lsetxattr(p, "user.fz", "value", 5, 0))
		err_count();
	snprintf(q, sizeof(q), "%s/fz_link", mnt);
	if (link(p, q))
		err_count();
	snprintf(q, sizeof(q), "%s/fz_sym", mnt);
	if (symlink("fz_new", q))
		err_count();

	for (i = 0; i < nfiles && i < 12; i++) {
		snprintf(q, sizeof(q), "%s/fz_dir/m%d", mnt, i);
		switch (i % 4) {
		case 0:
			if (rename(files[i], q))
				err_count();
			break;
		case 1:
			if (unlink(files[i]))
				err_count();
			break;
		case 2:
			if (truncate(files[i], 100))
				err_count();
			if (lsetxattr(files[i], "user.more", buf, 3000, 0))
				err_count();
			break;
		default:
			fd = open(files[i], O_WRONLY | O_APPEND | O_NOFOLLOW);
			if (fd >= 0) {
				if (write(fd, buf, 5000) < 0)
					err_count();
				close(fd);
			} else {
				err_count();
			}
			break;
		}
	}
	/* Directories: move one, delete the others bottom-up where empty. */
	if (ndirs) {
		snprintf(q, sizeof(q), "%s/fz_dir/moved", mnt);
		if (rename(dirs[0], q))
			err_count();
	}
	for (i = ndirs - 1; i > 0 && i > ndirs - 6; i--)
		if (rmdir(dirs[i]) && errno != ENOTEMPTY)
			err_count();
	snprintf(q, sizeof(q), "%s/fz_new", mnt);
	if (unlink(q))
		err_count();
	sync();
}

/* ------------------------------------------------------------------ */
/* The base image                                                      */
/* ------------------------------------------------------------------ */

static int must(int ret, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "populate: %s: %s\n", what, strerror(errno));
		exit(1);
	}
	return ret;
}

static void put_file(const char *path, const char *data, size_t len)
{
	int fd = must(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644), path);

	must(write(fd, data, len), path);
	close(fd);
}

/*
 * Small and large files, a file of hundreds of one-block extents (an
 * extent tree two levels deep with 1 KiB blocks), a sparse file, a
 * directory of several hundred long names (a directory tree of three
 * levels), nested directories, inline and block symlinks, attributes
 * in the xattr block and in a value inode, hard links and special files.
 */
static int populate(const char *mnt)
{
	static char buf[262144], p[4096], q[4096];
	long blksz;
	int fd, i;

	if (chdir(mnt))
		return must(-1, mnt);
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = 'a' + i % 23;
	for (i = 0; i < 10; i++) {
		snprintf(p, sizeof(p), "small%d", i);
		put_file(p, buf + i, 10 + 37 * i);
	}
	put_file("medium", buf, sizeof(buf));

	fd = must(open("frag", O_WRONLY | O_CREAT, 0644), "frag");
	blksz = 1024;
	for (i = 0; i < 400; i++)
		must(pwrite(fd, buf + i, 1, 2 * i * blksz), "frag");
	must(fsync(fd), "frag");
	close(fd);
	fd = must(open("sparse", O_WRONLY | O_CREAT, 0644), "sparse");
	must(pwrite(fd, "end", 3, 3 << 20), "sparse");
	close(fd);

	must(mkdir("bigdir", 0755), "bigdir");
	for (i = 0; i < 600; i++) {
		snprintf(p, sizeof(p),
			 "bigdir/entry-%04d-%.80s", i,
			 "padding-to-make-the-names-long-so-leaves-split-"
			 "often-and-the-tree-grows-three-levels");
		if (i % 50 == 7) {
			must(mkdir(p, 0755), p);
		} else {
			fd = must(open(p, O_WRONLY | O_CREAT, 0644), p);
			if (i % 10 == 3)
				must(write(fd, buf, 100 + i), p);
			close(fd);
		}
	}
	must(mkdir("d1", 0755), "d1");
	must(mkdir("d1/d2", 0700), "d1/d2");
	must(mkdir("d1/d2/d3", 0755), "d1/d2/d3");
	put_file("d1/d2/d3/deep", buf, 5000);
	must(mkdir("empty", 0755), "empty");

	must(symlink("small1", "sym_short"), "sym_short");
	memset(q, 'L', 300);
	q[300] = '\0';
	must(symlink(q, "sym_long"), "sym_long");
	must(symlink("d1/d2/d3/deep", "d1/sym_rel"), "sym_rel");

	must(setxattr("small1", "user.a", "x", 1, 0), "xattr small1");
	must(setxattr("small1", "user.second", buf, 200, 0), "xattr small1");
	must(setxattr("small2", "user.big", buf, 3000, 0), "xattr small2");
	must(setxattr("d1", "user.dir", "dirval", 6, 0), "xattr d1");
	must(setxattr("medium", "trusted.t", "tv", 2, 0), "xattr medium");
	must(lsetxattr("sym_long", "trusted.s", "sv", 2, 0), "xattr sym");

	must(link("small3", "hardlink"), "hardlink");
	must(link("small3", "d1/hardlink2"), "hardlink2");
	must(link("small4", "bigdir/hardlink3"), "hardlink3");

	must(mknod("fifo", S_IFIFO | 0644, 0), "fifo");
	must(mknod("chardev", S_IFCHR | 0644, makedev(1, 3)), "chardev");
	must(mknod("blockdev", S_IFBLK | 0644, makedev(7, 0)), "blockdev");
	must(mknod("socket", S_IFSOCK | 0644, 0), "socket");
	sync();
	return 0;
}

/* List one directory; on failure print strerror and exit 1. */
static int list(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);

	if (!d) {
		printf("%s\n", strerror(errno));
		return 1;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		printf("%s\n", de->d_name);
	}
	if (errno) {
		printf("%s\n", strerror(errno));
		return 1;
	}
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "populate"))
		return populate(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "list"))
		return list(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "getxattr")) {
		static char value[65536];
		ssize_t n = lgetxattr(argv[2], argv[3], value, sizeof(value));

		printf("getxattr: %s\n", n < 0 ? strerror(errno) : "ok");
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: fuzz-walk [populate] MOUNTPOINT\n");
		return 2;
	}
	walk(argv[1], 0);
	changing = true;
	change(argv[1]);
	changing = false;
	/* And walk what is left, which exercises the changed metadata. */
	walk(argv[1], 0);
	printf("walk: %lu objects, %lu errors; %lu failed changes\n", objects,
	       errors, change_errors);
	return bad;
}
