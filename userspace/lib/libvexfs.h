/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvexfs.h - the userspace library that reads and writes VexFS images.
 *
 * mkfs.vexfs, fsck.vexfs and vexctl are thin front ends over this library;
 * in userspace, it alone knows the on-disk format (include/vexfs_format.h).
 *
 * Conventions: functions return 0 or a negative errno and describe a
 * failure, in words for the user, in the caller's struct vexfs_err.  The
 * library never prints and never exits.  Checksum mismatches are -EBADMSG,
 * other corruption is -EUCLEAN (the kernel's -EFSCORRUPTED).
 */
#ifndef LIBVEXFS_H
#define LIBVEXFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <endian.h>

#include "vexfs_format.h"

/* Little-endian accessors for the format's __le types. */
#define le16(x)		le16toh((uint16_t)(x))
#define le32(x)		le32toh((uint32_t)(x))
#define le64(x)		le64toh((uint64_t)(x))
#define cpu_le16(x)	((__le16)htole16(x))
#define cpu_le32(x)	((__le32)htole32(x))
#define cpu_le64(x)	((__le64)htole64(x))

#define VEXFS_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Why the last call failed, in words for the user. */
struct vexfs_err {
	char msg[1024];
};

/**
 * vexfs_errf() - record why an operation failed
 * @err: where to put the message; may be NULL
 * @errnum: a positive errno value
 * @fmt: printf-style message, without a trailing newline
 *
 * Return: -@errnum, so that callers can write "return vexfs_errf(...)".
 */
int vexfs_errf(struct vexfs_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------ */
/* crc32c.c                                                            */
/* ------------------------------------------------------------------ */

/**
 * vexfs_crc32c() - continue a raw Castagnoli CRC over a buffer
 * @crc: the running value; ~0 to start
 * @buf: the data
 * @len: its length in bytes
 *
 * This is the kernel's crc32c(): reflected polynomial 0x82F63B78 and no
 * final inversion, so the "standard" CRC-32C is ~vexfs_crc32c(~0, ...).
 *
 * Return: the new running value.
 */
uint32_t vexfs_crc32c(uint32_t crc, const void *buf, size_t len);

/**
 * vexfs_super_csum() - the checksum a superblock must carry
 * @sb: the superblock
 *
 * Return: crc32c(~0, superblock with s_checksum read as zero).
 */
uint32_t vexfs_super_csum(const struct vexfs_super_block *sb);

/**
 * vexfs_csum_seed() - the seed of every checksum but the superblock's
 * @sb: the superblock
 *
 * Return: crc32c(~0, s_uuid).
 */
uint32_t vexfs_csum_seed(const struct vexfs_super_block *sb);

/**
 * vexfs_inode_csum() - the checksum an inode must carry
 * @seed: from vexfs_csum_seed()
 * @inode: the 256-byte on-disk inode
 *
 * Return: crc32c(seed, inode with i_checksum read as zero).
 */
uint32_t vexfs_inode_csum(uint32_t seed, const struct vexfs_inode *inode);

/**
 * vexfs_block_csum() - the checksum a metadata block must carry
 * @seed: from vexfs_csum_seed()
 * @block: the block, starting with struct vexfs_block_header
 * @bs: the block size
 *
 * Return: crc32c(seed, block with bh_checksum read as zero).
 */
uint32_t vexfs_block_csum(uint32_t seed, const void *block, uint32_t bs);

/* ------------------------------------------------------------------ */
/* device.c                                                            */
/* ------------------------------------------------------------------ */

struct vexfs_dev {
	int fd;
	char path[4096];
	uint64_t size;		/* bytes */
	bool is_bdev;
	bool writable;
	uint32_t bs;		/* block size for block I/O, once known */
};

/**
 * vexfs_dev_open() - open a block device or an image file
 * @dev: filled in
 * @path: the device or file
 * @write: open for writing; a block device is then opened O_EXCL, which
 *	   the kernel refuses while the device is mounted or otherwise in use
 * @err: why it failed
 *
 * The size comes from BLKGETSIZE64 for a block device, st_size otherwise.
 *
 * Return: 0 or a negative errno (-EBUSY for a device in use).
 */
int vexfs_dev_open(struct vexfs_dev *dev, const char *path, bool write,
		   struct vexfs_err *err);

/**
 * vexfs_dev_close() - close a device opened with vexfs_dev_open()
 * @dev: the device; closing twice is harmless
 */
void vexfs_dev_close(struct vexfs_dev *dev);

/**
 * vexfs_dev_read() - read bytes at an offset, all or nothing
 * @dev: the device
 * @off: byte offset
 * @buf: destination
 * @len: bytes
 * @err: why it failed
 *
 * Return: 0, -EIO for a read past the end, or a negative errno.
 */
int vexfs_dev_read(struct vexfs_dev *dev, uint64_t off, void *buf,
		   size_t len, struct vexfs_err *err);

/**
 * vexfs_dev_write() - write bytes at an offset, all or nothing
 * @dev: the device, opened for writing
 * @off: byte offset
 * @buf: source
 * @len: bytes
 * @err: why it failed
 *
 * Return: 0, -EROFS if the device was opened read-only, or a negative
 * errno.
 */
int vexfs_dev_write(struct vexfs_dev *dev, uint64_t off, const void *buf,
		    size_t len, struct vexfs_err *err);

/**
 * vexfs_dev_zero() - make a byte range read as zeros
 * @dev: the device, opened for writing
 * @off: byte offset
 * @len: bytes
 * @err: why it failed
 *
 * Uses fallocate(FALLOC_FL_ZERO_RANGE) on files and BLKZEROOUT on block
 * devices, so that large regions cost little, and falls back to writing
 * zeros.
 *
 * Return: 0 or a negative errno.
 */
int vexfs_dev_zero(struct vexfs_dev *dev, uint64_t off, uint64_t len,
		   struct vexfs_err *err);

/**
 * vexfs_dev_sync() - flush written data to stable storage
 * @dev: the device
 * @err: why it failed
 *
 * Return: 0 or a negative errno.
 */
int vexfs_dev_sync(struct vexfs_dev *dev, struct vexfs_err *err);

/**
 * vexfs_read_block() - read filesystem block @nr
 * @dev: the device, with dev->bs set
 * @nr: block number
 * @buf: dev->bs bytes
 * @err: why it failed
 *
 * Return: 0 or a negative errno.
 */
int vexfs_read_block(struct vexfs_dev *dev, uint64_t nr, void *buf,
		     struct vexfs_err *err);

/**
 * vexfs_write_block() - write filesystem block @nr
 * @dev: the device, with dev->bs set
 * @nr: block number
 * @buf: dev->bs bytes
 * @err: why it failed
 *
 * Return: 0 or a negative errno.
 */
int vexfs_write_block(struct vexfs_dev *dev, uint64_t nr, const void *buf,
		      struct vexfs_err *err);

/**
 * vexfs_dev_mountpoint() - where a device or image is mounted, if it is
 * @path: the device or image file
 * @mnt: filled with the mount point
 * @len: size of @mnt
 *
 * Reads /proc/self/mounts.  A block device matches a mount of the same
 * device number; an image file matches a mounted loop device backed by it.
 *
 * Return: 1 if mounted, 0 if not (or if that cannot be told).
 */
int vexfs_dev_mountpoint(const char *path, char *mnt, size_t len);

/* ------------------------------------------------------------------ */
/* super.c                                                             */
/* ------------------------------------------------------------------ */

/**
 * vexfs_super_read() - read the superblock, without validating it
 * @dev: the device
 * @sb: filled in
 * @err: why it failed
 *
 * Return: 0 or a negative errno.
 */
int vexfs_super_read(struct vexfs_dev *dev, struct vexfs_super_block *sb,
		     struct vexfs_err *err);

/**
 * vexfs_super_validate() - check a superblock as the kernel does at mount
 * @sb: the superblock
 * @dev_bytes: size of the device it was read from
 * @err: the first problem found
 *
 * A superblock this accepts is one the kernel mounts (src/super.c has the
 * same checks): magic, checksum, version, block size, inode size, checksum
 * type, feature bits, and the regions in order inside the device.
 *
 * Return: 0; -EINVAL if it is not a VexFS this library can read (magic,
 * version, block size, unknown incompat or ro_compat features); -EBADMSG
 * for a checksum mismatch; -EUCLEAN for bad geometry.
 */
int vexfs_super_validate(const struct vexfs_super_block *sb,
			 uint64_t dev_bytes, struct vexfs_err *err);

/**
 * vexfs_super_check_geometry() - check the regions a superblock describes
 * @sb: the superblock; its block size must already be valid
 * @dev_bytes: size of the device
 * @err: the first problem found
 *
 * Part of vexfs_super_validate(), exported for fsck.
 *
 * Return: 0 or -EUCLEAN.
 */
int vexfs_super_check_geometry(const struct vexfs_super_block *sb,
			       uint64_t dev_bytes, struct vexfs_err *err);

/**
 * vexfs_super_write() - checksum and write the superblock
 * @dev: the device
 * @sb: the superblock; s_checksum is updated
 * @err: why it failed
 *
 * Return: 0 or a negative errno.
 */
int vexfs_super_write(struct vexfs_dev *dev, struct vexfs_super_block *sb,
		      struct vexfs_err *err);

/**
 * vexfs_uuid_unparse() - format a UUID in the usual 8-4-4-4-12 form
 * @uuid: 16 bytes
 * @out: 37 bytes, NUL-terminated on return
 */
void vexfs_uuid_unparse(const uint8_t uuid[16], char out[37]);

/**
 * vexfs_super_label() - the volume label as a C string
 * @sb: the superblock
 * @out: VEXFS_LABEL_MAX bytes; always NUL-terminated on return
 */
void vexfs_super_label(const struct vexfs_super_block *sb,
		       char out[VEXFS_LABEL_MAX]);

/**
 * vexfs_feature_names() - name the feature bits a superblock has set
 * @sb: the superblock
 * @buf: output, space-separated names ("extents dir_tree ...")
 * @len: size of @buf
 *
 * Unknown bits are shown as FEATURE_C5 / FEATURE_R3 / FEATURE_I9 (kind
 * and bit number), as e2fsprogs does.
 */
void vexfs_feature_names(const struct vexfs_super_block *sb, char *buf,
			 size_t len);

/* An open filesystem: the device, its validated superblock and seed. */
struct vexfs_fs {
	struct vexfs_dev dev;
	struct vexfs_super_block sb;
	uint32_t bs;
	uint32_t seed;			/* vexfs_csum_seed(&sb) */
};

/**
 * vexfs_fs_open() - open a device and read and validate its superblock
 * @fs: filled in
 * @path: device or image
 * @write: open for writing (see vexfs_dev_open())
 * @err: why it failed
 *
 * Return: 0 or a negative errno from vexfs_dev_open(), vexfs_super_read()
 * or vexfs_super_validate().  On failure nothing stays open.
 */
int vexfs_fs_open(struct vexfs_fs *fs, const char *path, bool write,
		  struct vexfs_err *err);

/**
 * vexfs_fs_close() - close a filesystem opened with vexfs_fs_open()
 * @fs: the filesystem
 */
void vexfs_fs_close(struct vexfs_fs *fs);

/* ------------------------------------------------------------------ */
/* layout.c                                                            */
/* ------------------------------------------------------------------ */

/* Where mkfs puts each region, in blocks. */
struct vexfs_layout {
	uint32_t block_size;
	uint64_t blocks;
	uint64_t inodes;		/* inode table slots, s_inodes_count */
	uint64_t inode_bitmap_start, inode_bitmap_blocks;
	uint64_t block_bitmap_start, block_bitmap_blocks;
	uint64_t inode_table_start, inode_table_blocks;
	uint64_t journal_start, journal_blocks;	/* 0, 0 without a journal */
	uint64_t data_start;
};

/* vexfs_layout_compute_journal(): pick the journal size from the fs size */
#define VEXFS_JOURNAL_DEFAULT	UINT64_MAX
/* jbd2 refuses a journal shorter than this (JBD2_MIN_JOURNAL_BLOCKS). */
#define VEXFS_JOURNAL_MIN_BLOCKS	1024
/* ... and a filesystem smaller than this gets no journal by default. */
#define VEXFS_JOURNAL_MIN_FS_BLOCKS	2048

/**
 * vexfs_default_journal_blocks() - the journal size mkfs picks, as mke2fs
 * @fs_blocks: filesystem size in blocks
 *
 * Return: the journal size in blocks, or 0 for a filesystem too small to
 * carry one.
 */
uint64_t vexfs_default_journal_blocks(uint64_t fs_blocks);

/* One inode per this many bytes of device unless mkfs -N says otherwise. */
#define VEXFS_DEFAULT_BYTES_PER_INODE	16384
/* The smallest inode table mkfs makes by default. */
#define VEXFS_MIN_INODES		64
/* mkfs refuses a layout that leaves fewer data blocks than this. */
#define VEXFS_MIN_DATA_BLOCKS		16

/**
 * vexfs_layout_compute() - lay out a filesystem on a device
 * @lay: filled in
 * @dev_bytes: the bytes to use (the device, or mkfs's block count)
 * @block_size: 1024, 2048 or 4096
 * @inodes: inode table slots wanted (mkfs -N), or 0 for one per 16 KiB
 * @err: why it cannot be done
 *
 * The inode count is rounded up to fill the last inode table block and
 * must exceed VEXFS_FIRST_INO.  The device must hold VEXFS_MIN_BLOCKS
 * blocks, and the metadata must leave VEXFS_MIN_DATA_BLOCKS data blocks.
 *
 * Return: 0; -EINVAL for a bad block size or inode count; -ENOSPC for a
 * device too small.
 */
int vexfs_layout_compute(struct vexfs_layout *lay, uint64_t dev_bytes,
			 uint32_t block_size, uint64_t inodes,
			 struct vexfs_err *err);

/**
 * vexfs_layout_compute_journal() - vexfs_layout_compute() with a journal
 * @journal_blocks: journal size in blocks, 0 for none, or
 *	VEXFS_JOURNAL_DEFAULT to size it like mke2fs does
 *
 * The journal goes between the inode table and the data.  An explicit
 * size must be at least VEXFS_JOURNAL_MIN_BLOCKS and leave the data area
 * at least as large as the journal.
 */
int vexfs_layout_compute_journal(struct vexfs_layout *lay, uint64_t dev_bytes,
				 uint32_t block_size, uint64_t inodes,
				 uint64_t journal_blocks,
				 struct vexfs_err *err);

/* ------------------------------------------------------------------ */
/* bitmap.c                                                            */
/* ------------------------------------------------------------------ */

static inline bool vexfs_test_bit(const uint8_t *map, uint64_t n)
{
	return map[n / 8] & (1u << (n % 8));
}

static inline void vexfs_set_bit(uint8_t *map, uint64_t n)
{
	map[n / 8] |= (uint8_t)(1u << (n % 8));
}

static inline void vexfs_clear_bit(uint8_t *map, uint64_t n)
{
	map[n / 8] &= (uint8_t)~(1u << (n % 8));
}

/**
 * vexfs_bitmap_count_clear() - count the clear bits in [0, @nbits)
 * @map: the bits, LSB first within each byte
 * @nbits: how many bits to look at
 *
 * Return: the number of zero bits.
 */
uint64_t vexfs_bitmap_count_clear(const uint8_t *map, uint64_t nbits);

/**
 * vexfs_meta_block_init() - start a metadata block
 * @block: bs bytes; zeroed, then given a header
 * @bs: block size
 * @magic: VEXFS_*_MAGIC
 * @blocknr: where the block will be written
 * @owner: owning inode, 0 for global metadata
 */
void vexfs_meta_block_init(void *block, uint32_t bs, uint32_t magic,
			   uint64_t blocknr, uint64_t owner);

/**
 * vexfs_meta_block_seal() - set a metadata block's checksum
 * @seed: from vexfs_csum_seed()
 * @block: the block
 * @bs: block size
 */
void vexfs_meta_block_seal(uint32_t seed, void *block, uint32_t bs);

/**
 * vexfs_meta_block_check() - verify a metadata block's header and checksum
 * @seed: from vexfs_csum_seed()
 * @block: the block as read
 * @bs: block size
 * @magic: the type it must have
 * @blocknr: where it was read from
 * @owner: the owner it must name
 *
 * Return: 0; -EUCLEAN for a wrong magic, location, owner or nonzero
 * reserved field; -EBADMSG for a checksum mismatch.
 */
int vexfs_meta_block_check(uint32_t seed, const void *block, uint32_t bs,
			   uint32_t magic, uint64_t blocknr, uint64_t owner);

/* A whole bitmap, in memory. */
struct vexfs_bitmap {
	uint8_t *bits;			/* nblocks * VEXFS_BITMAP_BITS(bs) bits */
	uint64_t nbits;			/* meaningful bits: inodes or blocks */
	uint64_t start;			/* first bitmap block */
	uint64_t nblocks;		/* bitmap blocks */
	uint32_t magic;			/* VEXFS_IBITMAP/BBITMAP_MAGIC */
};

enum vexfs_bitmap_kind {
	VEXFS_INODE_BITMAP,
	VEXFS_BLOCK_BITMAP,
};

/**
 * vexfs_bitmap_init() - describe and allocate an all-clear bitmap
 * @map: filled in
 * @sb: the superblock naming the bitmap's location and size
 * @kind: which bitmap
 *
 * Return: 0 or -ENOMEM.
 */
int vexfs_bitmap_init(struct vexfs_bitmap *map,
		      const struct vexfs_super_block *sb,
		      enum vexfs_bitmap_kind kind);

/**
 * vexfs_bitmap_load() - read a whole bitmap
 * @fs: the filesystem
 * @map: initialized with vexfs_bitmap_init(); its bits are filled in
 * @verify: check each block's header and checksum
 * @err: why it failed
 *
 * Return: 0, a verification error (see vexfs_meta_block_check()) naming
 * the block, or a read error.
 */
int vexfs_bitmap_load(struct vexfs_fs *fs, struct vexfs_bitmap *map,
		      bool verify, struct vexfs_err *err);

/**
 * vexfs_bitmap_store() - write a whole bitmap with fresh headers
 * @fs: the filesystem, open for writing
 * @map: the bitmap; bits at and past map->nbits are written as set
 * @err: why it failed
 *
 * Return: 0 or a negative errno.
 */
int vexfs_bitmap_store(struct vexfs_fs *fs, struct vexfs_bitmap *map,
		       struct vexfs_err *err);

/**
 * vexfs_bitmap_release() - free a bitmap's memory
 * @map: the bitmap
 */
void vexfs_bitmap_release(struct vexfs_bitmap *map);

/* ------------------------------------------------------------------ */
/* inode.c                                                             */
/* ------------------------------------------------------------------ */

/**
 * vexfs_inode_offset() - byte offset of an inode in the device
 * @sb: the superblock
 * @ino: inode number (the slot in the inode table)
 *
 * Return: the offset; the caller checks @ino < s_inodes_count.
 */
uint64_t vexfs_inode_offset(const struct vexfs_super_block *sb, uint64_t ino);

/**
 * vexfs_inode_read_raw() - read an inode slot without checking it
 * @fs: the filesystem
 * @ino: inode number
 * @inode: filled in
 * @err: why it failed
 *
 * Return: 0, -EINVAL for a number outside the table, or a read error.
 */
int vexfs_inode_read_raw(struct vexfs_fs *fs, uint64_t ino,
			 struct vexfs_inode *inode, struct vexfs_err *err);

/**
 * vexfs_inode_verify() - check an in-use inode as the kernel would
 * @fs: the filesystem
 * @ino: the number it was read as
 * @inode: the inode
 * @err: the problem, naming the inode
 *
 * Return: 0; -EBADMSG for a checksum mismatch; -EUCLEAN if i_ino is not
 * @ino, the mode is 0 or not a known file type, or a timestamp is invalid.
 */
int vexfs_inode_verify(struct vexfs_fs *fs, uint64_t ino,
		       const struct vexfs_inode *inode, struct vexfs_err *err);

/**
 * vexfs_inode_read() - read and verify an in-use inode
 * @fs: the filesystem
 * @ino: inode number
 * @inode: filled in
 * @err: why it failed
 *
 * Return: 0 or an error from vexfs_inode_read_raw() or
 * vexfs_inode_verify().
 */
int vexfs_inode_read(struct vexfs_fs *fs, uint64_t ino,
		     struct vexfs_inode *inode, struct vexfs_err *err);

/**
 * vexfs_inode_write() - checksum and write an inode
 * @fs: the filesystem, open for writing
 * @ino: inode number
 * @inode: the inode; i_checksum is updated
 * @err: why it failed
 *
 * Return: 0, -EINVAL for a number outside the table, or a write error.
 */
int vexfs_inode_write(struct vexfs_fs *fs, uint64_t ino,
		      struct vexfs_inode *inode, struct vexfs_err *err);

/**
 * vexfs_inode_init_dir() - make an empty directory inode
 * @inode: filled in, all other fields zero
 * @ino: its number
 * @parent: the directory containing it (itself for the root)
 * @mode: permission bits
 * @now: seconds since the epoch, for all four timestamps
 * @generation: i_generation
 *
 * An empty directory has no blocks and i_size 0; i_data holds an empty
 * extent tree root.  The checksum is left for vexfs_inode_write().
 */
void vexfs_inode_init_dir(struct vexfs_inode *inode, uint64_t ino,
			  uint64_t parent, uint16_t mode, int64_t now,
			  uint32_t generation);

/* ------------------------------------------------------------------ */
/* mkfs.c                                                              */
/* ------------------------------------------------------------------ */

struct vexfs_mkfs_opts {
	const char *label;		/* NULL or at most 63 bytes */
	uint8_t uuid[16];
	uint32_t hash_seed[4];
	int64_t now;			/* seconds since the epoch */
	uint32_t root_generation;
};

/**
 * vexfs_mkfs() - write a new, empty filesystem to a device
 * @dev: the device, open for writing
 * @lay: the layout from vexfs_layout_compute()
 * @opts: label, UUID, hash seed, time
 * @err: why it failed
 *
 * Zeroes the metadata regions (but not the first 1024 bytes, where a boot
 * loader may live), writes both bitmaps, the root directory and finally
 * the superblock, syncing before and after it so that a crash never leaves
 * a valid superblock over half-written metadata.
 *
 * Return: 0 or a negative errno.
 */
int vexfs_mkfs(struct vexfs_dev *dev, const struct vexfs_layout *lay,
	       const struct vexfs_mkfs_opts *opts, struct vexfs_err *err);

/* ------------------------------------------------------------------ */
/* check.c: the checker behind fsck.vexfs                              */
/* ------------------------------------------------------------------ */

/* fsck(8) exit codes; they may be ORed together. */
#define FSCK_OK			0	/* no errors */
#define FSCK_NONDESTRUCT	1	/* errors corrected */
#define FSCK_REBOOT		2	/* corrected; reboot (unused here) */
#define FSCK_UNCORRECTED	4	/* errors left uncorrected */
#define FSCK_ERROR		8	/* operational error */
#define FSCK_USAGE		16	/* usage or syntax error */
#define FSCK_CANCELED		32	/* canceled by the user */

enum vexfs_check_mode {
	VEXFS_CHECK_NO,		/* -n: answer no to everything, never write */
	VEXFS_CHECK_YES,	/* -y: answer yes to everything */
	VEXFS_CHECK_PREEN,	/* -p: fix what is safe, stop on the rest */
	VEXFS_CHECK_ASK,	/* interactive: ask through opts->ask */
};

/* Problem flags */
#define PR_PREEN_OK	0x0001	/* preen may fix it without asking */
#define PR_PREEN_NOMSG	0x0002	/* ... and without saying so */
#define PR_FATAL	0x0004	/* cannot be fixed: stop, exit 8 */

/* One kind of problem the checker can find; see check.c for the table. */
struct vexfs_problem {
	uint32_t code;		/* PR_<pass>_<NAME>, stable across versions */
	const char *msg;	/* printf format, no trailing period */
	const char *prompt;	/* "Fix", "Clear", ...; NULL for PR_FATAL */
	unsigned int flags;	/* PR_* */
};

/*
 * Problem codes: 0xPPNNNN, PP the pass.  Pass 0 checks the superblock and
 * the bitmap blocks, pass 1 the inodes, pass 5 the bitmaps and summary
 * counts.  Passes 2-4 (directories, connectivity, reference counts) and 6
 * (vectors) will come with the checks for those structures.
 */
#define PR_0_SB_READ		0x000001
#define PR_0_SB_MAGIC		0x000002
#define PR_0_SB_VERSION		0x000003
#define PR_0_SB_BLOCK_SIZE	0x000004
#define PR_0_SB_INODE_SIZE	0x000005
#define PR_0_SB_INCOMPAT	0x000006
#define PR_0_SB_RO_COMPAT	0x000007
#define PR_0_SB_GEOMETRY	0x000008
#define PR_0_SB_CSUM		0x000009
#define PR_0_SB_CSUM_UNTRUSTED	0x00000a
#define PR_0_SB_ROOT_INO	0x00000b
#define PR_0_SB_FEATURES_MISSING 0x00000c
#define PR_0_SB_RECOVER		0x00000d
#define PR_0_SB_RECOVER_JOURNAL	0x00000e
#define PR_0_SB_ERRORS		0x00000f
#define PR_0_BITMAP_HEADER	0x000010
#define PR_0_BITMAP_CSUM	0x000011
#define PR_1_INODE_EMPTY	0x010001
#define PR_1_INODE_CSUM		0x010002
#define PR_1_INODE_BAD		0x010003
#define PR_1_INODE_INO		0x010004
#define PR_1_INODE_TIME		0x010005
#define PR_1_ROOT_NOT_DIR	0x010006
#define PR_1_ROOT_BAD		0x010007
#define PR_5_INODE_BITMAP	0x050001
#define PR_5_BLOCK_BITMAP	0x050002
#define PR_5_INODE_PADDING	0x050003
#define PR_5_BLOCK_PADDING	0x050004
#define PR_5_FREE_INODES	0x050005
#define PR_5_FREE_BLOCKS	0x050006

/**
 * vexfs_problem_find() - look a problem up by its code
 * @code: a PR_* code
 *
 * Return: the table entry, or NULL for an unknown code.
 */
const struct vexfs_problem *vexfs_problem_find(uint32_t code);

struct vexfs_check_opts {
	enum vexfs_check_mode mode;
	bool force;		/* -f: check even if marked clean */
	bool verbose;		/* -v: say more about each pass */
	const char *name;	/* the device as the user named it */
	void *priv;		/* passed to the callbacks */
	/* Output, one or more whole lines, each ending in '\n'. */
	void (*print)(void *priv, const char *text);
	/* VEXFS_CHECK_ASK: 1 yes, 0 no, -1 cancel the check */
	int (*ask)(void *priv, const char *prompt);
	/* Optional: pass @pass has done @cur of @max units of work. */
	void (*progress)(void *priv, int pass, uint64_t cur, uint64_t max);
};

/* What a check found, for callers that want more than the exit code. */
struct vexfs_check_result {
	int exit_code;		/* FSCK_* */
	unsigned int nproblems;	/* problems found, fixed or not */
	uint32_t codes[64];	/* the first 64 of them */
	uint64_t inodes, inodes_used;
	uint64_t blocks, blocks_used;
};

/**
 * vexfs_check() - check, and perhaps repair, a filesystem
 * @path: device or image
 * @opts: mode and callbacks
 * @res: filled in; may be NULL
 * @err: the reason for an operational error (exit code 8)
 *
 * Runs the passes in order; each problem found is reported through
 * opts->print from the one problem table and fixed or not as the mode
 * says.  VEXFS_CHECK_NO never writes.  A mounted filesystem is only
 * checked with VEXFS_CHECK_NO.  A filesystem marked clean is only given a
 * superblock check unless opts->force.
 *
 * Return: the fsck(8) exit code, also in @res->exit_code.
 */
int vexfs_check(const char *path, const struct vexfs_check_opts *opts,
		struct vexfs_check_result *res, struct vexfs_err *err);

#endif /* LIBVEXFS_H */
