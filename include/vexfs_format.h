/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vexfs_format.h - the VexFS on-disk format.
 *
 * This header is the contract between the kernel module (src/) and the
 * userspace tools (userspace/).  Both include it verbatim; nothing else
 * defines a byte of the format.  Every multi-byte field is little-endian.
 *
 * Disk layout (block numbers in filesystem blocks of s_block_size bytes):
 *
 *   byte 0          1024           2048
 *   +---------------+--------------+----------------------------------+
 *   | boot / label  | superblock   | rest of the first block(s)       |
 *   | (untouched)   | (1024 bytes) | (zero)                           |
 *   +---------------+--------------+----------------------------------+
 *
 *   +-------------+---------+-----------+-----------+-------------+------+
 *   | sb block(s) | journal | inode     | block     | inode table | data |
 *   | 0..first-1  | (jbd2)  | bitmap    | bitmap    |             | ...  |
 *   +-------------+---------+-----------+-----------+-------------+------+
 *                 ^s_journal_start        ^s_block_bitmap_start  ^s_data_start
 *                           ^s_inode_bitmap_start    ^s_inode_table_start
 *
 * Every region is described by a (start, length) pair in the superblock, so
 * a later format may move or grow them without changing the readers.
 *
 * The journal region (COMPAT_HAS_JOURNAL, absent on small filesystems) is a
 * jbd2 v2 log written by mkfs.vexfs, placed right after the superblock: its
 * superblock is the region's first block and, because the
 * kernel opens it with jbd2_journal_init_dev() on the filesystem's own
 * device, its block numbers count from the start of the device as in an
 * ext4 external journal (s_first = s_journal_start + 1, s_maxlen =
 * s_journal_start + s_journal_blocks).  INCOMPAT_RECOVER is set while the
 * filesystem is mounted read-write; the free counts are not journaled and
 * are rebuilt from the bitmaps after a crash.  The orphan list starts at
 * s_last_orphan and follows i_next_orphan through inodes flagged
 * VEXFS_INODE_ORPHAN.
 *
 * Metadata integrity: the superblock, every inode and every metadata block
 * carry a crc32c.  The superblock checksum is seeded with ~0; all other
 * checksums are seeded with crc32c(~0, s_uuid) so that a block copied from
 * another VexFS fails verification, as ext4's metadata_csum does.  A checksum
 * is computed over the structure with its checksum field set to zero.
 * "crc32c" here is the raw Castagnoli CRC without final inversion, which is
 * what the kernel's crc32c() returns.
 *
 * Metadata blocks (bitmaps, extent tree nodes, directory tree nodes, xattr
 * blocks, vector index nodes) begin with struct vexfs_block_header, which
 * names the block's type (magic), its own location and its owning inode so
 * that misdirected writes and cross-linked blocks are detected.
 */
#ifndef _VEXFS_FORMAT_H
#define _VEXFS_FORMAT_H

#include <linux/types.h>

#ifdef __cplusplus
#define _Static_assert static_assert	/* the benchmarks build as C++ */
#endif

/* ------------------------------------------------------------------ */
/* Identity and versions                                               */
/* ------------------------------------------------------------------ */

/* "VXFS" as a number; stored little-endian, its bytes read "SFXV". */
#define VEXFS_SUPER_MAGIC	0x56584653
#define VEXFS_SUPER_OFFSET	1024		/* byte offset of the sb */
#define VEXFS_SUPER_SIZE	1024

#define VEXFS_VERSION_MAJOR	1	/* incompatible layout changes */
#define VEXFS_VERSION_MINOR	0	/* compatible additions */

#define VEXFS_MIN_BLOCK_SIZE	1024
#define VEXFS_MAX_BLOCK_SIZE	4096	/* must not exceed PAGE_SIZE */
#define VEXFS_DEFAULT_BLOCK_SIZE 4096

#define VEXFS_INODE_SIZE	256
#define VEXFS_LABEL_MAX		64	/* bytes, including the NUL */
#define VEXFS_NAME_LEN		255	/* longest file name */

/*
 * The smallest filesystem mkfs will make: the metadata of a tiny disk plus
 * room for a useful amount of data.
 */
#define VEXFS_MIN_BLOCKS	64

/* ------------------------------------------------------------------ */
/* Feature bits                                                        */
/* ------------------------------------------------------------------ */

