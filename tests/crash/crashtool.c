// SPDX-License-Identifier: GPL-2.0
/*
 * crashtool - the guest side of the crash-consistency harness.
 *
 *   crashtool dm-create NAME DEV LOGDEV   log-writes target over DEV,
 *                                         prints /dev/dm-N
 *   crashtool dm-remove NAME
 *   crashtool mark NAME MARK              put the mark MARK in NAME's log
 *   crashtool workload MNT NAME SEED OPS MODEL
 *       runs OPS operations on MNT; before operation k it puts the
 *       dm-log-writes mark "b<k>" in the log, after it is acknowledged
 *       (fsync of the file and of its directory) the mark "a<k>"; MODEL
 *       gets one line per operation saying what it does, written before
 *       the operation starts.  A NAME that starts with '/' is a file:
 *       the marks are appended to it, one line each, instead (for a
 *       crash that is not a log replay: shutdown below)
 *   crashtool marks FILE                  "ACKED INFLIGHT" from such a
 *       file: the last operation acknowledged, and the one begun after
 *       it (or 0)
 *   crashtool shutdown MNT FILE AT MS FLAG
 *       once the mark file FILE says operation AT was acknowledged,
 *       waits MS milliseconds and shuts MNT's filesystem down with
 *       FS_IOC_SHUTDOWN (FLAG: default, logflush or nologflush)
 *   crashtool points LOGDEV SEED NRANDOM [NFLUSH]  the crash points to
 *       try, one line each: "ENTRIES ACKED INFLIGHT" (replay ENTRIES log
 *       entries; operations 1..ACKED were acknowledged; INFLIGHT had
 *       begun, or 0): every FLUSH or FUA write (or NFLUSH of them, evenly
 *       spread over the log's), NRANDOM random entries, and the end.
 *       Without NFLUSH, also every acknowledgement: the entry just after
 *       each mark "a<k>", where everything operation k made durable must
 *       be in the log already
 *   crashtool replay LOGDEV IMAGE FROM TO apply log entries [FROM, TO)
 *   crashtool verify MNT MODEL ACKED INFLIGHT
 *       checks that MNT holds exactly what operations 1..ACKED left,
 *       allowing operation INFLIGHT to be either done or not done: a
 *       rename shows the old or the new file at its target, never
 *       neither and never a mix
 *
 * The dm-log-writes log (drivers/md/dm-log-writes.c): sector 0 holds
 * struct log_write_super; entries follow from sector 1, each one sector
 * with struct log_write_entry (and a mark's name after it) followed by
 * nr_sectors sectors of data (none for a discard or a mark).  Sectors are
 * the logical block size of the logged device, recorded in the super.
 * Writes are logged when a flush makes them durable, so every prefix of
 * the log is a state the disk could be in after a power cut.  A mark is
 * logged at once: a write that an fsync left in the disk's cache, with
 * no flush after it, comes after the fsync's "a<k>" in the log, so the
 * point at that mark finds operation k acknowledged and its data missing.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/dm-ioctl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/types.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "vexfs_uapi.h"		/* FS_IOC_SHUTDOWN, for older libc headers */

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("crashtool: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* ------------------------------------------------------------------ */
/* device-mapper ioctls                                                */
/* ------------------------------------------------------------------ */

static int dm_ctl(void)
{
	int fd = open("/dev/mapper/control", O_RDWR);

	if (fd < 0)
		die("/dev/mapper/control: %s", strerror(errno));
	return fd;
}

static struct dm_ioctl *dm_req(char *buf, size_t size, const char *name)
{
	struct dm_ioctl *dmi = (struct dm_ioctl *)buf;

	memset(buf, 0, size);
	dmi->version[0] = DM_VERSION_MAJOR;
	dmi->version[1] = 0;
	dmi->version[2] = 0;
	dmi->data_size = size;
	dmi->data_start = sizeof(*dmi);
	snprintf(dmi->name, sizeof(dmi->name), "%s", name);
	return dmi;
}

static void dm_call(int fd, unsigned long cmd, struct dm_ioctl *dmi,
		    const char *what)
{
	if (ioctl(fd, cmd, dmi) < 0)
		die("device-mapper %s: %s", what, strerror(errno));
}

static uint64_t dev_sectors(const char *dev)
{
	uint64_t bytes;
	int fd = open(dev, O_RDONLY);

	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes) < 0)
		die("%s: %s", dev, strerror(errno));
	close(fd);
	return bytes / 512;
}

