/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vexfs.h - in-memory structures of the VexFS kernel module.
 *
 * The on-disk format lives in include/vexfs_format.h; this file holds only
 * what the running module keeps in memory and the prototypes shared
 * between the files of the module.
 */
#ifndef _VEXFS_H
#define _VEXFS_H

#include <linux/fs.h>
#include <linux/buffer_head.h>
#include <linux/spinlock.h>
#include <linux/ratelimit.h>
#include <linux/jbd2.h>

#include "vexfs_format.h"
#include "vexfs_rules.h"
#include "compat.h"

/* Corrupt metadata: the same spelling as ext4 and xfs. */
#ifndef EFSCORRUPTED
#define EFSCORRUPTED	EUCLEAN
#endif
#ifndef EFSBADCRC
#define EFSBADCRC	EBADMSG
#endif

/* Mount options, parsed in super.c. */
struct vexfs_mount_opts {
	unsigned int errors;		/* VEXFS_ERRORS_* */
	unsigned int commit_interval;	/* seconds between commits */
};

/* commit= default, as ext4's JBD2_DEFAULT_MAX_COMMIT_AGE */
#define VEXFS_DEFAULT_COMMIT_INTERVAL	5

/**
 * struct vexfs_sb_info - the mounted filesystem
 * @sbh: buffer holding the on-disk superblock, pinned while mounted
 * @raw: the on-disk superblock inside @sbh
 * @csum_seed: crc32c of the UUID, seed of every non-superblock checksum
 * @inodes_per_block: inodes in one inode table block
 * @lock: protects the free counters and the fields of @raw that change
 *	while mounted (state, times, counts)
 * @opts: mount options
 */
struct vexfs_sb_info {
	struct buffer_head *sbh;
	struct vexfs_super_block *raw;
	u32 csum_seed;

	u64 blocks_count;
	u64 inodes_count;
	u64 data_start;
	u64 inode_table_start;
	u64 inode_table_blocks;
	unsigned int inodes_per_block;

	u64 inode_bitmap_start;
	u64 block_bitmap_start;
	unsigned int bitmap_bits;	/* bits per bitmap block */

	spinlock_t lock;
	u64 free_blocks;
	u64 free_inodes;

	/*
	 * Serializes searches and updates of both bitmaps.  Taken inside
	 * i_rwsem, a jbd2 handle and vi->i_map_lock, never the other way
	 * round (the full order is in journal.c).
	 */
	struct mutex alloc_lock;
	/* checksums bitmap blocks at commit (alloc.c) */
	struct jbd2_buffer_trigger_type bitmap_trigger;
	u64 inode_goal;			/* where the next inode search starts */
	u64 block_goal;			/* where the next block search starts */

	struct vexfs_mount_opts opts;
	struct ratelimit_state err_rs;

	/* vector collections (vector.c), created on first use */
	struct vexfs_vecs *vecs;
	struct mutex vecs_init_lock;

	/* journal.c */
	journal_t *journal;		/* NULL without a journal */
	bool journal_rw;		/* INCOMPAT_RECOVER set by this mount */
	/* log replayed: recount the free counts before trusting them */
	bool counts_stale;
	bool fs_error;			/* errors seen: set STATE_ERROR */
	struct work_struct error_work;	/* logs STATE_ERROR (super.c) */
	/* protects @orphans, s_last_orphan and every i_next_orphan (orphan.c) */
	struct mutex orphan_lock;
	struct list_head orphans;	/* in-memory orphans, on-disk order */
	unsigned long mount_flags;	/* VEXFS_MF_*, atomic bit ops */
};

/* sbi->mount_flags */
#define VEXFS_MF_SHUTDOWN	0	/* FS_IOC_SHUTDOWN: everything fails */
#define VEXFS_MF_ABORT_SEEN	1	/* the journal's abort was reported */

/**
 * struct vexfs_inode_info - a VexFS inode in memory
 * @i_data: extent tree root or inline data, as on disk
 * @i_flags: VEXFS_INODE_* flags
 * @i_parent: the directory that holds the inode (".." for directories)
 * @i_xattr_block: out-of-line xattr block, 0 if none
 * @i_collection: vector collection id, 0 if none
 * @i_vec_slot: slot of the file's embedding in the vector store, 0 if none
 * @i_crtime: birth time
 * @vfs_inode: the VFS inode
 */