/* compat: a kernel that does not know the bit may still mount read-write */
#define VEXFS_FEATURE_COMPAT_HAS_JOURNAL	0x00000001 /* jbd2 region */
#define VEXFS_FEATURE_COMPAT_EXT_ATTR		0x00000002 /* xattr blocks */
#define VEXFS_FEATURE_COMPAT_ALL	(VEXFS_FEATURE_COMPAT_HAS_JOURNAL | \
					 VEXFS_FEATURE_COMPAT_EXT_ATTR)

/* ro_compat: an unaware kernel may mount only read-only */
#define VEXFS_FEATURE_RO_COMPAT_COLLECTIONS	0x00000001 /* vector store */
#define VEXFS_FEATURE_RO_COMPAT_VECTOR_INDEX	0x00000002 /* ANN index */
#define VEXFS_FEATURE_RO_COMPAT_ALL (VEXFS_FEATURE_RO_COMPAT_COLLECTIONS | \
				     VEXFS_FEATURE_RO_COMPAT_VECTOR_INDEX)

/* incompat: an unaware kernel must refuse the filesystem */
#define VEXFS_FEATURE_INCOMPAT_EXTENTS		0x00000001 /* always set */
#define VEXFS_FEATURE_INCOMPAT_DIR_TREE		0x00000002 /* always set */
#define VEXFS_FEATURE_INCOMPAT_RECOVER		0x00000004 /* journal dirty */
#define VEXFS_FEATURE_INCOMPAT_ALL	(VEXFS_FEATURE_INCOMPAT_EXTENTS | \
					 VEXFS_FEATURE_INCOMPAT_DIR_TREE | \
					 VEXFS_FEATURE_INCOMPAT_RECOVER)
/* set by every mkfs: a superblock without them is damaged */
#define VEXFS_FEATURE_INCOMPAT_REQUIRED	(VEXFS_FEATURE_INCOMPAT_EXTENTS | \
					 VEXFS_FEATURE_INCOMPAT_DIR_TREE)

/* s_state */
#define VEXFS_STATE_VALID	0x0001	/* cleanly unmounted */
#define VEXFS_STATE_ERROR	0x0002	/* errors were detected */

/* s_errors: what the kernel does when it finds corruption */
#define VEXFS_ERRORS_CONTINUE	1
#define VEXFS_ERRORS_RO		2
#define VEXFS_ERRORS_PANIC	3
#define VEXFS_ERRORS_DEFAULT	VEXFS_ERRORS_RO

/* s_checksum_type */
#define VEXFS_CSUM_CRC32C	1

/* ------------------------------------------------------------------ */
/* Reserved inode numbers                                              */
/* ------------------------------------------------------------------ */

#define VEXFS_BAD_INO		1	/* never allocated (like ext2) */
#define VEXFS_ROOT_INO		2	/* the root directory */
#define VEXFS_COLLECTIONS_INO	3	/* hidden table of collections */
#define VEXFS_FIRST_INO		16	/* first inode for users */

/* ------------------------------------------------------------------ */
/* Superblock                                                          */
/* ------------------------------------------------------------------ */

