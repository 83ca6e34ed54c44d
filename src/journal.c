// SPDX-License-Identifier: GPL-2.0
/*
 * journal.c - metadata journaling with jbd2, in ordered data mode.
 *
 * The journal is an internal region of the filesystem (s_journal_start,
 * s_journal_blocks) that mkfs.vexfs formats as a jbd2 v2 log.  At mount it
 * is opened with jbd2_journal_init_dev() on the filesystem's own block
 * device and replayed by jbd2_journal_load(); INCOMPAT_RECOVER is set in
 * the superblock while the filesystem is mounted read-write and cleared
 * once jbd2_journal_destroy() has checkpointed everything, as ext4 does.
 * A filesystem without a journal (mkfs -J size=0, or below 2048 blocks)
 * keeps writing its metadata through the buffer cache as before: every
 * helper here falls back to mark_buffer_dirty() when sbi->journal is NULL.
 *
 * Handles.  Every operation that changes metadata starts one handle
 * (vexfs_journal_start()) before it takes any filesystem lock other than
 * the VFS's i_rwsem, and before any page lock, exactly as ext4 does: the
 * commit thread writes ordered data pages and may wait for page locks,
 * so a task must never wait for a transaction while holding one.  Nested
 * starts (mark_inode_dirty() inside an operation, an xattr value inode
 * freed inside vexfs_xattr_set()) join the running handle; jbd2 keeps it
 * in current->journal_info, which is also how the helpers below find it
 * without passing it down every call chain.  The credits of each
 * operation are worst-case sums written next to the operation
 * (VEXFS_*_CREDITS in vexfs.h); long operations (truncation) extend their
 * handle as they go and restart it at points where the tree is
 * consistent, protected by the orphan list.
 *
 * Buffers.  A metadata buffer is changed only between
 * vexfs_journal_get_write() (or _create/_undo) and vexfs_dirty_metadata(),
 * inside one handle, and its checksum is recomputed before it is dirtied,
 * so that every image jbd2 logs is self-consistent.  The metadata readers
 * (bitmaps, inode table, extent nodes, directory and xattr blocks) take
 * write access as they read when the caller runs a handle, so every
 * buffer a handle may change is already attached to its transaction.
 *
 * Freed blocks.  A block freed by transaction T must not be written as
 * file data before T commits: a crash would replay the old owner's
 * metadata pointing at the new owner's data.  Block bitmap blocks are
 * therefore taken with jbd2_journal_get_undo_access() when bits are
 * cleared; jbd2 keeps the last committed bitmap in b_committed_data and
 * the allocator only hands out blocks that are free in both the current
 * and the committed bitmap (the ext3/ocfs2 rule).  When the only free
 * blocks are waiting for a commit, writers force one and retry
 * (vexfs_should_retry_alloc()).  Freed blocks that may have been logged
 * (extent nodes, xattr blocks, directory blocks, blocks of hidden inodes)
 * are also revoked, so replaying an older transaction never writes stale
 * metadata over their new contents.
 *
 * Superblock.  Only the orphan list head changes in the superblock while
 * mounted, and that goes through the journal.  The free block and inode
 * counts are not journaled: a mount after a crash recomputes them from
 * the bitmaps, which are journaled (vexfs_recount_free()); a clean
 * unmount writes them.
 *
 * Orphans.  Deletions and truncations that span transactions are
 * protected by the orphan list (orphan.c), changed through the journal.
 *
 * Lock order: i_rwsem (VFS) -> jbd2 handle -> page lock ->
 * vi->i_map_lock / vi->i_xattr_sem -> sbi->orphan_lock -> sbi->alloc_lock
 * -> buffer lock.  Nothing waits for a transaction (restart, force
 * commit) while holding i_map_lock or a page lock.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/jbd2.h>

#include "vexfs.h"

/* ------------------------------------------------------------------ */
/* Handles                                                             */
/* ------------------------------------------------------------------ */

/**
 * vexfs_handle() - the running handle of this filesystem's journal
 * @sb: the filesystem
 *
 * Return: the handle the current task runs on @sb's journal, or NULL when
 * there is none (or the filesystem has no journal).  A handle of another
 * filesystem's journal (a page fault taken inside ext4) is not ours.
 */
