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
#include "check.h"
#include "vexfs_hnsw.h"

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

/* SipHash-2-4 reference vectors (key 00..0f, input 00..len-1). */
static void siphash_reference_vectors(void **state)
{
	uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
	uint8_t in[64];
	int i;

	(void)state;
	for (i = 0; i < 64; i++)
		in[i] = (uint8_t)i;
	assert_true(vexfs_siphash(in, 0, k0, k1) == 0x726fdb47dd0e0e31ULL);
	assert_true(vexfs_siphash(in, 7, k0, k1) == 0xab0200f58b01d137ULL);
	assert_true(vexfs_siphash(in, 8, k0, k1) == 0x93f5f5799a932462ULL);
	assert_true(vexfs_siphash(in, 15, k0, k1) == 0xa129ca6149be45e5ULL);
	assert_true(vexfs_siphash(in, 63, k0, k1) == 0x958a324ceb064572ULL);
}

/* A 1 KiB-block filesystem in memory, for the builders and walkers. */
static uint8_t *mem_fs(struct vexfs_fs *fs, size_t bytes)
{
	struct vexfs_mkfs_opts opts = { .now = 1700000000 };
	struct vexfs_layout lay;
	struct vexfs_err err;
	struct vexfs_dev dev;
	uint8_t *img = calloc(1, bytes);

	assert_non_null(img);
	memset(opts.uuid, 0x17, sizeof(opts.uuid));
	opts.hash_seed[0] = 0x12345678;
	assert_int_equal(vexfs_layout_compute(&lay, bytes, 1024, 0, &err), 0);
	vexfs_dev_open_mem(&dev, img, bytes, true);
	assert_int_equal(vexfs_mkfs(&dev, &lay, &opts, &err), 0);
	assert_int_equal(vexfs_fs_from_dev(fs, &dev, &err), 0);
	return img;
}

/* Extents built into a tree of blocks read back the same. */
static void extent_build_then_list(void **state)
{
	struct vexfs_fs fs;
	uint8_t *img = mem_fs(&fs, 1 << 20);
	static uint8_t map[1 << 12];
	struct vexfs_ext ext[200];
	struct vexfs_ext_list list;
	struct vexfs_inode inode;
	struct vexfs_alloc alloc;
	struct vexfs_err err;
	uint64_t nodes;
	int i;

	(void)state;
	memset(map, 0, sizeof(map));
	vexfs_alloc_init(&alloc, map, &fs.sb);
	for (i = 0; i < 200; i++) {	/* every other block: no merging */
		ext[i].lblk = (uint32_t)(i * 3);
		ext[i].len = 1;
		ext[i].pblk = le64(fs.sb.s_data_start) + 2 * (uint64_t)i;
		ext[i].flags = 0;
		vexfs_set_bit(map, ext[i].pblk);
	}
	memset(&inode, 0, sizeof(inode));
	assert_int_equal(vexfs_extent_build(&fs, &alloc, 40, &inode, ext, 200,
					    &nodes, &err), 0);
	assert_true(nodes >= 4);	/* 61 per 1 KiB leaf */
	assert_int_equal(vexfs_extent_list(&fs, 40, &inode, &list, &err), 0);
	assert_int_equal(list.n, 200);
	for (i = 0; i < 200; i++)
		assert_true(list.e[i].pblk == ext[i].pblk &&
			    list.e[i].lblk == ext[i].lblk);
	assert_true(vexfs_ext_list_map(&list, 3) == ext[1].pblk);
	assert_true(vexfs_ext_list_map(&list, 4) == 0);	/* a hole */
	/* The same tree under another owner is refused. */
	vexfs_ext_list_free(&list);
	assert_int_equal(vexfs_extent_list(&fs, 41, &inode, &list, &err),
			 -EUCLEAN);
	free(img);
}

struct collect {
	int n, bad;
	uint64_t last;
	bool sorted;
};

static int collect_entry(void *priv, const struct vexfs_dir_entry *de,
			 uint32_t lblk)
{
	struct collect *c = priv;

	(void)lblk;
	if (c->n && le64(de->de_hash) < c->last)
		c->sorted = false;
	c->last = le64(de->de_hash);
	c->n++;
	return 0;
}