struct vexfs_super_block {
/*000*/	__le32	s_magic;		/* VEXFS_SUPER_MAGIC */
	__le32	s_checksum;		/* crc32c(~0, sb with this = 0) */
	__le16	s_version_major;	/* VEXFS_VERSION_MAJOR */
	__le16	s_version_minor;	/* VEXFS_VERSION_MINOR */
	__le32	s_block_size;		/* bytes, power of two */
/*010*/	__le64	s_blocks_count;		/* blocks in the filesystem */
	__le64	s_free_blocks;		/* free data blocks */
/*020*/	__le64	s_inodes_count;		/* inodes in the inode table */
	__le64	s_free_inodes;		/* free inodes */
/*030*/	__le32	s_feature_compat;
	__le32	s_feature_ro_compat;
	__le32	s_feature_incompat;
	__le16	s_inode_size;		/* VEXFS_INODE_SIZE */
	__le16	s_checksum_type;	/* VEXFS_CSUM_CRC32C */
/*040*/	__u8	s_uuid[16];		/* filesystem UUID, seeds csums */
/*050*/	char	s_label[VEXFS_LABEL_MAX]; /* NUL-terminated volume label */
/*090*/	__le64	s_inode_bitmap_start;	/* first inode bitmap block */
	__le64	s_inode_bitmap_blocks;
/*0A0*/	__le64	s_block_bitmap_start;	/* first block bitmap block */
	__le64	s_block_bitmap_blocks;
/*0B0*/	__le64	s_inode_table_start;	/* first inode table block */
	__le64	s_inode_table_blocks;
/*0C0*/	__le64	s_journal_start;	/* jbd2 region; 0 if none */
	__le64	s_journal_blocks;
/*0D0*/	__le64	s_data_start;		/* first block the allocator owns */
	__le64	s_root_ino;		/* VEXFS_ROOT_INO */
/*0E0*/	__le64	s_first_ino;		/* first non-reserved inode */
	__le64	s_last_orphan;		/* head of unlinked-open inode list */
/*0F0*/	__le64	s_mkfs_time;		/* seconds since the epoch */
	__le64	s_mount_time;		/* last mount */
/*100*/	__le64	s_write_time;		/* last superblock write */
	__le32	s_mount_count;		/* mounts since mkfs or fsck */
	__le16	s_state;		/* VEXFS_STATE_* */
	__le16	s_errors;		/* VEXFS_ERRORS_* */
/*110*/	__le32	s_hash_seed[4];		/* directory name hash key */
/*120*/	__le64	s_collections_ino;	/* collections table inode or 0 */
	__le32	s_collections_count;	/* collections defined */
	__le32	s_default_mount_opts;	/* reserved for mount defaults */
/*130*/	__le64	s_lastcheck_time;	/* last fsck */
	__u8	s_reserved[708];	/* zero */
/*3FC*/	__le32	s_reserved_tail;	/* zero; keeps the size obvious */
};

_Static_assert(sizeof(struct vexfs_super_block) == VEXFS_SUPER_SIZE,
	       "vexfs_super_block must be 1024 bytes");

/* ------------------------------------------------------------------ */
/* Metadata block header                                               */
/* ------------------------------------------------------------------ */

/* bh_magic values: one per metadata block type */
#define VEXFS_IBITMAP_MAGIC	0x50414d49	/* "IMAP" */
#define VEXFS_BBITMAP_MAGIC	0x50414d42	/* "BMAP" */
#define VEXFS_EXTENT_MAGIC	0x54585845	/* "EXXT" extent tree node */
#define VEXFS_DIRTREE_MAGIC	0x45455244	/* "DREE" directory tree node */
#define VEXFS_XATTR_MAGIC	0x52545841	/* "AXTR" xattr block */
/* Reserved, never written: store blocks have no header (slots check themselves) */
#define VEXFS_VECSTORE_MAGIC	0x53434556	/* "VECS" */
#define VEXFS_VINDEX_MAGIC	0x58444956	/* "VIDX" vector index block */

struct vexfs_block_header {
/*00*/	__le32	bh_magic;		/* block type */
	__le32	bh_checksum;		/* crc32c(uuid seed, block) */
/*08*/	__le64	bh_blocknr;		/* this block's own number */
/*10*/	__le64	bh_owner;		/* owning inode, 0 for global */
/*18*/	__le64	bh_reserved;		/* zero */
};

_Static_assert(sizeof(struct vexfs_block_header) == 32,
	       "vexfs_block_header must be 32 bytes");

/*
 * Bitmaps: each bitmap block holds (block_size - 32) * 8 bits after its
 * header.  Bit n of the inode bitmap is inode n (bits 0 and the reserved
 * inodes are set at mkfs).  Bit n of the block bitmap is block n, for the
 * whole device, so the metadata regions are simply marked in use.
 */
#define VEXFS_BITMAP_BITS(bs)	(((bs) - sizeof(struct vexfs_block_header)) * 8)

/* ------------------------------------------------------------------ */
/* Extents                                                             */
/* ------------------------------------------------------------------ */

#define VEXFS_EXT_UNWRITTEN	0x0001	/* allocated, reads as zeros */
#define VEXFS_EXT_MAX_LEN	32768	/* blocks in one extent */
#define VEXFS_EXT_MAX_DEPTH	5

/* Header of an extent tree node, in the inode root or in a tree block. */
struct vexfs_extent_header {
	__le16	eh_magic;		/* VEXFS_EXTENT_HDR_MAGIC */
	__le16	eh_entries;		/* entries in use */
	__le16	eh_max;			/* capacity of this node */
	__le16	eh_depth;		/* 0 = leaf (extents follow) */
};
#define VEXFS_EXTENT_HDR_MAGIC	0xf30b