handle_t *vexfs_handle(struct super_block *sb)
{
	journal_t *journal = VEXFS_SB(sb)->journal;
	handle_t *handle = journal_current_handle();

	if (!journal || !handle || !handle->h_transaction ||
	    handle->h_transaction->t_journal != journal)
		return NULL;
	return handle;
}

/*
 * The error of an operation whose handle jbd2 aborted under it.  jbd2
 * says -EROFS; but when FS_IOC_SHUTDOWN aborted the journal, the
 * operation was cut short by the shutdown and fails with EIO like every
 * operation after it (as in XFS), and it is no error to log.
 */
static int vexfs_aborted_errno(struct super_block *sb)
{
	return vexfs_forced_shutdown(sb) ? -EIO : -EROFS;
}

/**
 * vexfs_journal_start() - start (or join) a handle
 * @sb: the filesystem
 * @credits: metadata blocks the operation may dirty
 * @revokes: blocks it may revoke
 *
 * Context: process context; may sleep waiting for journal space.  The
 * caller must hold no page lock and no VexFS lock (see the lock order).
 * Return: the handle, NULL without a journal, or an ERR_PTR (-EIO after
 * a shutdown, -EROFS on a read-only filesystem or an aborted journal).
 */
handle_t *vexfs_journal_start(struct super_block *sb, int credits,
			      int revokes)
{
	journal_t *journal = VEXFS_SB(sb)->journal;
	handle_t *handle;

	if (vexfs_forced_shutdown(sb))
		return ERR_PTR(-EIO);
	if (!journal)
		return NULL;
	if (sb_rdonly(sb) && !vexfs_handle(sb))
		return ERR_PTR(-EROFS);
	handle = jbd2__journal_start(journal, credits, 0, revokes, GFP_NOFS,
				     0, 0);
	/* A shutdown may have aborted the journal since the test above. */
	if (IS_ERR(handle) && is_journal_aborted(journal)) {
		vexfs_journal_aborted(sb);
		return ERR_PTR(vexfs_aborted_errno(sb));
	}
	return handle;
}

/**
 * vexfs_journal_aborted() - the journal was found aborted
 * @sb: the filesystem
 *
 * jbd2 aborts the journal when it cannot write the log (a device that
 * fails writes) and from then on refuses every handle.  Say so once and
 * apply the errors= policy, as ext4 does on "Detected aborted journal":
 * with errors=remount-ro the filesystem turns read-only instead of
 * failing every change one by one.  A shutdown (FS_IOC_SHUTDOWN) aborts
 * the journal on purpose and is not an error.
 *
 * Context: process context; may take spinlocks.
 */
void vexfs_journal_aborted(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);

	if (vexfs_forced_shutdown(sb) ||
	    test_and_set_bit(VEXFS_MF_ABORT_SEEN, &sbi->mount_flags))
		return;
	vexfs_error(sb, "detected aborted journal (error %d)",
		    sbi->journal ? jbd2_journal_errno(sbi->journal) : 0);
}

/**
 * vexfs_journal_stop() - end a handle from vexfs_journal_start()
 * @handle: the handle, or NULL
 *
 * Return: 0, or the journal's error if it was aborted.
 */
int vexfs_journal_stop(handle_t *handle)
{
	if (!handle)
		return 0;
	return jbd2_journal_stop(handle);
}

/**
 * vexfs_journal_ensure() - make sure the running handle can do more work
 * @sb: the filesystem
 * @credits: buffers about to be dirtied
 * @revokes: blocks about to be revoked
 *
 * Return: 0 if there is room (or no journal), -EAGAIN if the handle could
 * not be extended: the caller must reach a consistent point and restart it.
 */
int vexfs_journal_ensure(struct super_block *sb, int credits, int revokes)
{
	handle_t *handle = vexfs_handle(sb);
	int need_c, need_r, err;

	if (!handle)
		return 0;
	need_c = max(0, credits - jbd2_handle_buffer_credits(handle));
	need_r = max(0, revokes - handle->h_revoke_credits);
	if (!need_c && !need_r)
		return 0;
	/*
	 * Ask for a little more than needed, to extend less often.  A
	 * handle of an aborted journal cannot be extended, and restarting
	 * it would not help (jbd2 "restarts" an aborted handle by doing
	 * nothing): that is an error, not -EAGAIN, or a truncation would
	 * restart forever.
	 */
	err = jbd2_journal_extend(handle, need_c ? need_c + 16 : 0,
				  need_r ? need_r + 64 : 0);
	if (is_handle_aborted(handle))
		return vexfs_aborted_errno(sb);
	if (err < 0)
		return err;
	return err ? -EAGAIN : 0;
}

