// SPDX-License-Identifier: GPL-2.0
/*
 * dirops.c - directory semantics of a mounted VexFS, with exact assertions.
 *
 * Usage: dirops DIR PHASE [ARG]
 *   all            every namespace test below, each in its own directory
 *   big N          N entries in one directory: create, look each up,
 *                  readdir, unlink all (default 100000)
 *   emlink_dir     a directory with VEXFS_LINK_MAX links (64998 subdirs)
 *   collide N      N names meant for a module loaded with
 *                  dir_hash_test_bits (many equal hashes)
 *   corrupt_setup  fill one directory per kind of damage (see below)
 *   corrupt KIND INO   (DIR is the device) damage a node of directory INO
 *   probe KIND     in a damaged directory: errors, never crashes
 *   setup          build a known tree for the persistence check
 *   verify         check that tree (after umount/mount)
 *   cleanup        remove it and check the directory is empty
 *   empty          (after a remount) still empty, and usable
 *
 * Prints one "PASS: dir_<tag><test>" or "FAIL: dir_<tag><test>" line per
 * test ($DIROPS_TAG is the tag, empty by default), with details of
 * failures on indented lines of their own, and exits 1 if anything failed.
 * Statically linked for the test VMs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	(1 << 0)
#define RENAME_EXCHANGE		(1 << 1)
#define RENAME_WHITEOUT		(1 << 2)
#endif

#define LINK_MAX_VEXFS	65000
#define NAME_MAX_VEXFS	255
#define INLINE_MAX	96	/* VEXFS_INODE_DATA_SIZE, NUL included */

static const char *top;
static const char *tag = "";	/* $DIROPS_TAG, e.g. "1k_", names the run */
static int case_failed, any_failed;

static void fail_at(int line, const char *fmt, ...)
{
	va_list ap;

	printf("  line %d: ", line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	case_failed = 1;
}

#define CHECK(cond) do {						\
	if (!(cond))							\
		fail_at(__LINE__, "%s", #cond);				\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long a_ = (long long)(a), b_ = (long long)(b);		\
	if (a_ != b_)							\
		fail_at(__LINE__, "%s == %lld, want %s == %lld",	\
			#a, a_, #b, b_);				\
} while (0)

#define OK(call) do {							\
	errno = 0;							\
	if ((long)(call) < 0)						\
		fail_at(__LINE__, "%s: %s", #call, strerror(errno));	\
} while (0)

#define ERR(call, want) do {						\
	long r_;							\
	errno = 0;							\
	r_ = (long)(call);						\
	if (r_ != -1 || errno != (want))				\
		fail_at(__LINE__, "%s = %ld (%s), want %s", #call, r_,	\
			r_ == -1 ? strerror(errno) : "success", #want);	\
} while (0)

/* Stop a test at the first failure where going on makes no sense. */
#define REQUIRE(cond) do {						\
	if (!(cond)) {							\
		fail_at(__LINE__, "required: %s (%s)", #cond,		\
			strerror(errno));				\
		return;							\
	}								\
} while (0)

static void run(const char *name, void (*fn)(void))
{
	char path[PATH_MAX];

	case_failed = 0;
	snprintf(path, sizeof(path), "%s/t_%s", top, name);
	if (mkdir(path, 0755) || chdir(path)) {
		printf("  cannot make %s: %s\n", path, strerror(errno));
		case_failed = 1;
	} else {
		fn();
	}
	if (chdir(top))
		case_failed = 1;
	printf("%s: dir_%s%s\n", case_failed ? "FAIL" : "PASS", tag, name);
	fflush(stdout);
	any_failed |= case_failed;
}

static int touch(const char *path)
{
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);

	if (fd < 0)
		return -1;
	return close(fd);
}

static ino_t ino_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? 0 : st.st_ino;
}

static long nlink_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? -1 : (long)st.st_nlink;
}

static int do_renameat2(const char *a, const char *b, unsigned int flags)
{
	return syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags);
}

static long long ts_ns(struct timespec ts)
{
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Sleep past the coarse clock's tick so that times visibly change. */
static void tick(void)
{
	usleep(25000);
}

/* ------------------------------------------------------------------ */
/* Reading a directory                                                 */
/* ------------------------------------------------------------------ */

struct dent {
	char *name;
	ino_t ino;
	unsigned char type;
	long long off;		/* d_off: the cookie after this entry */
};

struct dlist {
	struct dent *v;
	size_t n, cap;
	long long start;	/* d_off of "..": the first entry's cookie */
};

static void dl_free(struct dlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void dl_add(struct dlist *l, const char *name, ino_t ino,
		   unsigned char type, long long off)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	l->v[l->n].name = strdup(name);
	l->v[l->n].ino = ino;
	l->v[l->n].type = type;
	l->v[l->n].off = off;
	l->n++;
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/*
 * Read a whole directory with getdents64 and a buffer of @bufsize bytes
 * (small buffers force many resumptions), without "." and "..".
 * Returns 0, or -1 with errno.
 */
static int read_dir(const char *path, size_t bufsize, struct dlist *out)
{
	char *buf = malloc(bufsize);
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	long n;

	memset(out, 0, sizeof(*out));
	if (fd < 0 || !buf) {
		free(buf);
		return -1;
	}
	while ((n = syscall(SYS_getdents64, fd, buf, bufsize)) > 0) {
		long pos = 0;

		while (pos < n) {
			struct linux_dirent64 *d = (void *)(buf + pos);

			if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
				dl_add(out, d->d_name, d->d_ino, d->d_type,
				       d->d_off);
			else if (!strcmp(d->d_name, ".."))
				out->start = d->d_off;
			pos += d->d_reclen;
		}
		if (out->n > 4000000) {		/* a listing that never ends */
			n = -1;
			errno = ELOOP;
			break;
		}
	}
	free(buf);
	close(fd);
	return n < 0 ? -1 : 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct dent *)a)->name,
		      ((const struct dent *)b)->name);
}

/* Number of names that appear more than once. */
static size_t dl_dups(struct dlist *l)
{
	struct dent *v = malloc(l->n * sizeof(*v) + 1);
	size_t i, dups = 0;

	memcpy(v, l->v, l->n * sizeof(*v));
	qsort(v, l->n, sizeof(*v), cmp_name);
	for (i = 1; i < l->n; i++)
		if (!strcmp(v[i - 1].name, v[i].name))
			dups++;
	free(v);
	return dups;
}

