// SPDX-License-Identifier: GPL-2.0
/*
 * journal.c - the jbd2 log of a VexFS filesystem, in userspace: its
 * superblock, recovery (replay) and a small writer for the tests.
 *
 * The kernel opens the region with jbd2_journal_init_dev() on the
 * filesystem's own device (src/journal.c), so every block number in the
 * log is an absolute filesystem block number: the journal superblock is
 * block s_journal_start, the log is blocks s_first .. s_maxlen - 1, with
 * s_first = s_journal_start + 1 and s_maxlen = s_journal_start +
 * s_journal_blocks.  Everything jbd2 writes is big-endian.
 *
 * Recovery follows jbd2's own (fs/jbd2/recovery.c): a scan pass finds the
 * last complete transaction, a revoke pass collects the revoke records of
 * the transactions found, and a replay pass writes every logged block
 * that no later (or the same) transaction revoked.  Unlike the kernel,
 * which trusts its log, every value read here is validated first: a tag
 * naming a block outside the filesystem, or inside the journal itself, a
 * descriptor or revoke block whose counts overrun it, or a checksum that
 * does not match ends the log at that transaction, which is reported as
 * corrupt; nothing of it or of later transactions is replayed, and no
 * write ever goes outside the filesystem's non-journal blocks.
 *
 * The kernel's journal uses no jbd2 checksums (mkfs writes none, and
 * VexFS asks jbd2 for none) and 32-bit block tags; jbd2 itself turns on
 * INCOMPAT_REVOKE with the first revoke.  The checksum versions 2 and 3
 * and 64-bit tags are understood as well, so that a log with them (the
 * fixtures write one) is replayed and verified exactly as jbd2 would.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvexfs.h"

/* journal_header_t and the block types */
#define JH_MAGIC		0x00
#define JH_BLOCKTYPE		0x04
#define JH_SEQUENCE		0x08
#define JH_SIZE			12

/* journal_superblock_t (include/linux/jbd2.h) */
#define JSB_BLOCKSIZE		0x0c
#define JSB_MAXLEN		0x10
#define JSB_FIRST		0x14
#define JSB_SEQUENCE		0x18
#define JSB_START		0x1c
#define JSB_ERRNO		0x20
#define JSB_FEATURE_COMPAT	0x24
#define JSB_FEATURE_INCOMPAT	0x28
#define JSB_FEATURE_RO_COMPAT	0x2c
#define JSB_UUID		0x30
#define JSB_NR_USERS		0x40
#define JSB_CHECKSUM_TYPE	0x50
#define JSB_NUM_FC_BLKS		0x54
#define JSB_CHECKSUM		0xfc
#define JSB_USERS		0x100

/* struct commit_header */
#define JC_CHKSUM_TYPE		0x0c
#define JC_CHKSUM_SIZE		0x0d
#define JC_CHKSUM		0x10
#define JC_COMMIT_SEC		0x30
#define JC_COMMIT_NSEC		0x38

/* jbd2_journal_revoke_header_t */
#define JR_COUNT		0x0c
#define JR_SIZE			16

#define JBD2_CRC32C_CHKSUM	4

/* tag flags */
#define JBD2_FLAG_ESCAPE	1
#define JBD2_FLAG_SAME_UUID	2
#define JBD2_FLAG_LAST_TAG	8

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* jbd2's tid_gt(): sequence numbers wrap. */
static bool tid_gt(uint32_t x, uint32_t y)
{
	return (int32_t)(x - y) > 0;
}

/* ------------------------------------------------------------------ */
/* Checksums (jbd2 v2/v3: crc32c seeded with the journal UUID)          */
/* ------------------------------------------------------------------ */

static int csum_version(uint32_t incompat)
{
	if (incompat & JBD2_FEATURE_INCOMPAT_CSUM_V3)
		return 3;
	if (incompat & JBD2_FEATURE_INCOMPAT_CSUM_V2)
		return 2;
	return 0;
}

static uint32_t jsb_csum(const uint8_t *jsb)
{
	uint8_t copy[VEXFS_JSB_SIZE];

	memcpy(copy, jsb, sizeof(copy));
	memset(copy + JSB_CHECKSUM, 0, 4);
	return vexfs_crc32c(~0U, copy, sizeof(copy));
}

/* Descriptor and revoke blocks end in a 4-byte checksum tail. */
static uint32_t tail_csum(const struct vexfs_journal *j, const uint8_t *blk)
{
	uint32_t crc;

	crc = vexfs_crc32c(j->csum_seed, blk, j->bs - 4);
	return vexfs_crc32c(crc, "\0\0\0\0", 4);
}

