// SPDX-License-Identifier: GPL-2.0
/*
 * inode.c - reading and writing inodes.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/slab.h>
#include <linux/writeback.h>

#include "vexfs.h"

static struct kmem_cache *vexfs_inode_cachep;

/**
 * vexfs_alloc_inode() - allocate a VexFS in-memory inode
 * @sb: the filesystem
 *
 * Context: process context; may sleep.
 * Return: the embedded VFS inode, or NULL without memory.
 */
struct inode *vexfs_alloc_inode(struct super_block *sb)
{
	struct vexfs_inode_info *vi;

	vi = alloc_inode_sb(sb, vexfs_inode_cachep, GFP_KERNEL);
	if (!vi)
		return NULL;
	vi->i_flags = 0;
	vi->i_next_orphan = 0;
	vi->i_sync_tid = 0;
	vi->i_datasync_tid = 0;
	vi->i_win_start = 0;
	vi->i_win_end = 0;
	vi->i_size_cap = LLONG_MAX;
	INIT_LIST_HEAD(&vi->i_orphan);
	jbd2_journal_init_jbd_inode(&vi->jinode, &vi->vfs_inode);
	vexfs_mmb_init(&vi->vfs_inode, &vi->i_mmb);
	return &vi->vfs_inode;
}

/**
 * vexfs_free_inode() - free an inode allocated by vexfs_alloc_inode()
 * @inode: the inode
 */
void vexfs_free_inode(struct inode *inode)
{
	kmem_cache_free(vexfs_inode_cachep, VEXFS_I(inode));
}

static void vexfs_inode_init_once(void *obj)
{
	struct vexfs_inode_info *vi = obj;

	init_rwsem(&vi->i_map_lock);
	init_rwsem(&vi->i_xattr_sem);
	vexfs_mmap_sem_init(&vi->i_mmap_sem);
	inode_init_once(&vi->vfs_inode);
}

/**
 * vexfs_init_inodecache() - create the slab cache of inodes
 *
 * Return: 0 or -ENOMEM.
 */
int __init vexfs_init_inodecache(void)
{
	/* i_data holds inline symlink targets, copied out by readlink. */
	vexfs_inode_cachep =
		kmem_cache_create_usercopy("vexfs_inode_cache",
					   sizeof(struct vexfs_inode_info), 0,
					   SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT,
					   offsetof(struct vexfs_inode_info, i_data),
					   sizeof_field(struct vexfs_inode_info, i_data),
					   vexfs_inode_init_once);
	return vexfs_inode_cachep ? 0 : -ENOMEM;
}

/**
 * vexfs_destroy_inodecache() - destroy the slab cache of inodes
 */
void vexfs_destroy_inodecache(void)
{
	/* Inodes are freed by RCU; wait for them before the cache goes. */
	rcu_barrier();
	kmem_cache_destroy(vexfs_inode_cachep);
}

/* ------------------------------------------------------------------ */
/* On-disk inode location and conversion                               */
/* ------------------------------------------------------------------ */

/*
 * Inodes made together are looked up together (ls -l, find, du, a
 * backup), so when an inode table block must come from the disk, the
 * blocks after it are read in the same plug, as ext4's
 * inode_readahead_blks does.  The extra reads are asynchronous and stop
 * at the end of the table.
 */
#define VEXFS_INODE_READAHEAD_BLOCKS	32

static void vexfs_inode_table_readahead(struct super_block *sb, u64 block)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	u64 end = min(block + VEXFS_INODE_READAHEAD_BLOCKS,
		      sbi->inode_table_start + sbi->inode_table_blocks);
	struct blk_plug plug;

	blk_start_plug(&plug);
	for (; block < end; block++)
		sb_breadahead(sb, block);
	blk_finish_plug(&plug);
}

/*
 * Read the inode table block holding inode @ino.  Returns the buffer and
 * sets *@raw to the inode inside it.  Inside a handle the block is taken
 * for writing (see journal.c).
 */
static struct buffer_head *vexfs_read_raw_inode(struct super_block *sb,
						u64 ino,
						struct vexfs_inode **raw)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	u64 block = sbi->inode_table_start + ino / sbi->inodes_per_block;
	unsigned int slot = ino % sbi->inodes_per_block;
	struct buffer_head *bh;
	int err;

	bh = sb_getblk(sb, block);
	if (bh && !buffer_uptodate(bh)) {
		vexfs_inode_table_readahead(sb, block);
		brelse(bh);
		bh = sb_bread(sb, block);
	}
	if (!bh) {
		vexfs_err(sb, "unable to read inode %llu (block %llu)",
			  ino, block);
		return ERR_PTR(-EIO);
	}
	err = vexfs_journal_get_write(sb, bh);
	if (err) {
		brelse(bh);
		return ERR_PTR(err);
	}
	*raw = (struct vexfs_inode *)bh->b_data + slot;
	return bh;
}