/**
 * vexfs_journal_restart() - commit the handle's work so far and go on
 * @sb: the filesystem
 * @credits: credits for the rest of the work
 * @revokes: revokes for the rest of the work
 *
 * Context: no page lock and no VexFS lock held.
 * Return: 0 or a negative errno.
 */
int vexfs_journal_restart(struct super_block *sb, int credits, int revokes)
{
	handle_t *handle = vexfs_handle(sb);
	int err;

	if (!handle)
		return 0;
	/* jbd2 returns 0 for an aborted handle, without restarting it. */
	if (is_handle_aborted(handle))
		return vexfs_aborted_errno(sb);
	err = jbd2__journal_restart(handle, credits, revokes, GFP_NOFS);
	if (!err && is_handle_aborted(handle))
		err = vexfs_aborted_errno(sb);
	return err;
}

/* ------------------------------------------------------------------ */
/* Buffers                                                             */
/* ------------------------------------------------------------------ */

static int vexfs_journal_err(struct super_block *sb, const char *what,
			     struct buffer_head *bh, int err)
{
	if (err && vexfs_forced_shutdown(sb))
		return -EIO;
	if (err)
		vexfs_err(sb, "journal: %s of block %llu failed (error %d)",
			  what, (unsigned long long)bh->b_blocknr, err);
	return err;
}

/**
 * vexfs_journal_get_write() - declare that the handle may change @bh
 * @sb: the filesystem
 * @bh: a metadata buffer, up to date
 *
 * A no-op outside a handle (readers) and without a journal.
 * Return: 0 or a negative errno.
 */
int vexfs_journal_get_write(struct super_block *sb, struct buffer_head *bh)
{
	handle_t *handle = vexfs_handle(sb);

	if (!handle)
		return 0;
	return vexfs_journal_err(sb, "write access", bh,
				 jbd2_journal_get_write_access(handle, bh));
}

/**
 * vexfs_journal_get_undo() - write access to a block bitmap that frees bits
 * @sb: the filesystem
 * @bh: the bitmap block
 *
 * jbd2 keeps the last committed contents, which the allocator consults
 * so that freed blocks are not reused before the free commits.
 * Return: 0 or a negative errno.
 */
int vexfs_journal_get_undo(struct super_block *sb, struct buffer_head *bh)
{
	handle_t *handle = vexfs_handle(sb);

	if (!handle)
		return 0;
	return vexfs_journal_err(sb, "undo access", bh,
				 jbd2_journal_get_undo_access(handle, bh));
}

/**
 * vexfs_journal_get_create() - write access to a newly allocated block
 * @sb: the filesystem
 * @bh: the buffer, from sb_getblk(), not yet initialized
 *
 * The buffer may still be cached from an earlier life of the block: it
 * loses its verified bit, so that the first read after it is rebuilt
 * checks everything again.
 *
 * Return: 0 or a negative errno.
 */
int vexfs_journal_get_create(struct super_block *sb, struct buffer_head *bh)
{
	handle_t *handle = vexfs_handle(sb);
	int err;

	clear_buffer_vexfs_verified(bh);
	if (!handle)
		return 0;
	/* jbd2 wants the buffer locked; nobody else knows the block yet. */
	lock_buffer(bh);
	err = jbd2_journal_get_create_access(handle, bh);
	unlock_buffer(bh);
	return vexfs_journal_err(sb, "create access", bh, err);
}

/**
 * vexfs_dirty_metadata() - log a changed metadata buffer
 * @sb: the filesystem
 * @inode: the inode the buffer belongs to, or NULL for global metadata
 * @bh: the buffer, checksummed
 *
 * With a journal the buffer joins the running transaction; without one it
 * is queued for writeback (with @inode, so that fsync writes it).
 * Return: 0 or a negative errno.
 */
int vexfs_dirty_metadata(struct super_block *sb, struct inode *inode,
			 struct buffer_head *bh)
{
	handle_t *handle;

	if (!VEXFS_SB(sb)->journal) {
		if (inode)
			vexfs_mmb_mark_dirty(bh, inode, &VEXFS_I(inode)->i_mmb);
		else
			mark_buffer_dirty(bh);
		return 0;
	}
	handle = vexfs_handle(sb);
	if (WARN_ON_ONCE(!handle)) {
		/* A change outside any handle is a bug; do not lose it. */
		mark_buffer_dirty(bh);
		return -EIO;
	}
	return vexfs_journal_err(sb, "dirtying", bh,
				 jbd2_journal_dirty_metadata(handle, bh));
}