static bool tail_ok(const struct vexfs_journal *j, const uint8_t *blk)
{
	return !j->csum_version ||
	       get_be32(blk + j->bs - 4) == tail_csum(j, blk);
}

static uint32_t commit_csum(const struct vexfs_journal *j, const uint8_t *blk)
{
	uint8_t *copy = malloc(j->bs);
	uint32_t crc;

	if (!copy)
		return 0;
	/* jbd2 zeroes only h_chksum[0] to verify (the writer also zeroes
	 * the type and size, which then count as zeroes). */
	memcpy(copy, blk, j->bs);
	memset(copy + JC_CHKSUM, 0, 4);
	crc = vexfs_crc32c(j->csum_seed, copy, j->bs);
	free(copy);
	return crc;
}

/* The checksum of a logged block, as its tag carries it. */
static uint32_t data_csum(const struct vexfs_journal *j, uint32_t tid,
			  const uint8_t *blk)
{
	uint8_t seq[4];
	uint32_t crc;

	put_be32(seq, tid);
	crc = vexfs_crc32c(j->csum_seed, seq, 4);
	return vexfs_crc32c(crc, blk, j->bs);
}

/* ------------------------------------------------------------------ */
/* The journal superblock                                              */
/* ------------------------------------------------------------------ */

void vexfs_journal_sb_init(uint8_t *jsb, uint64_t start, uint64_t blocks,
			   uint32_t bs, const uint8_t uuid[16])
{
	memset(jsb, 0, VEXFS_JSB_SIZE);
	put_be32(jsb + JH_MAGIC, JBD2_MAGIC_NUMBER);
	put_be32(jsb + JH_BLOCKTYPE, JBD2_SUPERBLOCK_V2);
	put_be32(jsb + JSB_BLOCKSIZE, bs);
	put_be32(jsb + JSB_MAXLEN, (uint32_t)(start + blocks));
	put_be32(jsb + JSB_FIRST, (uint32_t)(start + 1));
	put_be32(jsb + JSB_SEQUENCE, 1);
	memcpy(jsb + JSB_UUID, uuid, 16);
	put_be32(jsb + JSB_NR_USERS, 1);
	memcpy(jsb + JSB_USERS, uuid, 16);
}

/* Why a journal superblock is unusable; NULL if it is fine. */
static const char *jsb_insanity(struct vexfs_journal *j, char *why,
				size_t len)
{
	const uint8_t *jsb = j->jsb;
	uint32_t type = get_be32(jsb + JH_BLOCKTYPE);
	uint64_t end = j->start + j->blocks;

	if (get_be32(jsb + JH_MAGIC) != JBD2_MAGIC_NUMBER) {
		snprintf(why, len, "bad magic 0x%08x",
			 get_be32(jsb + JH_MAGIC));
		return why;
	}
	if (type != JBD2_SUPERBLOCK_V1 && type != JBD2_SUPERBLOCK_V2) {
		snprintf(why, len, "unknown superblock type %u", type);
		return why;
	}
	if (get_be32(jsb + JSB_BLOCKSIZE) != j->bs) {
		snprintf(why, len, "block size %u, the filesystem's is %u",
			 get_be32(jsb + JSB_BLOCKSIZE), j->bs);
		return why;
	}
	/* jbd2_journal_init_dev(start, start + blocks): see the top. */
	if (j->last != end || j->first != j->start + 1) {
		snprintf(why, len, "log blocks %u..%u, expected %llu..%llu",
			 j->first, j->last, (unsigned long long)j->start + 1,
			 (unsigned long long)end);
		return why;
	}
	if (type == JBD2_SUPERBLOCK_V1) {
		j->compat = j->incompat = j->ro_compat = 0;
	}
	if ((j->compat & ~JBD2_KNOWN_COMPAT) ||
	    (j->ro_compat & ~JBD2_KNOWN_RO_COMPAT) ||
	    (j->incompat & ~JBD2_KNOWN_INCOMPAT)) {
		snprintf(why, len, "unknown features (compat 0x%x, incompat 0x%x, ro_compat 0x%x)",
			 j->compat & ~JBD2_KNOWN_COMPAT,
			 j->incompat & ~JBD2_KNOWN_INCOMPAT,
			 j->ro_compat & ~JBD2_KNOWN_RO_COMPAT);
		return why;
	}
	if ((j->incompat & JBD2_FEATURE_INCOMPAT_CSUM_V2) &&
	    (j->incompat & JBD2_FEATURE_INCOMPAT_CSUM_V3)) {
		snprintf(why, len, "both checksum versions 2 and 3");
		return why;
	}
	if (j->csum_version && (j->compat & JBD2_FEATURE_COMPAT_CHECKSUM)) {
		snprintf(why, len, "checksum version 1 and %d", j->csum_version);
		return why;
	}
	if (j->csum_version) {
		if (jsb[JSB_CHECKSUM_TYPE] != JBD2_CRC32C_CHKSUM) {
			snprintf(why, len, "unknown checksum type %u",
				 jsb[JSB_CHECKSUM_TYPE]);
			return why;
		}
		if (get_be32(jsb + JSB_CHECKSUM) != jsb_csum(jsb)) {
			snprintf(why, len, "checksum 0x%08x does not match (0x%08x)",
				 get_be32(jsb + JSB_CHECKSUM), jsb_csum(jsb));
			return why;
		}
	}
	if (j->log_start && (j->log_start < j->first ||
			     j->log_start >= j->last)) {
		snprintf(why, len, "log start %u outside the log %u..%u",
			 j->log_start, j->first, j->last - 1);
		return why;
	}
	return NULL;
}