struct vexfs_inode_info {
	u8 i_data[VEXFS_INODE_DATA_SIZE];
	u32 i_flags;
	u64 i_parent;
	u64 i_xattr_block;
	u32 i_collection;
	u64 i_vec_slot;
	struct timespec64 i_crtime;
	struct rw_semaphore i_map_lock;	/* protects i_data's extent tree */
	struct rw_semaphore i_xattr_sem; /* protects the xattr block */
	struct vexfs_mmap_sem i_mmap_sem; /* faults vs punch (compat.h) */
	struct jbd2_inode jinode;	/* ordered data of the running commit */
	vexfs_mmb_t i_mmb;		/* dirty metadata buffers, no journal */
	struct list_head i_orphan;	/* on sbi->orphans (orphan_lock) */
	u64 i_next_orphan;		/* on-disk orphan link (orphan_lock) */
	tid_t i_sync_tid;		/* last transaction that logged it */
	tid_t i_datasync_tid;		/* ... for more than its times */
	/*
	 * A batched buffered write (file.c) in progress, under i_rwsem:
	 * blocks [i_win_start, i_win_end) were allocated for it and not yet
	 * written, and the size logged is at most i_size_cap until the write
	 * orders its data (LLONG_MAX otherwise).
	 */
	u64 i_win_start;
	u64 i_win_end;
	loff_t i_size_cap;
	struct inode vfs_inode;
};

/*
 * Buffer state bits of our own.  jbd2 owns every bit below
 * BH_JBDPrivateStart (as ext4 does, we start there).
 *
 * BH_VexfsVerified: the buffer holds a metadata block whose checksum and
 * context-free structure were checked when it came from disk (see
 * vexfs_sb_bread() and vexfs_bh_verify()).  Cached re-reads then check
 * only the header (type, place, owner) and what depends on the path that
 * led to the block.  The bit stays set while VexFS itself changes the
 * block: it is the only writer and keeps the block valid.  It is cleared
 * whenever the contents come from disk again, and on a newly allocated
 * block, whose first read after it is built checks everything once more.
 */
enum vexfs_bh_state_bits {
	BH_VexfsVerified = BH_JBDPrivateStart,
};

BUFFER_FNS(VexfsVerified, vexfs_verified)

static inline struct vexfs_sb_info *VEXFS_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

/* After FS_IOC_SHUTDOWN every operation fails with EIO, as in ext4. */
static inline bool vexfs_forced_shutdown(struct super_block *sb)
{
	return unlikely(test_bit(VEXFS_MF_SHUTDOWN,
				 &VEXFS_SB(sb)->mount_flags));
}

static inline struct vexfs_inode_info *VEXFS_I(struct inode *inode)
{
	return container_of(inode, struct vexfs_inode_info, vfs_inode);
}

/*
 * The extent map of a file is protected by i_rwsem for writers that change
 * its size and by vi->i_map_lock for every lookup or change of the map
 * itself (page cache readers map blocks without i_rwsem).
 */

/*
 * Journal credits: the most metadata blocks each operation dirties (see
 * journal.c).  An extent insertion may split every level of the tree and
 * grow a new root, each new node taking a bitmap block; a directory
 * insertion may split every level of its tree and allocate that many new
 * blocks, each an extent insertion at worst (two in practice, as the
 * blocks are contiguous).  jbd2 refuses a handle larger than a quarter of
 * the journal, so every constant stays well below 256 (1024 blocks).
 */
#define VEXFS_INODE_CREDITS		2	/* inode table block + slack */
#define VEXFS_ORPHAN_CREDITS		4	/* sb, inode, list neighbour */
#define VEXFS_EXT_INSERT_CREDITS	(3 * (VEXFS_EXT_MAX_DEPTH + 1) + 2)
#define VEXFS_DATA_CREDITS(sb)	\
	((PAGE_SIZE >> (sb)->s_blocksize_bits) * VEXFS_EXT_INSERT_CREDITS + \
	 VEXFS_INODE_CREDITS)
#define VEXFS_DIR_ADD_CREDITS	\
	(2 * VEXFS_DIRTREE_MAX_DEPTH + 2 + 2 * VEXFS_EXT_INSERT_CREDITS + \
	 VEXFS_INODE_CREDITS)