/**
 * vexfs_forget_block() - a metadata block is being freed
 * @sb: the filesystem
 * @bh: its buffer if the caller holds one (the reference is consumed), or
 *	NULL
 * @blocknr: the block
 *
 * Cancels any pending write of the old contents and, with a journal,
 * revokes the block so that replay never writes logged copies over
 * whatever the block holds next.
 */
void vexfs_forget_block(struct super_block *sb, struct buffer_head *bh,
			u64 blocknr)
{
	handle_t *handle = vexfs_handle(sb);
	int err;

	if (!VEXFS_SB(sb)->journal) {
		if (bh)
			bforget(bh);
		return;
	}
	if (!handle) {
		WARN_ON_ONCE(1);
		if (bh)
			bforget(bh);
		return;
	}
	if (!bh) {
		/*
		 * A cached copy must not be written back either; and a block
		 * revoked once already in this handle (a directory split
		 * undone, then truncated) must not be revoked twice.
		 */
		bh = sb_find_get_block(sb, blocknr);
		if (bh && buffer_revoked(bh)) {
			brelse(bh);
			return;
		}
	}
	if (handle->h_revoke_credits < 1 &&
	    jbd2_journal_extend(handle, 0, 64)) {
		/* Too big a transaction: at least drop the pending write. */
		vexfs_err(sb, "journal: no revoke credit for block %llu",
			  blocknr);
		if (bh)
			jbd2_journal_forget(handle, bh);
		return;
	}
	err = jbd2_journal_revoke(handle, blocknr, bh);
	if (err && !vexfs_forced_shutdown(sb))
		vexfs_err(sb, "journal: revoking block %llu failed (error %d)",
			  blocknr, err);
}

/**
 * vexfs_block_allocatable() - may bit @bit of a block bitmap be handed out?
 * @bh: the bitmap block, under write access in the running handle
 * @bit: the bit, counted after the block header
 *
 * A bit that is clear now but set in the last committed bitmap belongs to
 * a block freed by a transaction that has not committed: not yet.
 *
 * Context: sbi->alloc_lock held; takes the journal head's state lock.
 */
bool vexfs_block_allocatable(struct buffer_head *bh, unsigned long bit)
{
	struct journal_head *jh;
	bool ok = true;

	if (!buffer_jbd(bh))
		return true;
	jh = bh2jh(bh);
	spin_lock(&jh->b_state_lock);
	if (jh->b_committed_data)
		ok = !test_bit_le(bit, jh->b_committed_data +
				       sizeof(struct vexfs_block_header));
	spin_unlock(&jh->b_state_lock);
	return ok;
}

/**
 * vexfs_should_retry_alloc() - wait for freed blocks to become usable
 * @sb: the filesystem
 * @retries: the caller's counter, zero at first
 *
 * After -ENOSPC, blocks freed by an uncommitted transaction may be all
 * that is left.  Forces a commit (the caller holds no handle) and says
 * whether trying again is worth it.
 *
 * Context: no handle, no page lock, no VexFS lock held.
 */
bool vexfs_should_retry_alloc(struct super_block *sb, int *retries)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	u64 free;

	if (!sbi->journal || (*retries)++ >= 3 || vexfs_handle(sb))
		return false;
	spin_lock(&sbi->lock);
	free = sbi->free_blocks;
	spin_unlock(&sbi->lock);
	if (!free)
		return false;
	jbd2_journal_force_commit(sbi->journal);
	return true;
}

/* ------------------------------------------------------------------ */
/* Inodes                                                              */
/* ------------------------------------------------------------------ */

/**
 * vexfs_journal_inode_data() - order a file's data range before the commit
 * @inode: a regular file or symlink
 * @start: first byte
 * @len: bytes
 *
 * data=ordered: the transaction that makes this range reachable (new
 * blocks, a larger i_size) commits only after the range is on disk.
 * Return: 0 or a negative errno.
 */
int vexfs_journal_inode_data(struct inode *inode, loff_t start, loff_t len)
{
	handle_t *handle = vexfs_handle(inode->i_sb);

	if (!handle || !len)
		return 0;
	return jbd2_journal_inode_ranged_write(handle, &VEXFS_I(inode)->jinode,
					       start, len);
}