/* Leaf entry: maps [e_lblk, e_lblk + e_len) to [e_pblk, e_pblk + e_len). */
struct vexfs_extent {
	__le64	e_pblk;			/* first physical block */
	__le32	e_lblk;			/* first logical block */
	__le16	e_len;			/* blocks, 1..VEXFS_EXT_MAX_LEN */
	__le16	e_flags;		/* VEXFS_EXT_* */
};

/* Index entry: the child node covers logical blocks from ei_lblk on. */
struct vexfs_extent_idx {
	__le64	ei_child;		/* physical block of the child */
	__le32	ei_lblk;		/* first logical block covered */
	__le32	ei_reserved;		/* zero */
};

_Static_assert(sizeof(struct vexfs_extent_header) == 8, "extent header");
_Static_assert(sizeof(struct vexfs_extent) == 16, "extent");
_Static_assert(sizeof(struct vexfs_extent_idx) == 16, "extent index");

/*
 * Largest file: 2^32 logical blocks (e_lblk is 32 bits), i.e. 16 TiB with
 * 4 KiB blocks.  The kernel also caps it at MAX_LFS_FILESIZE.
 */
#define VEXFS_MAX_LBLK		0xffffffffULL

/* ------------------------------------------------------------------ */
/* Inode                                                               */
/* ------------------------------------------------------------------ */

#define VEXFS_INODE_DATA_SIZE	96	/* extent root or inline data */
#define VEXFS_ROOT_EXTENTS	((VEXFS_INODE_DATA_SIZE - \
				  sizeof(struct vexfs_extent_header)) / \
				 sizeof(struct vexfs_extent))

/* i_flags */
#define VEXFS_INODE_INLINE	0x00000001 /* i_data holds the data (symlink) */
#define VEXFS_INODE_HIDDEN	0x00000002 /* internal inode, never linked */
#define VEXFS_INODE_ORPHAN	0x00000004 /* on the orphan list */
#define VEXFS_INODE_SYNC	0x00000008 /* FS_SYNC_FL */
#define VEXFS_INODE_IMMUTABLE	0x00000010 /* FS_IMMUTABLE_FL */
#define VEXFS_INODE_APPEND	0x00000020 /* FS_APPEND_FL */
#define VEXFS_INODE_NODUMP	0x00000040 /* FS_NODUMP_FL */
#define VEXFS_INODE_NOATIME	0x00000080 /* FS_NOATIME_FL */
#define VEXFS_INODE_DIRSYNC	0x00010000 /* FS_DIRSYNC_FL */
#define VEXFS_INODE_PROJINHERIT	0x20000000 /* FS_PROJINHERIT_FL */

/*
 * The flags chattr(1) sets (FS_IOC_SETFLAGS); the rest of i_flags belongs
 * to the filesystem.  Their values are the FS_*_FL values, so the kernel
 * passes them through unchanged.
 */
#define VEXFS_INODE_USER_FLAGS	(VEXFS_INODE_SYNC | VEXFS_INODE_IMMUTABLE | \
				 VEXFS_INODE_APPEND | VEXFS_INODE_NODUMP | \
				 VEXFS_INODE_NOATIME | VEXFS_INODE_DIRSYNC | \
				 VEXFS_INODE_PROJINHERIT)

/* Every i_flags bit this format knows; any other is corruption. */
#define VEXFS_INODE_FLAGS_ALL	(VEXFS_INODE_INLINE | VEXFS_INODE_HIDDEN | \
				 VEXFS_INODE_ORPHAN | VEXFS_INODE_USER_FLAGS)

struct vexfs_timestamp {
	__le64	sec;			/* seconds since the epoch (signed) */
	__le32	nsec;			/* 0..999999999 */
	__le32	reserved;		/* zero */
};

