// SPDX-License-Identifier: GPL-2.0
/*
 * test_journal.c - the jbd2 log in libvexfs: the journal superblock is
 * validated, recovery replays exactly the committed, unrevoked blocks
 * (escaped ones restored), honours checksums v2 and v3, never writes
 * outside the filesystem or into the journal, and leaves the journal as
 * jbd2 does; fsck replays it and a second run is clean.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "libvexfs.h"
#include "check.h"
#include "problem.h"

#define IMG_BYTES	(4 << 20)	/* 4096 1 KiB blocks: a journal */

/* Blocks in the data region that the tests log. */
#define BLK_A	3000
#define BLK_B	3001
#define BLK_C	3002
#define BLK_D	3003
#define BLK_E	3004

static uint8_t *mem_fs(struct vexfs_fs *fs)
{
	struct vexfs_mkfs_opts opts = { .now = 1700000000 };
	struct vexfs_layout lay;
	struct vexfs_err err;
	struct vexfs_dev dev;
	uint8_t *img = calloc(1, IMG_BYTES);

	assert_non_null(img);
	memset(opts.uuid, 0x5a, sizeof(opts.uuid));
	assert_int_equal(vexfs_layout_compute_journal(&lay, IMG_BYTES, 1024, 0,
						      VEXFS_JOURNAL_DEFAULT, &err), 0);
	assert_true(lay.journal_blocks >= VEXFS_JOURNAL_MIN_BLOCKS);
	vexfs_dev_open_mem(&dev, img, IMG_BYTES, true);
	assert_int_equal(vexfs_mkfs(&dev, &lay, &opts, &err), 0);
	assert_int_equal(vexfs_fs_from_dev(fs, &dev, &err), 0);
	return img;
}

static uint8_t *blk(uint8_t *img, uint64_t nr)
{
	return img + nr * 1024;
}