static int cmd_dm_create(char **argv)
{
	char buf[16384], *params;
	struct dm_target_spec *spec;
	struct dm_ioctl *dmi;
	int fd = dm_ctl();

	dmi = dm_req(buf, sizeof(buf), argv[0]);
	dm_call(fd, DM_DEV_CREATE, dmi, "create");

	dmi = dm_req(buf, sizeof(buf), argv[0]);
	dmi->target_count = 1;
	spec = (struct dm_target_spec *)(buf + sizeof(*dmi));
	spec->sector_start = 0;
	spec->length = dev_sectors(argv[1]);
	snprintf(spec->target_type, sizeof(spec->target_type), "log-writes");
	params = (char *)(spec + 1);
	snprintf(params, 1024, "%s %s", argv[1], argv[2]);
	spec->next = 0;
	dm_call(fd, DM_TABLE_LOAD, dmi, "table load");

	dmi = dm_req(buf, sizeof(buf), argv[0]);
	dm_call(fd, DM_DEV_SUSPEND, dmi, "resume");
	printf("/dev/dm-%u\n", minor(dmi->dev));
	close(fd);
	return 0;
}

static void dm_mark(const char *name, const char *mark);

static int cmd_mark(char **argv)
{
	dm_mark(argv[0], argv[1]);
	return 0;
}

static int cmd_dm_remove(char **argv)
{
	char buf[16384];
	int fd = dm_ctl();

	dm_call(fd, DM_DEV_REMOVE, dm_req(buf, sizeof(buf), argv[0]),
		"remove");
	close(fd);
	return 0;
}

static void dm_mark(const char *name, const char *mark)
{
	char buf[4096];
	struct dm_target_msg *msg;
	struct dm_ioctl *dmi;
	int fd;

	if (name[0] == '/') {
		/* A mark file: one write(2) per line, so a reader never
		 * sees half a mark. */
		int n = snprintf(buf, sizeof(buf), "%s\n", mark);

		fd = open(name, O_WRONLY | O_APPEND | O_CREAT, 0644);
		if (fd < 0 || write(fd, buf, n) != n)
			die("mark %s: %s", name, strerror(errno));
		close(fd);
		return;
	}
	fd = dm_ctl();
	dmi = dm_req(buf, sizeof(buf), name);
	msg = (struct dm_target_msg *)(buf + sizeof(*dmi));
	msg->sector = 0;
	snprintf(msg->message, 256, "mark %s", mark);
	dm_call(fd, DM_TARGET_MSG, dmi, "mark");
	close(fd);
}

/* ------------------------------------------------------------------ */
/* The log                                                             */
/* ------------------------------------------------------------------ */

#define LOG_FLUSH_FLAG		(1 << 0)
#define LOG_FUA_FLAG		(1 << 1)
#define LOG_DISCARD_FLAG	(1 << 2)
#define LOG_MARK_FLAG		(1 << 3)
#define WRITE_LOG_MAGIC		0x6a736677736872ULL
#define WRITE_LOG_VERSION	1

struct log_write_super {
	uint64_t magic, version, nr_entries;
	uint32_t sectorsize;
};

struct log_write_entry {
	uint64_t sector, nr_sectors, flags, data_len;
};

struct lw {
	int fd;
	uint32_t ss;		/* sector size */
	uint64_t nr;		/* entries */
	uint64_t next;		/* byte offset of entry @idx */
	uint64_t idx;
};

static void lw_open(struct lw *lw, const char *path)
{
	struct log_write_super s;

	lw->fd = open(path, O_RDONLY);
	if (lw->fd < 0 || pread(lw->fd, &s, sizeof(s), 0) != sizeof(s))
		die("%s: cannot read the log", path);
	if (s.magic != WRITE_LOG_MAGIC || s.version != WRITE_LOG_VERSION ||
	    (s.sectorsize != 512 && s.sectorsize != 4096))
		die("%s: not a dm-log-writes log", path);
	lw->ss = s.sectorsize;
	lw->nr = s.nr_entries;
	lw->next = lw->ss;
	lw->idx = 0;
}

/* Read entry lw->idx; @mark gets a mark's name.  Returns its data offset. */
static uint64_t lw_entry(struct lw *lw, struct log_write_entry *e,
			 char *mark, size_t marklen)
{
	char sec[4096];
	uint64_t data;

	if (pread(lw->fd, sec, lw->ss, lw->next) != (ssize_t)lw->ss)
		die("log entry %" PRIu64 ": short read", lw->idx);
	memcpy(e, sec, sizeof(*e));
	mark[0] = 0;
	if ((e->flags & LOG_MARK_FLAG) && e->data_len < marklen &&
	    e->data_len < lw->ss - sizeof(*e)) {
		memcpy(mark, sec + sizeof(*e), e->data_len);
		mark[e->data_len] = 0;
	}
	data = lw->next + lw->ss;
	lw->next = data;
	if (!(e->flags & (LOG_DISCARD_FLAG | LOG_MARK_FLAG)))
		lw->next += e->nr_sectors * lw->ss;
	lw->idx++;
	return data;
}