int vexfs_journal_open(struct vexfs_fs *fs, struct vexfs_journal *j,
		       struct vexfs_err *err)
{
	const struct vexfs_super_block *sb = &fs->sb;
	char why[160];
	uint8_t *blk;
	int ret;

	memset(j, 0, sizeof(*j));
	j->fs = fs;
	j->bs = fs->bs;
	j->start = le64(sb->s_journal_start);
	j->blocks = le64(sb->s_journal_blocks);
	if (!(le32(sb->s_feature_compat) & VEXFS_FEATURE_COMPAT_HAS_JOURNAL) ||
	    !j->start)
		return vexfs_errf(err, ENOENT, "the filesystem has no journal");
	if (j->blocks < VEXFS_JOURNAL_MIN_BLOCKS ||
	    j->start + j->blocks > le64(sb->s_data_start) ||
	    j->start + j->blocks > INT32_MAX || j->bs < VEXFS_JSB_SIZE)
		return vexfs_errf(err, EUCLEAN,
				  "journal region at block %llu, %llu blocks, is impossible",
				  (unsigned long long)j->start,
				  (unsigned long long)j->blocks);
	blk = malloc(j->bs);
	if (!blk)
		return vexfs_errf(err, ENOMEM, "out of memory");
	ret = vexfs_read_block(&fs->dev, j->start, blk, err);
	if (!ret)
		memcpy(j->jsb, blk, VEXFS_JSB_SIZE);
	free(blk);
	if (ret)
		return ret;
	j->first = get_be32(j->jsb + JSB_FIRST);
	j->last = get_be32(j->jsb + JSB_MAXLEN);
	j->sequence = get_be32(j->jsb + JSB_SEQUENCE);
	j->log_start = get_be32(j->jsb + JSB_START);
	j->errnum = (int32_t)get_be32(j->jsb + JSB_ERRNO);
	j->compat = get_be32(j->jsb + JSB_FEATURE_COMPAT);
	j->incompat = get_be32(j->jsb + JSB_FEATURE_INCOMPAT);
	j->ro_compat = get_be32(j->jsb + JSB_FEATURE_RO_COMPAT);
	j->csum_version = csum_version(j->incompat);
	if (jsb_insanity(j, why, sizeof(why)))
		return vexfs_errf(err, EUCLEAN, "journal superblock (block %llu): %s",
				  (unsigned long long)j->start, why);
	j->csum_seed = vexfs_crc32c(~0U, j->jsb + JSB_UUID, 16);
	if (j->csum_version == 3)
		j->tag_bytes = 16;
	else
		j->tag_bytes = 8 + (j->csum_version == 2 ? 2 : 0) +
			       (j->incompat & JBD2_FEATURE_INCOMPAT_64BIT ?
				4 : 0);
	j->valid = true;
	return 0;
}

/* Write the journal superblock from j->jsb (sealing it if checksummed). */
static int jsb_write(struct vexfs_journal *j, struct vexfs_err *err)
{
	uint8_t *blk = calloc(1, j->bs);
	int ret;

	if (!blk)
		return vexfs_errf(err, ENOMEM, "out of memory");
	if (csum_version(get_be32(j->jsb + JSB_FEATURE_INCOMPAT)))
		put_be32(j->jsb + JSB_CHECKSUM, jsb_csum(j->jsb));
	/* The rest of the block is kept as it is on disk. */
	ret = vexfs_read_block(&j->fs->dev, j->start, blk, err);
	if (!ret) {
		memcpy(blk, j->jsb, VEXFS_JSB_SIZE);
		ret = vexfs_write_block(&j->fs->dev, j->start, blk, err);
	}
	free(blk);
	return ret;
}