struct vexfs_inode {
/*000*/	__le16	i_mode;			/* S_IF* | permissions; 0 = free */
	__le16	i_links_count;		/* hard links */
	__le32	i_flags;		/* VEXFS_INODE_* */
/*008*/	__le32	i_uid;
	__le32	i_gid;
/*010*/	__le64	i_size;			/* bytes */
/*018*/	__le64	i_blocks;		/* filesystem blocks in use */
/*020*/	struct vexfs_timestamp i_atime;
/*030*/	struct vexfs_timestamp i_mtime;
/*040*/	struct vexfs_timestamp i_ctime;
/*050*/	struct vexfs_timestamp i_crtime;	/* birth time */
/*060*/	__le64	i_ino;			/* own number, detects misplacement */
	__le32	i_generation;		/* for NFS handles */
	__le32	i_checksum;		/* crc32c(uuid seed, inode) */
/*070*/	__le64	i_parent;		/* directory containing the inode */
	__le64	i_xattr_block;		/* out-of-line xattr block or 0 */
/*080*/	__le32	i_rdev;			/* device number (new_encode_dev) */
	__le32	i_collection;		/* vector collection id or 0 */
	__le64	i_vec_slot;		/* slot in the vector store, or 0 */
/*090*/	__le64	i_next_orphan;		/* orphan list link */
	__le64	i_reserved1;		/* zero */
/*0A0*/	__u8	i_data[VEXFS_INODE_DATA_SIZE]; /* extent root / inline */
};

_Static_assert(sizeof(struct vexfs_timestamp) == 16, "timestamp");
_Static_assert(sizeof(struct vexfs_inode) == VEXFS_INODE_SIZE,
	       "vexfs_inode must be 256 bytes");

/* ------------------------------------------------------------------ */
/* Directories                                                         */
/* ------------------------------------------------------------------ */

/*
 * A directory is a B+tree keyed by a 63-bit keyed hash of the name
 * (seeded from s_hash_seed), stored in the directory's own logical blocks;
 * logical block 0 is the root when i_size != 0.  "." and ".." are not
 * stored: ".." is i_parent.  readdir walks the leaves in hash order and
 * uses the hash as the telldir cookie, which stays valid while entries are
 * added or removed.
 */
#define VEXFS_DIRTREE_MAX_DEPTH	8

/*
 * The name hash: SipHash-2-4 of the name bytes (no NUL), keyed with the 16
 * bytes of s_hash_seed read as two little-endian u64 (k0 = bytes 0-7,
 * k1 = bytes 8-15), shifted right by one; a result above
 * VEXFS_DIR_HASH_MAX is clamped to it.  The clamp keeps every readdir
 * cookie (hash + 2, after "." = 0 and ".." = 1) below the end-of-directory
 * cookie, which is 2^63 - 1.
 *
 * Tree shape: an interior node (dn_level > 0) holds dn_count index entries
 * sorted by di_hash; child i holds the names whose hash is in
 * [di_hash[i], di_hash[i + 1]] (both ends inclusive, since names of equal
 * hash may straddle a split), and child 0 also everything below
 * di_hash[1].  Every child of a level-n node is at level n - 1, and all
 * leaves are at level 0.  Leaves are chained in hash order through
 * dn_next/dn_prev.  A leaf holds dn_count records packed from the start
 * of its body, dn_used bytes in all, each exactly
 * VEXFS_DIR_REC_LEN(de_name_len) long; equal hashes keep insertion order.
 * Interior nodes have dn_used, dn_next and dn_prev zero.  Leaves that
 * become empty stay in the tree (no merging); the directory never shrinks
 * until it is deleted.
 */
#define VEXFS_DIR_HASH_MAX	0x7ffffffffffffffcULL
#define VEXFS_DIR_REC_LEN(name_len) \
	((20 + (name_len) + 7) & ~7U)	/* 24..280 bytes */

/* Most hard links an inode may have (i_links_count is a __le16). */
#define VEXFS_LINK_MAX		65000

/* Directory tree node, after struct vexfs_block_header. */
struct vexfs_dir_node {
	__le16	dn_level;		/* 0 = leaf */
	__le16	dn_count;		/* entries */
	__le16	dn_used;		/* bytes used by leaf records */
	__le16	dn_reserved;
	__le32	dn_next;		/* next leaf, logical block; 0 = last */
	__le32	dn_prev;		/* previous leaf; 0 = first */
};

/* Interior node entry: child covers names hashing >= di_hash. */
struct vexfs_dir_index {
	__le64	di_hash;
	__le32	di_child;		/* logical block in the directory */
	__le32	di_reserved;
};