static int cmd_replay(char **argv)
{
	uint64_t from = strtoull(argv[2], NULL, 0);
	uint64_t to = strtoull(argv[3], NULL, 0);
	static char buf[1 << 20];
	struct log_write_entry e;
	char mark[256];
	struct lw lw;
	int out;

	lw_open(&lw, argv[0]);
	if (to > lw.nr)
		die("only %" PRIu64 " entries", lw.nr);
	out = open(argv[1], O_WRONLY);
	if (out < 0)
		die("%s: %s", argv[1], strerror(errno));
	while (lw.idx < to) {
		uint64_t idx = lw.idx, data = lw_entry(&lw, &e, mark,
						       sizeof(mark));
		uint64_t left, off, n;

		if (idx < from || (e.flags & LOG_MARK_FLAG))
			continue;
		left = e.nr_sectors * lw.ss;
		off = e.sector * lw.ss;
		if (e.flags & LOG_DISCARD_FLAG) {
			memset(buf, 0, sizeof(buf));
			for (; left; left -= n, off += n) {
				n = left < sizeof(buf) ? left : sizeof(buf);
				if (pwrite(out, buf, n, off) != (ssize_t)n)
					die("replay write failed");
			}
			continue;
		}
		for (; left; left -= n, off += n, data += n) {
			n = left < sizeof(buf) ? left : sizeof(buf);
			if (pread(lw.fd, buf, n, data) != (ssize_t)n ||
			    pwrite(out, buf, n, off) != (ssize_t)n)
				die("replay of entry %" PRIu64 " failed", idx);
		}
	}
	if (fsync(out))
		die("fsync: %s", strerror(errno));
	close(out);
	return 0;
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void rng_seed(uint64_t seed)
{
	rng_state = seed * 0x9e3779b97f4a7c15ULL + 0x1234567;
	if (!rng_state)
		rng_state = 1;
	rnd();
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The crash points of the log on argv[0]: its FLUSH and FUA entries (or
 * @nflush of them), NRANDOM random ones, its end and, if @acks, every
 * acknowledgement mark.
 */
static int cmd_points_n(char **argv, uint64_t nflush, bool acks)
{
	uint64_t nrandom = strtoull(argv[2], NULL, 0), i, n = 0;
	uint64_t *pts, *acked, *begun;
	struct log_write_entry e;
	char mark[256];
	struct lw lw;

	lw_open(&lw, argv[0]);
	rng_seed(strtoull(argv[1], NULL, 0));
	pts = calloc(lw.nr + nrandom + 2, sizeof(*pts));
	acked = calloc(lw.nr + 1, sizeof(*acked));
	begun = calloc(lw.nr + 1, sizeof(*begun));
	if (!pts || !acked || !begun)
		die("out of memory");
	/* acked[E] / begun[E]: the state after replaying E entries. */
	for (i = 0; i < lw.nr; i++) {
		lw_entry(&lw, &e, mark, sizeof(mark));
		acked[i + 1] = acked[i];
		begun[i + 1] = begun[i];
		if (mark[0] == 'a')
			acked[i + 1] = strtoull(mark + 1, NULL, 10);
		else if (mark[0] == 'b')
			begun[i + 1] = strtoull(mark + 1, NULL, 10);
		if ((e.flags & (LOG_FLUSH_FLAG | LOG_FUA_FLAG)) ||
		    (acks && mark[0] == 'a'))
			pts[n++] = i + 1;
	}
	/* Keep nflush of them, the first, the last and evenly between. */
	if (nflush && n > nflush) {
		for (i = 0; i < nflush; i++)
			pts[i] = pts[nflush > 1 ? i * (n - 1) / (nflush - 1) : 0];
		n = nflush;
	}
	for (i = 0; i < nrandom && lw.nr; i++)
		pts[n++] = 1 + rnd() % lw.nr;
	pts[n++] = lw.nr;
	qsort(pts, n, sizeof(*pts), cmp_u64);
	for (i = 0; i < n; i++) {
		uint64_t p = pts[i];

		if (i && p == pts[i - 1])
			continue;
		printf("%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", p, acked[p],
		       begun[p] > acked[p] ? begun[p] : 0);
	}
	return 0;
}

static int cmd_points(char **argv)
{
	return cmd_points_n(argv, 0, true);
}

static int cmd_points_limited(char **argv)
{
	uint64_t nflush = strtoull(argv[3], NULL, 0);

	if (!nflush)
		die("points: NFLUSH must be at least 1");
	return cmd_points_n(argv, nflush, false);
}

/* ------------------------------------------------------------------ */
/* Workload and model                                                  */
/* ------------------------------------------------------------------ */

static uint32_t crc_table[256];

static uint32_t crc32_buf(const unsigned char *p, size_t n)
{
	uint32_t c = ~0U;
	size_t i;

	if (!crc_table[1]) {
		for (i = 0; i < 256; i++) {
			uint32_t k = i;
			int j;

			for (j = 0; j < 8; j++)
				k = k & 1 ? 0xedb88320U ^ (k >> 1) : k >> 1;
			crc_table[i] = k;
		}
	}
	for (i = 0; i < n; i++)
		c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return ~c;
}

#define NFILES	16
#define NDIRS	4
#define MAXSIZE	(96 * 1024)

static char *mnt;
static FILE *model;
static const char *dmname;

static void pathof(char *out, size_t n, int dir, const char *name)
{
	if (dir < 0)
		snprintf(out, n, "%s/%s", mnt, name);
	else
		snprintf(out, n, "%s/d%d/%s", mnt, dir, name);
}

static void fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fsync(fd))
		die("fsync %s: %s", path, strerror(errno));
	close(fd);
}