int vexfs_journal_mark_empty(struct vexfs_journal *j, uint32_t sequence,
			     struct vexfs_err *err)
{
	put_be32(j->jsb + JSB_SEQUENCE, sequence);
	put_be32(j->jsb + JSB_START, 0);
	put_be32(j->jsb + JSB_ERRNO, 0);
	j->sequence = sequence;
	j->log_start = 0;
	j->errnum = 0;
	return jsb_write(j, err);
}

int vexfs_journal_format(struct vexfs_fs *fs, struct vexfs_err *err)
{
	const struct vexfs_super_block *sb = &fs->sb;
	struct vexfs_journal j = { .fs = fs, .bs = fs->bs };

	j.start = le64(sb->s_journal_start);
	j.blocks = le64(sb->s_journal_blocks);
	if (!j.start || !j.blocks || j.start + j.blocks > le64(sb->s_data_start))
		return vexfs_errf(err, EUCLEAN, "the filesystem has no usable journal region");
	vexfs_journal_sb_init(j.jsb, j.start, j.blocks, fs->bs, sb->s_uuid);
	return jsb_write(&j, err);
}

/* ------------------------------------------------------------------ */
/* Recovery                                                            */
/* ------------------------------------------------------------------ */

/* The next log block after @blk, wrapping around at the end. */
static uint32_t log_next(const struct vexfs_journal *j, uint32_t blk)
{
	return blk + 1 >= j->last ? j->first : blk + 1;
}

/* Read log block @blk, which must be in the log. */
static int log_read(struct vexfs_journal *j, uint32_t blk, uint8_t *buf,
		    struct vexfs_err *err)
{
	if (blk < j->first || blk >= j->last)
		return vexfs_errf(err, EUCLEAN, "journal block %u outside the log",
				  blk);
	return vexfs_read_block(&j->fs->dev, blk, buf, err);
}

/* One block tag of a descriptor block, decoded. */
struct jtag {
	uint64_t blocknr;
	uint32_t flags;
	uint32_t csum;
};

/*
 * Decode the tags of descriptor block @blk into @tags (at most @max).
 * Return: how many, or -1 with @why set if the block is malformed.
 */
static int parse_tags(const struct vexfs_journal *j, const uint8_t *blk,
		      struct jtag *tags, int max, const char **why)
{
	size_t end = j->bs - (j->csum_version ? 4 : 0);
	size_t off = JH_SIZE;
	int n = 0;

	while (off + j->tag_bytes <= end) {
		const uint8_t *t = blk + off;
		struct jtag tag = { .blocknr = get_be32(t) };

		if (j->csum_version == 3) {
			tag.flags = get_be32(t + 4);
			if (j->incompat & JBD2_FEATURE_INCOMPAT_64BIT)
				tag.blocknr |= (uint64_t)get_be32(t + 8) << 32;
			tag.csum = get_be32(t + 12);
		} else {
			tag.csum = get_be16(t + 4);
			tag.flags = get_be16(t + 6);
			if (j->incompat & JBD2_FEATURE_INCOMPAT_64BIT)
				tag.blocknr |= (uint64_t)get_be32(t + 8) << 32;
		}
		if (n >= max) {
			*why = "more tags than the log can hold";
			return -1;
		}
		tags[n++] = tag;
		off += j->tag_bytes;
		if (!(tag.flags & JBD2_FLAG_SAME_UUID))
			off += 16;
		if (tag.flags & JBD2_FLAG_LAST_TAG)
			return n;
	}
	/* jbd2 accepts a full block without LAST_TAG, and so do we. */
	if (!n) {
		*why = "a descriptor block without tags";
		return -1;
	}
	return n;
}

/* May the log write to filesystem block @nr? */
static bool target_ok(const struct vexfs_journal *j, uint64_t nr)
{
	if (nr >= le64(j->fs->sb.s_blocks_count))
		return false;
	return nr < j->start || nr >= j->start + j->blocks;
}

/* Revoke records: (block, the latest transaction that revoked it). */
struct revoke {
	uint64_t blocknr;
	uint32_t tid;
};

struct rscan {
	struct vexfs_journal *j;
	struct vexfs_journal_replay *r;
	struct revoke *rv;
	size_t nrv, rvcap;
	uint8_t *blk, *data;
	struct jtag *tags;
	int maxtags;
};