static struct dent *dl_find(struct dlist *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

static void t_create_lookup_unlink(void)
{
	struct stat st, st2;
	int fd;

	OK(touch("a"));
	REQUIRE(lstat("a", &st) == 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0644 & ~022 & 0644);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(st.st_size, 0);
	ERR(open("a", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	fd = open("a", O_CREAT | O_WRONLY, 0600);	/* existing: opened */
	CHECK(fd >= 0);
	close(fd);
	REQUIRE(lstat("a", &st2) == 0);
	CHECK_EQ(st2.st_ino, st.st_ino);
	ERR(lstat("b", &st), ENOENT);
	ERR(open("b", O_RDONLY), ENOENT);
	OK(unlink("a"));
	ERR(lstat("a", &st), ENOENT);
	ERR(unlink("a"), ENOENT);
	/* A name that differs in one byte, and one that is a prefix. */
	OK(touch("abc"));
	ERR(lstat("abd", &st), ENOENT);
	ERR(lstat("ab", &st), ENOENT);
	ERR(lstat("abcd", &st), ENOENT);
	OK(unlink("abc"));
}

static void t_mkdir_rmdir(void)
{
	struct stat st, dot;

	REQUIRE(lstat(".", &dot) == 0);
	CHECK_EQ(dot.st_nlink, 2);
	OK(mkdir("d", 0755));
	ERR(mkdir("d", 0755), EEXIST);
	REQUIRE(lstat("d", &st) == 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_nlink, 2);
	CHECK_EQ(st.st_size, 0);		/* an unused directory */
	CHECK_EQ(nlink_of("."), 3);
	CHECK_EQ(ino_of("d/.."), dot.st_ino);
	CHECK_EQ(ino_of("d/."), st.st_ino);
	OK(touch("d/f"));
	ERR(rmdir("d"), ENOTEMPTY);
	OK(mkdir("d/sub", 0700));
	CHECK_EQ(nlink_of("d"), 3);
	ERR(rmdir("d"), ENOTEMPTY);
	OK(rmdir("d/sub"));
	CHECK_EQ(nlink_of("d"), 2);
	ERR(rmdir("d"), ENOTEMPTY);
	OK(unlink("d/f"));
	/* Emptied (it has a root block now) is empty. */
	OK(rmdir("d"));
	CHECK_EQ(nlink_of("."), 2);
	ERR(rmdir("d"), ENOENT);
	ERR(lstat("d", &st), ENOENT);
	ERR(rmdir("."), EINVAL);
	OK(mkdir("e", 0755));
	OK(touch("e/x"));
	OK(unlink("e/x"));
	OK(mkdir("e/x", 0755));		/* the name is reusable as a dir */
	OK(rmdir("e/x"));
	OK(rmdir("e"));
}

static void t_errors(void)
{
	char name[NAME_MAX_VEXFS + 2];
	struct stat st;
	struct dlist l;

	OK(touch("file"));
	OK(mkdir("dir", 0755));
	ERR(open("file/x", O_CREAT | O_WRONLY, 0644), ENOTDIR);
	ERR(mkdir("file/x", 0755), ENOTDIR);
	ERR(lstat("file/x", &st), ENOTDIR);
	ERR(rmdir("file"), ENOTDIR);
	ERR(unlink("dir"), EISDIR);
	ERR(mkdir("file", 0755), EEXIST);
	ERR(mkdir("dir", 0755), EEXIST);
	ERR(symlink("x", "file"), EEXIST);
	ERR(mknod("file", S_IFIFO | 0644, 0), EEXIST);
	ERR(link("file", "dir"), EEXIST);
	ERR(link("dir", "dir2"), EPERM);	/* no hard links to dirs */
	ERR(rmdir("missing"), ENOENT);
	ERR(unlink("missing"), ENOENT);
	ERR(rename("missing", "x"), ENOENT);
	ERR(link("missing", "x"), ENOENT);
	ERR(mkdir("missing/x", 0755), ENOENT);

	memset(name, 'n', sizeof(name));
	name[NAME_MAX_VEXFS + 1] = '\0';		/* 256 bytes */
	ERR(touch(name), ENAMETOOLONG);
	ERR(mkdir(name, 0755), ENAMETOOLONG);
	ERR(lstat(name, &st), ENAMETOOLONG);
	ERR(rename("file", name), ENAMETOOLONG);
	ERR(symlink("x", name), ENAMETOOLONG);
	name[NAME_MAX_VEXFS] = '\0';			/* 255 bytes: fine */
	OK(touch(name));
	REQUIRE(lstat(name, &st) == 0);
	CHECK(read_dir(".", 4096, &l) == 0);
	CHECK_EQ(l.n, 3);
	CHECK(dl_find(&l, name) != NULL);
	dl_free(&l);
	OK(rename(name, "short"));
	OK(rename("short", name));
	OK(unlink(name));
	OK(unlink("file"));
	OK(rmdir("dir"));
}

static void t_link_counts(void)
{
	struct stat st;
	int i;

	OK(touch("f"));
	OK(link("f", "g"));
	CHECK_EQ(nlink_of("f"), 2);
	CHECK_EQ(ino_of("g"), ino_of("f"));
	OK(mkdir("sub", 0755));
	OK(link("f", "sub/h"));
	CHECK_EQ(nlink_of("g"), 3);
	OK(unlink("f"));
	CHECK_EQ(nlink_of("g"), 2);
	OK(unlink("sub/h"));
	CHECK_EQ(nlink_of("g"), 1);
	OK(unlink("g"));
	OK(rmdir("sub"));

	/* 2 + subdirectories, whatever else the directory holds. */
	for (i = 0; i < 20; i++) {
		char n[32];

		snprintf(n, sizeof(n), "d%d", i);
		OK(mkdir(n, 0755));
		snprintf(n, sizeof(n), "f%d", i);
		OK(touch(n));
	}
	CHECK_EQ(nlink_of("."), 22);
	OK(rmdir("d7"));
	CHECK_EQ(nlink_of("."), 21);
	REQUIRE(lstat(".", &st) == 0);
	for (i = 0; i < 20; i++) {
		char n[32];

		snprintf(n, sizeof(n), "d%d", i);
		if (i != 7)
			OK(rmdir(n));
		snprintf(n, sizeof(n), "f%d", i);
		OK(unlink(n));
	}
	CHECK_EQ(nlink_of("."), 2);
}

/* VEXFS_LINK_MAX links to one file, then EMLINK. */
static void t_emlink_file(void)
{
	char n[32];
	int i;

	OK(touch("f"));
	for (i = 1; i < LINK_MAX_VEXFS; i++) {
		snprintf(n, sizeof(n), "l%d", i);
		if (link("f", n)) {
			fail_at(__LINE__, "link %d: %s", i, strerror(errno));
			break;
		}
	}
	CHECK_EQ(nlink_of("f"), LINK_MAX_VEXFS);
	ERR(link("f", "one_more"), EMLINK);
	ERR(lstat("one_more", &(struct stat){ 0 }), ENOENT);
	for (i = 1; i < LINK_MAX_VEXFS; i++) {
		snprintf(n, sizeof(n), "l%d", i);
		if (unlink(n)) {
			fail_at(__LINE__, "unlink %d: %s", i, strerror(errno));
			break;
		}
	}
	CHECK_EQ(nlink_of("f"), 1);
	OK(unlink("f"));
}

/* A directory with VEXFS_LINK_MAX links takes no more subdirectories. */
static void t_emlink_dir(void)
{
	char n[32];
	int i, made = 0;

	OK(mkdir("p", 0755));
	for (i = 0; i < LINK_MAX_VEXFS - 2; i++) {
		snprintf(n, sizeof(n), "p/%d", i);
		if (mkdir(n, 0755)) {
			fail_at(__LINE__, "mkdir %d: %s", i, strerror(errno));
			break;
		}
		made++;
	}
	CHECK_EQ(nlink_of("p"), LINK_MAX_VEXFS);
	ERR(mkdir("p/one_more", 0755), EMLINK);
	/* A file still fits, and so does moving a directory within. */
	OK(touch("p/file"));
	OK(mkdir("q", 0755));
	ERR(rename("q", "p/q"), EMLINK);
	OK(rename("p/0", "p/zero"));
	OK(rmdir("q"));
	OK(unlink("p/file"));
	OK(rename("p/zero", "p/0"));
	for (i = 0; i < made; i++) {
		snprintf(n, sizeof(n), "p/%d", i);
		if (rmdir(n)) {
			fail_at(__LINE__, "rmdir %d: %s", i, strerror(errno));
			break;
		}
	}
	CHECK_EQ(nlink_of("p"), 2);
	OK(rmdir("p"));
}

static void t_rename_files(void)
{
	ino_t a, b;

	/* Same directory, new name. */
	OK(touch("a"));
	a = ino_of("a");
	OK(rename("a", "b"));
	ERR(lstat("a", &(struct stat){ 0 }), ENOENT);
	CHECK_EQ(ino_of("b"), a);
	CHECK_EQ(nlink_of("b"), 1);

	/* Over an existing file: the target loses a link. */
	OK(touch("c"));
	OK(link("c", "c2"));
	b = ino_of("c");
	OK(rename("b", "c"));
	CHECK_EQ(ino_of("c"), a);
	CHECK_EQ(ino_of("c2"), b);
	CHECK_EQ(nlink_of("c2"), 1);
	ERR(lstat("b", &(struct stat){ 0 }), ENOENT);

	/* Across directories. */
	OK(mkdir("d1", 0755));
	OK(mkdir("d2", 0755));
	OK(rename("c", "d1/x"));
	CHECK_EQ(ino_of("d1/x"), a);
	OK(rename("d1/x", "d2/y"));
	CHECK_EQ(ino_of("d2/y"), a);
	ERR(lstat("d1/x", &(struct stat){ 0 }), ENOENT);
	CHECK_EQ(nlink_of("d1"), 2);
	CHECK_EQ(nlink_of("d2"), 2);
	/* Across directories over an existing file. */
	OK(rename("c2", "d2/y"));
	CHECK_EQ(ino_of("d2/y"), b);

	/* Onto itself, and onto another link of the same inode: no-ops. */
	OK(rename("d2/y", "d2/y"));
	OK(link("d2/y", "d1/y2"));
	OK(rename("d2/y", "d1/y2"));
	CHECK_EQ(ino_of("d2/y"), b);
	CHECK_EQ(ino_of("d1/y2"), b);
	CHECK_EQ(nlink_of("d1/y2"), 2);

	OK(unlink("d2/y"));
	OK(unlink("d1/y2"));
	OK(rmdir("d1"));
	OK(rmdir("d2"));
}

static void t_rename_dirs(void)
{
	ino_t s, top_ino = ino_of(".");

	OK(mkdir("A", 0755));
	OK(mkdir("B", 0755));
	OK(mkdir("A/s", 0755));
	OK(touch("A/s/f"));
	s = ino_of("A/s");
	CHECK_EQ(nlink_of("A"), 3);

	/* Within one directory. */
	OK(rename("A/s", "A/t"));
	CHECK_EQ(ino_of("A/t"), s);
	CHECK_EQ(nlink_of("A"), 3);
	CHECK_EQ(ino_of("A/t/.."), ino_of("A"));

	/* Across directories: link counts and "..". */
	OK(rename("A/t", "B/s"));
	CHECK_EQ(nlink_of("A"), 2);
	CHECK_EQ(nlink_of("B"), 3);
	CHECK_EQ(ino_of("B/s/.."), ino_of("B"));
	CHECK_EQ(ino_of("B/s/f"), ino_of("B/s/f"));
	CHECK_EQ(nlink_of("B/s"), 2);

	/* Over an empty directory, across and within. */
	OK(mkdir("A/empty", 0755));
	CHECK_EQ(nlink_of("A"), 3);
	OK(rename("B/s", "A/empty"));
	CHECK_EQ(ino_of("A/empty"), s);
	CHECK_EQ(nlink_of("A"), 3);
	CHECK_EQ(nlink_of("B"), 2);
	CHECK_EQ(ino_of("A/empty/.."), ino_of("A"));
	OK(mkdir("A/e2", 0755));
	OK(touch("A/e2/tmp"));
	OK(unlink("A/e2/tmp"));		/* emptied, with a root block */
	CHECK_EQ(nlink_of("A"), 4);
	OK(rename("A/empty", "A/e2"));
	CHECK_EQ(ino_of("A/e2"), s);
	CHECK_EQ(nlink_of("A"), 3);

	/* Over a non-empty directory. */
	OK(mkdir("B/full", 0755));
	OK(touch("B/full/x"));
	ERR(rename("A/e2", "B/full"), ENOTEMPTY);
	ERR(rename("A/e2", "B/full"), ENOTEMPTY);
	CHECK_EQ(ino_of("A/e2"), s);

	/* Type mismatches. */
	OK(touch("file"));
	ERR(rename("A/e2", "file"), ENOTDIR);
	ERR(rename("file", "A/e2"), EISDIR);

	/* Into itself or a descendant. */
	ERR(rename("A", "A/e2/inside"), EINVAL);
	ERR(rename("A", "A/inside"), EINVAL);

	/* The top directory's count followed everything. */
	CHECK_EQ(nlink_of("."), 4);
	CHECK_EQ(ino_of("A/.."), top_ino);

	OK(unlink("B/full/x"));
	OK(rmdir("B/full"));
	OK(unlink("A/e2/f"));
	OK(rmdir("A/e2"));
	OK(rmdir("A"));
	OK(rmdir("B"));
	OK(unlink("file"));
	CHECK_EQ(nlink_of("."), 2);
}

/* Is @path a whiteout: a character device 0/0 with mode 0 and one link? */
static int is_whiteout(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && st.st_mode == S_IFCHR &&
	       st.st_rdev == makedev(0, 0) && st.st_nlink == 1 &&
	       st.st_size == 0;
}

/* The d_type readdir gives @name in @dir, or 255 if it is not there. */
static int dtype_of(const char *dir, const char *name)
{
	struct dlist l;
	size_t i;
	int type = 255;

	if (read_dir(dir, 4096, &l))
		return 255;
	for (i = 0; i < l.n; i++)
		if (!strcmp(l.v[i].name, name))
			type = l.v[i].type;
	dl_free(&l);
	return type;
}

/*
 * RENAME_WHITEOUT, as overlayfs uses it on its upper layer: the source
 * moves and a whiteout (a 0/0 character device) takes its name, in one
 * step.  Link counts follow the moved inode; the whiteout is a new inode.
 */
static void t_rename_whiteout(void)
{
	struct statvfs sv0, sv1;
	ino_t a, d, c;
	struct stat st;

	OK(statvfs(".", &sv0));
	OK(touch("a"));
	a = ino_of("a");
	OK(do_renameat2("a", "b", RENAME_WHITEOUT));
	CHECK_EQ(ino_of("b"), a);
	CHECK(is_whiteout("a"));
	CHECK(ino_of("a") != a && ino_of("a") != 0);
	CHECK_EQ(dtype_of(".", "a"), DT_CHR);
	CHECK_EQ(dtype_of(".", "b"), DT_REG);
	CHECK_EQ(nlink_of("b"), 1);
	CHECK_EQ(nlink_of("."), 2);
	CHECK(lstat("a", &st) == 0 && st.st_uid == geteuid());

	/* Over an existing name: the replaced file goes, the source moves. */
	OK(touch("c"));
	c = ino_of("c");
	OK(do_renameat2("b", "c", RENAME_WHITEOUT));
	CHECK_EQ(ino_of("c"), a);
	CHECK(is_whiteout("b"));
	CHECK(ino_of("b") != c);

	/* NOREPLACE still refuses, and then makes no whiteout. */
	OK(touch("e"));
	ERR(do_renameat2("e", "c", RENAME_WHITEOUT | RENAME_NOREPLACE),
	    EEXIST);
	CHECK(lstat("e", &st) == 0 && S_ISREG(st.st_mode));
	OK(do_renameat2("e", "f", RENAME_WHITEOUT | RENAME_NOREPLACE));
	CHECK(is_whiteout("e"));
	ERR(do_renameat2("f", "c", RENAME_WHITEOUT | RENAME_EXCHANGE), EINVAL);
	ERR(do_renameat2("missing", "g", RENAME_WHITEOUT), ENOENT);
	CHECK_EQ(ino_of("missing"), 0);

	/* A whiteout may itself be renamed over, or replaced by one. */
	OK(do_renameat2("f", "a", RENAME_WHITEOUT));
	CHECK(lstat("a", &st) == 0 && S_ISREG(st.st_mode));
	CHECK(is_whiteout("f"));

	/* A directory across directories: its ".." moves, counts follow. */
	OK(mkdir("X", 0755));
	OK(mkdir("Y", 0755));
	OK(mkdir("X/d", 0755));
	OK(touch("X/d/inner"));
	d = ino_of("X/d");
	CHECK_EQ(nlink_of("X"), 3);
	OK(do_renameat2("X/d", "Y/d", RENAME_WHITEOUT));
	CHECK_EQ(ino_of("Y/d"), d);
	CHECK(is_whiteout("X/d"));
	CHECK_EQ(dtype_of("X", "d"), DT_CHR);
	CHECK_EQ(nlink_of("X"), 2);
	CHECK_EQ(nlink_of("Y"), 3);
	CHECK_EQ(ino_of("Y/d/.."), ino_of("Y"));
	CHECK(ino_of("Y/d/inner") != 0);
	ERR(rmdir("X"), ENOTEMPTY);

	/* Everything goes away again, inodes included. */
	OK(unlink("X/d"));
	OK(unlink("Y/d/inner"));
	OK(rmdir("Y/d"));
	OK(rmdir("X"));
	OK(rmdir("Y"));
	OK(unlink("a"));
	OK(unlink("b"));
	OK(unlink("c"));
	OK(unlink("e"));
	OK(unlink("f"));
	OK(statvfs(".", &sv1));
	CHECK_EQ(sv1.f_ffree, sv0.f_ffree);
}

static void t_rename_flags(void)
{
	ino_t a, b, d, sub;

	OK(touch("a"));
	OK(touch("b"));
	a = ino_of("a");
	b = ino_of("b");

	/* RENAME_NOREPLACE */
	ERR(do_renameat2("a", "b", RENAME_NOREPLACE), EEXIST);
	CHECK_EQ(ino_of("a"), a);
	CHECK_EQ(ino_of("b"), b);
	OK(do_renameat2("a", "c", RENAME_NOREPLACE));
	CHECK_EQ(ino_of("c"), a);
	ERR(lstat("a", &(struct stat){ 0 }), ENOENT);

	/* RENAME_EXCHANGE of two files in one directory. */
	OK(do_renameat2("b", "c", RENAME_EXCHANGE));
	CHECK_EQ(ino_of("b"), a);
	CHECK_EQ(ino_of("c"), b);
	ERR(do_renameat2("b", "missing", RENAME_EXCHANGE), ENOENT);
	ERR(do_renameat2("b", "c", RENAME_EXCHANGE | RENAME_NOREPLACE),
	    EINVAL);
	ERR(do_renameat2("b", "c", 1U << 7), EINVAL);

	/* A file and a directory across directories. */
	OK(mkdir("X", 0755));
	OK(mkdir("Y", 0755));
	OK(mkdir("X/d", 0755));
	OK(touch("X/d/inner"));
	OK(touch("Y/f"));
	d = ino_of("X/d");
	CHECK_EQ(nlink_of("X"), 3);
	CHECK_EQ(nlink_of("Y"), 2);
	OK(do_renameat2("X/d", "Y/f", RENAME_EXCHANGE));
	CHECK_EQ(ino_of("Y/f"), d);
	CHECK_EQ(nlink_of("X"), 2);
	CHECK_EQ(nlink_of("Y"), 3);
	CHECK_EQ(ino_of("Y/f/.."), ino_of("Y"));
	CHECK(ino_of("Y/f/inner") != 0);
	CHECK(ino_of("X/d") != 0 && ino_of("X/d") != d);
	{
		struct stat st;

		CHECK(lstat("X/d", &st) == 0 && S_ISREG(st.st_mode));
	}

	/* Two directories across directories: counts stay. */
	OK(mkdir("X/sub", 0755));
	sub = ino_of("X/sub");
	OK(do_renameat2("X/sub", "Y/f", RENAME_EXCHANGE));
	CHECK_EQ(ino_of("X/sub"), d);
	CHECK_EQ(ino_of("Y/f"), sub);
	CHECK_EQ(nlink_of("X"), 3);
	CHECK_EQ(nlink_of("Y"), 3);
	CHECK_EQ(ino_of("X/sub/.."), ino_of("X"));
	CHECK_EQ(ino_of("Y/f/.."), ino_of("Y"));

	/* A directory with a file in the same directory. */
	OK(do_renameat2("X/sub", "X/d", RENAME_EXCHANGE));
	CHECK_EQ(ino_of("X/d"), d);
	CHECK_EQ(nlink_of("X"), 3);

	/* Exchanging a directory into its own subtree is refused. */
	ERR(do_renameat2("X", "X/d/inner", RENAME_EXCHANGE), EINVAL);

	OK(unlink("X/d/inner"));
	OK(rmdir("X/d"));
	OK(unlink("X/sub"));
	OK(rmdir("Y/f"));
	OK(rmdir("X"));
	OK(rmdir("Y"));
	OK(unlink("b"));
	OK(unlink("c"));
}

static void t_times(void)
{
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };
	struct stat d0, d1, f0, f1;

	OK(mkdir("d", 0755));
	OK(mkdir("e", 0755));

	/* create: the parent's mtime and ctime */
	OK(utimensat(AT_FDCWD, "d", old, 0));
	REQUIRE(lstat("d", &d0) == 0);
	tick();
	OK(touch("d/f"));
	REQUIRE(lstat("d", &d1) == 0);
	CHECK(d1.st_mtim.tv_sec > 1000);
	CHECK(ts_ns(d1.st_ctim) > ts_ns(d0.st_ctim));

	/* link: the parent's times and the inode's ctime */
	OK(utimensat(AT_FDCWD, "d", old, 0));
	REQUIRE(lstat("d", &d0) == 0);
	REQUIRE(lstat("d/f", &f0) == 0);
	tick();
	OK(link("d/f", "d/g"));
	REQUIRE(lstat("d", &d1) == 0);
	REQUIRE(lstat("d/f", &f1) == 0);
	CHECK(d1.st_mtim.tv_sec > 1000);
	CHECK(ts_ns(f1.st_ctim) > ts_ns(f0.st_ctim));
	CHECK_EQ(ts_ns(f1.st_mtim), ts_ns(f0.st_mtim));

	/* unlink: the parent's times and the inode's ctime */
	OK(utimensat(AT_FDCWD, "d", old, 0));
	REQUIRE(lstat("d/f", &f0) == 0);
	tick();
	OK(unlink("d/g"));
	REQUIRE(lstat("d", &d1) == 0);
	REQUIRE(lstat("d/f", &f1) == 0);
	CHECK(d1.st_mtim.tv_sec > 1000);
	CHECK(ts_ns(f1.st_ctim) > ts_ns(f0.st_ctim));

	/* rename across: both parents, and the inode's ctime */
	OK(utimensat(AT_FDCWD, "d", old, 0));
	OK(utimensat(AT_FDCWD, "e", old, 0));
	REQUIRE(lstat("d/f", &f0) == 0);
	tick();
	OK(rename("d/f", "e/f"));
	REQUIRE(lstat("d", &d0) == 0);
	REQUIRE(lstat("e", &d1) == 0);
	REQUIRE(lstat("e/f", &f1) == 0);
	CHECK(d0.st_mtim.tv_sec > 1000);
	CHECK(d1.st_mtim.tv_sec > 1000);
	CHECK(ts_ns(f1.st_ctim) > ts_ns(f0.st_ctim));

	/* mkdir, rmdir: the parent's times */
	OK(utimensat(AT_FDCWD, "e", old, 0));
	OK(mkdir("e/sub", 0755));
	REQUIRE(lstat("e", &d1) == 0);
	CHECK(d1.st_mtim.tv_sec > 1000);
	OK(utimensat(AT_FDCWD, "e", old, 0));
	OK(rmdir("e/sub"));
	REQUIRE(lstat("e", &d1) == 0);
	CHECK(d1.st_mtim.tv_sec > 1000);

	/* A failed operation changes nothing. */
	OK(utimensat(AT_FDCWD, "e", old, 0));
	ERR(mkdir("e/f", 0755), EEXIST);
	ERR(rmdir("e/missing"), ENOENT);
	REQUIRE(lstat("e", &d1) == 0);
	CHECK_EQ(d1.st_mtim.tv_sec, 1000);

	/* A lookup does not change times either. */
	REQUIRE(lstat("e", &d0) == 0);
	tick();
	ERR(lstat("e/nothing", &f0), ENOENT);
	REQUIRE(lstat("e", &d1) == 0);
	CHECK_EQ(ts_ns(d1.st_ctim), ts_ns(d0.st_ctim));

	OK(unlink("e/f"));
	OK(rmdir("d"));
	OK(rmdir("e"));
}

static void check_symlink(const char *name, const char *target)
{
	char buf[8192];
	struct stat st;
	ssize_t n;

	if (symlink(target, name)) {
		fail_at(__LINE__, "symlink(%zu bytes): %s", strlen(target),
			strerror(errno));
		return;
	}
	n = readlink(name, buf, sizeof(buf));
	CHECK_EQ(n, (ssize_t)strlen(target));
	CHECK(n >= 0 && !memcmp(buf, target, n));
	CHECK(lstat(name, &st) == 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0777);
	CHECK_EQ(st.st_size, (off_t)strlen(target));
	CHECK_EQ(st.st_nlink, 1);
}

static void t_symlinks(void)
{
	char target[8192], dname[151], buf[64];
	struct stat st;
	long bs = 4096;
	int fd;

	if (stat(".", &st) == 0)
		bs = st.st_blksize;

	check_symlink("short", "t");
	check_symlink("inline", "some/relative/target/for/an/inline/symlink");
	memset(target, 'i', INLINE_MAX - 1);		/* fits with its NUL */
	target[INLINE_MAX - 1] = '\0';
	check_symlink("inline_max", target);
	memset(target, 'p', INLINE_MAX);		/* one byte too many */
	target[INLINE_MAX] = '\0';
	check_symlink("page_min", target);
	memset(target, 'l', 1000);
	target[1000] = '\0';
	check_symlink("long", target);
	memset(target, 'm', bs - 1);			/* a block with NUL */
	target[bs - 1] = '\0';
	check_symlink("page_max", target);
	memset(target, 'x', bs);
	target[bs] = '\0';
	ERR(symlink(target, "too_long"), ENAMETOOLONG);
	ERR(symlink("x", "short"), EEXIST);

	/* Following links, inline and not. */
	OK(touch("file"));
	fd = open("file", O_WRONLY);
	CHECK(fd >= 0 && write(fd, "hello", 5) == 5);
	close(fd);
	OK(symlink("file", "to_file"));
	memset(dname, 'D', 150);
	dname[150] = '\0';
	OK(mkdir(dname, 0755));
	snprintf(target, sizeof(target), "%s/../file", dname);
	OK(symlink(target, "to_file_long"));
	CHECK(stat("to_file", &st) == 0 && S_ISREG(st.st_mode) &&
	      st.st_size == 5);
	CHECK(stat("to_file_long", &st) == 0 && S_ISREG(st.st_mode) &&
	      st.st_size == 5);
	fd = open("to_file_long", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 5);
	close(fd);
	OK(symlink("nowhere", "dangling"));
	ERR(stat("dangling", &st), ENOENT);
	OK(lstat("dangling", &st));

	/* A symlink can be renamed and hard linked like any inode. */
	OK(rename("long", "long2"));
	OK(link("long2", "long3"));
	CHECK_EQ(nlink_of("long2"), 2);
	CHECK_EQ(readlink("long3", target, sizeof(target)), 1000);
	OK(rename("inline", "inline2"));
	CHECK_EQ(readlink("inline2", target, sizeof(target)),
		 (ssize_t)strlen("some/relative/target/for/an/inline/symlink"));

	OK(unlink("short"));
	OK(unlink("inline2"));
	OK(unlink("inline_max"));
	OK(unlink("page_min"));
	OK(unlink("long2"));
	OK(unlink("long3"));
	OK(unlink("page_max"));
	OK(unlink("to_file"));
	OK(unlink("to_file_long"));
	OK(unlink("dangling"));
	OK(unlink("file"));
	OK(rmdir(dname));
}

static void t_mknod(void)
{
	struct { const char *name; mode_t type; dev_t dev; } v[] = {
		{ "fifo", S_IFIFO, 0 },
		{ "chr", S_IFCHR, 0 },
		{ "blk", S_IFBLK, 0 },
		{ "chr_big", S_IFCHR, 0 },
		{ "blk_big", S_IFBLK, 0 },
	};
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	size_t i;
	int fd;

	v[1].dev = makedev(1, 3);
	v[2].dev = makedev(8, 1);
	v[3].dev = makedev(4095, 1048575);	/* largest 12:20 numbers */
	v[4].dev = makedev(259, 65536);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		OK(mknod(v[i].name, v[i].type | 0640, v[i].dev));
		if (lstat(v[i].name, &st)) {
			fail_at(__LINE__, "lstat %s: %s", v[i].name,
				strerror(errno));
			continue;
		}
		CHECK_EQ(st.st_mode, v[i].type | 0640);
		CHECK_EQ(st.st_rdev, v[i].dev);
		CHECK_EQ(st.st_nlink, 1);
		CHECK_EQ(st.st_size, 0);
	}
	ERR(mknod("fifo", S_IFIFO | 0644, 0), EEXIST);
	OK(mkfifo("fifo2", 0600));
	CHECK(lstat("fifo2", &st) == 0 && S_ISFIFO(st.st_mode));

	/* A socket node, made by mknod and by bind(). */
	OK(mknod("sock", S_IFSOCK | 0644, 0));
	CHECK(lstat("sock", &st) == 0 && S_ISSOCK(st.st_mode));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "bound");
	OK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	close(fd);
	CHECK(lstat("bound", &st) == 0 && S_ISSOCK(st.st_mode));

	/* A FIFO works as a FIFO. */
	fd = open("fifo", O_RDWR);
	CHECK(fd >= 0);
	if (fd >= 0) {
		char b[4];

		CHECK(write(fd, "abc", 3) == 3);
		CHECK(read(fd, b, 3) == 3 && !memcmp(b, "abc", 3));
		close(fd);
	}
	/* The /dev/null node works as /dev/null (if nodev is off). */
	fd = open("chr", O_WRONLY);
	if (fd >= 0) {
		CHECK(write(fd, "x", 1) == 1);
		close(fd);
	}
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		OK(unlink(v[i].name));
	OK(unlink("fifo2"));
	OK(unlink("sock"));
	OK(unlink("bound"));
}

