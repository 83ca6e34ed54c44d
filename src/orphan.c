// SPDX-License-Identifier: GPL-2.0
/*
 * orphan.c - the orphan list: deletions and truncations a crash must
 * not leave half done.
 *
 * An inode whose last link goes while it is open, and a file being
 * truncated, is put on a list headed by s_last_orphan and linked through
 * i_next_orphan, in the same transaction as the change; it leaves the
 * list in the transaction that finishes the deletion or truncation.  A
 * mount finishes whatever is still listed.  Without a journal there is
 * no list: fsck cleans up after a crash.
 *
 * sbi->orphan_lock protects the in-memory list (sbi->orphans, in
 * on-disk order), s_last_orphan and every i_next_orphan; its place in
 * the lock order is at the top of journal.c.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jbd2.h>

#include "vexfs.h"

/* Log the superblock's orphan head. Context: orphan_lock, a handle. */
static int vexfs_orphan_set_head(struct super_block *sb, u64 ino)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	int err;

	err = vexfs_journal_get_write(sb, sbi->sbh);
	if (err)
		return err;
	lock_buffer(sbi->sbh);
	spin_lock(&sbi->lock);
	sbi->raw->s_last_orphan = cpu_to_le64(ino);
	sbi->raw->s_checksum = cpu_to_le32(vexfs_super_csum(sbi->raw));
	spin_unlock(&sbi->lock);
	unlock_buffer(sbi->sbh);
	return vexfs_dirty_metadata(sb, NULL, sbi->sbh);
}

/**
 * vexfs_orphan_add() - put an inode on the orphan list
 * @inode: an inode losing its last link while open, or being truncated
 *
 * Context: inside a handle; takes sbi->orphan_lock.
 * Return: 0 or a negative errno.  Without a journal this does nothing:
 * fsck cleans up after a crash there.
 */
int vexfs_orphan_add(struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	int err = 0;

	if (!sbi->journal || is_bad_inode(inode))
		return 0;
	mutex_lock(&sbi->orphan_lock);
	if (vi->i_flags & VEXFS_INODE_ORPHAN)
		goto out;
	vi->i_next_orphan = le64_to_cpu(sbi->raw->s_last_orphan);
	vi->i_flags |= VEXFS_INODE_ORPHAN;
	err = vexfs_journal_write_inode(inode);
	if (!err)
		err = vexfs_orphan_set_head(sb, inode->i_ino);
	if (err) {
		vi->i_flags &= ~VEXFS_INODE_ORPHAN;
		vi->i_next_orphan = 0;
		goto out;
	}
	list_add(&vi->i_orphan, &sbi->orphans);
out:
	mutex_unlock(&sbi->orphan_lock);
	return err;
}

/**
 * vexfs_orphan_del() - take an inode off the orphan list
 * @inode: the inode
 *
 * The in-memory list is in on-disk order (the head first), so the entry
 * before @inode is the one whose link must skip it.
 *
 * Context: inside a handle; takes sbi->orphan_lock.
 * Return: 0 or a negative errno.
 */
int vexfs_orphan_del(struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_inode_info *vi = VEXFS_I(inode);
	int err;

	if (!sbi->journal || !(vi->i_flags & VEXFS_INODE_ORPHAN))
		return 0;
	mutex_lock(&sbi->orphan_lock);
	if (list_empty(&vi->i_orphan)) {
		/* Flagged on disk but never listed: not reachable. */
		err = 0;
	} else if (vi->i_orphan.prev == &sbi->orphans) {
		err = vexfs_orphan_set_head(sb, vi->i_next_orphan);
	} else {
		struct vexfs_inode_info *prev =
			list_prev_entry(vi, i_orphan);

		prev->i_next_orphan = vi->i_next_orphan;
		err = vexfs_journal_log_orphan_link(&prev->vfs_inode);
	}
	if (!err) {
		list_del_init(&vi->i_orphan);
		vi->i_flags &= ~VEXFS_INODE_ORPHAN;
		vi->i_next_orphan = 0;
		if (inode->i_nlink)
			err = vexfs_journal_write_inode(inode);
	}
	mutex_unlock(&sbi->orphan_lock);
	return err;
}

/**
 * vexfs_orphan_cleanup() - finish the deletions and truncations a crash
 * interrupted
 * @sb: the filesystem, mounted read-write, journal loaded
 *
 * Walks the list from s_last_orphan: an inode without links is deleted
 * (its eviction frees it), one with links loses the blocks past its size.
 */
void vexfs_orphan_cleanup(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	u64 ino, steps = 0, done = 0;

	while ((ino = le64_to_cpu(sbi->raw->s_last_orphan)) != 0) {
		struct vexfs_inode_info *vi;
		struct inode *inode;
		handle_t *handle;

		if (++steps > sbi->inodes_count) {
			vexfs_error(sb, "orphan list loops");
			break;
		}
		inode = vexfs_iget(sb, ino);
		if (IS_ERR(inode)) {
			vexfs_error(sb, "orphan inode %llu unreadable (error %ld)",
				    ino, PTR_ERR(inode));
			break;
		}
		vi = VEXFS_I(inode);
		if (!(vi->i_flags & VEXFS_INODE_ORPHAN)) {
			vexfs_error(sb, "inode %llu on the orphan list is not an orphan",
				    ino);
			iput(inode);
			break;
		}
		mutex_lock(&sbi->orphan_lock);
		list_add(&vi->i_orphan, &sbi->orphans);
		mutex_unlock(&sbi->orphan_lock);
		done++;
		if (!inode->i_nlink) {
			iput(inode);	/* eviction deletes it */
			continue;
		}
		if (S_ISREG(inode->i_mode)) {
			inode_lock(inode);
			vexfs_setsize(inode, inode->i_size, true);
			inode_unlock(inode);
		}
		/* vexfs_setsize() took it off; anything else leaves here. */
		handle = vexfs_journal_start(sb, VEXFS_ORPHAN_CREDITS, 0);
		if (!IS_ERR(handle)) {
			vexfs_orphan_del(inode);
			vexfs_journal_stop(handle);
		}
		iput(inode);
		if (le64_to_cpu(sbi->raw->s_last_orphan) == ino) {
			vexfs_error(sb, "cannot take inode %llu off the orphan list",
				    ino);
			break;
		}
	}
	if (done)
		vexfs_info(sb, "cleaned up %llu orphan inode%s", done,
			   done == 1 ? "" : "s");
}