static void fill(uint8_t *buf, int c)
{
	memset(buf, c, 1024);
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * tid 1 (committed): A, B (begins with the jbd2 magic: escaped), C
 * tid 2 (committed): revokes C, logs D
 * tid 3 (no commit): E
 */
static void write_log(struct vexfs_fs *fs, struct vexfs_journal *j, int csum)
{
	uint64_t b1[] = { BLK_A, BLK_B, BLK_C }, b2[] = { BLK_D },
		 b3[] = { BLK_E }, r2[] = { BLK_C };
	uint8_t d1[3 * 1024], d2[1024], d3[1024];
	struct vexfs_journal_txn t1 = { .blocks = b1, .data = d1, .n = 3,
					.commit = true };
	struct vexfs_journal_txn t2 = { .blocks = b2, .data = d2, .n = 1,
					.revoke = r2, .nrevoke = 1,
					.commit = true };
	struct vexfs_journal_txn t3 = { .blocks = b3, .data = d3, .n = 1 };
	struct vexfs_journal_writer w;
	struct vexfs_err err;

	fill(d1, 'a');
	fill(d1 + 1024, 'b');
	d1[1024] = 0xc0;
	d1[1025] = 0x3b;
	d1[1026] = 0x39;
	d1[1027] = 0x98;
	fill(d1 + 2048, 'c');
	fill(d2, 'd');
	fill(d3, 'e');
	assert_int_equal(vexfs_journal_open(fs, j, &err), 0);
	if (csum)
		assert_int_equal(vexfs_journal_set_csum(j, csum, &err), 0);
	assert_int_equal(vexfs_journal_writer_start(j, &w, &err), 0);
	assert_int_equal(vexfs_journal_write_txn(&w, &t1, &err), 0);
	assert_int_equal(vexfs_journal_write_txn(&w, &t2, &err), 0);
	assert_int_equal(vexfs_journal_write_txn(&w, &t3, &err), 0);
}

static void replay_and_verify(int csum)
{
	struct vexfs_journal_replay r;
	struct vexfs_journal j, again;
	struct vexfs_err err;
	struct vexfs_fs fs;
	uint8_t *img = mem_fs(&fs), want[1024];

	write_log(&fs, &j, csum);
	/* The escaped block is not in the log with its magic. */
	assert_int_equal(vexfs_journal_open(&fs, &j, &err), 0);
	assert_int_equal(vexfs_journal_scan(&j, &r, &err), 0);
	assert_false(r.corrupt);
	assert_int_equal(r.transactions, 2);
	assert_int_equal(r.first_tid, 1);
	assert_int_equal(r.end_tid, 3);
	assert_int_equal(r.revoke_records, 1);
	assert_int_equal(blk(img, BLK_A)[0], 0);	/* scan writes nothing */

	assert_int_equal(vexfs_journal_recover(&j, &r, &err), 0);
	assert_int_equal(r.blocks_replayed, 3);
	assert_int_equal(r.blocks_revoked, 1);
	fill(want, 'a');
	assert_memory_equal(blk(img, BLK_A), want, 1024);
	fill(want, 'b');
	want[0] = 0xc0;
	want[1] = 0x3b;
	want[2] = 0x39;
	want[3] = 0x98;
	assert_memory_equal(blk(img, BLK_B), want, 1024);
	fill(want, 0);
	assert_memory_equal(blk(img, BLK_C), want, 1024);	/* revoked */
	assert_memory_equal(blk(img, BLK_E), want, 1024);	/* uncommitted */
	fill(want, 'd');
	assert_memory_equal(blk(img, BLK_D), want, 1024);

	/* Left as jbd2 leaves it: empty, numbered past the log. */
	assert_int_equal(vexfs_journal_open(&fs, &again, &err), 0);
	assert_int_equal(again.log_start, 0);
	assert_int_equal(again.sequence, 4);
	free(img);
}

static void replay_plain(void **state)
{
	(void)state;
	replay_and_verify(0);
}

static void replay_csum_v2(void **state)
{
	(void)state;
	replay_and_verify(2);
}

static void replay_csum_v3(void **state)
{
	(void)state;
	replay_and_verify(3);
}

/* A damaged data block in a checksummed log: its transaction is corrupt. */
static void csum_v3_bad_data_block(void **state)
{
	struct vexfs_journal_replay r;
	struct vexfs_journal j;
	struct vexfs_err err;
	struct vexfs_fs fs;
	uint8_t *img = mem_fs(&fs), zero[1024] = { 0 };

	(void)state;
	write_log(&fs, &j, 3);
	/* tid 2: revoke block, descriptor, D's data at first + 7 */
	blk(img, j.first + 7)[100] ^= 1;
	assert_int_equal(vexfs_journal_open(&fs, &j, &err), 0);
	assert_int_equal(vexfs_journal_recover(&j, &r, &err), 0);
	assert_true(r.corrupt);
	assert_int_equal(r.bad_tid, 2);
	assert_int_equal(r.transactions, 1);
	assert_memory_equal(blk(img, BLK_D), zero, 1024);
	/* without tid 2's revoke, tid 1's C is replayed */
	assert_int_equal(blk(img, BLK_C)[0], 'c');
	free(img);
}

/* Tags naming the journal or a block past the end are never written. */
static void tags_outside_are_corrupt(void **state)
{
	uint64_t targets[2];
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		struct vexfs_journal_writer w;
		struct vexfs_journal_replay r;
		struct vexfs_journal j;
		struct vexfs_err err;
		struct vexfs_fs fs;
		uint8_t *img = mem_fs(&fs), data[1024], *copy;
		uint64_t b[1];
		struct vexfs_journal_txn t = { .blocks = b, .data = data,
					       .n = 1, .commit = true };

		assert_int_equal(vexfs_journal_open(&fs, &j, &err), 0);
		targets[0] = j.first + 10;		/* in the log */
		targets[1] = le64(fs.sb.s_blocks_count);	/* past the end */
		b[0] = targets[k];
		fill(data, 'x');
		assert_int_equal(vexfs_journal_writer_start(&j, &w, &err), 0);
		assert_int_equal(vexfs_journal_write_txn(&w, &t, &err), 0);
		copy = malloc(IMG_BYTES);
		assert_non_null(copy);
		memcpy(copy, img, IMG_BYTES);
		assert_int_equal(vexfs_journal_recover(&j, &r, &err), 0);
		assert_true(r.corrupt);
		assert_int_equal(r.transactions, 0);
		assert_int_equal(r.blocks_replayed, 0);
		/* only the journal superblock changed */
		assert_memory_equal(img + 1024 * (j.start + 1),
				    copy + 1024 * (j.start + 1),
				    IMG_BYTES - 1024 * (j.start + 1));
		free(copy);
		free(img);
	}
}