static void collect_bad(void *priv, uint32_t lblk, const char *why)
{
	struct collect *c = priv;

	(void)lblk;
	(void)why;
	c->bad++;
}

/* A directory of 3000 names builds a 3-level tree that walks clean. */
static void dir_build_then_walk(void **state)
{
	struct vexfs_fs fs;
	uint8_t *img = mem_fs(&fs, 4 << 20);
	static uint8_t map[1 << 12];
	struct vexfs_dirent_list list = { 0 };
	struct collect c = { .sorted = true };
	struct vexfs_dir_visitor v = { .priv = &c, .bad = collect_bad,
				       .entry = collect_entry };
	struct vexfs_inode dir;
	struct vexfs_alloc alloc;
	struct vexfs_err err;
	uint64_t blocks, ino;
	char name[64];
	int i, len;

	(void)state;
	memset(map, 0, sizeof(map));
	for (i = 0; i < (int)le64(fs.sb.s_data_start); i++)
		vexfs_set_bit(map, (uint64_t)i);
	vexfs_alloc_init(&alloc, map, &fs.sb);
	for (i = 0; i < 3000; i++) {
		len = snprintf(name, sizeof(name), "name-%d", i);
		assert_int_equal(vexfs_dirent_add(&list,
				vexfs_name_hash(&fs.sb, name, (size_t)len),
				VEXFS_FIRST_INO + (uint64_t)i, VEXFS_FT_REG_FILE,
				name, (size_t)len, &err), 0);
	}
	vexfs_inode_init_dir(&dir, VEXFS_ROOT_INO, VEXFS_ROOT_INO, 0755, 0, 0);
	assert_int_equal(vexfs_dir_build(&fs, &alloc, VEXFS_ROOT_INO, &dir,
					 &list, &blocks, &err), 0);
	assert_int_equal(vexfs_inode_write(&fs, VEXFS_ROOT_INO, &dir, &err), 0);
	assert_int_equal(vexfs_dir_walk(&fs, VEXFS_ROOT_INO, &dir, &v, &err), 0);
	assert_int_equal(c.bad, 0);
	assert_int_equal(c.n, 3000);
	assert_true(c.sorted);
	assert_int_equal(vexfs_lookup(&fs, "/name-2999", &ino, &err), 0);
	assert_int_equal(ino, VEXFS_FIRST_INO + 2999);
	assert_int_equal(vexfs_lookup(&fs, "/name-3000", &ino, &err), -ENOENT);
	vexfs_dirent_list_free(&list);
	free(img);
}

/* Packed xattr blocks parse back, and a truncated one is refused. */
static void xattr_pack_then_parse(void **state)
{
	struct vexfs_xattr_ent in[3] = {
		{ .index = VEXFS_XATTR_INDEX_USER, .name_len = 1, .name = "a",
		  .size = 5, .value = (const uint8_t *)"hello" },
		{ .index = VEXFS_XATTR_INDEX_TRUSTED, .name_len = 3,
		  .name = "bcd", .size = 0, .value = (const uint8_t *)"" },
		{ .index = VEXFS_XATTR_INDEX_USER, .name_len = 2, .name = "ef",
		  .size = 70000, .value_ino = 99 },
	};
	struct vexfs_xattr_ent out[64];
	uint8_t blk[1024];
	const char *why;

	(void)state;
	memset(blk, 0, sizeof(blk));
	in[2].size = 60000;
	assert_int_equal(vexfs_xattr_pack(blk, 1024, in, 3), 0);
	assert_int_equal(vexfs_xattr_parse(blk, 1024, out, 64, &why), 3);
	assert_string_equal(out[0].name, "a");
	assert_memory_equal(out[0].value, "hello", 5);
	assert_int_equal(out[1].size, 0);
	assert_int_equal(out[2].value_ino, 99);
	/* the value of entry 0 said to run past the block */
	blk[32 + 4] = 0xff;
	blk[32 + 5] = 0xff;
	assert_int_equal(vexfs_xattr_parse(blk, 1024, out, 64, &why), -EUCLEAN);
	assert_non_null(why);
}