/**
 * vexfs_ino_valid() - may @ino name an inode of this filesystem?
 * @sbi: the filesystem
 * @ino: an inode number read from disk or from a file handle
 *
 * Return: true for the root and the numbers the inode table holds for
 * users (vexfs_ino_check()).
 */
bool vexfs_ino_valid(struct vexfs_sb_info *sbi, u64 ino)
{
	return !vexfs_ino_check(ino, sbi->inodes_count);
}

static struct timespec64 vexfs_decode_time(const struct vexfs_timestamp *t)
{
	struct timespec64 ts = {
		.tv_sec = (s64)le64_to_cpu(t->sec),
		.tv_nsec = le32_to_cpu(t->nsec),
	};
	return ts;
}

static void vexfs_encode_time(struct vexfs_timestamp *t, struct timespec64 ts)
{
	t->sec = cpu_to_le64((u64)ts.tv_sec);
	t->nsec = cpu_to_le32(ts.tv_nsec);
	t->reserved = 0;
}

/*
 * Check an on-disk inode before the VFS sees any of it.  Anything wrong is
 * corruption: the caller only reads inodes that a directory or the
 * superblock says are in use.
 */
static int vexfs_check_raw_inode(struct super_block *sb, u64 ino,
				 const struct vexfs_inode *raw, bool quiet)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	umode_t mode = le16_to_cpu(raw->i_mode);
	const char *why = NULL;

	/*
	 * A free inode named by a stale reference is not corruption: one
	 * that was used and freed keeps a valid checksum, and one never
	 * used may still be all zeros (as ext4 treats EXT4_IGET_HANDLE).
	 */
	if (quiet && !mode && !le16_to_cpu(raw->i_links_count) &&
	    (!raw->i_checksum || vexfs_inode_csum_ok(sbi, raw)))
		return -ESTALE;
	if (quiet && vexfs_inode_csum_ok(sbi, raw) &&
	    le64_to_cpu(raw->i_ino) == ino &&
	    (!mode || !le16_to_cpu(raw->i_links_count)))
		return -ESTALE;
	if (!vexfs_inode_csum_ok(sbi, raw))
		why = "checksum mismatch";
	else if (!mode)
		why = "inode is not in use";
	else if (le64_to_cpu(raw->i_size) > sb->s_maxbytes)
		why = "bad size";	/* MAX_LFS_FILESIZE on 32-bit */
	else
		why = vexfs_inode_check(raw, ino, sb->s_blocksize);

	if (!why)
		return 0;
	vexfs_error(sb, "inode %llu: %s", ino, why);
	return le32_to_cpu(raw->i_checksum) != vexfs_inode_csum(sbi->csum_seed, raw) ?
	       -EFSBADCRC : -EFSCORRUPTED;
}

/* Fill the VFS inode and its VexFS part from a validated on-disk inode. */
static void vexfs_inode_from_raw(struct inode *inode,
				 const struct vexfs_inode *raw)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);

	inode->i_mode = le16_to_cpu(raw->i_mode);
	i_uid_write(inode, le32_to_cpu(raw->i_uid));
	i_gid_write(inode, le32_to_cpu(raw->i_gid));
	set_nlink(inode, le16_to_cpu(raw->i_links_count));
	inode->i_size = le64_to_cpu(raw->i_size);
	inode->i_blocks = le64_to_cpu(raw->i_blocks) <<
			  (inode->i_blkbits - 9);
	inode_set_atime_to_ts(inode, vexfs_decode_time(&raw->i_atime));
	inode_set_mtime_to_ts(inode, vexfs_decode_time(&raw->i_mtime));
	inode_set_ctime_to_ts(inode, vexfs_decode_time(&raw->i_ctime));
	inode->i_generation = le32_to_cpu(raw->i_generation);

	memcpy(vi->i_data, raw->i_data, sizeof(vi->i_data));
	vi->i_flags = le32_to_cpu(raw->i_flags);
	vi->i_parent = le64_to_cpu(raw->i_parent);
	vi->i_xattr_block = le64_to_cpu(raw->i_xattr_block);
	vi->i_collection = le32_to_cpu(raw->i_collection);
	vi->i_vec_slot = le64_to_cpu(raw->i_vec_slot);
	vi->i_crtime = vexfs_decode_time(&raw->i_crtime);
	vi->i_next_orphan = le64_to_cpu(raw->i_next_orphan);
}