static int revoke_add(struct rscan *s, uint64_t nr, uint32_t tid,
		      struct vexfs_err *err)
{
	if (s->nrv == s->rvcap) {
		size_t cap = s->rvcap ? s->rvcap * 2 : 64;
		struct revoke *rv = realloc(s->rv, cap * sizeof(*rv));

		if (!rv)
			return vexfs_errf(err, ENOMEM, "out of memory");
		s->rv = rv;
		s->rvcap = cap;
	}
	s->rv[s->nrv].blocknr = nr;
	s->rv[s->nrv].tid = tid;
	s->nrv++;
	return 0;
}

static int revoke_cmp(const void *a, const void *b)
{
	const struct revoke *x = a, *y = b;

	return x->blocknr < y->blocknr ? -1 : x->blocknr > y->blocknr;
}

/* Sort by block and keep, for each block, its latest revoking tid. */
static void revoke_finish(struct rscan *s)
{
	size_t i, k = 0;

	if (!s->nrv)
		return;
	qsort(s->rv, s->nrv, sizeof(*s->rv), revoke_cmp);
	for (i = 1; i < s->nrv; i++) {
		if (s->rv[i].blocknr == s->rv[k].blocknr) {
			if (tid_gt(s->rv[i].tid, s->rv[k].tid))
				s->rv[k].tid = s->rv[i].tid;
		} else {
			s->rv[++k] = s->rv[i];
		}
	}
	s->nrv = k + 1;
}