/*
 * The commit thread writes the ordered data ranges with this:
 * filemap_fdatawrite_range() is a WB_SYNC_ALL writeback of the range
 * with no page limit, what jbd2's own (unexported) helper does.
 */
static int vexfs_submit_inode_data(struct jbd2_inode *jinode)
{
	loff_t start, end;

	if (!vexfs_jinode_dirty_range(jinode, &start, &end))
		return 0;
	return filemap_fdatawrite_range(jinode->i_vfs_inode->i_mapping,
					start, end);
}

/**
 * vexfs_dirty_inode() - super_operations.dirty_inode: log the inode
 * @inode: the inode
 * @flags: I_DIRTY_*: without I_DIRTY_DATASYNC, only timestamps changed
 *
 * Every mark_inode_dirty() copies the inode into its inode table block in
 * the running transaction, joining the caller's handle or starting one.
 * A change of timestamps alone is not one fdatasync waits for, so that
 * an overwrite in place followed by fdatasync costs a cache flush, not a
 * commit (as in ext4).
 *
 * Context: process context; no page lock unless a handle is already held.
 */
void vexfs_dirty_inode(struct inode *inode, int flags)
{
	struct super_block *sb = inode->i_sb;
	handle_t *handle;

	if (!VEXFS_SB(sb)->journal)
		return;
	handle = vexfs_journal_start(sb, VEXFS_INODE_CREDITS, 0);
	if (IS_ERR(handle))
		return;
	vexfs_journal_log_inode(inode, flags & I_DIRTY_DATASYNC);
	vexfs_journal_stop(handle);
}

/**
 * vexfs_journal_sync_fs() - commit everything, and wait if asked
 * @sb: the filesystem
 * @wait: wait for the commit and flush the disk cache
 *
 * Return: 0 or a negative errno.
 */
int vexfs_journal_sync_fs(struct super_block *sb, int wait)
{
	journal_t *journal = VEXFS_SB(sb)->journal;
	tid_t target;
	int err = 0;

	/* Nothing can be committed any more: do not pretend it was. */
	if (is_journal_aborted(journal))
		return -EIO;
	if (jbd2_journal_start_commit(journal, &target) && wait)
		err = jbd2_log_wait_commit(journal, target);
	if (!err && wait)
		err = vexfs_blkdev_issue_flush(sb->s_bdev);
	return err;
}

/* ------------------------------------------------------------------ */
/* Loading and unloading                                               */
/* ------------------------------------------------------------------ */

/**
 * vexfs_journal_set_params() - apply commit= to the loaded journal
 * @sb: the filesystem
 */
void vexfs_journal_set_params(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	journal_t *journal = sbi->journal;

	if (!journal)
		return;
	write_lock(&journal->j_state_lock);
	journal->j_commit_interval = sbi->opts.commit_interval * HZ;
	/* A volatile write cache: flush before every commit record. */
	journal->j_flags |= JBD2_BARRIER;
	write_unlock(&journal->j_state_lock);
}

/*
 * Whether the log holds anything to replay: the jbd2 superblock's s_start
 * is 0 once the log is empty.  Read before jbd2 opens the journal, since
 * 6.1 reads it only in jbd2_journal_load().  Anything unreadable counts as
 * not empty (jbd2 itself then decides).
 */
static bool vexfs_journal_log_empty(struct super_block *sb, u64 start)
{
	journal_superblock_t *jsb;
	struct buffer_head *bh;
	bool empty;

	bh = sb_bread(sb, start);
	if (!bh)
		return false;
	jsb = (journal_superblock_t *)bh->b_data;
	empty = jsb->s_header.h_magic == cpu_to_be32(JBD2_MAGIC_NUMBER) &&
		!jsb->s_start;
	brelse(bh);
	return empty;
}

/**
 * vexfs_journal_load() - open and replay the internal journal
 * @sb: the filesystem, whose superblock says COMPAT_HAS_JOURNAL
 *
 * Sets sbi->counts_stale when there was something to recover (the
 * superblock says so, or the log is not empty, which jbd2 replays
 * whatever the superblock says): the superblock's free counts are not
 * journaled, and its in-place copy may be older or newer than the
 * replayed bitmaps, so they are recounted before they are trusted.
 *
 * Context: mount, before the root inode is read.
 * Return: 0 or a negative errno (the journal is then not loaded).
 */