/* The inverse of vexfs_inode_from_raw(); the caller sets the checksum. */
static void vexfs_inode_to_raw(struct inode *inode, struct vexfs_inode *raw)
{
	struct vexfs_inode_info *vi = VEXFS_I(inode);

	raw->i_mode = cpu_to_le16(inode->i_mode);
	raw->i_links_count = cpu_to_le16(inode->i_nlink);
	raw->i_flags = cpu_to_le32(vi->i_flags);
	raw->i_uid = cpu_to_le32(i_uid_read(inode));
	raw->i_gid = cpu_to_le32(i_gid_read(inode));
	/* Not past data a batched write has yet to order (file.c). */
	raw->i_size = cpu_to_le64(min(inode->i_size,
				      READ_ONCE(vi->i_size_cap)));
	raw->i_blocks = cpu_to_le64(inode->i_blocks >> (inode->i_blkbits - 9));
	vexfs_encode_time(&raw->i_atime, inode_get_atime(inode));
	vexfs_encode_time(&raw->i_mtime, inode_get_mtime(inode));
	vexfs_encode_time(&raw->i_ctime, inode_get_ctime(inode));
	vexfs_encode_time(&raw->i_crtime, vi->i_crtime);
	raw->i_ino = cpu_to_le64(inode->i_ino);
	raw->i_generation = cpu_to_le32(inode->i_generation);
	raw->i_parent = cpu_to_le64(vi->i_parent);
	raw->i_xattr_block = cpu_to_le64(vi->i_xattr_block);
	raw->i_collection = cpu_to_le32(vi->i_collection);
	raw->i_vec_slot = cpu_to_le64(vi->i_vec_slot);
	raw->i_next_orphan = cpu_to_le64(vi->i_next_orphan);
	raw->i_rdev = cpu_to_le32(S_ISCHR(inode->i_mode) ||
				  S_ISBLK(inode->i_mode) ?
				  new_encode_dev(inode->i_rdev) : 0);
	memcpy(raw->i_data, vi->i_data, sizeof(raw->i_data));
}

/* Attach the operations that match the inode's type. */
static void vexfs_set_inode_ops(struct inode *inode, dev_t rdev)
{
	switch (inode->i_mode & S_IFMT) {
	case S_IFREG:
		inode->i_op = &vexfs_file_inode_operations;
		inode->i_fop = &vexfs_file_operations;
		inode->i_mapping->a_ops = &vexfs_file_aops;
		break;
	case S_IFDIR:
		inode->i_op = &vexfs_dir_inode_operations;
		inode->i_fop = &vexfs_dir_operations;
		inode->i_mapping->a_ops = &vexfs_file_aops;
		break;
	case S_IFLNK:
		if (VEXFS_I(inode)->i_flags & VEXFS_INODE_INLINE) {
			/* No i_link: get_link checks the target's NUL first. */
			inode->i_op = &vexfs_fast_symlink_inode_operations;
		} else {
			inode->i_op = &vexfs_symlink_inode_operations;
			inode_nohighmem(inode);
			inode->i_mapping->a_ops = &vexfs_file_aops;
		}
		break;
	default:
		inode->i_op = &vexfs_special_inode_operations;
		init_special_inode(inode, inode->i_mode, rdev);
		break;
	}
}

/**
 * vexfs_init_new_inode() - finish the VexFS part of a new inode
 * @inode: a new inode whose mode is set
 * @rdev: device number, for device special files
 *
 * Gives the inode an empty extent tree and the operations of its type.
 */
void vexfs_init_new_inode(struct inode *inode, dev_t rdev)
{
	vexfs_extent_init_root(inode);
	vexfs_set_inode_ops(inode, rdev);
}