/* jbd2_journal_test_revoke(): revoked by transaction @tid or a later one? */
static bool revoked(const struct rscan *s, uint64_t nr, uint32_t tid)
{
	size_t lo = 0, hi = s->nrv;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->rv[mid].blocknr == nr)
			return !tid_gt(tid, s->rv[mid].tid);
		if (s->rv[mid].blocknr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The records of revoke block @blk of transaction @tid. */
static int parse_revoke(struct rscan *s, const uint8_t *blk, uint32_t tid,
			bool add, const char **why, struct vexfs_err *err)
{
	struct vexfs_journal *j = s->j;
	size_t rec = j->incompat & JBD2_FEATURE_INCOMPAT_64BIT ? 8 : 4;
	size_t count = get_be32(blk + JR_COUNT);
	size_t off;
	int ret;

	if (count < JR_SIZE || count > j->bs - (j->csum_version ? 4 : 0) ||
	    (count - JR_SIZE) % rec) {
		*why = "a revoke block with a bad record count";
		return 1;
	}
	if (!tail_ok(j, blk)) {
		*why = "a revoke block whose checksum does not match";
		return 1;
	}
	for (off = JR_SIZE; off < count; off += rec) {
		uint64_t nr = rec == 8 ?
			(uint64_t)get_be32(blk + off) << 32 |
			get_be32(blk + off + 4) : get_be32(blk + off);

		if (!add)
			continue;
		ret = revoke_add(s, nr, tid, err);
		if (ret)
			return ret;
		s->r->revoke_records++;
	}
	return 0;
}

static void mark_corrupt(struct rscan *s, uint32_t tid, uint32_t blk,
			 const char *why)
{
	s->r->corrupt = true;
	s->r->bad_tid = tid;
	s->r->bad_block = blk;
	snprintf(s->r->why, sizeof(s->r->why), "%s", why);
}

enum jpass { PASS_SCAN, PASS_REVOKE, PASS_REPLAY };

/*
 * One pass over the log from its start, as jbd2's do_one_pass(): the scan
 * pass sets r->end_tid (the first transaction not to replay); the others
 * stop there.
 */
static int one_pass(struct rscan *s, enum jpass pass, struct vexfs_err *err)
{
	struct vexfs_journal *j = s->j;
	struct vexfs_journal_replay *r = s->r;
	uint32_t next = j->log_start, tid = j->sequence;
	uint64_t seen = 0, logsize = j->last - j->first;
	const char *why = NULL;
	int ret = 0, n, i;

	for (;;) {
		uint32_t here = next, type;

		if (pass != PASS_SCAN && !tid_gt(r->end_tid, tid))
			break;
		/* A log longer than itself is a loop in a corrupt log. */
		if (++seen > logsize) {
			if (pass == PASS_SCAN)
				mark_corrupt(s, tid, here,
					     "the log wraps onto itself");
			break;
		}
		ret = log_read(j, here, s->blk, err);
		if (ret)
			return ret;
		next = log_next(j, here);
		if (get_be32(s->blk + JH_MAGIC) != JBD2_MAGIC_NUMBER ||
		    get_be32(s->blk + JH_SEQUENCE) != tid)
			break;		/* the end of the log */
		type = get_be32(s->blk + JH_BLOCKTYPE);
		switch (type) {
		case JBD2_DESCRIPTOR_BLOCK:
			if (!tail_ok(j, s->blk)) {
				why = "a descriptor block whose checksum does not match";
				goto corrupt;
			}
			n = parse_tags(j, s->blk, s->tags, s->maxtags, &why);
			if (n < 0)
				goto corrupt;
			for (i = 0; i < n; i++) {
				struct jtag *t = &s->tags[i];
				uint32_t at = next;

				next = log_next(j, next);
				seen++;
				if (!target_ok(j, t->blocknr)) {
					why = "a block tag naming a block outside the filesystem's metadata and data";
					goto corrupt;
				}
				if (pass != PASS_REPLAY && !j->csum_version)
					continue;
				ret = log_read(j, at, s->data, err);
				if (ret)
					return ret;
				if (j->csum_version) {
					uint32_t c = data_csum(j, tid, s->data);

					if (j->csum_version == 2)
						c &= 0xffff;
					if (c != t->csum) {
						why = "a logged block whose checksum does not match";
						goto corrupt;
					}
				}
				if (pass != PASS_REPLAY)
					continue;
				if (revoked(s, t->blocknr, tid)) {
					r->blocks_revoked++;
					continue;
				}
				if (t->flags & JBD2_FLAG_ESCAPE)
					put_be32(s->data, JBD2_MAGIC_NUMBER);
				ret = vexfs_write_block(&j->fs->dev, t->blocknr,
							s->data, err);
				if (ret)
					return ret;
				r->blocks_replayed++;
			}
			break;
		case JBD2_COMMIT_BLOCK:
			if (j->csum_version &&
			    get_be32(s->blk + JC_CHKSUM) !=
			    commit_csum(j, s->blk)) {
				why = "a commit block whose checksum does not match";
				goto corrupt;
			}
			if (pass == PASS_SCAN)
				r->transactions++;
			tid++;
			break;
		case JBD2_REVOKE_BLOCK:
			ret = parse_revoke(s, s->blk, tid, pass == PASS_REVOKE,
					   &why, err);
			if (ret < 0)
				return ret;
			if (ret)
				goto corrupt;
			break;
		default:
			goto done;	/* not a log block: the end */
		}
		continue;
corrupt:
		/* Only the scan decides; the later passes stop before. */
		if (pass == PASS_SCAN)
			mark_corrupt(s, tid, here, why);
		break;
	}
done:
	if (pass == PASS_SCAN)
		r->end_tid = tid;
	return 0;
}

static int rscan_init(struct rscan *s, struct vexfs_journal *j,
		      struct vexfs_journal_replay *r, struct vexfs_err *err)
{
	memset(s, 0, sizeof(*s));
	s->j = j;
	s->r = r;
	s->maxtags = (int)(j->bs / 8);
	s->blk = malloc(j->bs);
	s->data = malloc(j->bs);
	s->tags = calloc((size_t)s->maxtags, sizeof(*s->tags));
	if (!s->blk || !s->data || !s->tags)
		return vexfs_errf(err, ENOMEM, "out of memory");
	return 0;
}

static void rscan_release(struct rscan *s)
{
	free(s->blk);
	free(s->data);
	free(s->tags);
	free(s->rv);
}

/* Scan and revoke passes; with @replay, the replay pass too. */
static int recover(struct vexfs_journal *j, struct vexfs_journal_replay *r,
		   bool replay, struct vexfs_err *err)
{
	struct rscan s;
	int ret;

	memset(r, 0, sizeof(*r));
	r->first_tid = j->sequence;
	r->end_tid = j->sequence;
	if (!j->valid)
		return vexfs_errf(err, EINVAL, "the journal is not open");
	if (!j->log_start)
		return 0;
	ret = rscan_init(&s, j, r, err);
	if (!ret)
		ret = one_pass(&s, PASS_SCAN, err);
	if (!ret)
		ret = one_pass(&s, PASS_REVOKE, err);
	revoke_finish(&s);
	if (!ret && replay)
		ret = one_pass(&s, PASS_REPLAY, err);
	rscan_release(&s);
	return ret;
}

int vexfs_journal_scan(struct vexfs_journal *j, struct vexfs_journal_replay *r,
		       struct vexfs_err *err)
{
	return recover(j, r, false, err);
}

int vexfs_journal_recover(struct vexfs_journal *j,
			  struct vexfs_journal_replay *r,
			  struct vexfs_err *err)
{
	int ret = recover(j, r, true, err);

	if (!ret)
		ret = vexfs_dev_sync(&j->fs->dev, err);
	/*
	 * As jbd2 leaves it after recovery: empty, and the next transaction
	 * numbered past every one that may still be in the log.
	 */
	if (!ret)
		ret = vexfs_journal_mark_empty(j, r->end_tid + 1, err);
	if (!ret)
		ret = vexfs_dev_sync(&j->fs->dev, err);
	return ret;
}

/* ------------------------------------------------------------------ */
/* A writer, for the tests: transactions as jbd2's commit writes them  */
/* ------------------------------------------------------------------ */

int vexfs_journal_set_csum(struct vexfs_journal *j, int version,
			   struct vexfs_err *err)
{
	uint32_t incompat = j->incompat & ~(JBD2_FEATURE_INCOMPAT_CSUM_V2 |
					    JBD2_FEATURE_INCOMPAT_CSUM_V3);

	if (version == 2)
		incompat |= JBD2_FEATURE_INCOMPAT_CSUM_V2;
	else if (version == 3)
		incompat |= JBD2_FEATURE_INCOMPAT_CSUM_V3;
	else if (version)
		return vexfs_errf(err, EINVAL, "no checksum version %d", version);
	put_be32(j->jsb + JSB_FEATURE_INCOMPAT, incompat);
	j->jsb[JSB_CHECKSUM_TYPE] = version ? JBD2_CRC32C_CHKSUM : 0;
	if (get_be32(j->jsb + JH_BLOCKTYPE) != JBD2_SUPERBLOCK_V2)
		return vexfs_errf(err, EINVAL, "a version 1 journal has no features");
	j->incompat = incompat;
	j->csum_version = version;
	j->tag_bytes = version == 3 ? 16 :
		       8 + (version == 2 ? 2 : 0) +
		       (incompat & JBD2_FEATURE_INCOMPAT_64BIT ? 4 : 0);
	return jsb_write(j, err);
}

int vexfs_journal_writer_start(struct vexfs_journal *j,
			       struct vexfs_journal_writer *w,
			       struct vexfs_err *err)
{
	if (!j->valid || j->log_start)
		return vexfs_errf(err, EINVAL, "the journal is not empty");
	w->j = j;
	w->next = j->first;
	w->tid = j->sequence;
	put_be32(j->jsb + JSB_START, j->first);
	j->log_start = j->first;
	return jsb_write(j, err);
}

static int log_put(struct vexfs_journal_writer *w, const uint8_t *blk,
		   uint32_t *where, struct vexfs_err *err)
{
	struct vexfs_journal *j = w->j;
	uint32_t at = w->next;

	if (log_next(j, at) == j->log_start)
		return vexfs_errf(err, ENOSPC, "the log is full");
	w->next = log_next(j, at);
	if (where)
		*where = at;
	return vexfs_write_block(&j->fs->dev, at, blk, err);
}

int vexfs_journal_write_txn(struct vexfs_journal_writer *w,
			    const struct vexfs_journal_txn *t,
			    struct vexfs_err *err)
{
	struct vexfs_journal *j = w->j;
	size_t end = j->bs - (j->csum_version ? 4 : 0);
	uint8_t *desc = calloc(1, j->bs), *data = malloc(j->bs);
	size_t i, off = 0, first_in_desc = 0;
	int ret = 0;

	if (!desc || !data) {
		ret = vexfs_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	/* Revoke records first, as jbd2's commit writes them. */
	if (t->nrevoke) {
		size_t rec = j->incompat & JBD2_FEATURE_INCOMPAT_64BIT ? 8 : 4;

		if (JR_SIZE + t->nrevoke * rec > end) {
			ret = vexfs_errf(err, EINVAL, "too many revokes");
			goto out;
		}
		memset(desc, 0, j->bs);
		put_be32(desc + JH_MAGIC, JBD2_MAGIC_NUMBER);
		put_be32(desc + JH_BLOCKTYPE, JBD2_REVOKE_BLOCK);
		put_be32(desc + JH_SEQUENCE, w->tid);
		for (i = 0, off = JR_SIZE; i < t->nrevoke; i++, off += rec) {
			if (rec == 8) {
				put_be32(desc + off, (uint32_t)(t->revoke[i] >> 32));
				put_be32(desc + off + 4, (uint32_t)t->revoke[i]);
			} else {
				put_be32(desc + off, (uint32_t)t->revoke[i]);
			}
		}
		put_be32(desc + JR_COUNT, (uint32_t)off);
		if (j->csum_version)
			put_be32(desc + j->bs - 4, tail_csum(j, desc));
		ret = log_put(w, desc, &w->last_revoke, err);
		if (ret)
			goto out;
		/* jbd2 turns the feature on with the first revoke */
		if (!(j->incompat & JBD2_FEATURE_INCOMPAT_REVOKE)) {
			j->incompat |= JBD2_FEATURE_INCOMPAT_REVOKE;
			put_be32(j->jsb + JSB_FEATURE_INCOMPAT, j->incompat);
			ret = jsb_write(j, err);
			if (ret)
				goto out;
		}
	}
	/* One descriptor block per run of tags that fit. */
	for (i = 0; i <= t->n; i++) {
		size_t need = j->tag_bytes + (i == first_in_desc ? 16 : 0);

		if (i == t->n || (i > first_in_desc && off + need > end)) {
			size_t k;

			if (i == first_in_desc)
				break;
			/* close this descriptor, then its data blocks */
			if (j->csum_version == 3)
				put_be32(desc + w->cur_last_tag_off + 4,
					 get_be32(desc + w->cur_last_tag_off + 4) |
					 JBD2_FLAG_LAST_TAG);
			else
				put_be16(desc + w->cur_last_tag_off + 6,
					 get_be16(desc + w->cur_last_tag_off + 6) |
					 JBD2_FLAG_LAST_TAG);
			if (j->csum_version)
				put_be32(desc + j->bs - 4, tail_csum(j, desc));
			ret = log_put(w, desc, &w->last_desc, err);
			for (k = first_in_desc; k < i && !ret; k++) {
				memcpy(data, t->data + k * j->bs, j->bs);
				if (get_be32(data) == JBD2_MAGIC_NUMBER)
					put_be32(data, 0);	/* escaped */
				ret = log_put(w, data, NULL, err);
			}
			if (ret)
				goto out;
			first_in_desc = i;
			if (i == t->n)
				break;
		}
		if (i == first_in_desc) {
			memset(desc, 0, j->bs);
			put_be32(desc + JH_MAGIC, JBD2_MAGIC_NUMBER);
			put_be32(desc + JH_BLOCKTYPE, JBD2_DESCRIPTOR_BLOCK);
			put_be32(desc + JH_SEQUENCE, w->tid);
			off = JH_SIZE;
		}
		{
			uint8_t *tag = desc + off;
			uint32_t flags = 0, c;
			const uint8_t *src = t->data + i * j->bs;

			memcpy(data, src, j->bs);
			if (get_be32(data) == JBD2_MAGIC_NUMBER) {
				flags |= JBD2_FLAG_ESCAPE;
				put_be32(data, 0);
			}
			if (i != first_in_desc)
				flags |= JBD2_FLAG_SAME_UUID;
			c = data_csum(j, w->tid, data);
			put_be32(tag, (uint32_t)t->blocks[i]);
			if (j->csum_version == 3) {
				put_be32(tag + 4, flags);
				put_be32(tag + 8, (uint32_t)(t->blocks[i] >> 32));
				put_be32(tag + 12, j->csum_version ? c : 0);
			} else {
				put_be16(tag + 4, j->csum_version ?
					 (uint16_t)c : 0);
				put_be16(tag + 6, (uint16_t)flags);
				if (j->incompat & JBD2_FEATURE_INCOMPAT_64BIT)
					put_be32(tag + 8,
						 (uint32_t)(t->blocks[i] >> 32));
			}
			w->cur_last_tag_off = off;
			off += j->tag_bytes;
			if (!(flags & JBD2_FLAG_SAME_UUID)) {
				memcpy(desc + off, j->jsb + JSB_UUID, 16);
				off += 16;
			}
		}
	}
	if (t->commit) {
		memset(desc, 0, j->bs);
		put_be32(desc + JH_MAGIC, JBD2_MAGIC_NUMBER);
		put_be32(desc + JH_BLOCKTYPE, JBD2_COMMIT_BLOCK);
		put_be32(desc + JH_SEQUENCE, w->tid);
		put_be32(desc + JC_COMMIT_SEC + 4, (uint32_t)t->commit_sec);
		put_be32(desc + JC_COMMIT_SEC, (uint32_t)(t->commit_sec >> 32));
		if (j->csum_version)
			put_be32(desc + JC_CHKSUM, commit_csum(j, desc));
		ret = log_put(w, desc, &w->last_commit, err);
	}
	w->tid++;
out:
	free(desc);
	free(data);
	return ret;
}