static void fsync_parent(const char *path)
{
	char dir[512];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = 0;
	fsync_path(dir);
}

static unsigned char wbuf[MAXSIZE];

/*
 * The next @size pseudo-random bytes of file data, in wbuf; returns their
 * crc, so that the model can say what a write will leave before it runs.
 */
static uint32_t fill_data(size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		wbuf[i] = (unsigned char)rnd();
	return crc32_buf(wbuf, size);
}

/* Write the @size bytes fill_data() made as the whole file, and fsync. */
static void put_file(const char *path, size_t size, int flags)
{
	const unsigned char *buf = wbuf;
	size_t done;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	for (done = 0; done < size; ) {
		ssize_t w = write(fd, buf + done, size - done);

		if (w <= 0)
			die("write %s: %s", path, strerror(errno));
		done += w;
	}
	if (fsync(fd))
		die("fsync %s: %s", path, strerror(errno));
	close(fd);
}

/* Write @size pseudo-random bytes as the whole file; returns the crc. */
static uint32_t write_file(const char *path, size_t size, int flags)
{
	uint32_t crc = fill_data(size);

	put_file(path, size, flags);
	return crc;
}

/* What file_crc() read last. */
static unsigned char rbuf[8 * MAXSIZE];

static int file_crc(const char *path, uint64_t *size, uint32_t *crc)
{
	unsigned char *buf = rbuf;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(rbuf));
	close(fd);
	if (n < 0)
		return -EIO;
	*size = n;
	*crc = crc32_buf(buf, n);
	return 0;
}

/* d3 is a vector collection; its files get embeddings (journaled). */
#define EMB_DIM		8
#define EMB_XATTR	"user.vexfs.embedding"

static uint32_t get_embedding(const char *path, int *has)
{
	unsigned char v[EMB_DIM * 4];
	ssize_t n = getxattr(path, EMB_XATTR, v, sizeof(v));

	*has = n > 0;
	if (n < 0 && errno != ENODATA)
		*has = -1;
	if (n > 0 && n != sizeof(v))
		*has = -1;
	return n > 0 ? crc32_buf(v, n) : 0;
}

/* One line of the model, on its way before the operation it describes. */
static void model_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(model, fmt, ap);
	va_end(ap);
	if (fflush(model))
		die("model: %s", strerror(errno));
}

/*
 * fallocate PUNCH_HOLE or ZERO_RANGE (with or without KEEP_SIZE) over a
 * random range of the file, and fsync.  The model line "P k PATH SIZE CRC
 * OFF LEN OSIZE OCRC" gives the file after it, and for a crash while it
 * runs: the range [OFF, OFF + LEN) may be partly done (a punch is several
 * transactions, a zeroing in place is a data write), but the bytes
 * outside it must be intact, and the size is the old one (OSIZE, the
 * new contents cut there having crc OCRC) or the new one.
 */
static void punch_or_zero(const char *path, uint64_t k)
{
	uint64_t osize, size, off, len;
	uint32_t ocrc;
	int fd, err, mode;

	err = file_crc(path, &osize, &ocrc);
	if (err)
		die("read %s: %s", path, strerror(-err));
	off = osize ? rnd() % osize : 0;
	len = rnd() % (osize - off + 8192) + 1;
	mode = rnd() % 3 == 0 ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE :
	       FALLOC_FL_ZERO_RANGE | (rnd() % 2 ? FALLOC_FL_KEEP_SIZE : 0);
	size = osize;
	if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > osize)
		size = off + len;
	/* rbuf holds the old contents: make them the new ones. */
	memset(rbuf + osize, 0, size - osize);
	if (off < size)
		memset(rbuf + off, 0, (off + len < size ? off + len : size) - off);
	model_line("P %" PRIu64 " %s %" PRIu64 " %08x %" PRIu64 " %" PRIu64
		   " %" PRIu64 " %08x\n", k, path + strlen(mnt) + 1, size,
		   crc32_buf(rbuf, size), off, len, osize,
		   crc32_buf(rbuf, osize));
	fd = open(path, O_WRONLY);
	if (fd < 0 || fallocate(fd, mode, off, len) || fsync(fd))
		die("fallocate %s %d %" PRIu64 " %" PRIu64 ": %s", path, mode,
		    off, len, strerror(errno));
	close(fd);
}

