// SPDX-License-Identifier: GPL-2.0
/*
 * test_lib.c - libvexfs: checksums, layout, mkfs and the checker.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "libvexfs.h"

static void crc32c_known_vectors(void **state)
{
	(void)state;
	/* The standard check value is the inverted raw CRC. */
	assert_int_equal(~vexfs_crc32c(~0U, "123456789", 9), 0xE3069283);
	assert_int_equal(~vexfs_crc32c(~0U, "", 0), 0);
	/* Chunked input gives the same result as one pass. */
	assert_int_equal(vexfs_crc32c(vexfs_crc32c(~0U, "1234", 4), "56789", 5),
			 vexfs_crc32c(~0U, "123456789", 9));
}

static void layout_rules(void **state)
{
	struct vexfs_layout lay;
	struct vexfs_err err;

	(void)state;
	assert_int_equal(vexfs_layout_compute(&lay, 64 << 20, 4096, 0, &err), 0);
	assert_int_equal(lay.blocks, 16384);
	assert_int_equal(lay.inodes, 4096);		/* one per 16 KiB */
	assert_int_equal(lay.inode_bitmap_start, 1);
	assert_true(lay.data_start == lay.inode_table_start +
					lay.inode_table_blocks);

	assert_int_equal(vexfs_layout_compute(&lay, 64 << 20, 1024, 0, &err), 0);
	assert_int_equal(lay.inode_bitmap_start, 2);	/* sb fills 0 and 1 */

	assert_int_equal(vexfs_layout_compute(&lay, 64 << 20, 4096, 1000, &err), 0);
	assert_true(lay.inodes >= 1000 && lay.inodes % 16 == 0);

	assert_int_equal(vexfs_layout_compute(&lay, 64 << 20, 1000, 0, &err),
			 -EINVAL);
	assert_int_equal(vexfs_layout_compute(&lay, 100 << 10, 4096, 0, &err),
			 -ENOSPC);
	assert_int_equal(vexfs_layout_compute(&lay, 1 << 20, 4096, 1 << 20, &err),
			 -ENOSPC);
}

/* The journal goes between the inode table and the data, sized as mke2fs. */
static void layout_journal(void **state)
{
	struct vexfs_layout lay;
	struct vexfs_err err;

	(void)state;
	assert_int_equal(vexfs_default_journal_blocks(2047), 0);
	assert_int_equal(vexfs_default_journal_blocks(2048), 1024);
	assert_int_equal(vexfs_default_journal_blocks(32768), 4096);
	assert_int_equal(vexfs_default_journal_blocks(1ULL << 30), 262144);

	assert_int_equal(vexfs_layout_compute_journal(&lay, 64 << 20, 4096, 0,
						      VEXFS_JOURNAL_DEFAULT,
						      &err), 0);
	assert_int_equal(lay.journal_blocks, 1024);
	assert_int_equal(lay.journal_start, 1);	/* right after the sb */
	assert_int_equal(lay.inode_bitmap_start, 1 + 1024);
	assert_int_equal(lay.data_start,
			 lay.inode_table_start + lay.inode_table_blocks);

	assert_int_equal(vexfs_layout_compute_journal(&lay, 64 << 20, 4096, 0,
						      0, &err), 0);
	assert_int_equal(lay.journal_start, 0);
	assert_int_equal(lay.journal_blocks, 0);

	/* -J size= below jbd2's minimum or above half the disk: refused. */
	assert_int_equal(vexfs_layout_compute_journal(&lay, 64 << 20, 4096, 0,
						      1023, &err), -EINVAL);
	assert_int_equal(vexfs_layout_compute_journal(&lay, 64 << 20, 4096, 0,
						      8193, &err), -EINVAL);
}

/* Make a filesystem in a temporary image; returns its path. */
static char *make_image(uint64_t bytes)
{
	char *path = strdup("/tmp/vexfs-unit-XXXXXX");
	struct vexfs_mkfs_opts opts = { .label = "unit", .now = 1700000000 };
	struct vexfs_layout lay;
	struct vexfs_err err;
	struct vexfs_dev dev;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)bytes), 0);
	close(fd);
	memset(opts.uuid, 0x42, sizeof(opts.uuid));
	assert_int_equal(vexfs_layout_compute(&lay, bytes, 4096, 0, &err), 0);
	assert_int_equal(vexfs_dev_open(&dev, path, true, &err), 0);
	assert_int_equal(vexfs_mkfs(&dev, &lay, &opts, &err), 0);
	vexfs_dev_close(&dev);
	return path;
}

static void mkfs_reads_back(void **state)
{
	char *path = make_image(32 << 20);
	struct vexfs_super_block sb;
	struct vexfs_err err;
	struct vexfs_dev dev;

	(void)state;
	assert_int_equal(vexfs_dev_open(&dev, path, false, &err), 0);
	assert_int_equal(vexfs_super_read(&dev, &sb, &err), 0);
	assert_int_equal(vexfs_super_validate(&sb, dev.size, &err), 0);
	assert_int_equal(le32(sb.s_magic), VEXFS_SUPER_MAGIC);
	assert_string_equal(sb.s_label, "unit");
	assert_int_equal(le64(sb.s_blocks_count), 8192);
	assert_int_equal(le64(sb.s_free_blocks),
			 le64(sb.s_blocks_count) - le64(sb.s_data_start));
	assert_int_equal(le16(sb.s_state), VEXFS_STATE_VALID);

	/* One flipped bit anywhere in the superblock is caught. */
	sb.s_label[3] ^= 1;
	assert_int_equal(vexfs_super_validate(&sb, dev.size, &err), -EBADMSG);
	vexfs_dev_close(&dev);
	unlink(path);
	free(path);
}

static void quiet(void *priv, const char *text)
{
	(void)priv;
	(void)text;
}

static int check(const char *path, enum vexfs_check_mode mode)
{
	struct vexfs_check_opts opts = {
		.mode = mode, .force = true, .name = path, .print = quiet,
	};
	struct vexfs_err err;

	return vexfs_check(path, &opts, NULL, &err);
}

static void fsck_finds_and_fixes_free_count(void **state)
{
	char *path = make_image(32 << 20);
	struct vexfs_super_block sb;
	struct vexfs_err err;
	struct vexfs_dev dev;

	(void)state;
	assert_int_equal(check(path, VEXFS_CHECK_NO), FSCK_OK);

	assert_int_equal(vexfs_dev_open(&dev, path, true, &err), 0);
	assert_int_equal(vexfs_super_read(&dev, &sb, &err), 0);
	sb.s_free_blocks = cpu_le64(le64(sb.s_free_blocks) - 7);
	assert_int_equal(vexfs_super_write(&dev, &sb, &err), 0);
	vexfs_dev_close(&dev);

	assert_int_equal(check(path, VEXFS_CHECK_NO), FSCK_UNCORRECTED);
	assert_int_equal(check(path, VEXFS_CHECK_YES), FSCK_NONDESTRUCT);
	assert_int_equal(check(path, VEXFS_CHECK_NO), FSCK_OK);
	unlink(path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc32c_known_vectors),
		cmocka_unit_test(layout_rules),
		cmocka_unit_test(layout_journal),
		cmocka_unit_test(mkfs_reads_back),
		cmocka_unit_test(fsck_finds_and_fixes_free_count),
	};

	return cmocka_run_group_tests_name("libvexfs", tests, NULL, NULL);
}