/* Every field of the journal superblock that recovery relies on. */
static void bad_journal_superblock(void **state)
{
	static const struct { size_t off; uint8_t x; } damage[] = {
		{ 0x00, 0xff },		/* magic */
		{ 0x07, 0x02 },		/* block type 6 */
		{ 0x0e, 0x10 },		/* block size */
		{ 0x13, 0x01 },		/* s_maxlen */
		{ 0x17, 0x01 },		/* s_first */
		{ 0x1c, 0x40 },		/* s_start far outside the log */
		{ 0x2b, 0x40 },		/* unknown incompat feature */
		{ 0x2b, 0x20 },		/* fast commits: not replayable */
	};
	size_t i;

	(void)state;
	for (i = 0; i < VEXFS_ARRAY_SIZE(damage); i++) {
		struct vexfs_journal j;
		struct vexfs_err err;
		struct vexfs_fs fs;
		uint8_t *img = mem_fs(&fs);
		uint64_t start = le64(fs.sb.s_journal_start);

		blk(img, start)[damage[i].off] ^= damage[i].x;
		assert_int_equal(vexfs_journal_open(&fs, &j, &err), -EUCLEAN);
		free(img);
	}
}

/* With checksums, one flipped bit in the journal superblock is caught. */
static void journal_superblock_csum(void **state)
{
	struct vexfs_journal j;
	struct vexfs_err err;
	struct vexfs_fs fs;
	uint8_t *img = mem_fs(&fs);
	uint64_t start = le64(fs.sb.s_journal_start);

	(void)state;
	assert_int_equal(vexfs_journal_open(&fs, &j, &err), 0);
	assert_int_equal(vexfs_journal_set_csum(&j, 3, &err), 0);
	assert_int_equal(vexfs_journal_open(&fs, &j, &err), 0);
	assert_int_equal(j.csum_version, 3);
	blk(img, start)[0x40] ^= 1;		/* s_nr_users */
	assert_int_equal(vexfs_journal_open(&fs, &j, &err), -EUCLEAN);
	free(img);
}

/* A log that runs past its end wraps to s_first, as jbd2's does. */
static void log_wraps(void **state)
{
	struct vexfs_journal_writer w;
	struct vexfs_journal_replay r;
	struct vexfs_journal j;
	struct vexfs_err err;
	struct vexfs_fs fs;
	uint8_t *img = mem_fs(&fs), data[1024];
	uint64_t b[] = { BLK_A };
	struct vexfs_journal_txn t = { .blocks = b, .data = data, .n = 1,
				       .commit = true };
	uint8_t *jsb;

	(void)state;
	assert_int_equal(vexfs_journal_open(&fs, &j, &err), 0);
	/* Pretend the log starts two blocks before its end. */
	jsb = blk(img, j.start);
	jsb[0x1c] = (uint8_t)((j.last - 2) >> 24);
	jsb[0x1d] = (uint8_t)((j.last - 2) >> 16);
	jsb[0x1e] = (uint8_t)((j.last - 2) >> 8);
	jsb[0x1f] = (uint8_t)(j.last - 2);
	assert_int_equal(vexfs_journal_open(&fs, &j, &err), 0);
	w.j = &j;
	w.next = j.last - 2;
	w.tid = j.sequence;
	fill(data, 'w');
	assert_int_equal(vexfs_journal_write_txn(&w, &t, &err), 0);
	assert_int_equal(w.last_commit, j.first);	/* wrapped */
	assert_int_equal(be32_at(blk(img, j.first)), JBD2_MAGIC_NUMBER);
	assert_int_equal(vexfs_journal_recover(&j, &r, &err), 0);
	assert_int_equal(r.transactions, 1);
	assert_int_equal(blk(img, BLK_A)[0], 'w');
	free(img);
}

static void quiet(void *priv, const char *text)
{
	(void)priv;
	(void)text;
}