/* Leaf record; records are 8-byte aligned and sorted by hash. */
struct vexfs_dir_entry {
	__le64	de_hash;		/* name hash (63 bits) */
	__le64	de_ino;			/* inode number */
	__le16	de_rec_len;		/* record length, multiple of 8 */
	__u8	de_name_len;		/* 1..VEXFS_NAME_LEN */
	__u8	de_file_type;		/* VEXFS_FT_* */
	char	de_name[];		/* not NUL-terminated */
};

_Static_assert(sizeof(struct vexfs_dir_node) == 16, "dir node");
_Static_assert(sizeof(struct vexfs_dir_index) == 16, "dir index");
_Static_assert(__builtin_offsetof(struct vexfs_dir_entry, de_name) == 20,
	       "dir entry header");

/* de_file_type, the same values as the kernel's FT_* / DT_* >> 0 */
#define VEXFS_FT_UNKNOWN	0
#define VEXFS_FT_REG_FILE	1
#define VEXFS_FT_DIR		2
#define VEXFS_FT_CHRDEV		3
#define VEXFS_FT_BLKDEV		4
#define VEXFS_FT_FIFO		5
#define VEXFS_FT_SOCK		6
#define VEXFS_FT_SYMLINK	7
#define VEXFS_FT_MAX		8

/* ------------------------------------------------------------------ */
/* Extended attributes                                                 */
/* ------------------------------------------------------------------ */

/* xe_index: the namespace of an attribute name */
#define VEXFS_XATTR_INDEX_USER		1
#define VEXFS_XATTR_INDEX_ACL_ACCESS	2
#define VEXFS_XATTR_INDEX_ACL_DEFAULT	3
#define VEXFS_XATTR_INDEX_TRUSTED	4
#define VEXFS_XATTR_INDEX_SECURITY	6
#define VEXFS_XATTR_INDEX_END		0	/* ends the entry list */

/* The largest value, the VFS's XATTR_SIZE_MAX */
#define VEXFS_XATTR_SIZE_MAX		65536

/*
 * An xattr block (after struct vexfs_block_header) holds entries packed
 * from the front and values packed from the back.  A value that does not
 * fit in the room left is stored in a hidden inode (xe_value_ino, with
 * xe_value_offs 0); there is no other size limit for an inline value
 * (common/xattr.c has the rules).  The entries end at one whose xe_index is 0 (the rest of the block up to
 * the values is zero).  The two POSIX ACL indexes carry the whole name, so
 * their entries have xe_name_len 0; every other index needs a name.
 */
struct vexfs_xattr_entry {
	__u8	xe_name_len;
	__u8	xe_index;		/* VEXFS_XATTR_INDEX_* */
	__le16	xe_value_offs;		/* offset of the value in the block */
	__le32	xe_value_size;		/* bytes */
	__le64	xe_value_ino;		/* hidden inode with the value, or 0 */
	char	xe_name[];		/* padded to 4 bytes */
};

_Static_assert(__builtin_offsetof(struct vexfs_xattr_entry, xe_name) == 16,
	       "xattr entry header");

/* ------------------------------------------------------------------ */
/* Vector collections                                                  */
/* ------------------------------------------------------------------ */

#define VEXFS_MAX_DIM		4096
#define VEXFS_METRIC_L2		1
#define VEXFS_METRIC_COSINE	2
#define VEXFS_METRIC_IP		3

/*
 * The collections table is the data of a hidden regular inode, named by
 * s_collections_ino (0 until the first collection is created; the kernel
 * allocates it like any hidden inode, with the root directory as its
 * parent, and sets VEXFS_FEATURE_RO_COMPAT_COLLECTIONS).  It is an array
 * of descriptors indexed by collection id - 1, packed in the inode's
 * logical blocks (block_size / 128 per block, no block header); its
 * i_size covers every descriptor ever used.  s_collections_count is the
 * number of descriptors with c_id != 0.  VEXFS_MAX_COLLECTIONS bounds the
 * table.
 *
 * A collection's root directory (c_root_ino) and everything created under
 * it carry i_collection = c_id.  Each regular file with an embedding names
 * its slot in i_vec_slot (1-based; 0 = none).
 *
 * The vector store (c_store_ino) is a hidden regular inode whose parent is
 * the collection root.  Slot s (1-based) lives at index s - 1 of an array
 * of VEXFS_VEC_SLOT_SIZE(c_dim)-byte slots laid out so that no slot
 * straddles a block boundary unless it is larger than a block:
 *   slot_size <= block_size: VEXFS_VEC_SLOTS_PER_BLOCK slots per block,
 *     from byte 0, the tail of each block unused;
 *   slot_size >  block_size: each slot starts a block and takes
 *     DIV_ROUND_UP(slot_size, block_size) whole blocks.
 * A slot whose vs_ino is 0 is free (and all zero).  A used slot names its
 * inode and that inode's generation, and its checksum covers the whole
 * slot (header with vs_checksum = 0, then the vector).  Store blocks carry
 * no block header: every slot verifies itself.  c_slots counts the slots
 * up to the highest ever used, c_count the used ones; free slots below
 * c_slots are reused before the store grows.
 */