/*
 * fsck -n keeps a directory entry whose inode number is out of range, and
 * must not index anything with it (found by fuzz_fsck: a heap overflow).
 */
static void fsck_n_keeps_bad_entry_safely(void **state)
{
	struct vexfs_fs fs;
	uint8_t *img = mem_fs(&fs, 1 << 20);
	static uint8_t map[1 << 12];
	struct vexfs_dirent_list list = { 0 };
	struct vexfs_check_opts opts = { .mode = VEXFS_CHECK_NO, .force = true,
					 .print = quiet };
	struct vexfs_inode dir;
	struct vexfs_alloc alloc;
	struct vexfs_err err;
	uint64_t blocks, n;

	(void)state;
	memset(map, 0, sizeof(map));
	for (n = 0; n < le64(fs.sb.s_data_start); n++)
		vexfs_set_bit(map, n);
	vexfs_alloc_init(&alloc, map, &fs.sb);
	assert_int_equal(vexfs_dirent_add(&list, vexfs_name_hash(&fs.sb, "x", 1),
					  1ULL << 40, VEXFS_FT_REG_FILE, "x", 1,
					  &err), 0);
	vexfs_inode_init_dir(&dir, VEXFS_ROOT_INO, VEXFS_ROOT_INO, 0755, 0, 0);
	assert_int_equal(vexfs_dir_build(&fs, &alloc, VEXFS_ROOT_INO, &dir,
					 &list, &blocks, &err), 0);
	dir.i_blocks = cpu_le64(blocks);
	assert_int_equal(vexfs_inode_write(&fs, VEXFS_ROOT_INO, &dir, &err), 0);
	assert_int_equal(vexfs_check_mem(img, 1 << 20, &opts, NULL, &err) &
			 ~FSCK_UNCORRECTED, 0);
	opts.mode = VEXFS_CHECK_YES;
	vexfs_check_mem(img, 1 << 20, &opts, NULL, &err);
	opts.mode = VEXFS_CHECK_NO;
	assert_int_equal(vexfs_check_mem(img, 1 << 20, &opts, NULL, &err),
			 FSCK_OK);
	vexfs_dirent_list_free(&list);
	free(img);
}

/* Slot geometry: the rules of vexfs_format.h and src/vector.c. */
static void vec_geometry(void **state)
{
	struct vexfs_coll_geom g;
	uint64_t lblk;
	uint32_t off;

	(void)state;
	vexfs_coll_geom(&g, 4096, 4);
	assert_int_equal(g.slot_size, 32);
	assert_int_equal(g.per_block, 128);
	vexfs_slot_pos(&g, 1, &lblk, &off);
	assert_true(lblk == 0 && off == 0);
	vexfs_slot_pos(&g, 129, &lblk, &off);
	assert_true(lblk == 1 && off == 0);
	vexfs_slot_pos(&g, 130, &lblk, &off);
	assert_true(lblk == 1 && off == 32);
	assert_int_equal(vexfs_store_blocks(&g, 129), 2);
	assert_int_equal(vexfs_store_capacity(&g, 2), 256);
	/* 300 floats: 1216 bytes, two whole 1 KiB blocks per slot */
	vexfs_coll_geom(&g, 1024, 300);
	assert_int_equal(g.slot_size, 1216);
	assert_int_equal(g.per_block, 0);
	assert_int_equal(g.blocks_per_slot, 2);
	vexfs_slot_pos(&g, 3, &lblk, &off);
	assert_true(lblk == 4 && off == 0);
	assert_int_equal(vexfs_store_blocks(&g, 3), 6);
	assert_int_equal(vexfs_store_capacity(&g, 5), 2);
	vexfs_coll_geom(&g, 4096, VEXFS_MAX_DIM);
	assert_int_equal(g.slot_size, 16400);
	assert_int_equal(g.blocks_per_slot, 5);
	assert_int_equal(g.max_slots, VEXFS_MAX_LBLK / 5);
}