#define VEXFS_DIR_DEL_CREDITS		(VEXFS_DIRTREE_MAX_DEPTH + 2)
#define VEXFS_XATTR_CREDITS	\
	(8 + 2 * VEXFS_EXT_INSERT_CREDITS + 2 * VEXFS_INODE_CREDITS)
#define VEXFS_CREATE_CREDITS	\
	(VEXFS_DIR_ADD_CREDITS + 2 * VEXFS_XATTR_CREDITS + \
	 VEXFS_EXT_INSERT_CREDITS + 4 * VEXFS_INODE_CREDITS + \
	 VEXFS_ORPHAN_CREDITS)
#define VEXFS_UNLINK_CREDITS	\
	(VEXFS_DIR_DEL_CREDITS + 2 * VEXFS_INODE_CREDITS + \
	 VEXFS_ORPHAN_CREDITS)
#define VEXFS_RENAME_CREDITS	\
	(VEXFS_DIR_ADD_CREDITS + 2 * VEXFS_DIR_DEL_CREDITS + \
	 4 * VEXFS_INODE_CREDITS + VEXFS_ORPHAN_CREDITS)
/*
 * RENAME_WHITEOUT adds the whiteout: its inode, the inode bitmap and the
 * superblock, and the access ACL it may inherit (a device node gets no
 * default ACL).  It takes over the old name's entry, so no directory
 * insertion: 150 in all, well below the 256 of the smallest journal.
 */
#define VEXFS_WHITEOUT_CREDITS	\
	(2 * VEXFS_INODE_CREDITS + 2 + VEXFS_XATTR_CREDITS)
/* Truncation starts with this and extends as it goes. */
#define VEXFS_TRUNC_CREDITS	\
	(2 * VEXFS_EXT_MAX_DEPTH + 8 + VEXFS_ORPHAN_CREDITS)
/*
 * Vector collections (vector.c).  A slot spans @n store blocks, written
 * in one handle; each may be allocated, contiguously, so two extent
 * insertions at worst as for directories.  A descriptor rewrite touches
 * one collections table block (allocated if the table has a hole there)
 * and the table inode's size.  Setting an embedding writes the slot, the
 * descriptor (c_count, c_slots), the store inode (i_size) and the file's
 * inode (i_vec_slot); clearing one writes only blocks that exist.  A new
 * collection makes the table inode (first time) and the store inode,
 * each an inode bitmap block and an inode table block, logs the
 * superblock (s_collections_ino, feature bit, count) and the descriptor
 * and marks the directory.  Evicting the last link frees the slot, or
 * for a collection root the descriptor, the superblock count and the
 * store inode, whose own eviction joins the handle and extends it as
 * truncation does.
 */
#define VEXFS_SLOT_MAX_BLOCKS(sb)	\
	DIV_ROUND_UP(VEXFS_VEC_SLOT_SIZE(VEXFS_MAX_DIM), (sb)->s_blocksize)
#define VEXFS_SLOT_WRITE_CREDITS(n)	((n) + 2 * VEXFS_EXT_INSERT_CREDITS)
#define VEXFS_SLOT_CLEAR_CREDITS(n)	(n)
#define VEXFS_DESC_CREDITS	\
	(1 + VEXFS_EXT_INSERT_CREDITS + VEXFS_INODE_CREDITS)
#define VEXFS_HIDDEN_INODE_CREDITS	(1 + VEXFS_INODE_CREDITS)
/*
 * The ANN index's blocks are not journaled (vecindex.c), but growing the
 * index inode is: a run of node blocks and one of upper-list blocks.
 */
#define VEXFS_VINDEX_CREDITS	\
	(2 * VEXFS_EXT_INSERT_CREDITS + VEXFS_INODE_CREDITS)
#define VEXFS_EMBED_SET_CREDITS(n)	\
	(VEXFS_SLOT_WRITE_CREDITS(n) + VEXFS_DESC_CREDITS + \
	 2 * VEXFS_INODE_CREDITS + VEXFS_VINDEX_CREDITS)
#define VEXFS_EMBED_DEL_CREDITS(n)	\
	(VEXFS_SLOT_CLEAR_CREDITS(n) + VEXFS_DESC_CREDITS + \
	 VEXFS_INODE_CREDITS)