/* fsck -y replays the log, and a second run finds nothing. */
static void fsck_replays(void **state)
{
	struct vexfs_check_opts opts = { .mode = VEXFS_CHECK_YES,
					 .force = true, .print = quiet };
	struct vexfs_journal_writer w;
	struct vexfs_check_result res;
	struct vexfs_journal j;
	struct vexfs_err err;
	struct vexfs_fs fs;
	uint8_t *img = mem_fs(&fs), data[1024];
	uint64_t ibm = le64(fs.sb.s_inode_bitmap_start), b[] = { ibm };
	struct vexfs_journal_txn t = { .blocks = b, .data = data, .n = 1,
				       .commit = true };

	(void)state;
	/* log the good inode bitmap, then destroy it on disk */
	memcpy(data, blk(img, ibm), 1024);
	assert_int_equal(vexfs_journal_open(&fs, &j, &err), 0);
	assert_int_equal(vexfs_journal_writer_start(&j, &w, &err), 0);
	assert_int_equal(vexfs_journal_write_txn(&w, &t, &err), 0);
	fill(blk(img, ibm), 0);
	fs.sb.s_feature_incompat = cpu_le32(le32(fs.sb.s_feature_incompat) |
					    VEXFS_FEATURE_INCOMPAT_RECOVER);
	assert_int_equal(vexfs_super_write(&fs.dev, &fs.sb, &err), 0);

	opts.mode = VEXFS_CHECK_NO;
	assert_int_equal(vexfs_check_mem(img, IMG_BYTES, &opts, &res, &err),
			 FSCK_UNCORRECTED);
	assert_int_equal(res.codes[0], PR_0_JOURNAL_RECOVER_SKIPPED);
	opts.mode = VEXFS_CHECK_YES;
	assert_int_equal(vexfs_check_mem(img, IMG_BYTES, &opts, &res, &err),
			 FSCK_NONDESTRUCT);
	assert_int_equal(res.nproblems, 0);
	assert_memory_equal(blk(img, ibm), data, 1024);
	assert_int_equal(vexfs_check_mem(img, IMG_BYTES, &opts, &res, &err),
			 FSCK_OK);
	free(img);
}

static int say_no(void *priv, const char *prompt)
{
	(void)priv;
	(void)prompt;
	return 0;
}

/* Declining the replay stops a writing check before it writes anything. */
static void fsck_declined_replay_writes_nothing(void **state)
{
	struct vexfs_check_opts opts = { .mode = VEXFS_CHECK_ASK,
					 .force = true, .print = quiet,
					 .ask = say_no };
	struct vexfs_journal_writer w;
	struct vexfs_check_result res;
	struct vexfs_journal j;
	struct vexfs_err err;
	struct vexfs_fs fs;
	uint8_t *img = mem_fs(&fs), data[1024], *copy;
	uint64_t b[] = { BLK_A };
	struct vexfs_journal_txn t = { .blocks = b, .data = data, .n = 1,
				       .commit = true };

	(void)state;
	fill(data, 'q');
	assert_int_equal(vexfs_journal_open(&fs, &j, &err), 0);
	assert_int_equal(vexfs_journal_writer_start(&j, &w, &err), 0);
	assert_int_equal(vexfs_journal_write_txn(&w, &t, &err), 0);
	/* no RECOVER flag: fsck asks whether to replay anyway */
	copy = malloc(IMG_BYTES);
	assert_non_null(copy);
	memcpy(copy, img, IMG_BYTES);
	assert_int_equal(vexfs_check_mem(img, IMG_BYTES, &opts, &res, &err),
			 FSCK_UNCORRECTED);
	assert_int_equal(res.codes[0], PR_0_JOURNAL_DATA_NOT_FLAGGED);
	assert_memory_equal(img, copy, IMG_BYTES);
	free(copy);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(replay_plain),
		cmocka_unit_test(replay_csum_v2),
		cmocka_unit_test(replay_csum_v3),
		cmocka_unit_test(csum_v3_bad_data_block),
		cmocka_unit_test(tags_outside_are_corrupt),
		cmocka_unit_test(bad_journal_superblock),
		cmocka_unit_test(journal_superblock_csum),
		cmocka_unit_test(log_wraps),
		cmocka_unit_test(fsck_replays),
		cmocka_unit_test(fsck_declined_replay_writes_nothing),
	};

	return cmocka_run_group_tests_name("journal", tests, NULL, NULL);
}