/* A slot from an embedding value: the kernel's rules, a self checksum. */
static void vec_slot_fill(void **state)
{
	struct vexfs_coll_geom g;
	struct vexfs_collection d;
	struct vexfs_err err;
	uint8_t img[48], copy[48];
	/* 1.0, -2.0, 0.5, denormal: little-endian float32 */
	const uint8_t ok[16] = { 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0,
				 0, 0, 0, 0x3f, 1, 0, 0, 0 };
	uint8_t bad[16];
	uint32_t seed = 0x12345678, zero = 0;

	(void)state;
	vexfs_coll_geom(&g, 1024, 4);
	assert_int_equal(vexfs_slot_fill(seed, &g, 4, img, 77, 5, ok, 12, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "expected 4 values"));
	memcpy(bad, ok, 16);
	bad[6] = 0x80;
	bad[7] = 0x7f;				/* +Inf */
	assert_int_equal(vexfs_slot_fill(seed, &g, 4, img, 77, 5, bad, 16, &err),
			 -EINVAL);
	bad[6] = 0xc0;				/* NaN */
	assert_int_equal(vexfs_slot_fill(seed, &g, 4, img, 77, 5, bad, 16, &err),
			 -EINVAL);
	assert_int_equal(vexfs_slot_fill(seed, &g, 4, img, 77, 5, ok, 16, &err), 0);
	assert_int_equal(le64(((struct vexfs_vec_slot *)img)->vs_ino), 77);
	assert_int_equal(le32(((struct vexfs_vec_slot *)img)->vs_generation), 5);
	assert_memory_equal(img + 16, ok, 16);
	/* the checksum covers the whole slot with the field read as zero */
	memcpy(copy, img, sizeof(copy));
	memcpy(copy + 12, &zero, 4);
	assert_int_equal(le32(((struct vexfs_vec_slot *)img)->vs_checksum),
			 vexfs_crc32c(seed, copy, g.slot_size));
	assert_int_equal(vexfs_slot_csum(seed, img, g.slot_size),
			 vexfs_crc32c(seed, copy, g.slot_size));
	img[31] ^= 1;				/* every byte counts */
	assert_int_not_equal(vexfs_slot_csum(seed, img, g.slot_size),
			     vexfs_crc32c(seed, copy, g.slot_size));
	memset(&d, 0, sizeof(d));
	d.c_id = cpu_le32(1);
	d.c_checksum = cpu_le32(0xdeadbeef);
	assert_int_equal(vexfs_desc_csum(seed, &d),
			 (d.c_checksum = 0, vexfs_crc32c(seed, &d, sizeof(d))));
	assert_int_equal(vexfs_metric_parse("l2"), VEXFS_METRIC_L2);
	assert_int_equal(vexfs_metric_parse("cosine"), VEXFS_METRIC_COSINE);
	assert_int_equal(vexfs_metric_parse("ip"), VEXFS_METRIC_IP);
	assert_int_equal(vexfs_metric_parse("L2"), -EINVAL);
}

/* The index layout of include/vexfs_format.h, by arithmetic. */
static void vindex_geometry(void **state)
{
	struct vexfs_vindex_geom g;
	uint8_t rec[272];
	uint64_t lblk;
	uint32_t off, c;

	(void)state;
	assert_int_equal(vexfs_vindex_geom(&g, 4096, 128, 16), 0);
	assert_int_equal(g.node_size, 16 + 128 + 8 * 16);
	assert_int_equal(g.per_block, 15);
	assert_int_equal(g.q_blocks, 1);
	assert_int_equal(g.node_start, 2);
	assert_int_equal(g.upper_size, 16 + 4 * 16);
	assert_int_equal(g.per_block_u, 51);
	vexfs_vindex_node_pos(&g, 1, &lblk, &off);
	assert_true(lblk == 2 && off == 0);
	vexfs_vindex_node_pos(&g, 16, &lblk, &off);
	assert_true(lblk == 3 && off == 0);
	vexfs_vindex_node_pos(&g, 17, &lblk, &off);
	assert_true(lblk == 3 && off == 272);
	vexfs_vindex_upper_pos(&g, 52, &lblk, &off);
	assert_true(lblk == VEXFS_VINDEX_UPPER_LBLK + 1 && off == 0);
	/* a 3-byte code is padded to 4; 8 * 513 bytes of quantizer: 2 blocks */
	assert_int_equal(vexfs_vindex_geom(&g, 1024, 3, 2), 0);
	assert_int_equal(g.node_size, 16 + 4 + 16);
	assert_int_equal(vexfs_vindex_geom(&g, 4096, 513, 16), 0);
	assert_int_equal(g.q_blocks, 2);
	assert_int_equal(g.node_start, 3);
	/* what no kernel indexes: a record larger than a block; bad M */
	assert_int_equal(vexfs_vindex_geom(&g, 4096, 4096, 16), -EFBIG);
	assert_int_equal(vexfs_vindex_geom(&g, 4096, 8, 1), -EINVAL);
	assert_int_equal(vexfs_vindex_geom(&g, 4096, 8, 65), -EINVAL);
	/* the record checksum ignores its own field, and nothing else */
	memset(rec, 0x5a, sizeof(rec));
	c = vexfs_vindex_rec_csum(7, rec, sizeof(rec));
	rec[0] ^= 1;
	assert_int_equal(vexfs_vindex_rec_csum(7, rec, sizeof(rec)), c);
	rec[271] ^= 1;
	assert_int_not_equal(vexfs_vindex_rec_csum(7, rec, sizeof(rec)), c);
	assert_int_not_equal(vexfs_vindex_rec_csum(8, rec, sizeof(rec)), c);
}