static int cmd_workload(char **argv)
{
	uint64_t ops = strtoull(argv[3], NULL, 0), k;
	char path[512], path2[512], name[64], mk[32];
	int have[NFILES] = { 0 }, emb[NFILES] = { 0 }, i, orphan_fd = -1;

	mnt = argv[0];
	dmname = argv[1];
	rng_seed(strtoull(argv[2], NULL, 0));
	model = fopen(argv[4], "w");
	if (!model)
		die("%s: %s", argv[4], strerror(errno));
	/*
	 * Each operation's model line is written before the operation
	 * starts: a crash that is no log replay (FS_IOC_SHUTDOWN) may stop
	 * it anywhere, and the verification must know what it was doing.
	 * Operation 1: the directories, acknowledged by sync(2).
	 */
	dm_mark(dmname, "b1");
	fprintf(model, "D 1 d0 d1 d2 d3\n");
	fflush(model);
	for (i = 0; i < NDIRS; i++) {
		snprintf(path, sizeof(path), "%s/d%d", mnt, i);
		if (mkdir(path, 0755))
			die("mkdir %s: %s", path, strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/noise", mnt);
	mkdir(path, 0755);
	snprintf(path, sizeof(path),
		 "vexctl collection create %s/d3 --dim %d --metric l2",
		 mnt, EMB_DIM);
	if (system(path))
		die("%s failed", path);
	sync();
	dm_mark(dmname, "a1");

	for (k = 2; k <= ops + 1; k++) {
		int f = rnd() % NFILES, op = rnd() % 11;
		int dir = (int)(f % (NDIRS + 1)) - 1;
		size_t size = rnd() % 4 == 0 ? rnd() % 512 : rnd() % MAXSIZE;

		snprintf(mk, sizeof(mk), "b%" PRIu64, k);
		dm_mark(dmname, mk);
		snprintf(name, sizeof(name), "f%d", f);
		pathof(path, sizeof(path), dir, name);
		if (!have[f] || op < 3) {
			/* (Re)write a file in place and fsync it. */
			uint32_t crc = fill_data(size);

			model_line("W %" PRIu64 " %s %zu %08x\n", k,
				   path + strlen(mnt) + 1, size, crc);
			put_file(path, size, O_TRUNC);
			if (!have[f])
				fsync_parent(path);
			have[f] = 1;
		} else if (dir == 3 && rnd() % 4) {
			/*
			 * Set, replace or remove the embedding of a file of
			 * the collection, and fsync the file: one
			 * transaction, acknowledged by the fsync.
			 */
			unsigned char v[EMB_DIM * 4];
			uint32_t ecrc = 0;
			int fd, j;

			if (emb[f] && rnd() % 3 == 0) {
				model_line("E %" PRIu64 " %s 0 %08x\n", k,
					   path + strlen(mnt) + 1, 0);
				if (removexattr(path, EMB_XATTR))
					die("removexattr %s: %s", path,
					    strerror(errno));
				emb[f] = 0;
			} else {
				for (j = 0; j < EMB_DIM; j++) {
					float x = (float)(rnd() % 2001) / 8 -
						  125;

					memcpy(v + 4 * j, &x, 4);
				}
				ecrc = crc32_buf(v, sizeof(v));
				model_line("E %" PRIu64 " %s 1 %08x\n", k,
					   path + strlen(mnt) + 1, ecrc);
				if (setxattr(path, EMB_XATTR, v, sizeof(v), 0))
					die("setxattr %s: %s", path,
					    strerror(errno));
				emb[f] = 1;
			}
			fd = open(path, O_RDONLY);
			if (fd < 0 || fsync(fd))
				die("fsync %s: %s", path, strerror(errno));
			close(fd);
		} else if (op < 6) {
			/*
			 * Atomic replace: write a temporary file, fsync it,
			 * rename it over the file, fsync the directory.
			 */
			uint32_t crc;

			snprintf(name, sizeof(name), "f%d.tmp", f);
			pathof(path2, sizeof(path2), dir, name);
			crc = fill_data(size);
			model_line("R %" PRIu64 " %s %s %zu %08x\n", k,
				   path2 + strlen(mnt) + 1,
				   path + strlen(mnt) + 1, size, crc);
			put_file(path2, size, O_TRUNC);
			if (rename(path2, path))
				die("rename %s: %s", path2, strerror(errno));
			fsync_parent(path);
			emb[f] = 0;	/* a new inode */
		} else if (op < 7) {
			/* Move the file to another directory (and back). */
			int g = rnd() % NFILES, tries;

			for (tries = 0; tries < NFILES && (g == f || have[g]);
			     tries++)
				g = (g + 1) % NFILES;
			/* Not across the collection boundary (EXDEV). */
			if (g == f || have[g] ||
			    (dir == 3) != ((int)(g % (NDIRS + 1)) - 1 == 3)) {
				model_line("N %" PRIu64 "\n", k);
			} else {
				snprintf(name, sizeof(name), "f%d", g);
				pathof(path2, sizeof(path2),
				       (int)(g % (NDIRS + 1)) - 1, name);
				model_line("M %" PRIu64 " %s %s\n", k,
					   path + strlen(mnt) + 1,
					   path2 + strlen(mnt) + 1);
				if (rename(path, path2))
					die("rename %s: %s", path,
					    strerror(errno));
				fsync_parent(path);
				fsync_parent(path2);
				have[f] = 0;
				have[g] = 1;
				emb[g] = emb[f];
				emb[f] = 0;
			}
		} else if (op < 8) {
			model_line("U %" PRIu64 " %s\n", k,
				   path + strlen(mnt) + 1);
			if (unlink(path))
				die("unlink %s: %s", path, strerror(errno));
			fsync_parent(path);
			have[f] = 0;
			emb[f] = 0;
		} else if (op == 9 || (op == 8 && rnd() % 2)) {
			punch_or_zero(path, k);
		} else if (op < 9) {
			/* Shrink the file and fsync. */
			uint64_t osize;
			uint32_t ocrc;
			int fd, err;

			err = file_crc(path, &osize, &ocrc);
			if (err)
				die("read %s: %s", path, strerror(-err));
			osize = osize ? rnd() % osize : 0;
			/* What is left is the start of what file_crc read. */
			model_line("W %" PRIu64 " %s %" PRIu64 " %08x\n", k,
				   path + strlen(mnt) + 1, osize,
				   crc32_buf(rbuf, osize));
			fd = open(path, O_WRONLY);
			if (fd < 0 || ftruncate(fd, osize) || fsync(fd))
				die("truncate %s: %s", path, strerror(errno));
			close(fd);
		} else if (op == 10) {
			model_line("N %" PRIu64 "\n", k);
			/*
			 * An unlinked file kept open across operations: a cut
			 * while it is open leaves it on the orphan list, and
			 * the next mount must free it (fsck checks).
			 */
			if (orphan_fd >= 0) {
				close(orphan_fd);
				orphan_fd = -1;
			} else {
				snprintf(path2, sizeof(path2), "%s/noise/orphan",
					 mnt);
				write_file(path2, size, O_TRUNC);
				orphan_fd = open(path2, O_RDWR);
				if (orphan_fd < 0 || unlink(path2))
					die("orphan %s: %s", path2,
					    strerror(errno));
				fsync_parent(path2);
				if (pwrite(orphan_fd, "more", 4, size) != 4 ||
				    fsync(orphan_fd))
					die("orphan write: %s", strerror(errno));
			}
		} else {
			/* Unsynced noise, then sometimes sync(2). */
			model_line("N %" PRIu64 "\n", k);
			snprintf(path2, sizeof(path2), "%s/noise/n%" PRIu64,
				 mnt, k % 7);
			write_file(path2, size / 2, O_TRUNC);
			if (rnd() % 2) {
				snprintf(path2, sizeof(path2),
					 "%s/noise/n%" PRIu64, mnt,
					 (k + 3) % 7);
				unlink(path2);
			}
			sync();
		}
		snprintf(mk, sizeof(mk), "a%" PRIu64, k);
		dm_mark(dmname, mk);
	}
	if (orphan_fd >= 0)
		close(orphan_fd);
	fclose(model);
	return 0;
}

/* ------------------------------------------------------------------ */
/* FS_IOC_SHUTDOWN as the crash                                        */
/* ------------------------------------------------------------------ */

/* The last "a<k>" and "b<k>" of a mark file (0 for none). */
static void read_marks(const char *path, uint64_t *acked, uint64_t *begun)
{
	char line[64];
	FILE *f = fopen(path, "r");

	*acked = *begun = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == 'a')
			*acked = strtoull(line + 1, NULL, 10);
		else if (line[0] == 'b')
			*begun = strtoull(line + 1, NULL, 10);
	}
	fclose(f);
}