int vexfs_journal_load(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_super_block *raw = sbi->raw;
	u64 start = le64_to_cpu(raw->s_journal_start);
	u64 len = le64_to_cpu(raw->s_journal_blocks);
	bool recover = le32_to_cpu(raw->s_feature_incompat) &
		       VEXFS_FEATURE_INCOMPAT_RECOVER;
	journal_t *journal;
	int err;

	if (!start || len < JBD2_MIN_JOURNAL_BLOCKS || start + len > INT_MAX) {
		vexfs_err(sb, "journal: bad region at block %llu, %llu blocks",
			  start, len);
		return -EFSCORRUPTED;
	}
	if (recover && bdev_read_only(sb->s_bdev)) {
		vexfs_err(sb, "journal needs recovery but the device is read-only");
		return -EROFS;
	}
	/*
	 * A jbd2 journal opened with jbd2_journal_init_dev() numbers its
	 * log blocks absolutely on the device (as an ext4 external journal
	 * does): its superblock is at @start and mkfs.vexfs wrote s_first =
	 * start + 1 and s_maxlen = start + len.  jbd2 therefore sees a
	 * journal of start + len blocks, of which the region is the tail;
	 * mkfs puts the region right after the superblock (start is 1 or
	 * 2), so the transaction sizes jbd2 derives from that length are
	 * the log's own.
	 */
	journal = jbd2_journal_init_dev(sb->s_bdev, sb->s_bdev, start,
					start + len, sb->s_blocksize);
	if (IS_ERR_OR_NULL(journal)) {
		vexfs_err(sb, "journal: cannot open the journal at block %llu",
			  start);
		return journal ? PTR_ERR(journal) : -ENOMEM;
	}
	journal->j_private = sb;
	journal->j_submit_inode_data_buffers = vexfs_submit_inode_data;
	journal->j_finish_inode_data_buffers =
		jbd2_journal_finish_inode_data_buffers;

	if (recover || !vexfs_journal_log_empty(sb, start))
		sbi->counts_stale = true;
	if (recover)
		vexfs_info(sb, "recovering the journal");
	err = jbd2_journal_load(journal);
	if (err) {
		vexfs_err(sb, "journal: cannot load the journal (error %d)",
			  err);
		jbd2_journal_destroy(journal);
		return err == -EINVAL ? -EFSCORRUPTED : err;
	}
	/*
	 * jbd2 sized its largest transaction from the length it was given
	 * (a quarter of start + len); only len blocks are log.  Keep it to a
	 * quarter of those (a no-op for the layout mkfs makes, where start
	 * is tiny; 6.12's jbd2 also derives the space it waits for from the
	 * full length, which is why the journal must come first).
	 */
	write_lock(&journal->j_state_lock);
	journal->j_max_transaction_buffers =
		min_t(int, journal->j_max_transaction_buffers, len / 4);
	write_unlock(&journal->j_state_lock);
	sbi->journal = journal;
	vexfs_journal_set_params(sb);
	return 0;
}

/**
 * vexfs_journal_destroy() - commit, checkpoint and close the journal
 * @sb: the filesystem
 *
 * Return: 0, or the journal's error (the log then still needs recovery).
 */
int vexfs_journal_destroy(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	int err;

	if (!sbi->journal)
		return 0;
	err = jbd2_journal_destroy(sbi->journal);
	sbi->journal = NULL;
	if (err)
		vexfs_err(sb, "journal: error %d while closing the journal",
			  err);
	return err;
}

/**
 * vexfs_journal_flush() - commit and checkpoint everything, keep the journal
 * @sb: the filesystem
 *
 * Used before a remount read-only, so that the log is empty and the
 * superblock may be written in place.  Updates are blocked until
 * vexfs_journal_unlock().
 * Return: 0 or a negative errno.
 */
int vexfs_journal_flush(struct super_block *sb)
{
	journal_t *journal = VEXFS_SB(sb)->journal;

	jbd2_journal_lock_updates(journal);
	return vexfs_jbd2_journal_flush(journal);
}

/**
 * vexfs_journal_unlock() - end vexfs_journal_flush()
 * @sb: the filesystem
 */
void vexfs_journal_unlock(struct super_block *sb)
{
	jbd2_journal_unlock_updates(VEXFS_SB(sb)->journal);
}