#define VEXFS_COLL_CREATE_CREDITS	\
	(2 * VEXFS_HIDDEN_INODE_CREDITS + 1 + VEXFS_DESC_CREDITS + \
	 VEXFS_INODE_CREDITS)
#define VEXFS_VEC_EVICT_CREDITS(sb)	\
	(VEXFS_EMBED_DEL_CREDITS(VEXFS_SLOT_MAX_BLOCKS(sb)) + \
	 VEXFS_DESC_CREDITS + 1 + 2 * VEXFS_INODE_CREDITS)
/*
 * Freeing an emptied tree node: its bitmap block, the parent, the inode
 * and one revoke; truncation keeps room to free a whole path of them.
 */
#define VEXFS_TRUNC_NODE_CREDITS	4
#define VEXFS_TRUNC_NODES_CREDITS	\
	(VEXFS_EXT_MAX_DEPTH * VEXFS_TRUNC_NODE_CREDITS)
#define VEXFS_TRUNC_NODES_REVOKES	VEXFS_EXT_MAX_DEPTH
/*
 * One step of a hole punch (extent.c): the bitmap blocks of one extent's
 * run, the leaf and every node above it, a split's insertion, the nodes
 * emptied on the way (their bitmap blocks, one revoke each) and the inode.
 */
#define VEXFS_PUNCH_CREDITS	\
	(VEXFS_EXT_MAX_LEN / (8 * 512) + 4 + 3 * (VEXFS_EXT_MAX_DEPTH + 1) + \
	 VEXFS_EXT_INSERT_CREDITS + VEXFS_INODE_CREDITS)
#define VEXFS_PUNCH_REVOKES	(VEXFS_EXT_MAX_DEPTH + 1)
/* Blocks of a directory (revoked one by one) freed per truncation step. */
#define VEXFS_TRUNC_STEP		1024
#define VEXFS_TRUNC_REVOKES		(VEXFS_TRUNC_STEP + 64)

/* journal.c */
handle_t *vexfs_handle(struct super_block *sb);
handle_t *vexfs_journal_start(struct super_block *sb, int credits,
			      int revokes);
int vexfs_journal_stop(handle_t *handle);
void vexfs_journal_aborted(struct super_block *sb);
int vexfs_journal_ensure(struct super_block *sb, int credits, int revokes);
int vexfs_journal_restart(struct super_block *sb, int credits, int revokes);
int vexfs_journal_get_write(struct super_block *sb, struct buffer_head *bh);
int vexfs_journal_get_undo(struct super_block *sb, struct buffer_head *bh);
int vexfs_journal_get_create(struct super_block *sb, struct buffer_head *bh);
int vexfs_dirty_metadata(struct super_block *sb, struct inode *inode,
			 struct buffer_head *bh);
void vexfs_forget_block(struct super_block *sb, struct buffer_head *bh,
			u64 blocknr);
bool vexfs_block_allocatable(struct buffer_head *bh, unsigned long bit);
bool vexfs_should_retry_alloc(struct super_block *sb, int *retries);
int vexfs_journal_inode_data(struct inode *inode, loff_t start, loff_t len);
void vexfs_dirty_inode(struct inode *inode, int flags);
int vexfs_journal_sync_fs(struct super_block *sb, int wait);
void vexfs_journal_set_params(struct super_block *sb);
int vexfs_journal_load(struct super_block *sb);
int vexfs_journal_destroy(struct super_block *sb);
int vexfs_journal_flush(struct super_block *sb);
void vexfs_journal_unlock(struct super_block *sb);

/* fileattr.c */
void vexfs_set_inode_flags(struct inode *inode);
void vexfs_inherit_flags(struct inode *inode, struct inode *dir);
int vexfs_may_modify(struct inode *inode);
int vexfs_may_relabel(struct inode *inode);
void vexfs_dirsync(struct inode *dir);

/* orphan.c */
int vexfs_orphan_add(struct inode *inode);
int vexfs_orphan_del(struct inode *inode);
void vexfs_orphan_cleanup(struct super_block *sb);

/* fsync.c */
int vexfs_fsync(struct file *file, loff_t start, loff_t end, int datasync);

/* super.c */
__printf(3, 4) void __vexfs_error(struct super_block *sb, const char *func,
				  const char *fmt, ...);