static void t_readdir_types(void)
{
	struct { const char *name; unsigned char type; } want[] = {
		{ "reg", DT_REG }, { "dir", DT_DIR }, { "lnk", DT_LNK },
		{ "fifo", DT_FIFO }, { "sock", DT_SOCK }, { "chr", DT_CHR },
		{ "blk", DT_BLK },
	};
	struct dlist l;
	struct dent *e;
	size_t i;
	DIR *d;
	struct dirent *de;
	int dots = 0;

	OK(touch("reg"));
	OK(mkdir("dir", 0755));
	OK(symlink("reg", "lnk"));
	OK(mknod("fifo", S_IFIFO | 0644, 0));
	OK(mknod("sock", S_IFSOCK | 0644, 0));
	OK(mknod("chr", S_IFCHR | 0644, makedev(1, 3)));
	OK(mknod("blk", S_IFBLK | 0644, makedev(7, 0)));
	REQUIRE(read_dir(".", 4096, &l) == 0);
	CHECK_EQ(l.n, 7);
	for (i = 0; i < 7; i++) {
		e = dl_find(&l, want[i].name);
		CHECK(e != NULL);
		if (e) {
			CHECK_EQ(e->type, want[i].type);
			CHECK_EQ(e->ino, ino_of(want[i].name));
		}
	}
	dl_free(&l);

	/* "." and ".." come first, with the right inodes. */
	d = opendir(".");
	REQUIRE(d != NULL);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".")) {
			CHECK_EQ(de->d_ino, ino_of("."));
			dots++;
		} else if (!strcmp(de->d_name, "..")) {
			CHECK_EQ(de->d_ino, ino_of(".."));
			dots++;
		} else {
			CHECK_EQ(dots, 2);
		}
	}
	closedir(d);
	CHECK_EQ(dots, 2);

	/* An empty directory, used or not, lists only the dots. */
	REQUIRE(read_dir("dir", 4096, &l) == 0);
	CHECK_EQ(l.n, 0);
	dl_free(&l);
	for (i = 0; i < 7; i++)
		OK(want[i].type == DT_DIR ? rmdir(want[i].name) :
					    unlink(want[i].name));
	REQUIRE(read_dir(".", 4096, &l) == 0);
	CHECK_EQ(l.n, 0);
	dl_free(&l);
}