#define VEXFS_MAX_COLLECTIONS	1024
#define VEXFS_ELEM_F32		1	/* c_elem_type */

struct vexfs_vec_slot {
/*00*/	__le64	vs_ino;			/* owning inode; 0 = free slot */
/*08*/	__le32	vs_generation;		/* the owner's i_generation */
	__le32	vs_checksum;		/* crc32c(uuid seed, whole slot) */
/*10*/	__le32	vs_data[];		/* c_dim float32, little-endian */
};

_Static_assert(sizeof(struct vexfs_vec_slot) == 16, "vector slot header");

#define VEXFS_VEC_SLOT_SIZE(dim) \
	((sizeof(struct vexfs_vec_slot) + 4 * (unsigned long)(dim) + 15) & ~15UL)
#define VEXFS_VEC_SLOTS_PER_BLOCK(bs, dim) \
	((bs) / VEXFS_VEC_SLOT_SIZE(dim))	/* 0: slots span blocks */
struct vexfs_collection {
/*00*/	__le32	c_id;			/* 1-based; 0 = unused slot */
	__le16	c_dim;			/* elements per vector */
	__u8	c_metric;		/* VEXFS_METRIC_* */
	__u8	c_elem_type;		/* 1 = float32 */
/*08*/	__le64	c_root_ino;		/* the collection's top directory */
/*10*/	__le64	c_store_ino;		/* hidden inode: vector slots */
	__le64	c_index_ino;		/* hidden inode: ANN index, or 0 */
/*20*/	__le64	c_count;		/* embeddings stored */
	__le64	c_slots;		/* slots allocated in the store */
/*30*/	__le16	c_hnsw_m;		/* index tunables */
	__le16	c_hnsw_ef_construction;
	__le32	c_flags;		/* VEXFS_COLL_* */
	__le32	c_checksum;		/* crc32c(uuid seed, descriptor) */
	__le32	c_reserved0;
/*40*/	__u8	c_reserved[64];
};

_Static_assert(sizeof(struct vexfs_collection) == 128, "collection");

/*
 * c_flags.  INDEX_DIRTY: the index inode may not match the store, so it
 * must be rebuilt before it is used.  A read-write mount sets it (and
 * commits) before it changes any index block, and a clean unmount clears
 * it once the index blocks are on disk: index blocks are written back
 * like file data, outside the journal, and a crash costs a rebuild from
 * the store, which is the source of truth, never a wrong answer.
 */
#define VEXFS_COLL_INDEX_DIRTY	0x00000001
#define VEXFS_COLL_FLAGS_ALL	VEXFS_COLL_INDEX_DIRTY

/* ------------------------------------------------------------------ */
/* Vector index (HNSW)                                                 */
/* ------------------------------------------------------------------ */

/*
 * A collection with c_index_ino != 0 keeps an HNSW graph of its vectors
 * (common/hnsw.c, docs/ann.md) in that hidden regular inode, a sparse file
 * addressed by arithmetic:
 *
 *   logical block 0: struct vexfs_vindex_header, after a block header
 *     (VEXFS_VINDEX_MAGIC, checksummed);
 *   blocks 1 .. vh_q_blocks: the quantizer, vh_dim __le64 offsets (two's
 *     complement), packed, no block header; vh_q_checksum covers them;
 *   from block vh_node_start: one node record per store slot, slot s at
 *     index s - 1, vh_node_size bytes each, whole records per block
 *     (block_size / vh_node_size of them, the tail unused): struct
 *     vexfs_vindex_node, the 8-bit code (vh_dim bytes, padded to 4), then
 *     2 * vh_m __le32 level-0 links;
 *   from block VEXFS_VINDEX_UPPER_LBLK: upper-level lists, 1-based, of
 *     vh_upper_size bytes each, whole records per block: struct
 *     vexfs_vindex_upper then vh_m __le32 links.  A node of level L owns
 *     the L consecutive records vn_upper .. vn_upper + L - 1 (levels 1..L),
 *     allocated in order (vh_upper_used); a slot keeps its level (a hash
 *     of the seed and the slot), so a reused slot reuses its records.
 *
 * A record belongs to the current index only if its epoch is vh_epoch: a
 * rebuild takes the next epoch, so whatever older builds left in the file
 * reads as "no node" without being cleared.  Every record carries a
 * crc32c (uuid seed, record with the checksum field zero).  Links are
 * slot numbers (0 = none is never stored); a link count never exceeds the
 * list's room.  The index is derived data: see VEXFS_COLL_INDEX_DIRTY.
 */