static int cmd_marks(char **argv)
{
	uint64_t acked, begun;

	read_marks(argv[0], &acked, &begun);
	printf("%" PRIu64 " %" PRIu64 "\n", acked, begun > acked ? begun : 0);
	return 0;
}

/*
 * Shut the filesystem of MNT down once operation AT is acknowledged and
 * MS more milliseconds have passed: a moment inside a running workload,
 * placed by the seed, and left to race with it.  Gives up waiting (and
 * shuts down anyway, saying so) after two minutes without the mark.
 */
static int cmd_shutdown(char **argv)
{
	uint64_t at = strtoull(argv[2], NULL, 0), acked, begun;
	long ms = strtol(argv[3], NULL, 0);
	struct timespec nap = { 0, 2 * 1000 * 1000 };
	__u32 flags;
	int fd, waited;

	if (!strcmp(argv[4], "default"))
		flags = FS_SHUTDOWN_FLAGS_DEFAULT;
	else if (!strcmp(argv[4], "logflush"))
		flags = FS_SHUTDOWN_FLAGS_LOGFLUSH;
	else if (!strcmp(argv[4], "nologflush"))
		flags = FS_SHUTDOWN_FLAGS_NOLOGFLUSH;
	else
		die("shutdown: unknown flag %s", argv[4]);
	fd = open(argv[0], O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		die("%s: %s", argv[0], strerror(errno));
	for (waited = 0; waited < 60000; waited++) {
		read_marks(argv[1], &acked, &begun);
		if (acked >= at)
			break;
		nanosleep(&nap, NULL);
	}
	if (acked < at)
		fprintf(stderr, "crashtool: shutdown: operation %" PRIu64
			" never acknowledged (at %" PRIu64 "), shutting down\n",
			at, acked);
	nap.tv_sec = ms / 1000;
	nap.tv_nsec = ms % 1000 * 1000 * 1000;
	nanosleep(&nap, NULL);
	if (ioctl(fd, FS_IOC_SHUTDOWN, &flags))
		die("FS_IOC_SHUTDOWN %s: %s", argv[0], strerror(errno));
	close(fd);
	return acked < at;
}

/* The model: tracked paths and what they hold. */
struct ent {
	char path[256];
	int state;		/* 0 absent, 1 file, 2 directory */
	uint64_t size;
	uint32_t crc;
	int emb;		/* a file of d3: has an embedding */
	uint32_t ecrc;		/* crc of its value */
};

static struct ent ents[256];
static int nents;

static struct ent *ent_get(const char *path)
{
	int i;

	for (i = 0; i < nents; i++)
		if (!strcmp(ents[i].path, path))
			return &ents[i];
	if (nents == 256)
		die("model too large");
	snprintf(ents[nents].path, sizeof(ents[nents].path), "%s", path);
	ents[nents].state = 0;
	return &ents[nents++];
}

static int fails;

static void check_ent(const char *root, const struct ent *want,
		      const struct ent *alt, const char *why)
{
	char path[512];
	struct stat st;
	uint64_t size;
	uint32_t crc;
	int got;

	snprintf(path, sizeof(path), "%s/%s", root, want->path);
	if (lstat(path, &st))
		got = 0;
	else
		got = S_ISDIR(st.st_mode) ? 2 : 1;
	if (got == 1 && file_crc(path, &size, &crc))
		got = -1;
	for (;;) {
		int ehas = 0;
		uint32_t ecrc = 0;

		if (got == 1 && !strncmp(want->path, "d3/", 3))
			ecrc = get_embedding(path, &ehas);
		if (got == want->state &&
		    (got != 1 || (size == want->size && crc == want->crc &&
				  ehas == want->emb && ecrc == want->ecrc)))
			return;
		if (!alt && got == 1 && got == want->state &&
		    (ehas != want->emb || ecrc != want->ecrc))
			printf("FAIL-DETAIL: %s: %s: embedding %d crc %08x, want %d crc %08x\n",
			       why, want->path, ehas, ecrc, want->emb,
			       want->ecrc);
		if (!alt)
			break;
		want = alt;
		alt = NULL;
	}
	fails++;
	if (got == 1)
		printf("FAIL-DETAIL: %s: %s: found %" PRIu64 " bytes crc %08x, want state %d %" PRIu64 " bytes crc %08x\n",
		       why, want->path, size, crc, want->state, want->size,
		       want->crc);
	else
		printf("FAIL-DETAIL: %s: %s: found state %d, want state %d\n",
		       why, want->path, got, want->state);
}

/* A punch or zero range in flight (see punch_or_zero()). */
struct partial_zero {
	int on;
	struct ent want;	/* the file once it is done */
	uint64_t off, len, osize;
	uint32_t ocrc;
};

/*
 * The file of a punch or zero range in flight: its old or new size, and
 * with the range zeroed, the contents it has once done.  Inside the range
 * anything of the old or new contents may be left; outside, nothing may
 * have changed.
 */
static void check_partial_zero(const char *root, struct partial_zero *pz)
{
	char path[512];
	uint64_t size, end;
	uint32_t crc;

	snprintf(path, sizeof(path), "%s/%s", root, pz->want.path);
	if (file_crc(path, &size, &crc)) {
		fails++;
		printf("FAIL-DETAIL: punch or zero in flight: %s: unreadable\n",
		       pz->want.path);
		return;
	}
	end = pz->off + pz->len < size ? pz->off + pz->len : size;
	if (pz->off < end)
		memset(rbuf + pz->off, 0, end - pz->off);
	crc = crc32_buf(rbuf, size);
	if ((size == pz->want.size && crc == pz->want.crc) ||
	    (size == pz->osize && crc == pz->ocrc))
		return;
	fails++;
	printf("FAIL-DETAIL: punch or zero in flight: %s: %" PRIu64 " bytes, crc %08x outside [%" PRIu64 ", +%" PRIu64 "), want %" PRIu64 " bytes crc %08x or %" PRIu64 " bytes crc %08x\n",
	       pz->want.path, size, crc, pz->off, pz->len, pz->want.size,
	       pz->want.crc, pz->osize, pz->ocrc);
}

static int cmd_verify(char **argv)
{
	struct partial_zero pz = { 0 };
	uint64_t acked = strtoull(argv[2], NULL, 0);
	uint64_t inflight = strtoull(argv[3], NULL, 0);
	struct ent before, after, *e, *e2;
	char line[1024], t;
	char a[256], b[256];
	int inflight_is_rename = 0;
	FILE *f;
	int i;

	f = fopen(argv[1], "r");
	if (!f)
		die("%s: %s", argv[1], strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		uint64_t k, size;
		unsigned int crc;

		if (sscanf(line, "%c %" SCNu64, &t, &k) != 2)
			die("bad model line %s", line);
		if (k > acked && k != inflight)
			break;
		if (t == 'D') {
			const char *d[] = { "d0", "d1", "d2", "d3" };

			for (i = 0; i < 4; i++)
				ent_get(d[i])->state = k == inflight ? -1 : 2;
			continue;
		}
		if (k == inflight) {
			/* Whatever it touches may be in either state. */
			if (t == 'W' || t == 'U' || t == 'M') {
				sscanf(line, "%c %*u %255s %255s", &t, a, b);
				ent_get(a)->state = -1;
				if (t == 'M')
					ent_get(b)->state = -1;
			} else if (t == 'R') {
				sscanf(line, "%c %*u %255s %255s %" SCNu64 " %x",
				       &t, a, b, &size, &crc);
				/* tmp: written in the same operation. */
				ent_get(a)->state = -1;
				e = ent_get(b);
				before = *e;
				after = *e;
				after.state = 1;
				after.size = size;
				after.crc = crc;
				after.emb = 0;	/* a new inode: no embedding */
				after.ecrc = 0;
				inflight_is_rename = 1;
			} else if (t == 'P') {
				sscanf(line, "%c %*u %255s %" SCNu64 " %x %"
				       SCNu64 " %" SCNu64 " %" SCNu64 " %x",
				       &t, a, &size, &crc, &pz.off, &pz.len,
				       &pz.osize, &pz.ocrc);
				e = ent_get(a);
				pz.want = *e;
				pz.want.size = size;
				pz.want.crc = crc;
				pz.on = e->state == 1;
				e->state = -1;
			} else if (t == 'E') {
				int has;

				sscanf(line, "%c %*u %255s %d %x", &t, a, &has,
				       &crc);
				e = ent_get(a);
				before = *e;
				after = *e;
				after.emb = has;
				after.ecrc = crc;
				/* Either the old or the new embedding. */
				inflight_is_rename = 1;
			}
			break;
		}
		switch (t) {
		case 'W':
		case 'P':
			sscanf(line, "%c %*u %255s %" SCNu64 " %x", &t, a,
			       &size, &crc);
			e = ent_get(a);
			e->state = 1;
			e->size = size;
			e->crc = crc;
			break;
		case 'R':
			sscanf(line, "%c %*u %255s %255s %" SCNu64 " %x", &t,
			       a, b, &size, &crc);
			ent_get(a)->state = 0;
			e = ent_get(b);
			e->state = 1;
			e->size = size;
			e->crc = crc;
			e->emb = 0;
			e->ecrc = 0;
			break;
		case 'E':
			sscanf(line, "%c %*u %255s %d %x", &t, a, &i, &crc);
			e = ent_get(a);
			e->emb = i;
			e->ecrc = crc;
			break;
		case 'M':
			sscanf(line, "%c %*u %255s %255s", &t, a, b);
			e = ent_get(a);
			e2 = ent_get(b);
			*e2 = (struct ent){ .state = e->state, .size = e->size,
					    .crc = e->crc, .emb = e->emb,
					    .ecrc = e->ecrc };
			snprintf(e2->path, sizeof(e2->path), "%s", b);
			e->state = 0;
			break;
		case 'U':
			sscanf(line, "%c %*u %255s", &t, a);
			e = ent_get(a);
			e->state = 0;
			e->emb = 0;
			e->ecrc = 0;
			break;
		default:
			break;
		}
	}
	fclose(f);
	if (pz.on)
		check_partial_zero(argv[0], &pz);
	for (i = 0; i < nents; i++) {
		if (ents[i].state < 0)
			continue;
		if (inflight_is_rename && !strcmp(ents[i].path, before.path))
			check_ent(argv[0], &before, &after,
				  "operation in flight not atomic");
		else
			check_ent(argv[0], &ents[i], NULL,
				  "acknowledged state lost");
	}
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int args;
		int (*fn)(char **argv);
	} cmds[] = {
		{ "dm-create", 3, cmd_dm_create },
		{ "dm-remove", 1, cmd_dm_remove },
		{ "workload", 5, cmd_workload },
		{ "mark", 2, cmd_mark },
		{ "points", 3, cmd_points },
		{ "points", 4, cmd_points_limited },
		{ "replay", 4, cmd_replay },
		{ "verify", 4, cmd_verify },
		{ "marks", 1, cmd_marks },
		{ "shutdown", 5, cmd_shutdown },
	};
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			if (argc - 2 != cmds[i].args)
				continue;	/* another arity, or a misuse */
			return cmds[i].fn(argv + 2);
		}
	fprintf(stderr, "usage: crashtool dm-create|dm-remove|mark|workload|points|replay|verify|marks|shutdown ... (see its top comment)\n");
	return 2;
}