/* Every name in [0, n) once; every listing with any buffer size. */
static void t_readdir_complete(void)
{
	static const size_t bufs[] = { 32768, 4096, 300, 96 };
	const int n = 3000;
	char name[64];
	size_t b;
	int i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "entry_%d_%.*s", i, i % 40,
			 "----------------------------------------");
		if (touch(name)) {
			fail_at(__LINE__, "create %s: %s", name,
				strerror(errno));
			return;
		}
	}
	for (b = 0; b < sizeof(bufs) / sizeof(bufs[0]); b++) {
		struct dlist l;
		char *seen = calloc(n, 1);
		long long prev = 0;
		size_t j;
		int bad = 0, order = 0;

		REQUIRE(read_dir(".", bufs[b], &l) == 0);
		CHECK_EQ(l.n, n);
		for (j = 0; j < l.n; j++) {
			int k;

			if (sscanf(l.v[j].name, "entry_%d_", &k) != 1 ||
			    k < 0 || k >= n || seen[k]++)
				bad++;
			/* cookies grow along the listing */
			if (l.v[j].off < prev)
				order++;
			prev = l.v[j].off;
		}
		CHECK_EQ(bad, 0);
		CHECK_EQ(order, 0);
		CHECK_EQ(l.v[l.n - 1].off, LLONG_MAX);
		dl_free(&l);
		free(seen);
	}
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "entry_%d_%.*s", i, i % 40,
			 "----------------------------------------");
		if (unlink(name)) {
			fail_at(__LINE__, "unlink %s: %s", name,
				strerror(errno));
			return;
		}
	}
}