#define VEXFS_VINDEX_VERSION	1
#define VEXFS_VINDEX_UPPER_LBLK	0x80000000U

struct vexfs_vindex_header {
/*00*/	struct vexfs_block_header vh_hdr;
/*20*/	__le32	vh_version;		/* VEXFS_VINDEX_VERSION */
	__le32	vh_dim;			/* = c_dim */
	__u8	vh_metric;		/* = c_metric */
	__u8	vh_trained;		/* 1 once the quantizer is set */
	__le16	vh_m;			/* links per node above level 0 */
	__le16	vh_ef_construction;
	__le16	vh_node_size;		/* bytes per node record */
/*30*/	__le16	vh_upper_size;		/* bytes per upper-level record */
	__le16	vh_max_level;		/* the entry point's level */
	__le32	vh_epoch;		/* records of this build; >= 1 */
	__le64	vh_seed;		/* level assignment */
/*40*/	__le32	vh_q_exp;		/* quantizer: fixed-point exponent (s32) */
	__le32	vh_q_blocks;		/* blocks of quantizer offsets */
	__le64	vh_q_step;		/* quantizer step */
/*50*/	__le32	vh_entry;		/* entry point slot, 0 = empty graph */
	__le32	vh_node_start;		/* first node record block */
	__le32	vh_upper_used;		/* upper records allocated */
	__le32	vh_q_checksum;		/* crc32c(uuid seed, offsets) */
/*60*/	__le64	vh_live;		/* nodes without a tombstone */
	__le64	vh_deleted;		/* tombstones */
/*70*/	__le64	vh_slots;		/* store slots the build covered */
	__u8	vh_reserved[136];
};

_Static_assert(sizeof(struct vexfs_vindex_header) == 256, "vindex header");

/* vn_flags */
#define VEXFS_VNODE_DELETED	0x01	/* tombstone: routes, never returned */
#define VEXFS_VNODE_FLAGS_ALL	VEXFS_VNODE_DELETED

struct vexfs_vindex_node {
/*00*/	__le32	vn_checksum;		/* crc32c(uuid seed, record) */
	__le32	vn_epoch;		/* vh_epoch, else no node here */
/*08*/	__u8	vn_level;		/* top level, <= 15 */
	__u8	vn_flags;		/* VEXFS_VNODE_* */
	__le16	vn_count;		/* level-0 links in use */
	__le32	vn_upper;		/* first upper record, 0 if level 0 */
/*10*/	/* __u8 code[dim], padded to 4; __le32 links[2 * m] */
};

_Static_assert(sizeof(struct vexfs_vindex_node) == 16, "vindex node");

struct vexfs_vindex_upper {
/*00*/	__le32	vu_checksum;		/* crc32c(uuid seed, record) */
	__le32	vu_epoch;		/* vh_epoch, else unused */
/*08*/	__le32	vu_slot;		/* owner node */
	__u8	vu_level;		/* 1..15 */
	__u8	vu_reserved;
	__le16	vu_count;		/* links in use */
/*10*/	/* __le32 links[m] */
};

_Static_assert(sizeof(struct vexfs_vindex_upper) == 16, "vindex upper");

#define VEXFS_VINDEX_NODE_SIZE(dim, m) \
	(16 + (((unsigned long)(dim) + 3) & ~3UL) + 8 * (unsigned long)(m))
#define VEXFS_VINDEX_UPPER_SIZE(m)	(16 + 4 * (unsigned long)(m))

#endif /* _VEXFS_FORMAT_H */