/* vexfs_iget() and vexfs_iget_quiet(). */
static struct inode *__vexfs_iget(struct super_block *sb, u64 ino,
				  bool quiet)
{
	struct vexfs_inode *raw;
	struct buffer_head *bh;
	struct inode *inode;
	int err;

	if (!vexfs_ino_valid(VEXFS_SB(sb), ino)) {
		vexfs_error(sb, "inode number %llu is out of range", ino);
		return ERR_PTR(-EFSCORRUPTED);
	}

	inode = iget_locked(sb, ino);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (!(vexfs_inode_state(inode) & I_NEW))
		return inode;

	bh = vexfs_read_raw_inode(sb, ino, &raw);
	if (IS_ERR(bh)) {
		err = PTR_ERR(bh);
		goto out_fail;
	}
	err = vexfs_check_raw_inode(sb, ino, raw, quiet);
	if (!err) {
		vexfs_inode_from_raw(inode, raw);
		vexfs_set_inode_flags(inode);
		vexfs_set_inode_ops(inode,
				    new_decode_dev(le32_to_cpu(raw->i_rdev)));
	}
	brelse(bh);
	if (err)
		goto out_fail;

	unlock_new_inode(inode);
	return inode;

out_fail:
	iget_failed(inode);
	return ERR_PTR(err);
}

/**
 * vexfs_iget() - get the in-memory inode for an inode number
 * @sb: the filesystem
 * @ino: the inode number
 *
 * Reads and validates the on-disk inode the first time it is needed.
 *
 * Context: process context; may sleep for I/O.
 * Return: the inode, or an ERR_PTR: -EFSCORRUPTED for an invalid number or
 * a corrupt inode, -EFSBADCRC for a checksum mismatch, -EIO.
 */
struct inode *vexfs_iget(struct super_block *sb, u64 ino)
{
	return __vexfs_iget(sb, ino, false);
}

/**
 * vexfs_iget_quiet() - vexfs_iget() for a reference that may be stale
 * @sb: the filesystem
 * @ino: the inode number, from a vector slot or a parent pointer read
 *	without the locks that keep it current
 *
 * Like vexfs_iget(), but an inode that is free on disk gives -ESTALE
 * without reporting corruption.
 *
 * Context: process context; may sleep for I/O.
 * Return: the inode or an ERR_PTR.
 */
struct inode *vexfs_iget_quiet(struct super_block *sb, u64 ino)
{
	return __vexfs_iget(sb, ino, true);
}

/**
 * vexfs_journal_log_inode() - copy an inode into its inode table block
 * @inode: the inode
 * @datasync: the change is one fdatasync must make durable, not only
 *	timestamps
 *
 * With a journal the block is logged in the running handle (the caller's,
 * from mark_inode_dirty() through vexfs_dirty_inode()), and the handle's
 * transaction is remembered for fsync, and for fdatasync if @datasync;
 * without one it is marked dirty.
 *
 * Context: inside a handle when there is a journal; may sleep for I/O.
 * Return: 0 or a negative errno.
 */
int vexfs_journal_log_inode(struct inode *inode, bool datasync)
{
	struct super_block *sb = inode->i_sb;
	handle_t *handle = vexfs_handle(sb);
	struct vexfs_inode *raw;
	struct buffer_head *bh;
	int err;

	bh = vexfs_read_raw_inode(sb, inode->i_ino, &raw);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	lock_buffer(bh);
	vexfs_inode_to_raw(inode, raw);
	vexfs_inode_csum_set(VEXFS_SB(sb), raw);
	unlock_buffer(bh);
	err = vexfs_dirty_metadata(sb, NULL, bh);
	if (handle) {
		tid_t tid = handle->h_transaction->t_tid;

		WRITE_ONCE(VEXFS_I(inode)->i_sync_tid, tid);
		if (datasync)
			WRITE_ONCE(VEXFS_I(inode)->i_datasync_tid, tid);
	}
	brelse(bh);
	return err;
}

/**
 * vexfs_journal_log_orphan_link() - log only an inode's orphan link
 * @inode: an inode on the orphan list whose i_next_orphan just changed
 *
 * The orphan list changes the entry before the inode that leaves it, an
 * inode another task may be truncating or deleting at that moment under
 * its own locks.  Copying the whole of it, as vexfs_journal_log_inode()
 * does, could log its extent root half-way through that task's change
 * (an index root that has just lost its last entry, say), which a crash
 * would then leave on the disk.  Only the link is the list's to write;
 * the inode's owner logs the rest.
 *
 * Context: inside a handle, sbi->orphan_lock held; may sleep for I/O.
 * Return: 0 or a negative errno.
 */