#define vexfs_error(sb, fmt, ...) \
	__vexfs_error(sb, __func__, fmt, ##__VA_ARGS__)

__printf(3, 4) void vexfs_msg(struct super_block *sb, const char *level,
			      const char *fmt, ...);
#define vexfs_err(sb, fmt, ...) \
	vexfs_msg(sb, KERN_ERR, fmt, ##__VA_ARGS__)
#define vexfs_warn(sb, fmt, ...) \
	vexfs_msg(sb, KERN_WARNING, fmt, ##__VA_ARGS__)
#define vexfs_info(sb, fmt, ...) \
	vexfs_msg(sb, KERN_INFO, fmt, ##__VA_ARGS__)
int vexfs_super_get_write(struct super_block *sb);
int vexfs_shutdown(struct super_block *sb, u32 flags);
int vexfs_commit_super(struct super_block *sb);

/* checksum.c (the sums themselves are common/csum.c) */
bool vexfs_inode_csum_ok(struct vexfs_sb_info *sbi,
			 const struct vexfs_inode *raw);
void vexfs_inode_csum_set(struct vexfs_sb_info *sbi, struct vexfs_inode *raw);

/* checksum.c: metadata blocks that start with struct vexfs_block_header */
void vexfs_block_init(struct super_block *sb, void *buf, u32 magic,
		      u64 blocknr, u64 owner);
void vexfs_block_csum_set(struct super_block *sb, void *buf);
void vexfs_block_csum_set_seed(u32 seed, void *buf, size_t size);
int vexfs_block_verify(struct super_block *sb, const void *buf, u32 magic,
		       u64 blocknr, u64 owner);
int vexfs_bh_verify(struct super_block *sb, struct buffer_head *bh,
		    u32 magic, u64 owner);
struct buffer_head *vexfs_sb_bread(struct super_block *sb, u64 blocknr);

/* alloc.c */
void vexfs_alloc_init(struct vexfs_sb_info *sbi);
int vexfs_new_blocks(struct inode *inode, u64 goal, u64 *first,
		     unsigned int *count);
void vexfs_free_blocks(struct super_block *sb, u64 first, u64 count);
struct buffer_head *vexfs_read_block_bitmap(struct super_block *sb, u64 index);
int vexfs_recount_free(struct super_block *sb);
int vexfs_new_ino(struct super_block *sb, u64 *ino);
void vexfs_free_ino(struct super_block *sb, u64 ino);

/* ialloc.c */
struct inode *vexfs_new_inode(vexfs_idmap_t *idmap, struct inode *dir,
			      umode_t mode, dev_t rdev);
struct inode *vexfs_new_hidden_inode(struct inode *owner, umode_t mode);

/* xattr.c */
extern const struct xattr_handler *vexfs_xattr_handlers[];
int vexfs_xattr_get(struct inode *inode, int index, const char *name,
		    void *buf, size_t size);
int vexfs_xattr_set(struct inode *inode, int index, const char *name,
		    const void *value, size_t size, int flags);
ssize_t vexfs_listxattr(struct dentry *dentry, char *buf, size_t size);
void vexfs_xattr_delete_inode(struct inode *inode);

/* acl.c */
struct posix_acl *vexfs_get_acl(struct inode *inode, int type, bool rcu);
int vexfs_init_acl(struct inode *inode, struct posix_acl *default_acl,
		   struct posix_acl *acl);

/* extent.c */
void vexfs_extent_init_root(struct inode *inode);
int vexfs_map_blocks(struct inode *inode, u64 lblk, unsigned int max,
		     bool create, u64 *pblk, unsigned int *len, bool *is_new);
int vexfs_get_block(struct inode *inode, sector_t iblock,
		    struct buffer_head *bh, int create);
int vexfs_truncate_blocks(struct inode *inode, u64 first_lblk);
int vexfs_punch_blocks(struct inode *inode, u64 first, u64 end);
struct buffer_head *vexfs_bread(struct inode *inode, u64 lblk, bool create);

/* inode.c */
struct inode *vexfs_iget(struct super_block *sb, u64 ino);
struct inode *vexfs_iget_quiet(struct super_block *sb, u64 ino);
bool vexfs_ino_valid(struct vexfs_sb_info *sbi, u64 ino);
struct inode *vexfs_alloc_inode(struct super_block *sb);
int vexfs_write_inode(struct inode *inode, struct writeback_control *wbc);
int vexfs_journal_log_inode(struct inode *inode, bool datasync);

/* Log @inode, for a change that fdatasync must make durable too. */
int vexfs_journal_log_orphan_link(struct inode *inode);
static inline int vexfs_journal_write_inode(struct inode *inode)
{
	return vexfs_journal_log_inode(inode, true);
}
void vexfs_evict_inode(struct inode *inode);
void vexfs_init_new_inode(struct inode *inode, dev_t rdev);
int vexfs_setattr(VEXFS_IDMAP_PARAM(idmap) struct dentry *dentry,
		  struct iattr *attr);
int vexfs_getattr(VEXFS_IDMAP_PARAM(idmap) const struct path *path,
		  struct kstat *stat, u32 request_mask,
		  unsigned int query_flags);
extern const struct inode_operations vexfs_special_inode_operations;
void vexfs_free_inode(struct inode *inode);
int __init vexfs_init_inodecache(void);

/* simd.c */
void __init vexfs_simd_init(void);
void vexfs_destroy_inodecache(void);

/* export.c */
extern const struct export_operations vexfs_export_ops;

/* file.c */
extern const struct address_space_operations vexfs_file_aops;
extern const struct file_operations vexfs_file_operations;
extern const struct inode_operations vexfs_file_inode_operations;
int vexfs_setsize(struct inode *inode, loff_t size, bool force);
int vexfs_prealloc(struct inode *inode, u64 lblk, u64 count);

/* punch.c */
int vexfs_fallocate_range(struct file *file, int mode, loff_t offset,
			  loff_t end);

/* symlink.c */
extern const struct inode_operations vexfs_symlink_inode_operations;
extern const struct inode_operations vexfs_fast_symlink_inode_operations;

/* dir.c: the directory B+tree (the caller holds the directory's i_rwsem) */
/**
 * struct vexfs_dir_slot - where vexfs_dir_find() found an entry
 * @bh: the leaf holding it, referenced until vexfs_dir_slot_release()
 * @off: byte offset of the entry among the leaf's records
 */
struct vexfs_dir_slot {
	struct buffer_head *bh;
	unsigned int off;
};

int vexfs_dir_find(struct inode *dir, const struct qstr *name,
		   struct vexfs_dir_slot *slot, u64 *ino);
void vexfs_dir_slot_release(struct vexfs_dir_slot *slot);
void vexfs_dir_slot_set(struct inode *dir, struct vexfs_dir_slot *slot,
			struct inode *inode);
void vexfs_dir_slot_delete(struct inode *dir, struct vexfs_dir_slot *slot);
int vexfs_dir_add(struct inode *dir, const struct qstr *name,
		  struct inode *inode);
int vexfs_dir_is_empty(struct inode *dir);
int vexfs_dir_for_each(struct inode *dir,
		       int (*actor)(void *arg, const u8 *name,
				    unsigned int len, u64 ino,
				    unsigned int ftype),
		       void *arg);
int vexfs_dir_name_of(struct inode *dir, u64 ino, char *name,
		      unsigned int *len);
extern const struct file_operations vexfs_dir_operations;

/* fiemap.c */
int vexfs_fiemap(struct inode *inode, struct fiemap_extent_info *fieinfo,
		 u64 start, u64 len);
loff_t vexfs_file_llseek(struct file *file, loff_t offset, int whence);

/* trim.c */
int vexfs_trim_fs(struct super_block *sb, struct fstrim_range *range);
int vexfs_ioc_fitrim(struct file *file, void __user *arg);

/* ioctl.c */
long vexfs_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* vector.c: the hooks the rest of the module calls */
struct vexfs_coll;
void vexfs_vec_evict(struct inode *inode);
void vexfs_vec_put_super(struct super_block *sb);
int vexfs_vec_xattr_get(struct inode *inode, void *buf, size_t size);
int vexfs_vec_xattr_set(struct inode *inode, const void *value, size_t size,
			int flags);
ssize_t vexfs_vec_listxattr(struct inode *inode, char *buf, size_t size,
			    ssize_t used);
int vexfs_slot_read(struct inode *store, struct vexfs_coll *c, u64 slot,
		    void *img);

/* namei.c */
extern const struct inode_operations vexfs_dir_inode_operations;

#endif /* _VEXFS_H */
