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
#include <sys/types.h>

#include "vexfs_format.h"
/*
 * The format rules and checksums that the kernel module compiles too
 * (common/); named by path so that every program built against this
 * header finds them without another -I.
 */
#include "../../common/vexfs_rules.h"

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

/*
 * vexfs_csum_seed(), vexfs_super_csum(), vexfs_inode_csum(),
 * vexfs_block_csum(), vexfs_desc_csum() and vexfs_vindex_rec_csum() are
 * common/csum.c, shared with the kernel (common/vexfs_rules.h).
 */

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
	uint8_t *mem;		/* memory-backed (vexfs_dev_open_mem()) */
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
 * vexfs_dev_open_mem() - use a buffer in memory as the device
 * @dev: filled in
 * @buf: the image; it stays owned by the caller
 * @size: its length in bytes
 * @write: allow writes into @buf
 *
 * For the fuzzer and the unit tests: everything that takes a device works
 * on it, without a file.
 *
 * Return: 0.
 */
int vexfs_dev_open_mem(struct vexfs_dev *dev, void *buf, uint64_t size,
		       bool write);

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
 * A superblock this accepts is one the kernel mounts read-write (the
 * rules are common/super.c, the kernel's): magic, checksum, version, block
 * size, inode size, checksum type, feature bits, the regions in order
 * inside the device, the reserved inodes and the free counts.
 * vexfs_fs_open() for reading accepts unknown ro_compat features, as the
 * kernel's read-only mount does.
 *
 * Return: 0; -EINVAL if it is not a VexFS this library can read (magic,
 * version, block size, unknown incompat or ro_compat features, missing
 * required features); -EBADMSG for a checksum mismatch; -EUCLEAN for bad
 * geometry, reserved inodes or free counts.
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
/* siphash.c                                                           */
/* ------------------------------------------------------------------ */

/**
 * vexfs_siphash() - SipHash-2-4, as the kernel's siphash()
 * @data: the bytes
 * @len: how many
 * @k0: first key word
 * @k1: second key word
 *
 * Return: the 64-bit hash.
 */
uint64_t vexfs_siphash(const void *data, size_t len, uint64_t k0, uint64_t k1);

/**
 * vexfs_name_hash() - the directory hash of a name
 * @sb: the superblock, whose s_hash_seed keys the hash
 * @name: the name, without a NUL
 * @len: its length
 *
 * Return: SipHash-2-4 >> 1, clamped to VEXFS_DIR_HASH_MAX (see
 * include/vexfs_format.h).
 */
uint64_t vexfs_name_hash(const struct vexfs_super_block *sb, const void *name,
			 size_t len);

/* ------------------------------------------------------------------ */
/* extent.c                                                            */
/* ------------------------------------------------------------------ */

/* One mapping: logical [lblk, lblk + len) at physical [pblk, pblk + len). */
struct vexfs_ext {
	uint32_t lblk;
	uint32_t len;
	uint64_t pblk;
	uint16_t flags;
};

struct vexfs_ext_list {
	struct vexfs_ext *e;		/* sorted by lblk */
	size_t n, cap;
};

/*
 * What vexfs_extent_walk() calls.  Every callback is optional; a nonzero
 * return stops the walk and is returned.
 *   node:   a tree block at @pblk holding a node of @depth; @why is NULL
 *           or why the block is bad (its subtree is then skipped)
 *   extent: a leaf entry, in logical order
 *   bad:    the root in the inode is bad (@why); nothing else is walked
 * Without @bad, any bad node ends the walk with -EUCLEAN.
 */
struct vexfs_extent_visitor {
	void *priv;
	int (*node)(void *priv, uint64_t pblk, unsigned int depth,
		    const char *why);
	int (*extent)(void *priv, const struct vexfs_ext *ex);
	void (*bad)(void *priv, uint64_t pblk, unsigned int depth,
		    const char *why);
};

/**
 * vexfs_extent_walk() - visit an inode's extent tree, checking every node
 * @fs: the filesystem
 * @ino: the inode number (the owner the tree blocks must name)
 * @inode: the inode
 * @v: callbacks
 * @err: why it failed
 *
 * Checks what the kernel checks before following a node (magic, capacity,
 * depth, entry order, block ranges, block header and checksum), that a
 * child's entries lie in the range its index entry gives it, and that the
 * tree has fewer nodes than the filesystem has blocks.  An inline inode
 * has no tree.
 *
 * Return: 0, a callback's value, -EUCLEAN (see @v), or an I/O error.
 */
int vexfs_extent_walk(struct vexfs_fs *fs, uint64_t ino,
		      const struct vexfs_inode *inode,
		      const struct vexfs_extent_visitor *v,
		      struct vexfs_err *err);

/**
 * vexfs_extent_block_capacity() - extents (or index entries) in a tree block
 * @bs: block size
 *
 * Return: the capacity, which the kernel writes in eh_max.
 */
unsigned int vexfs_extent_block_capacity(uint32_t bs);

/**
 * vexfs_extent_list() - all the mappings of an inode, checked
 * @fs: the filesystem
 * @ino: inode number
 * @inode: the inode
 * @list: filled in; release with vexfs_ext_list_free()
 * @err: why it failed
 *
 * Return: 0, -EUCLEAN for a bad tree, or an I/O error.
 */
int vexfs_extent_list(struct vexfs_fs *fs, uint64_t ino,
		      const struct vexfs_inode *inode,
		      struct vexfs_ext_list *list, struct vexfs_err *err);

/**
 * vexfs_ext_list_add() - append a mapping to a list
 * @list: the list
 * @ex: the mapping
 * @err: why it failed
 *
 * Return: 0 or -ENOMEM.
 */
int vexfs_ext_list_add(struct vexfs_ext_list *list, const struct vexfs_ext *ex,
		       struct vexfs_err *err);

/**
 * vexfs_ext_list_free() - release a list
 * @list: the list
 */
void vexfs_ext_list_free(struct vexfs_ext_list *list);

/**
 * vexfs_ext_list_map() - the physical block of a logical block
 * @list: a sorted list
 * @lblk: logical block
 *
 * Return: the physical block, or 0 for a hole.
 */
uint64_t vexfs_ext_list_map(const struct vexfs_ext_list *list, uint32_t lblk);

/**
 * vexfs_file_read() - read the start of a file's data
 * @fs: the filesystem
 * @ino: inode number
 * @inode: the inode
 * @buf: destination
 * @len: bytes, at most i_size; holes and unwritten
 *	 extents read as zeros
 * @err: why it failed
 *
 * Return: 0, -EINVAL, -EUCLEAN or an I/O error.
 */
int vexfs_file_read(struct vexfs_fs *fs, uint64_t ino,
		    const struct vexfs_inode *inode, void *buf, size_t len,
		    struct vexfs_err *err);

/* A first-fit block allocator over a block bitmap in memory. */
struct vexfs_alloc {
	uint8_t *map;			/* bit n set: block n in use */
	uint64_t first, end;		/* the data region */
	uint64_t goal;			/* where the next search starts */
};

/**
 * vexfs_alloc_init() - allocate from the data region of @sb using @map
 * @a: filled in
 * @map: the bitmap, updated by every allocation
 * @sb: the superblock
 */
void vexfs_alloc_init(struct vexfs_alloc *a, uint8_t *map,
		      const struct vexfs_super_block *sb);

/**
 * vexfs_alloc_blocks() - allocate a run of free blocks
 * @a: the allocator
 * @want: blocks wanted (at least 1)
 * @start: the first block of the run
 * @got: its length, 1..@want
 *
 * Return: 0 or -ENOSPC.
 */
int vexfs_alloc_blocks(struct vexfs_alloc *a, uint64_t want, uint64_t *start,
		       uint64_t *got);

/**
 * vexfs_alloc_free() - give blocks back
 * @a: the allocator
 * @start: first block
 * @len: blocks
 */
void vexfs_alloc_free(struct vexfs_alloc *a, uint64_t start, uint64_t len);

/**
 * vexfs_extent_build() - write a new extent tree for an inode
 * @fs: the filesystem, open for writing
 * @alloc: where tree blocks come from
 * @ino: the owner
 * @inode: its i_data gets the root; nothing else changes
 * @ext: the mappings, sorted and not overlapping, each 1..32768 blocks
 * @n: how many
 * @nodes: the tree blocks allocated (for i_blocks)
 * @err: why it failed
 *
 * Return: 0, -EINVAL, -ENOSPC, -EFBIG or an I/O error.
 */
int vexfs_extent_build(struct vexfs_fs *fs, struct vexfs_alloc *alloc,
		       uint64_t ino, struct vexfs_inode *inode,
		       const struct vexfs_ext *ext, size_t n,
		       uint64_t *nodes, struct vexfs_err *err);

/* ------------------------------------------------------------------ */
/* dir.c                                                               */
/* ------------------------------------------------------------------ */

/* A directory entry, decoded. */
struct vexfs_dirent {
	uint64_t hash;
	uint64_t ino;
	size_t pos;			/* scratch for a stable sort */
	uint8_t type;			/* VEXFS_FT_* */
	uint8_t name_len;
	char name[VEXFS_NAME_LEN + 1];
};

struct vexfs_dirent_list {
	struct vexfs_dirent *d;
	size_t n, cap;
};

/*
 * What vexfs_dir_walk() calls; both optional.
 *   bad:   a structural problem at logical block @lblk (the walk goes on
 *          with the rest of the tree)
 *   entry: a record of a leaf that passed the checks, in hash order; a
 *          nonzero return stops the walk
 */
struct vexfs_dir_visitor {
	void *priv;
	void (*bad)(void *priv, uint32_t lblk, const char *why);
	int (*entry)(void *priv, const struct vexfs_dir_entry *de,
		     uint32_t lblk);
};

/**
 * vexfs_dir_walk() - visit a directory's tree, checking every node
 * @fs: the filesystem
 * @ino: the directory's inode number
 * @inode: the directory
 * @v: callbacks
 * @err: why it failed
 *
 * The checks are the kernel's (block header and checksum, level, counts,
 * record and name lengths, hash order and range, sibling and child
 * ranges), plus: each block is reached once, the leaf chain follows the
 * tree, and nothing is mapped past i_size.  The names, inode numbers, file
 * types and hash values of the entries are the caller's to check.
 *
 * Return: 0 or an I/O error; corruption goes to @v->bad.
 */
int vexfs_dir_walk(struct vexfs_fs *fs, uint64_t ino,
		   const struct vexfs_inode *inode,
		   const struct vexfs_dir_visitor *v, struct vexfs_err *err);

/**
 * vexfs_dir_salvage() - collect what entries can be found in a directory
 * @fs: the filesystem
 * @ino: the directory's inode number
 * @inode: the directory
 * @out: the entries, first of each name only; free with
 *	 vexfs_dirent_list_free()
 * @err: why it failed
 *
 * Reads every block the directory maps, whatever the tree says, and keeps
 * the well-framed records of every block that looks like one of its leaves
 * (checksums are ignored).  The caller checks each entry.
 *
 * Return: 0 or a negative errno.
 */
int vexfs_dir_salvage(struct vexfs_fs *fs, uint64_t ino,
		      const struct vexfs_inode *inode,
		      struct vexfs_dirent_list *out, struct vexfs_err *err);

/**
 * vexfs_dir_build() - write a directory's tree anew from a list of entries
 * @fs: the filesystem, open for writing
 * @alloc: where the blocks come from; the caller has freed the old ones
 * @ino: the directory
 * @inode: gets the new i_size and extent root (nothing else changes)
 * @list: the entries, with their hashes; sorted in place
 * @blocks: the blocks now used (directory and extent tree blocks)
 * @err: why it failed
 *
 * The root is logical block 0; with more than one leaf the leaves follow
 * it, then the interior nodes.  An empty list gives an empty directory
 * (no blocks, i_size 0).
 *
 * Return: 0, -ENOSPC, -EFBIG or an I/O error.
 */
int vexfs_dir_build(struct vexfs_fs *fs, struct vexfs_alloc *alloc,
		    uint64_t ino, struct vexfs_inode *inode,
		    struct vexfs_dirent_list *list, uint64_t *blocks,
		    struct vexfs_err *err);

/**
 * vexfs_lookup() - the inode number of a path
 * @fs: the filesystem
 * @path: "/a/b" (leading and doubled slashes are ignored; "" is the root)
 * @ino: the result
 * @err: why it failed
 *
 * Return: 0, -ENOENT, -ENOTDIR, or a read or verification error.
 */
int vexfs_lookup(struct vexfs_fs *fs, const char *path, uint64_t *ino,
		 struct vexfs_err *err);

/**
 * vexfs_dirent_add() - append an entry to a list
 * @l: the list
 * @hash: its hash
 * @ino: its inode
 * @type: VEXFS_FT_*
 * @name: the name, @len bytes
 * @len: 1..VEXFS_NAME_LEN
 * @err: why it failed
 *
 * Return: 0, -ENAMETOOLONG or -ENOMEM.
 */
int vexfs_dirent_add(struct vexfs_dirent_list *l, uint64_t hash, uint64_t ino,
		     uint8_t type, const char *name, size_t len,
		     struct vexfs_err *err);

/**
 * vexfs_dirent_find() - look a name up in a list
 * @l: the list
 * @name: the name
 * @len: its length
 *
 * Return: its index, or -1.
 */
int vexfs_dirent_find(const struct vexfs_dirent_list *l, const char *name,
		      size_t len);

/**
 * vexfs_dirent_list_free() - release a list
 * @l: the list
 */
void vexfs_dirent_list_free(struct vexfs_dirent_list *l);

/**
 * vexfs_mode_to_ftype() - the directory file type of an inode mode
 * @mode: i_mode
 *
 * Return: VEXFS_FT_*, VEXFS_FT_UNKNOWN for an unknown type.
 */
uint8_t vexfs_mode_to_ftype(uint16_t mode);

/* ------------------------------------------------------------------ */
/* xattr.c                                                             */
/* ------------------------------------------------------------------ */

/* An attribute, decoded. */
struct vexfs_xattr_ent {
	uint8_t index;			/* VEXFS_XATTR_INDEX_* */
	uint8_t name_len;
	char name[256];			/* NUL-terminated copy */
	uint32_t size;
	uint64_t value_ino;		/* 0: the value is at @value */
	const uint8_t *value;		/* into the block, or the caller's */
};

/**
 * vexfs_xattr_parse() - decode an xattr block as the kernel does
 * @blk: the block
 * @bs: block size
 * @out: up to @max entries
 * @max: vexfs_xattr_max_entries()
 * @why: why the block is bad
 *
 * Return: the number of entries, or -EUCLEAN.
 */
int vexfs_xattr_parse(const uint8_t *blk, uint32_t bs,
		      struct vexfs_xattr_ent *out, int max, const char **why);

/**
 * vexfs_xattr_max_entries() - most entries a block can hold
 * @bs: block size
 *
 * Return: the count.
 */
int vexfs_xattr_max_entries(uint32_t bs);

/**
 * vexfs_xattr_pack() - lay out the body of an xattr block
 * @blk: the block; its header is left alone
 * @bs: block size
 * @xs: the entries; inline values are copied from ->value
 * @n: how many
 *
 * The layout and the name rules are common/xattr.c's, the kernel's.
 *
 * Return: 0, -EINVAL for a name vexfs_xattr_name_check() refuses,
 * -ENOSPC if they do not fit, -ENOMEM.
 */
int vexfs_xattr_pack(uint8_t *blk, uint32_t bs,
		     const struct vexfs_xattr_ent *xs, int n);

/**
 * vexfs_xattr_read_block() - read and verify an inode's xattr block
 * @fs: the filesystem
 * @ino: the owner
 * @inode: the owner's inode (i_xattr_block nonzero)
 * @blk: the block, fs->bs bytes
 * @why: set when the block is bad
 * @err: why reading failed
 *
 * Return: 0; -EUCLEAN or -EBADMSG with @why; or an I/O error.
 */
int vexfs_xattr_read_block(struct vexfs_fs *fs, uint64_t ino,
			   const struct vexfs_inode *inode, uint8_t *blk,
			   const char **why, struct vexfs_err *err);

/**
 * vexfs_xattr_prefix() - the name prefix of a namespace
 * @index: VEXFS_XATTR_INDEX_*
 *
 * Return: "user." and so on, or NULL for an unknown index.
 */
const char *vexfs_xattr_prefix(uint8_t index);

/**
 * vexfs_xattr_split_name() - the namespace and short name of a full name
 * @full: "user.foo" and so on
 * @index: VEXFS_XATTR_INDEX_*
 * @suffix: the rest of the name
 *
 * Return: 0 or -EOPNOTSUPP for a namespace VexFS does not store.
 */
int vexfs_xattr_split_name(const char *full, uint8_t *index,
			   const char **suffix);

/* ------------------------------------------------------------------ */
/* symlink                                                             */
/* ------------------------------------------------------------------ */

/**
 * vexfs_symlink_read() - read a symlink's target
 * @fs: the filesystem
 * @ino: inode number
 * @inode: the symlink
 * @buf: at least fs->bs + 1 bytes; NUL-terminated on success
 * @why: set when the target is malformed
 * @err: why reading failed
 *
 * An inline target must end with a NUL at i_size inside i_data, as the
 * kernel requires; a block target must be shorter than a block and hold
 * no NUL.
 *
 * Return: 0; -EUCLEAN with @why; or another error.
 */
int vexfs_symlink_read(struct vexfs_fs *fs, uint64_t ino,
		       const struct vexfs_inode *inode, char *buf,
		       const char **why, struct vexfs_err *err);

/* ------------------------------------------------------------------ */
/* fileio.c: what a file holds, for readers that serve files           */
/* ------------------------------------------------------------------ */

/**
 * vexfs_file_pread() - read a byte range of a file through its mapping
 * @fs: the filesystem
 * @list: the file's mappings (vexfs_extent_list())
 * @size: the file's i_size
 * @off: first byte
 * @buf: destination
 * @len: bytes wanted
 * @err: why it failed
 *
 * Holes and unwritten extents read as zeros; nothing is read past @size.
 * Contiguous blocks are read with one call.
 *
 * Return: the bytes read (fewer than @len at the end of the file, 0 at or
 * past it), or a negative errno.
 */
ssize_t vexfs_file_pread(struct vexfs_fs *fs, const struct vexfs_ext_list *list,
			 uint64_t size, uint64_t off, void *buf, size_t len,
			 struct vexfs_err *err);

/**
 * vexfs_xattr_value_read() - the value of an attribute
 * @fs: the filesystem
 * @owner: the inode the attribute belongs to
 * @x: the entry, from vexfs_xattr_parse()
 * @buf: x->size bytes
 * @err: why it failed
 *
 * An inline value is copied; a value in a value inode is read after the
 * kernel's checks of that inode (hidden, regular, of @owner, of the
 * value's size, without attributes of its own).
 *
 * Return: 0, -EUCLEAN for a bad value inode, or another error.
 */
int vexfs_xattr_value_read(struct vexfs_fs *fs, uint64_t owner,
			   const struct vexfs_xattr_ent *x, void *buf,
			   struct vexfs_err *err);

/**
 * vexfs_collection_read() - read and verify a collection's descriptor
 * @fs: the filesystem
 * @id: the collection (i_collection)
 * @d: filled in
 * @err: why it failed
 *
 * Return: 0; -EBADMSG for a checksum mismatch; -EUCLEAN for a missing
 * table or a descriptor that does not describe collection @id.
 */
int vexfs_collection_read(struct vexfs_fs *fs, uint32_t id,
			  struct vexfs_collection *d, struct vexfs_err *err);

/**
 * vexfs_embedding_read() - a file's embedding, as user.vexfs.embedding
 * @fs: the filesystem
 * @ino: the file
 * @inode: its inode
 * @vec: out: the dimension's float32 bit patterns, or NULL to ask @dim
 * @dim: out: the collection's dimension
 * @err: why it failed
 *
 * The slot must name @ino and carry its checksum, as the kernel requires.
 *
 * Return: 0; -ENODATA without an embedding; -EUCLEAN or -EBADMSG for a
 * corrupt descriptor, store or slot; or an I/O error.
 */
int vexfs_embedding_read(struct vexfs_fs *fs, uint64_t ino,
			 const struct vexfs_inode *inode, uint32_t *vec,
			 uint32_t *dim, struct vexfs_err *err);

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
 * Return: 0; -EBADMSG for a checksum mismatch; -EUCLEAN if @ino names no
 * inode, the mode is 0, or the inode breaks a rule of common/inode.c
 * (vexfs_inode_check(): number, type, links, flags, times, size, a
 * symlink's framing).
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
/* populate.c: mkfs -d                                                 */
/* ------------------------------------------------------------------ */

struct vexfs_populate_opts {
	void *priv;
	/* Something was not copied (e.g. an ACL); the copy goes on. */
	void (*warn)(void *priv, const char *msg);
};

/**
 * vexfs_populate() - copy a directory tree into a new, empty filesystem
 * @fs: the filesystem just made, open for writing
 * @src: the source directory; its own mode, owner, times and xattrs go
 *	 to the root
 * @opts: callbacks; may be NULL
 * @err: why it failed
 *
 * Copies contents, modes, owners, times, xattrs (user, trusted and
 * security; large values in hidden value inodes), symlinks (inline when
 * short), hard links, device nodes, fifos and sockets.  POSIX ACLs are not
 * copied (see the warning).  Bitmaps and free counts are updated.
 *
 * Return: 0, -ENOSPC when the tree does not fit, or another errno.
 */
int vexfs_populate(struct vexfs_fs *fs, const char *src,
		   const struct vexfs_populate_opts *opts,
		   struct vexfs_err *err);

/**
 * vexfs_fs_from_dev() - use an already open device as a filesystem
 * @fs: filled in; fs->dev is a copy of @dev (do not close both)
 * @dev: the device
 * @err: why it failed
 *
 * Return: 0 or an error from reading or validating the superblock.
 */
int vexfs_fs_from_dev(struct vexfs_fs *fs, const struct vexfs_dev *dev,
		      struct vexfs_err *err);

/* ------------------------------------------------------------------ */
/* journal.c: the jbd2 log (big-endian, as include/linux/jbd2.h)       */
/* ------------------------------------------------------------------ */

#define JBD2_MAGIC_NUMBER		0xc03b3998U
#define JBD2_DESCRIPTOR_BLOCK		1
#define JBD2_COMMIT_BLOCK		2
#define JBD2_SUPERBLOCK_V1		3
#define JBD2_SUPERBLOCK_V2		4
#define JBD2_REVOKE_BLOCK		5
#define JBD2_FEATURE_COMPAT_CHECKSUM	0x00000001
#define JBD2_FEATURE_INCOMPAT_REVOKE	0x00000001
#define JBD2_FEATURE_INCOMPAT_64BIT	0x00000002
#define JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT 0x00000004
#define JBD2_FEATURE_INCOMPAT_CSUM_V2	0x00000008
#define JBD2_FEATURE_INCOMPAT_CSUM_V3	0x00000010
#define JBD2_FEATURE_INCOMPAT_FAST_COMMIT 0x00000020
/* What this library replays: jbd2's features but ext4's fast commits. */
#define JBD2_KNOWN_COMPAT		JBD2_FEATURE_COMPAT_CHECKSUM
#define JBD2_KNOWN_RO_COMPAT		0
#define JBD2_KNOWN_INCOMPAT	(JBD2_FEATURE_INCOMPAT_REVOKE | \
				 JBD2_FEATURE_INCOMPAT_64BIT | \
				 JBD2_FEATURE_INCOMPAT_ASYNC_COMMIT | \
				 JBD2_FEATURE_INCOMPAT_CSUM_V2 | \
				 JBD2_FEATURE_INCOMPAT_CSUM_V3)
#define VEXFS_JSB_SIZE			1024	/* journal_superblock_t */

/* An open journal: its region and its superblock, validated. */
struct vexfs_journal {
	struct vexfs_fs *fs;
	uint32_t bs;
	uint64_t start, blocks;		/* the region, from the superblock */
	uint32_t first, last;		/* log blocks first .. last - 1 */
	uint32_t sequence;		/* s_sequence: first tid in the log */
	uint32_t log_start;		/* s_start: 0 if the log is empty */
	int32_t errnum;			/* s_errno: set by a journal abort */
	uint32_t compat, incompat, ro_compat;
	int csum_version;		/* 0, 2 or 3 */
	uint32_t csum_seed;		/* crc32c(~0, journal UUID) */
	unsigned int tag_bytes;		/* size of one block tag */
	bool valid;
	uint8_t jsb[VEXFS_JSB_SIZE];	/* as on disk */
};

/* What a scan or a recovery found and did. */
struct vexfs_journal_replay {
	uint32_t first_tid;		/* the log's first transaction */
	uint32_t end_tid;		/* the first one not replayed */
	uint64_t transactions;		/* complete ones: end - first */
	uint64_t blocks_replayed;
	uint64_t blocks_revoked;	/* logged, but revoked later */
	uint64_t revoke_records;
	bool corrupt;			/* the log ends in a corrupt block: */
	uint32_t bad_tid;		/* ... of this transaction, */
	uint32_t bad_block;		/* ... at this log block, */
	char why[128];			/* ... and what is wrong with it */
};

/**
 * vexfs_journal_open() - read and validate the journal superblock
 * @fs: an open filesystem whose superblock says COMPAT_HAS_JOURNAL
 * @j: filled in
 * @err: why it failed
 *
 * Return: 0; -ENOENT without a journal; -EUCLEAN if the journal region or
 * its superblock is corrupt or has features this library cannot replay
 * (@err says which); another negative errno for an I/O error.
 */
int vexfs_journal_open(struct vexfs_fs *fs, struct vexfs_journal *j,
		       struct vexfs_err *err);

/**
 * vexfs_journal_scan() - find what recovery would replay, writing nothing
 * @j: an open journal
 * @r: filled in (r->corrupt if the log ends in a corrupt transaction)
 * @err: why it failed
 *
 * Return: 0, or a negative errno for an I/O error.
 */
int vexfs_journal_scan(struct vexfs_journal *j, struct vexfs_journal_replay *r,
		       struct vexfs_err *err);

/**
 * vexfs_journal_recover() - replay the log and mark the journal empty
 * @j: an open journal, on a device open for writing
 * @r: filled in, as by vexfs_journal_scan()
 * @err: why it failed
 *
 * Replays every complete transaction before the first corrupt or
 * incomplete one, honouring revokes, as jbd2 does at mount, then leaves
 * the journal as jbd2 does after recovery: s_start = 0 and s_sequence
 * past every transaction that may remain in the log.  Never writes to a
 * block outside the filesystem or inside the journal region (a tag naming
 * one makes its transaction corrupt).  The VexFS superblock (which the
 * log may have rewritten) must be read again afterwards; its
 * INCOMPAT_RECOVER flag is the caller's to clear.
 *
 * Return: 0 or a negative errno.
 */
int vexfs_journal_recover(struct vexfs_journal *j,
			  struct vexfs_journal_replay *r,
			  struct vexfs_err *err);

/**
 * vexfs_journal_mark_empty() - write the journal superblock as empty
 * @j: an open journal
 * @sequence: the first transaction ID the kernel will use
 * @err: why it failed
 *
 * Return: 0 or a negative errno.
 */
int vexfs_journal_mark_empty(struct vexfs_journal *j, uint32_t sequence,
			     struct vexfs_err *err);

/**
 * vexfs_journal_sb_init() - a new, empty journal superblock, as mkfs makes
 * @jsb: VEXFS_JSB_SIZE bytes
 * @start: the region's first block (the journal superblock)
 * @blocks: the region's length
 * @bs: the block size
 * @uuid: the filesystem's UUID (the journal's, and its one user)
 */
void vexfs_journal_sb_init(uint8_t *jsb, uint64_t start, uint64_t blocks,
			   uint32_t bs, const uint8_t uuid[16]);

/**
 * vexfs_journal_format() - write a new, empty journal superblock
 * @fs: an open filesystem with a journal region
 * @err: why it failed
 *
 * What fsck does to a journal that cannot be read: its contents are lost.
 * Return: 0 or a negative errno.
 */
int vexfs_journal_format(struct vexfs_fs *fs, struct vexfs_err *err);

/* A transaction for vexfs_journal_write_txn(). */
struct vexfs_journal_txn {
	const uint64_t *blocks;		/* filesystem blocks to log */
	const uint8_t *data;		/* n blocks of their new contents */
	size_t n;
	const uint64_t *revoke;		/* blocks to revoke first */
	size_t nrevoke;
	bool commit;			/* false: cut off before its commit */
	uint64_t commit_sec;
};

/* Appends transactions to an empty journal, as jbd2's commit writes. */
struct vexfs_journal_writer {
	struct vexfs_journal *j;
	uint32_t next;			/* the next log block */
	uint32_t tid;			/* the next transaction's ID */
	uint32_t last_desc, last_commit, last_revoke;	/* log blocks */
	size_t cur_last_tag_off;
};

/**
 * vexfs_journal_set_csum() - turn jbd2 checksums v2 or v3 on (or off)
 * @j: an open journal
 * @version: 0, 2 or 3
 * @err: why it failed
 *
 * For the tests: the kernel's journal has no checksums.
 * Return: 0 or a negative errno.
 */
int vexfs_journal_set_csum(struct vexfs_journal *j, int version,
			   struct vexfs_err *err);

/**
 * vexfs_journal_writer_start() - start writing transactions to the log
 * @j: an open, empty journal
 * @w: filled in
 * @err: why it failed
 *
 * Points s_start at the first log block: from here the journal needs
 * recovery.  Return: 0 or a negative errno.
 */
int vexfs_journal_writer_start(struct vexfs_journal *j,
			       struct vexfs_journal_writer *w,
			       struct vexfs_err *err);

/**
 * vexfs_journal_write_txn() - append one transaction
 * @w: the writer
 * @t: its revokes, blocks and whether it commits
 * @err: why it failed
 *
 * Writes a revoke block, descriptor blocks each followed by their data
 * blocks (escaped where they begin with the jbd2 magic), and a commit
 * block, with the checksums the journal's features ask for.
 * Return: 0 or a negative errno.
 */
int vexfs_journal_write_txn(struct vexfs_journal_writer *w,
			    const struct vexfs_journal_txn *t,
			    struct vexfs_err *err);

/* ------------------------------------------------------------------ */
/* vector.c: vector collections                                        */
/* ------------------------------------------------------------------ */

/* Where the slots of a collection of some dimension lie in its store. */
struct vexfs_coll_geom {
	uint32_t bs;			/* block size */
	uint32_t slot_size;		/* VEXFS_VEC_SLOT_SIZE(dim) */
	uint32_t per_block;		/* slots per block; 0: a slot spans */
	uint32_t blocks_per_slot;	/* 1, or the blocks a slot spans */
	uint64_t max_slots;		/* the last slot stays below lblk 2^32-1 */
};

/**
 * vexfs_coll_geom() - the slot geometry of a collection, as the kernel's
 * @g: filled in
 * @bs: block size
 * @dim: the collection's dimension, 1..VEXFS_MAX_DIM
 */
void vexfs_coll_geom(struct vexfs_coll_geom *g, uint32_t bs, uint32_t dim);

/**
 * vexfs_slot_pos() - where slot @slot begins in the store
 * @g: the geometry
 * @slot: 1-based slot number
 * @lblk: the store's logical block
 * @off: the byte offset in that block
 */
void vexfs_slot_pos(const struct vexfs_coll_geom *g, uint64_t slot,
		    uint64_t *lblk, uint32_t *off);

/**
 * vexfs_store_blocks() - the store blocks that @slots slots take
 * @g: the geometry
 * @slots: c_slots
 *
 * Return: blocks; the kernel keeps the store's i_size at least that many
 * blocks long.
 */
uint64_t vexfs_store_blocks(const struct vexfs_coll_geom *g, uint64_t slots);

/**
 * vexfs_store_capacity() - the whole slots that @blocks store blocks hold
 * @g: the geometry
 * @blocks: store blocks
 *
 * Return: the number of slots.
 */
uint64_t vexfs_store_capacity(const struct vexfs_coll_geom *g,
			      uint64_t blocks);

/* vexfs_desc_csum(): common/csum.c */

/**
 * vexfs_slot_csum() - the checksum a used vector slot must carry
 * @seed: from vexfs_csum_seed()
 * @img: the slot, @slot_size bytes
 * @slot_size: from the geometry
 *
 * The rule is common/csum.c vexfs_vec_slot_csum(); this name stays for
 * the library's callers.
 *
 * Return: crc32c(seed, slot with vs_checksum read as zero).
 */
uint32_t vexfs_slot_csum(uint32_t seed, const void *img, uint32_t slot_size);

/**
 * vexfs_slot_fill() - build a used slot from a user.vexfs.embedding value
 * @seed: from vexfs_csum_seed()
 * @g: the geometry
 * @dim: the collection's dimension
 * @img: g->slot_size bytes, filled in
 * @ino: the owner
 * @generation: the owner's i_generation
 * @value: @dim little-endian float32 values
 * @size: bytes at @value
 * @err: why the value is refused
 *
 * The kernel's rules: exactly @dim values, none a NaN or an infinity.
 *
 * Return: 0 or -EINVAL.
 */
int vexfs_slot_fill(uint32_t seed, const struct vexfs_coll_geom *g,
		    uint32_t dim, void *img, uint64_t ino, uint32_t generation,
		    const void *value, size_t size, struct vexfs_err *err);

/**
 * vexfs_metric_parse() - a metric by name
 * @name: "l2", "cosine" or "ip"
 *
 * Return: VEXFS_METRIC_* or -EINVAL.
 */
int vexfs_metric_parse(const char *name);

/* ------------------------------------------------------------------ */
/* vindex.c: the ANN index inode of a collection                       */
/* ------------------------------------------------------------------ */

/* Where the records of an index lie (include/vexfs_format.h). */
struct vexfs_vindex_geom {
	uint32_t bs, dim, m;
	uint32_t code_bytes;		/* dim, padded to 4 */
	uint32_t node_size;		/* VEXFS_VINDEX_NODE_SIZE(dim, m) */
	uint32_t upper_size;		/* VEXFS_VINDEX_UPPER_SIZE(m) */
	uint32_t per_block;		/* node records per block */
	uint32_t per_block_u;		/* upper records per block */
	uint32_t q_blocks;		/* blocks of quantizer offsets */
	uint32_t node_start;		/* first node record block */
	uint64_t max_slots;		/* node records below the upper region */
};

/**
 * vexfs_vindex_geom() - the geometry of an index
 * @g: filled in
 * @bs: block size
 * @dim: the collection's dimension
 * @m: links per node above level 0 (HNSW_MIN_M..HNSW_MAX_M)
 *
 * Return: 0; -EINVAL for a dimension or @m out of range; -EFBIG when a
 * node record would exceed a block (the kernel keeps no index then).
 */
int vexfs_vindex_geom(struct vexfs_vindex_geom *g, uint32_t bs, uint32_t dim,
		      uint32_t m);

/**
 * vexfs_vindex_node_pos() - where the node record of a slot lies
 * @g: the geometry
 * @slot: 1-based store slot
 * @lblk: logical block in the index inode
 * @off: byte offset in that block
 */
void vexfs_vindex_node_pos(const struct vexfs_vindex_geom *g, uint64_t slot,
			   uint64_t *lblk, uint32_t *off);

/**
 * vexfs_vindex_upper_pos() - where upper-level record @rec (1-based) lies
 * @g: the geometry
 * @rec: the record
 * @lblk: logical block in the index inode
 * @off: byte offset in that block
 */
void vexfs_vindex_upper_pos(const struct vexfs_vindex_geom *g, uint64_t rec,
			    uint64_t *lblk, uint32_t *off);

/* vexfs_vindex_rec_csum(): common/csum.c */

/**
 * vexfs_vindex_seed() - the level seed of an index built offline
 * @fs_seed: vexfs_csum_seed() of the filesystem
 * @coll_id: the collection
 *
 * Return: a seed that is the same for every build of that collection.
 */
uint64_t vexfs_vindex_seed(uint32_t fs_seed, uint32_t coll_id);

/* What vexfs_vindex_build() makes. */
struct vexfs_vindex_params {
	uint32_t dim, metric;		/* the collection's */
	uint32_t m, ef_construction;	/* resolved: never 0 */
	uint64_t seed;			/* vh_seed */
	uint32_t epoch;			/* vh_epoch, >= 1 */
	uint64_t nslots;		/* the store's slots: 1..nslots */
};

/*
 * The vector of store slot @slot: fill @vec (dim float32 bit patterns)
 * and return 1, return 0 for a free slot, or a negative errno.
 */
typedef int (*vexfs_vindex_vec_fn)(void *priv, uint64_t slot, uint32_t *vec);

/**
 * vexfs_vindex_build() - build an index and write it to fresh blocks
 * @fs: the filesystem, open for writing
 * @alloc: where the blocks come from; the caller frees the old ones
 * @ino: the index inode (the owner the header block names)
 * @inode: gets the extent root, i_size and i_blocks; the caller writes it
 * @p: dimension, metric, tunables, seed, epoch, slots
 * @vec: reads the store, called twice per slot (training, then insert)
 * @priv: passed to @vec
 * @err: why it failed
 *
 * Trains the quantizer on every vector, inserts every used slot in slot
 * order with the index core (common/hnsw.c), then writes the header, the
 * quantizer, one node record per slot up to @p->nslots and the upper
 * records in slot order, all of epoch @p->epoch.  Nothing is written
 * unless every block could be allocated.
 *
 * Return: 0; -EOPNOTSUPP for a metric the core cannot index yet; -EFBIG
 * when a node record exceeds a block; -ENOSPC; -ENOMEM; or an I/O error.
 */
int vexfs_vindex_build(struct vexfs_fs *fs, struct vexfs_alloc *alloc,
		       uint64_t ino, struct vexfs_inode *inode,
		       const struct vexfs_vindex_params *p,
		       vexfs_vindex_vec_fn vec, void *priv,
		       struct vexfs_err *err);

#endif /* LIBVEXFS_H */