/* Read up to @max entries (not the dots) from @fd, @bufsize at a time. */
static long read_some(int fd, size_t bufsize, size_t max, struct dlist *out)
{
	char buf[4096];
	size_t got = 0;
	long n;

	if (bufsize > sizeof(buf))
		bufsize = sizeof(buf);
	while (got < max && (n = syscall(SYS_getdents64, fd, buf, bufsize)) > 0) {
		long pos = 0;

		while (pos < n) {
			struct linux_dirent64 *d = (void *)(buf + pos);

			if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
				dl_add(out, d->d_name, d->d_ino, d->d_type,
				       d->d_off);
				got++;
			}
			pos += d->d_reclen;
		}
	}
	return got;
}

/*
 * telldir/seekdir: cookies name places in hash order, so they stay valid
 * and identical while other entries come and go, and a listing that runs
 * across changes returns every untouched entry exactly once.  Raw
 * getdents64 and lseek, so that no library buffer hides what the kernel
 * returns.
 */
static void t_seekdir(void)
{
	const int n = 1000, first = 300;
	struct dlist before = { 0 }, after = { 0 }, fresh, one;
	char *removed_unseen = calloc(n, 1);
	char name[64], buf[1024];
	int i, k, missing = 0, unwanted = 0, cookie_moved = 0, wrong_next = 0;
	int checked = 0, fd;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		if (touch(name))
			REQUIRE(0);
	}
	fd = open(".", O_RDONLY | O_DIRECTORY);
	REQUIRE(fd >= 0);
	/* Read part of the directory, a few entries per call. */
	read_some(fd, 100, first, &before);
	REQUIRE(before.n >= (size_t)first);

	/* Change the directory under the open file. */
	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		OK(touch(name));
	}
	for (i = 0, k = 0; i < n && k < 200; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		if (dl_find(&before, name))
			continue;
		OK(unlink(name));
		removed_unseen[i] = 1;
		k++;
	}
	for (i = 0, k = 0; i < n && k < 50; i += 3) {
		snprintf(name, sizeof(name), "s%d", i);
		if (!dl_find(&before, name))
			continue;
		OK(unlink(name));
		k++;
	}

	/* Finish the listing. */
	read_some(fd, 100, SIZE_MAX, &after);
	for (i = 0; i < n; i++) {
		int in_before, in_after;

		snprintf(name, sizeof(name), "s%d", i);
		in_before = dl_find(&before, name) != NULL;
		in_after = dl_find(&after, name) != NULL;
		if (removed_unseen[i] && in_after)
			unwanted++;		/* gone before it was read */
		if (!removed_unseen[i] && in_before + in_after != 1)
			missing++;		/* untouched: exactly once */
	}
	CHECK_EQ(missing, 0);
	CHECK_EQ(unwanted, 0);
	{
		struct dlist all = { 0 };
		size_t j;

		for (j = 0; j < before.n; j++)
			dl_add(&all, before.v[j].name, 0, 0, 0);
		for (j = 0; j < after.n; j++)
			dl_add(&all, after.v[j].name, 0, 0, 0);
		CHECK_EQ(dl_dups(&all), 0);
		dl_free(&all);
	}

	/*
	 * The cookie after an entry is the place of the entry that followed
	 * it then: after changes, seeking there resumes at the first entry
	 * at or beyond that place, in the order of a fresh listing - nothing
	 * already read comes back and nothing untouched is skipped.
	 */
	REQUIRE(read_dir(".", 4096, &fresh) == 0);
	for (i = 0; i < (int)before.n; i++) {
		long long c = before.v[i].off;
		size_t j = 0;

		while (j < fresh.n && (j ? fresh.v[j - 1].off : fresh.start) < c)
			j++;
		memset(&one, 0, sizeof(one));
		if (lseek(fd, c, SEEK_SET) != c) {
			wrong_next++;
			continue;
		}
		read_some(fd, 100, 1, &one);
		if (j == fresh.n ? one.n != 0 :
		    !one.n || strcmp(one.v[0].name, fresh.v[j].name)) {
			if (wrong_next++ < 5)
				printf("  seek to cookie of %s: got %s, want %s\n",
				       before.v[i].name,
				       one.n ? one.v[0].name : "(end)",
				       j < fresh.n ? fresh.v[j].name : "(end)");
		}
		/* ... and it is never an entry read before this one. */
		for (k = 0; one.n && k <= i; k++)
			if (!strcmp(one.v[0].name, before.v[k].name))
				cookie_moved++;
		dl_free(&one);
		checked++;
	}
	CHECK_EQ(checked, before.n);
	CHECK_EQ(wrong_next, 0);
	CHECK_EQ(cookie_moved, 0);

	/* The end cookie is the end; rewinding starts over with the dots. */
	CHECK(lseek(fd, 0, SEEK_END) == LLONG_MAX);
	CHECK_EQ(syscall(SYS_getdents64, fd, buf, sizeof(buf)), 0);
	CHECK_EQ(fresh.v[fresh.n - 1].off, LLONG_MAX);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(syscall(SYS_getdents64, fd, buf, sizeof(buf)) > 0);
	CHECK(!strcmp(((struct linux_dirent64 *)buf)->d_name, "."));
	ERR(lseek(fd, -1, SEEK_SET), EINVAL);
	close(fd);

	/* glibc's telldir/seekdir on top of the same cookies. */
	{
		DIR *d = opendir(".");
		struct dirent *de;
		long where = 0;
		char after_name[NAME_MAX_VEXFS + 1] = "";

		REQUIRE(d != NULL);
		for (i = 0; i < 40 && (de = readdir(d)); i++)
			where = telldir(d);
		de = readdir(d);
		if (de)
			snprintf(after_name, sizeof(after_name), "%s",
				 de->d_name);
		seekdir(d, where);
		de = readdir(d);
		CHECK(de && !strcmp(de->d_name, after_name));
		closedir(d);
	}

	for (i = 0; i < (int)fresh.n; i++)
		OK(unlink(fresh.v[i].name));
	dl_free(&before);
	dl_free(&after);
	dl_free(&fresh);
	free(removed_unseen);
}