int vexfs_journal_log_orphan_link(struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_inode *raw;
	struct buffer_head *bh;
	int err;

	bh = vexfs_read_raw_inode(sb, inode->i_ino, &raw);
	if (IS_ERR(bh))
		return PTR_ERR(bh);
	lock_buffer(bh);
	raw->i_next_orphan = cpu_to_le64(VEXFS_I(inode)->i_next_orphan);
	vexfs_inode_csum_set(VEXFS_SB(sb), raw);
	unlock_buffer(bh);
	err = vexfs_dirty_metadata(sb, NULL, bh);
	brelse(bh);
	return err;
}

/**
 * vexfs_write_inode() - write an inode back to the inode table
 * @inode: the inode
 * @wbc: writeback control; WB_SYNC_ALL waits for the write
 *
 * With a journal the inode was logged when it was dirtied; a synchronous
 * write (not sync(2), whose sync_fs commits anyway) waits for the commit
 * that holds it.
 *
 * Context: process context; takes the inode table buffer lock.
 * Return: 0 or a negative errno.
 */
int vexfs_write_inode(struct inode *inode, struct writeback_control *wbc)
{
	struct super_block *sb = inode->i_sb;
	journal_t *journal = VEXFS_SB(sb)->journal;
	struct vexfs_inode *raw;
	struct buffer_head *bh;
	int err = 0;

	if (journal) {
		if (WARN_ON_ONCE(vexfs_handle(sb)))
			return -EIO;
		if (wbc->sync_mode != WB_SYNC_ALL || wbc->for_sync)
			return 0;
		err = jbd2_complete_transaction(journal,
					READ_ONCE(VEXFS_I(inode)->i_sync_tid));
		/* An abort may have discarded it: see vexfs_fsync(). */
		if (!err && is_journal_aborted(journal))
			err = -EIO;
		return err;
	}

	bh = vexfs_read_raw_inode(sb, inode->i_ino, &raw);
	if (IS_ERR(bh))
		return PTR_ERR(bh);

	lock_buffer(bh);
	vexfs_inode_to_raw(inode, raw);
	vexfs_inode_csum_set(VEXFS_SB(sb), raw);
	unlock_buffer(bh);
	mark_buffer_dirty(bh);

	if (wbc->sync_mode == WB_SYNC_ALL) {
		sync_dirty_buffer(bh);
		if (buffer_req(bh) && !buffer_uptodate(bh)) {
			vexfs_err(sb, "I/O error writing inode %llu",
				  (unsigned long long)inode->i_ino);
			err = -EIO;
		}
	}
	brelse(bh);
	return err;
}

/* Mark the on-disk inode free: zeroed, with a valid checksum. */
static void vexfs_clear_disk_inode(struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_inode *raw;
	struct buffer_head *bh;

	bh = vexfs_read_raw_inode(sb, inode->i_ino, &raw);
	if (IS_ERR(bh))
		return;
	lock_buffer(bh);
	memset(raw, 0, sizeof(*raw));
	raw->i_ino = cpu_to_le64(inode->i_ino);
	vexfs_inode_csum_set(VEXFS_SB(sb), raw);
	unlock_buffer(bh);
	vexfs_dirty_metadata(sb, NULL, bh);
	brelse(bh);
}

/**
 * vexfs_evict_inode() - drop an inode from memory, deleting it if unlinked
 * @inode: the inode
 *
 * An inode with no links left loses its blocks and its inode number here,
 * once the last user has closed it.
 *
 * Context: process context; may sleep for I/O.
 */
