// SPDX-License-Identifier: GPL-2.0
/*
 * fsync.c - file_operations.fsync, for files and directories.
 *
 * With a journal, fsync writes the file's data, then waits for the
 * commit of the last transaction that logged the inode (i_sync_tid;
 * fdatasync: that logged more than its timestamps, i_datasync_tid), as
 * ext4 does, and flushes the disk cache if that commit does not.
 * Without a journal it writes the data, the inode's metadata buffers
 * and the inode itself, then flushes the disk cache.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/jbd2.h>
#include <linux/writeback.h>

#include "vexfs.h"

/*
 * fsync without a journal, what generic_file_fsync() did before 7.x
 * removed it: the data, then the inode's metadata buffers (indirect,
 * extent, xattr and directory blocks, see vexfs_dirty_metadata()), then
 * the inode itself unless clean (or only timestamps changed under
 * fdatasync), then a cache flush so that all of it is on the medium.
 *
 * Context: process context; takes i_rwsem.
 */
static int vexfs_fsync_nojournal(struct file *file, loff_t start, loff_t end,
				 int datasync)
{
	struct inode *inode = file->f_mapping->host;
	unsigned long state;
	int err, ret;

	err = file_write_and_wait_range(file, start, end);
	if (err)
		return err;

	inode_lock(inode);
	ret = vexfs_mmb_sync(inode, &VEXFS_I(inode)->i_mmb);
	state = vexfs_inode_state(inode);
	if ((state & I_DIRTY_ALL) &&
	    (!datasync || (state & I_DIRTY_DATASYNC))) {
		err = sync_inode_metadata(inode, 1);
		if (!ret)
			ret = err;
	}
	inode_unlock(inode);
	/* Catch errors of the buffer writes above. */
	err = file_check_and_advance_wb_err(file);
	if (!ret)
		ret = err;
	if (ret)
		return ret;
	return vexfs_blkdev_issue_flush(inode->i_sb->s_bdev);
}

/**
 * vexfs_fsync() - file_operations.fsync with a journal
 * @file: the file
 * @start: first byte of the range
 * @end: last byte
 * @datasync: fdatasync
 *
 * Writes the data, then waits for the commit of the last transaction that
 * changed the inode (for fdatasync, in more than its timestamps); flushes
 * the disk cache if that commit will not.
 *
 * Return: 0 or a negative errno.
 */
int vexfs_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct inode *inode = file->f_mapping->host;
	struct super_block *sb = inode->i_sb;
	journal_t *journal = VEXFS_SB(sb)->journal;
	tid_t tid;
	int err;

	if (vexfs_forced_shutdown(sb))
		return -EIO;
	if (!journal)
		return vexfs_fsync_nojournal(file, start, end, datasync);
	err = file_write_and_wait_range(file, start, end);
	if (err)
		return err;
	if (sb_rdonly(sb) && !VEXFS_SB(sb)->journal_rw)
		return 0;
	tid = datasync ? READ_ONCE(VEXFS_I(inode)->i_datasync_tid) :
			 READ_ONCE(VEXFS_I(inode)->i_sync_tid);
	if (!jbd2_trans_will_send_data_barrier(journal, tid)) {
		err = jbd2_complete_transaction(journal, tid);
		if (!err)
			err = vexfs_blkdev_issue_flush(sb->s_bdev);
	} else {
		err = jbd2_complete_transaction(journal, tid);
	}
	/*
	 * jbd2_complete_transaction() returns 0 for a transaction that is
	 * neither running nor committing any more, and that is also what
	 * an abort (FS_IOC_SHUTDOWN, a device failing writes) leaves of a
	 * transaction it discarded: once the journal is aborted, nothing
	 * says that the inode's last transaction reached the log.
	 */
	if (!err && is_journal_aborted(journal))
		err = -EIO;
	/* The commit failed: the journal is aborted, say it now. */
	if (err && is_journal_aborted(journal))
		vexfs_journal_aborted(sb);
	return err;
}