static void t_tmpfile(void)
{
	char path[64];
	struct stat st;
	int fd = open(".", O_TMPFILE | O_RDWR, 0600);
	struct dlist l;

	if (fd < 0 && errno == EOPNOTSUPP) {
		fail_at(__LINE__, "O_TMPFILE not supported");
		return;
	}
	REQUIRE(fd >= 0);
	CHECK(write(fd, "tmp", 3) == 3);
	CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0 && S_ISREG(st.st_mode));
	REQUIRE(read_dir(".", 4096, &l) == 0);
	CHECK_EQ(l.n, 0);
	dl_free(&l);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (linkat(fd, "", AT_FDCWD, "linked", AT_EMPTY_PATH) &&
	    linkat(AT_FDCWD, path, AT_FDCWD, "linked", AT_SYMLINK_FOLLOW))
		fail_at(__LINE__, "linkat: %s", strerror(errno));
	CHECK(fstat(fd, &st) == 0 && st.st_nlink == 1);
	CHECK(lstat("linked", &st) == 0 && st.st_size == 3);
	close(fd);
	OK(unlink("linked"));
	/* An anonymous file that is never linked simply goes away. */
	fd = open(".", O_TMPFILE | O_RDWR, 0600);
	CHECK(fd >= 0);
	close(fd);
}

/* Many entries in one directory, enough for a deep tree. */
static void big(int n)
{
	static const char pad[] = "________________________________________"
				  "________________________________________";
	char name[NAME_MAX_VEXFS + 1];
	struct dlist l;
	char *seen;
	int i, bad = 0;
	size_t j;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%07d%.*s", i, i % 61, pad);
		if (mknod(name, S_IFREG | 0644, 0)) {
			fail_at(__LINE__, "create %s: %s", name,
				strerror(errno));
			return;
		}
	}
	CHECK_EQ(nlink_of("."), 2);
	for (i = 0; i < n; i++) {
		struct stat st;

		snprintf(name, sizeof(name), "%07d%.*s", i, i % 61, pad);
		if (lstat(name, &st) || !S_ISREG(st.st_mode))
			bad++;
		/* and a near miss */
		name[0] = 'x';
		if (!lstat(name, &st) || errno != ENOENT)
			bad++;
	}
	CHECK_EQ(bad, 0);
	REQUIRE(read_dir(".", 32768, &l) == 0);
	CHECK_EQ(l.n, n);
	seen = calloc(n, 1);
	for (j = 0, bad = 0; j < l.n; j++) {
		int k = atoi(l.v[j].name);

		if (k < 0 || k >= n || seen[k]++ ||
		    strlen(l.v[j].name) != 7 + (size_t)(k % 61))
			bad++;
	}
	CHECK_EQ(bad, 0);
	dl_free(&l);
	free(seen);
	/* Remove in an order unrelated to both creation and hash order. */
	for (i = 0, bad = 0; i < n; i++) {
		int k = (int)(((long long)i * 7919) % n);

		snprintf(name, sizeof(name), "%07d%.*s", k, k % 61, pad);
		if (unlink(name))
			bad++;
	}
	/* 7919 is prime; if it divides n the walk above missed names. */
	if (n % 7919 == 0)
		bad = -1;
	CHECK_EQ(bad, 0);
	REQUIRE(read_dir(".", 32768, &l) == 0);
	CHECK_EQ(l.n, 0);
	dl_free(&l);
	/* A drained directory takes names again. */
	OK(touch("again"));
	CHECK(ino_of("again") != 0);
	OK(unlink("again"));
}

static int big_n = 100000;

static void t_big(void)
{
	big(big_n);
}

/*
 * With dir_hash_test_bits set, names collide in groups larger than a
 * leaf: lookups, listings with tiny buffers and removals must all work.
 */