#define VB_DIM		8
#define VB_SLOTS	300

/* Vectors for vindex_build(): every seventh slot is free. */
static int vb_vec(void *priv, uint64_t slot, uint32_t *vec)
{
	const uint32_t *vecs = priv;

	if (slot % 7 == 0)
		return 0;
	memcpy(vec, vecs + (slot - 1) * VB_DIM, VB_DIM * 4);
	return 1;
}

static uint32_t vb_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32(v);
}

/*
 * An index built offline reads back as the format says: a sealed header
 * with the counts, one node per used slot of the epoch (checksum, level
 * from the seed), none for a free one, links that name nodes.  Without
 * room, nothing is allocated or written.
 */
static void vindex_build(void **state)
{
	struct vexfs_vindex_params p = {
		.dim = VB_DIM, .metric = VEXFS_METRIC_L2, .m = 4,
		.ef_construction = 40, .seed = 99, .epoch = 3,
		.nslots = VB_SLOTS,
	};
	static uint32_t vecs[VB_SLOTS * VB_DIM];
	static uint8_t map[1 << 12], before[1 << 12];
	struct vexfs_vindex_header vh;
	struct vexfs_vindex_geom g;
	struct vexfs_ext_list list;
	struct vexfs_inode inode;
	struct vexfs_alloc alloc;
	struct hnsw_index lv;
	struct vexfs_err err;
	struct vexfs_fs fs;
	uint8_t *img = mem_fs(&fs, 2 << 20), blk[1024];
	uint64_t s, live = 0, lblk, data = 0;
	uint32_t off, i, x = 12345;
	s64 q0;

	(void)state;
	for (i = 0; i < VB_SLOTS * VB_DIM; i++) {	/* floats in [1, 2) */
		x = x * 1103515245 + 12345;
		vecs[i] = 0x3f800000 | (x >> 9);
	}
	memset(map, 0, sizeof(map));
	for (s = 0; s < le64(fs.sb.s_data_start); s++)
		vexfs_set_bit(map, s);
	vexfs_alloc_init(&alloc, map, &fs.sb);
	memset(&inode, 0, sizeof(inode));
	assert_int_equal(vexfs_vindex_build(&fs, &alloc, 40, &inode, &p, vb_vec,
					    vecs, &err), 0);
	assert_int_equal(vexfs_vindex_geom(&g, 1024, VB_DIM, 4), 0);
	assert_int_equal(vexfs_extent_list(&fs, 40, &inode, &list, &err), 0);
	for (i = 0; i < list.n; i++)
		data += list.e[i].len;
	assert_true(le64(inode.i_blocks) >= data);
	assert_true(le64(inode.i_size) >= (list.e[list.n - 1].lblk +
					   (uint64_t)list.e[list.n - 1].len) * 1024);

	assert_int_equal(vexfs_read_block(&fs.dev, vexfs_ext_list_map(&list, 0),
					  blk, &err), 0);
	assert_int_equal(vexfs_meta_block_check(fs.seed, blk, 1024,
						VEXFS_VINDEX_MAGIC,
						vexfs_ext_list_map(&list, 0), 40), 0);
	memcpy(&vh, blk, sizeof(vh));
	assert_int_equal(le32(vh.vh_epoch), 3);
	assert_int_equal(vh.vh_trained, 1);
	assert_int_equal(le16(vh.vh_node_size), g.node_size);
	assert_int_equal(le32(vh.vh_node_start), g.node_start);
	assert_int_equal(le64(vh.vh_live), VB_SLOTS - VB_SLOTS / 7);
	assert_int_equal(le64(vh.vh_deleted), 0);
	assert_int_equal(le64(vh.vh_slots), VB_SLOTS);
	assert_int_not_equal(le32(vh.vh_entry), 0);

	assert_int_equal(hnsw_init(&lv, VB_DIM, VEC_METRIC_L2, 4, 1, 99, &q0,
				   NULL, NULL), 0);
	for (s = 1; s <= VB_SLOTS; s++) {
		const struct vexfs_vindex_node *vn;
		const uint8_t *rec;

		vexfs_vindex_node_pos(&g, s, &lblk, &off);
		assert_int_equal(vexfs_read_block(&fs.dev,
				vexfs_ext_list_map(&list, (uint32_t)lblk), blk,
				&err), 0);
		rec = blk + off;
		vn = (const void *)rec;
		if (s % 7 == 0) {
			assert_int_equal(le32(vn->vn_epoch), 0);
			continue;
		}
		live++;
		assert_int_equal(le32(vn->vn_epoch), 3);
		assert_int_equal(le32(vn->vn_checksum),
				 vexfs_vindex_rec_csum(fs.seed, rec, g.node_size));
		assert_int_equal(vn->vn_level, hnsw_level_of(&lv, (uint32_t)s));
		assert_int_equal(vn->vn_flags, 0);
		assert_true(le16(vn->vn_count) >= 1 && le16(vn->vn_count) <= 8);
		assert_true(!vn->vn_level == !le32(vn->vn_upper));
		for (i = 0; i < le16(vn->vn_count); i++) {
			uint32_t t = vb_le32(rec + 16 + g.code_bytes + 4 * i);

			assert_true(t >= 1 && t <= VB_SLOTS && t % 7 && t != s);
		}
	}
	assert_int_equal(live, le64(vh.vh_live));
	vexfs_ext_list_free(&list);

	/* no room for a second copy: -ENOSPC, the allocator as it was */
	for (s = le64(fs.sb.s_data_start); s < le64(fs.sb.s_blocks_count) - 10;
	     s++)
		vexfs_set_bit(map, s);
	memcpy(before, map, sizeof(map));
	p.epoch = 4;
	assert_int_equal(vexfs_vindex_build(&fs, &alloc, 40, &inode, &p, vb_vec,
					    vecs, &err), -ENOSPC);
	assert_memory_equal(before, map, sizeof(map));
	/* a metric the core does not index yet is refused, not mis-built */
	p.metric = VEXFS_METRIC_COSINE;
	assert_int_equal(vexfs_vindex_build(&fs, &alloc, 40, &inode, &p, vb_vec,
					    vecs, &err), -EOPNOTSUPP);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc32c_known_vectors),
		cmocka_unit_test(layout_rules),
		cmocka_unit_test(layout_journal),
		cmocka_unit_test(mkfs_reads_back),
		cmocka_unit_test(fsck_finds_and_fixes_free_count),
		cmocka_unit_test(siphash_reference_vectors),
		cmocka_unit_test(extent_build_then_list),
		cmocka_unit_test(dir_build_then_walk),
		cmocka_unit_test(xattr_pack_then_parse),
		cmocka_unit_test(fsck_n_keeps_bad_entry_safely),
		cmocka_unit_test(vec_geometry),
		cmocka_unit_test(vec_slot_fill),
		cmocka_unit_test(vindex_geometry),
		cmocka_unit_test(vindex_build),
	};

	return cmocka_run_group_tests_name("libvexfs", tests, NULL, NULL);
}