void vexfs_evict_inode(struct inode *inode)
{
	bool delete = !inode->i_nlink && !is_bad_inode(inode);
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	struct super_block *sb = inode->i_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	journal_t *journal = sbi ? sbi->journal : NULL;
	handle_t *handle = NULL;

	if (delete && journal)
		jbd2_journal_begin_ordered_truncate(journal, &vi->jinode, 0);
	truncate_inode_pages_final(&inode->i_data);
	if (delete) {
		/*
		 * One handle for the whole deletion; truncation extends or
		 * restarts it, safe because the inode is on the orphan list
		 * (unlink put it there) until the handle that frees it.
		 */
		handle = vexfs_journal_start(sb, VEXFS_TRUNC_CREDITS +
					     VEXFS_XATTR_CREDITS +
					     (vi->i_collection ?
					      VEXFS_VEC_EVICT_CREDITS(sb) : 0),
					     VEXFS_TRUNC_REVOKES);
		if (IS_ERR(handle)) {
			/* Read-only now: the orphan list finishes it later. */
			vexfs_warn(sb, "inode %llu: deletion deferred (error %ld)",
				   (unsigned long long)inode->i_ino, PTR_ERR(handle));
			delete = false;
		}
	}
	if (delete) {
		int err = 0;

		inode->i_size = 0;
		if (journal)
			err = vexfs_orphan_add(inode);
		/* Its slot (or collection) goes with the orphan entry. */
		if (!err)
			vexfs_vec_evict(inode);
		if (!err && !(vi->i_flags & VEXFS_INODE_INLINE))
			err = vexfs_truncate_blocks(inode, 0);
		if (!err && vi->i_xattr_block)
			vexfs_xattr_delete_inode(inode);
		if (!err)
			err = vexfs_orphan_del(inode);
		if (!err)
			vexfs_clear_disk_inode(inode);
		else
			delete = false;	/* left on the orphan list */
	}
	vexfs_mmb_invalidate(inode, &vi->i_mmb);
	if (journal)
		jbd2_journal_release_jbd_inode(journal, &vi->jinode);
	clear_inode(inode);
	if (delete)
		vexfs_free_ino(sb, inode->i_ino);
	if (!IS_ERR_OR_NULL(handle))
		vexfs_journal_stop(handle);
}

/**
 * vexfs_setattr() - change attributes, including the size
 * @idmap: the mount's idmapping
 * @dentry: the file
 * @attr: what to change
 *
 * Context: process context; the VFS holds i_rwsem.
 * Return: 0 or a negative errno.
 */
int vexfs_setattr(VEXFS_IDMAP_PARAM(idmap) struct dentry *dentry,
		  struct iattr *attr)
{
	struct inode *inode = d_inode(dentry);
	int err;

	if (vexfs_forced_shutdown(inode->i_sb))
		return -EIO;
	/*
	 * As ext4: the VFS checks the flags on the paths it owns, but not a
	 * truncate through a file opened before chattr +i.
	 */
	err = vexfs_may_modify(inode);
	if (err)
		return err;
	if (IS_APPEND(inode) && (attr->ia_valid & (ATTR_MODE | ATTR_UID |
						   ATTR_GID | ATTR_TIMES_SET)))
		return -EPERM;
	err = vexfs_setattr_prepare(VEXFS_IDMAP_ARG(idmap), dentry, attr);
	if (err)
		return err;
	if ((attr->ia_valid & ATTR_SIZE) && attr->ia_size != inode->i_size) {
		if (!S_ISREG(inode->i_mode))
			return -EINVAL;
		err = vexfs_setsize(inode, attr->ia_size, false);
		if (err)
			return err;
	}
	vexfs_setattr_copy(VEXFS_IDMAP_ARG(idmap), inode, attr);
	mark_inode_dirty(inode);
	if (attr->ia_valid & ATTR_MODE)
		return vexfs_acl_chmod(VEXFS_IDMAP_ARG(idmap), dentry);
	return 0;
}

/**
 * vexfs_getattr() - report attributes, including the birth time
 * @idmap: the mount's idmapping
 * @path: the file
 * @stat: filled in
 * @request_mask: STATX_* fields asked for
 * @query_flags: AT_STATX_* flags
 *
 * Return: 0.
 */
int vexfs_getattr(VEXFS_IDMAP_PARAM(idmap) const struct path *path,
		  struct kstat *stat, u32 request_mask,
		  unsigned int query_flags)
{
	struct inode *inode = d_inode(path->dentry);
	struct vexfs_inode_info *vi = VEXFS_I(inode);

	vexfs_fillattr(VEXFS_IDMAP_ARG(idmap), request_mask, inode, stat);
	stat->result_mask |= STATX_BTIME;
	stat->btime = vi->i_crtime;
	if (vi->i_flags & VEXFS_INODE_APPEND)
		stat->attributes |= STATX_ATTR_APPEND;
	if (vi->i_flags & VEXFS_INODE_IMMUTABLE)
		stat->attributes |= STATX_ATTR_IMMUTABLE;
	if (vi->i_flags & VEXFS_INODE_NODUMP)
		stat->attributes |= STATX_ATTR_NODUMP;
	stat->attributes_mask |= STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE |
				 STATX_ATTR_NODUMP;
	return 0;
}

const struct inode_operations vexfs_special_inode_operations = {
	.setattr	= vexfs_setattr,
	.getattr	= vexfs_getattr,
	.listxattr	= vexfs_listxattr,
	VEXFS_ACL_INODE_OPS,
};