static void t_collide(void)
{
	static const size_t bufs[] = { 64, 100, 4096 };
	int n = big_n, i, bad;
	char name[64];
	size_t b, j;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		if (touch(name)) {
			fail_at(__LINE__, "create %s: %s", name,
				strerror(errno));
			return;
		}
	}
	for (i = 0, bad = 0; i < n; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		if (ino_of(name) == 0)
			bad++;
		snprintf(name, sizeof(name), "c%dx", i);
		if (ino_of(name) != 0)
			bad++;
	}
	CHECK_EQ(bad, 0);
	for (b = 0; b < sizeof(bufs) / sizeof(bufs[0]); b++) {
		struct dlist l;

		REQUIRE(read_dir(".", bufs[b], &l) == 0);
		CHECK_EQ(l.n, n);
		CHECK_EQ(dl_dups(&l), 0);
		dl_free(&l);
	}
	/* Remove every other name; the rest must stay reachable. */
	for (i = 0; i < n; i += 2) {
		snprintf(name, sizeof(name), "c%d", i);
		OK(unlink(name));
	}
	for (i = 0, bad = 0; i < n; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		if ((ino_of(name) != 0) != (i & 1))
			bad++;
	}
	CHECK_EQ(bad, 0);
	{
		struct dlist l;

		REQUIRE(read_dir(".", 64, &l) == 0);
		CHECK_EQ(l.n, n / 2);
		CHECK_EQ(dl_dups(&l), 0);
		for (j = 0, bad = 0; j < l.n; j++)
			if (!(atoi(l.v[j].name + 1) & 1))
				bad++;
		CHECK_EQ(bad, 0);
		dl_free(&l);
	}
	/* Renames within and exchanges between colliding names. */
	OK(rename("c1", "c0"));
	OK(do_renameat2("c3", "c5", RENAME_EXCHANGE));
	CHECK(ino_of("c1") == 0 && ino_of("c0") != 0);
	OK(rename("c0", "c1"));
	for (i = 1; i < n; i += 2) {
		snprintf(name, sizeof(name), "c%d", i);
		OK(unlink(name));
	}
	{
		struct dlist l;

		REQUIRE(read_dir(".", 4096, &l) == 0);
		CHECK_EQ(l.n, 0);
		dl_free(&l);
	}
}

/* ------------------------------------------------------------------ */
/* Persistence                                                         */
/* ------------------------------------------------------------------ */

#define P_MANY	3000

static char long_target[901];	/* a page symlink even with 1 KiB blocks */

static void p_names(void)
{
	memset(long_target, 'L', sizeof(long_target) - 1);
	long_target[sizeof(long_target) - 1] = '\0';
}

static void t_setup(void)
{
	char name[64];
	int i;

	p_names();
	OK(mkdir("dirA", 0751));
	OK(mkdir("dirA/sub", 0700));
	OK(mkdir("dirB", 0755));
	OK(touch("dirA/file"));
	OK(link("dirA/file", "dirB/hardlink"));
	OK(symlink("dirA/file", "sym_inline"));
	OK(symlink(long_target, "sym_long"));
	OK(mknod("fifo", S_IFIFO | 0600, 0));
	OK(mknod("chr", S_IFCHR | 0600, makedev(10, 200)));
	OK(mknod("blk", S_IFBLK | 0600, makedev(300, 70000)));
	OK(mknod("sock", S_IFSOCK | 0600, 0));
	OK(mkdir("moved_src", 0755));
	OK(rename("dirA/sub", "dirB/sub_moved"));
	OK(touch("dirB/x"));
	OK(touch("dirB/y"));
	OK(do_renameat2("dirB/x", "dirB/y", RENAME_EXCHANGE));
	OK(mkdir("many", 0755));
	for (i = 0; i < P_MANY; i++) {
		snprintf(name, sizeof(name), "many/m%05d", i);
		OK(touch(name));
	}
	for (i = 0; i < P_MANY; i += 3) {
		snprintf(name, sizeof(name), "many/m%05d", i);
		OK(unlink(name));
	}
	OK(rmdir("moved_src"));
}

static void t_verify(void)
{
	static const char *top_names[] = {
		"dirA", "dirB", "sym_inline", "sym_long", "fifo", "chr", "blk",
		"sock",
	};
	char name[64], buf[4096];
	struct dlist l;
	struct stat st;
	size_t i;
	int bad;

	p_names();
	REQUIRE(read_dir(".", 4096, &l) == 0);
	CHECK_EQ(l.n, sizeof(top_names) / sizeof(top_names[0]) + 1);
	for (i = 0; i < sizeof(top_names) / sizeof(top_names[0]); i++)
		CHECK(dl_find(&l, top_names[i]) != NULL);
	CHECK(dl_find(&l, "many") != NULL);
	dl_free(&l);
	CHECK_EQ(nlink_of("."), 5);		/* dirA, dirB, many */

	CHECK(lstat("dirA", &st) == 0 && S_ISDIR(st.st_mode) &&
	      (st.st_mode & 07777) == 0751 && st.st_nlink == 2);
	CHECK(lstat("dirB", &st) == 0 && st.st_nlink == 3);
	CHECK(lstat("dirB/sub_moved", &st) == 0 && S_ISDIR(st.st_mode) &&
	      (st.st_mode & 07777) == 0700);
	CHECK_EQ(ino_of("dirB/sub_moved/.."), ino_of("dirB"));
	CHECK_EQ(ino_of("dirA/file"), ino_of("dirB/hardlink"));
	CHECK_EQ(nlink_of("dirA/file"), 2);
	CHECK(ino_of("dirB/x") != 0 && ino_of("dirB/y") != 0);
	REQUIRE(read_dir("dirB", 4096, &l) == 0);
	CHECK_EQ(l.n, 4);
	dl_free(&l);
	REQUIRE(read_dir("dirA", 4096, &l) == 0);
	CHECK_EQ(l.n, 1);
	dl_free(&l);

	CHECK_EQ(readlink("sym_inline", buf, sizeof(buf)), 9);
	CHECK(!memcmp(buf, "dirA/file", 9));
	CHECK_EQ(readlink("sym_long", buf, sizeof(buf)),
		 (ssize_t)strlen(long_target));
	CHECK(!memcmp(buf, long_target, strlen(long_target)));
	CHECK(stat("sym_inline", &st) == 0 && S_ISREG(st.st_mode));

	CHECK(lstat("fifo", &st) == 0 && st.st_mode == (S_IFIFO | 0600));
	CHECK(lstat("chr", &st) == 0 && st.st_mode == (S_IFCHR | 0600) &&
	      st.st_rdev == makedev(10, 200));
	CHECK(lstat("blk", &st) == 0 && st.st_mode == (S_IFBLK | 0600) &&
	      st.st_rdev == makedev(300, 70000));
	CHECK(lstat("sock", &st) == 0 && st.st_mode == (S_IFSOCK | 0600));

	for (i = 0, bad = 0; i < P_MANY; i++) {
		snprintf(name, sizeof(name), "many/m%05zu", i);
		if ((ino_of(name) != 0) != (i % 3 != 0))
			bad++;
	}
	CHECK_EQ(bad, 0);
	REQUIRE(read_dir("many", 200, &l) == 0);
	CHECK_EQ(l.n, P_MANY - (P_MANY + 2) / 3);
	CHECK_EQ(dl_dups(&l), 0);
	dl_free(&l);
}

static void t_cleanup(void)
{
	char name[64];
	struct dlist l;
	int i;

	for (i = 0; i < P_MANY; i++) {
		snprintf(name, sizeof(name), "many/m%05d", i);
		if (i % 3)
			OK(unlink(name));
	}
	OK(rmdir("many"));
	OK(rmdir("dirB/sub_moved"));
	OK(unlink("dirB/hardlink"));
	OK(unlink("dirB/x"));
	OK(unlink("dirB/y"));
	OK(unlink("dirA/file"));
	OK(rmdir("dirA"));
	OK(rmdir("dirB"));
	OK(unlink("sym_inline"));
	OK(unlink("sym_long"));
	OK(unlink("fifo"));
	OK(unlink("chr"));
	OK(unlink("blk"));
	OK(unlink("sock"));
	REQUIRE(read_dir(".", 4096, &l) == 0);
	CHECK_EQ(l.n, 0);
	dl_free(&l);
	CHECK_EQ(nlink_of("."), 2);
}

/* After cleanup and a remount: empty, and it takes names again. */
static void t_empty(void)
{
	struct dlist l;

	REQUIRE(read_dir(".", 4096, &l) == 0);
	CHECK_EQ(l.n, 0);
	dl_free(&l);
	CHECK_EQ(nlink_of("."), 2);
	OK(mkdir("again", 0755));
	OK(touch("again/f"));
	CHECK_EQ(nlink_of("."), 3);
	OK(unlink("again/f"));
	OK(rmdir("again"));
	CHECK_EQ(nlink_of("."), 2);
}

/* ------------------------------------------------------------------ */
/* Corrupt directories                                                 */
/* ------------------------------------------------------------------ */

/*
 * "corrupt_setup" fills DIR/c_<kind> for every kind below; the guest
 * script unmounts, runs "corrupt DEV KIND INO" on each directory's inode
 * number, which damages one of the directory's tree nodes on the device
 * (fixing the checksum afterwards except for "crc", so that the field
 * checks are what must catch it), mounts again and runs "probe" in each:
 * listing it and looking every name up must report EUCLEAN (or EBADMSG
 * for a bad checksum) and never hang or oops.
 */
static const char *const corrupt_kinds[] = {
	"crc", "count", "reclen", "order", "name", "ino", "type", "child",
	"level", "loop", "used",
};
#define CORRUPT_NAMES	1500

static void t_corrupt_setup(void)
{
	char name[64];
	size_t k;
	int i;

	for (k = 0; k < sizeof(corrupt_kinds) / sizeof(corrupt_kinds[0]); k++) {
		snprintf(name, sizeof(name), "c_%s", corrupt_kinds[k]);
		OK(mkdir(name, 0755));
		for (i = 0; i < CORRUPT_NAMES; i++) {
			snprintf(name, sizeof(name), "c_%s/name%d",
				 corrupt_kinds[k], i);
			if (touch(name)) {
				fail_at(__LINE__, "%s: %s", name,
					strerror(errno));
				return;
			}
		}
	}
}

static uint32_t crc32c_raw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
	}
	return crc;
}

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		*p++ = v & 0xff;
		v >>= 8;
	}
}

/* Damage one tree node of directory inode @ino on @dev as @kind says. */
static int corrupt(const char *dev, const char *kind, uint64_t ino)
{
	uint8_t sb[1024], *b;
	uint32_t bs, seed;
	uint64_t blocks, n;
	int fd = open(dev, O_RDWR);

	if (fd < 0 || pread(fd, sb, sizeof(sb), 1024) != sizeof(sb)) {
		perror(dev);
		return 1;
	}
	bs = le(sb + 0x0c, 4);
	blocks = le(sb + 0x10, 8);
	seed = crc32c_raw(~0U, sb + 0x40, 16);
	b = malloc(bs);
	/*
	 * Directory blocks live in the data area (s_data_start on): the
	 * journal before it holds logged copies that must not be taken
	 * for the real thing.
	 */
	for (n = le(sb + 0xd0, 8); n < blocks; n++) {
		unsigned int level, count, used;
		uint8_t *body = b + 48, *node = b + 32;

		if (pread(fd, b, bs, (off_t)n * bs) != (ssize_t)bs)
			break;
		if (le(b, 4) != 0x45455244 || le(b + 16, 8) != ino)
			continue;
		level = le(node, 2);
		count = le(node + 2, 2);
		used = le(node + 4, 2);
		if (!strcmp(kind, "crc")) {
			b[bs - 1] ^= 0x5a;
		} else if (!strcmp(kind, "child") || !strcmp(kind, "level")) {
			if (!level)
				continue;
			if (!strcmp(kind, "child"))
				put_le(body + 16 * (count - 1) + 8, 0x7fffffff, 4);
			else
				put_le(node, level + 7, 2);
		} else {
			if (level || count < 2)
				continue;
			if (!strcmp(kind, "count"))
				put_le(node + 2, 0xffff, 2);
			else if (!strcmp(kind, "used"))
				put_le(node + 4, used + 8, 2);
			else if (!strcmp(kind, "reclen"))
				put_le(body + 16, 7, 2);
			else if (!strcmp(kind, "order"))
				put_le(body, le(body + le(body + 16, 2), 8) + 1, 8);
			else if (!strcmp(kind, "name"))
				body[20] = '/';
			else if (!strcmp(kind, "ino"))
				put_le(body + 8, 1, 8);
			else if (!strcmp(kind, "type"))
				body[19] = 200;
			else if (!strcmp(kind, "loop")) {
				if (!le(node + 12, 4))
					continue;	/* the first leaf */
				memcpy(node + 8, node + 12, 4);
			} else {
				fprintf(stderr, "corrupt: unknown kind %s\n",
					kind);
				return 2;
			}
		}
		if (strcmp(kind, "crc")) {
			put_le(b + 4, 0, 4);
			put_le(b + 4, crc32c_raw(seed, b, bs), 4);
		}
		if (pwrite(fd, b, bs, (off_t)n * bs) != (ssize_t)bs) {
			perror("pwrite");
			return 1;
		}
		fsync(fd);
		close(fd);
		printf("corrupted block %llu of directory %llu (%s)\n",
		       (unsigned long long)n, (unsigned long long)ino, kind);
		return 0;
	}
	printf("FAIL: dir_%scorrupt_%s (no block to damage)\n", tag, kind);
	return 1;
}

/* In a damaged directory: errors, not crashes, hangs or wrong answers. */
static void t_probe(void)
{
	int i, detected = 0, other = 0;
	struct dlist l;
	char name[64];

	if (read_dir(".", 4096, &l)) {
		if (errno == EUCLEAN || errno == EBADMSG)
			detected++;
		else
			fail_at(__LINE__, "readdir: %s", strerror(errno));
	}
	dl_free(&l);
	for (i = 0; i < CORRUPT_NAMES; i++) {
		struct stat st;

		snprintf(name, sizeof(name), "name%d", i);
		if (!lstat(name, &st))
			continue;
		if (errno == EUCLEAN || errno == EBADMSG)
			detected++;
		else if (errno != ENOENT)
			other++;
	}
	CHECK(detected > 0);
	CHECK_EQ(other, 0);
	/* Changes fail cleanly too (EUCLEAN, or EROFS after errors=remount-ro). */
	if (touch("newname") == 0)
		OK(unlink("newname"));
}

/* The persistence phases work in DIR itself, not in a t_* directory. */
static void run_here(const char *name, void (*fn)(void))
{
	case_failed = 0;
	if (chdir(top)) {
		printf("  cannot enter %s: %s\n", top, strerror(errno));
		case_failed = 1;
	} else {
		fn();
	}
	printf("%s: dir_%s%s\n", case_failed ? "FAIL" : "PASS", tag, name);
	fflush(stdout);
	any_failed |= case_failed;
}

int main(int argc, char **argv)
{
	static char topbuf[PATH_MAX];
	const char *phase;

	if (argc < 3) {
		fprintf(stderr, "usage: dirops DIR all|big [N]|emlink_dir|collide [N]|setup|verify|cleanup\n");
		return 2;
	}
	if (!realpath(argv[1], topbuf)) {
		perror(argv[1]);
		return 2;
	}
	top = topbuf;
	phase = argv[2];
	if (getenv("DIROPS_TAG"))
		tag = getenv("DIROPS_TAG");
	if (argc > 3)
		big_n = atoi(argv[3]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);

	if (!strcmp(phase, "all")) {
		run("create_lookup_unlink", t_create_lookup_unlink);
		run("mkdir_rmdir", t_mkdir_rmdir);
		run("errors", t_errors);
		run("link_counts", t_link_counts);
		run("rename_files", t_rename_files);
		run("rename_dirs", t_rename_dirs);
		run("rename_flags", t_rename_flags);
		run("rename_whiteout", t_rename_whiteout);
		run("times", t_times);
		run("symlinks", t_symlinks);
		run("mknod", t_mknod);
		run("readdir_types", t_readdir_types);
		run("readdir_complete", t_readdir_complete);
		run("seekdir", t_seekdir);
		run("tmpfile", t_tmpfile);
		run("emlink_file", t_emlink_file);
	} else if (!strcmp(phase, "big")) {
		run("big", t_big);
	} else if (!strcmp(phase, "emlink_dir")) {
		run("emlink_dir", t_emlink_dir);
	} else if (!strcmp(phase, "collide")) {
		if (argc <= 3)
			big_n = 3000;
		run("collide", t_collide);
	} else if (!strcmp(phase, "corrupt_setup")) {
		run_here("corrupt_setup", t_corrupt_setup);
	} else if (!strcmp(phase, "corrupt")) {
		if (argc < 5)
			return 2;
		return corrupt(argv[1], argv[3], strtoull(argv[4], NULL, 0));
	} else if (!strcmp(phase, "probe")) {
		char tname[80];

		snprintf(tname, sizeof(tname), "corrupt_%s",
			 argc > 3 ? argv[3] : "dir");
		run_here(tname, t_probe);
	} else if (!strcmp(phase, "setup")) {
		run_here("persist_setup", t_setup);
	} else if (!strcmp(phase, "verify")) {
		run_here("persist_verify", t_verify);
	} else if (!strcmp(phase, "cleanup")) {
		run_here("persist_cleanup", t_cleanup);
	} else if (!strcmp(phase, "empty")) {
		run_here("persist_empty", t_empty);
	} else {
		fprintf(stderr, "dirops: unknown phase %s\n", phase);
		return 2;
	}
	return any_failed;
}
