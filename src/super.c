// SPDX-License-Identifier: GPL-2.0
/*
 * super.c - mounting, the superblock, statfs and mount options.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/blkdev.h>
#include <linux/overflow.h>
#include <linux/crc32c.h>
#include <linux/seq_file.h>
#include <linux/statfs.h>

#include "vexfs.h"
#include "vector.h"

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/**
 * vexfs_msg() - log a message that names the filesystem's device
 * @sb: the filesystem
 * @level: KERN_* level
 * @fmt: printf-style message, without a trailing newline
 */
void vexfs_msg(struct super_block *sb, const char *level, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	printk("%svexfs (%s): %pV\n", level, sb->s_id, &vaf);
	va_end(args);
}

/*
 * Record that the filesystem has errors in the on-disk state, so that the
 * next fsck knows to look even if the filesystem is unmounted cleanly.
 * This may run with spinlocks held, so it must not sleep.
 *
 * sbi->fs_error always records it: every later superblock write (clean
 * unmount, remount read-only, sync without a journal) then sets
 * VEXFS_STATE_ERROR.
 *
 * Without a journal the superblock buffer is also changed now and only
 * marked dirty: kill_block_super() writes it out at unmount even when
 * errors=remount-ro has made the filesystem read-only meanwhile.  It is
 * changed only under its buffer lock, so that a superblock write in
 * flight is never torn (stored with a stale checksum); if one is in
 * flight the mark waits for the next write through the flag.
 *
 * With a journal the superblock buffer belongs to jbd2: a running
 * transaction may hold it (orphan list head, collections) and jbd2 may be
 * writing a frozen copy of it to the log, so changing it here and marking
 * it dirty behind jbd2's back could log or checkpoint a half-made image,
 * or be overwritten by an older logged copy at replay.  Instead a work
 * item starts a handle of its own and logs the error state like any other
 * superblock change (vexfs_error_work()), so that it reaches the disk
 * with the next commit and survives a crash; errors=remount-ro does not
 * stop it, since the journal stays live until unmount.  If the journal
 * is aborted, the flag still reaches the disk through the clean-unmount
 * write, which happens after jbd2 is gone.
 */
static void vexfs_mark_error(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_super_block *raw = sbi->raw;

	if (READ_ONCE(sbi->fs_error))
		return;
	WRITE_ONCE(sbi->fs_error, true);
	if (sbi->journal) {
		schedule_work(&sbi->error_work);
		return;
	}
	if (sb_rdonly(sb) || (raw->s_state & cpu_to_le16(VEXFS_STATE_ERROR)))
		return;
	if (!trylock_buffer(sbi->sbh))
		return;
	spin_lock(&sbi->lock);
	raw->s_state |= cpu_to_le16(VEXFS_STATE_ERROR);
	raw->s_checksum = cpu_to_le32(vexfs_super_csum(raw));
	spin_unlock(&sbi->lock);
	unlock_buffer(sbi->sbh);
	mark_buffer_dirty(sbi->sbh);
}

/*
 * Log VEXFS_STATE_ERROR in a handle of its own (see vexfs_mark_error()).
 * A raw jbd2 handle, not vexfs_journal_start(): errors=remount-ro may have
 * made the filesystem read-only, but the journal is live until unmount,
 * which flushes this work before it destroys the journal.
 */
static void vexfs_error_work(struct work_struct *work)
{
	struct vexfs_sb_info *sbi = container_of(work, struct vexfs_sb_info,
						 error_work);
	journal_t *journal = sbi->journal;
	struct buffer_head *sbh = sbi->sbh;
	handle_t *handle;

	/* Not on a read-only mount, nor once the log is flushed for one. */
	if (!journal || !READ_ONCE(sbi->journal_rw) ||
	    is_journal_aborted(journal))
		return;
	handle = jbd2_journal_start(journal, 1);
	if (IS_ERR(handle))
		return;
	/* A remount read-only may have flushed the log meanwhile. */
	if (!READ_ONCE(sbi->journal_rw) ||
	    jbd2_journal_get_write_access(handle, sbh))
		goto out_stop;
	lock_buffer(sbh);
	spin_lock(&sbi->lock);
	sbi->raw->s_state |= cpu_to_le16(VEXFS_STATE_ERROR);
	sbi->raw->s_checksum = cpu_to_le32(vexfs_super_csum(sbi->raw));
	spin_unlock(&sbi->lock);
	unlock_buffer(sbh);
	jbd2_journal_dirty_metadata(handle, sbh);
out_stop:
	jbd2_journal_stop(handle);
}

/**
 * __vexfs_error() - report corrupt metadata and apply the errors= policy
 * @sb: the filesystem
 * @func: the reporting function, for the log
 * @fmt: printf-style description naming the inode or block
 *
 * Logs one rate-limited line, marks the filesystem as having errors and
 * then continues, remounts read-only or panics, as errors= says.
 *
 * Context: any context that may take a spinlock.
 */
void __vexfs_error(struct super_block *sb, const char *func,
		   const char *fmt, ...)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct va_format vaf;
	va_list args;

	if (__ratelimit(&sbi->err_rs)) {
		va_start(args, fmt);
		vaf.fmt = fmt;
		vaf.va = &args;
		vexfs_msg(sb, KERN_CRIT, "error in %s: %pV", func, &vaf);
		va_end(args);
	}

	vexfs_mark_error(sb);

	switch (sbi->opts.errors) {
	case VEXFS_ERRORS_PANIC:
		panic("vexfs (%s): panic forced after error\n", sb->s_id);
	case VEXFS_ERRORS_RO:
		if (!sb_rdonly(sb)) {
			vexfs_err(sb, "remounting filesystem read-only");
			sb->s_flags |= SB_RDONLY;
		}
		break;
	default:
		break;
	}
}

/**
 * vexfs_shutdown() - FS_IOC_SHUTDOWN: stop the filesystem, as ext4 does
 * @sb: the filesystem
 * @flags: FS_SHUTDOWN_FLAGS_DEFAULT (write everything out first: data,
 *	then the journal), _LOGFLUSH (commit the running transaction, not
 *	the dirty data) or _NOLOGFLUSH (just stop: only what has committed
 *	survives)
 *
 * Afterwards every operation fails with EIO, nothing more is written
 * (the journal is aborted; an unmount writes neither a checkpoint nor
 * the superblock) and the next mount recovers from the log.  ext4 freezes
 * the device for the default flag; syncing the filesystem first gives
 * the same guarantee for everything written before the call.
 *
 * Context: process context, the caller holds an open file of @sb; takes
 * s_umount (read) for the default flag.
 * Return: 0 (also when already shut down) or -EINVAL.
 */
int vexfs_shutdown(struct super_block *sb, u32 flags)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	journal_t *journal = sbi->journal;

	if (flags > FS_SHUTDOWN_FLAGS_NOLOGFLUSH)
		return -EINVAL;
	if (vexfs_forced_shutdown(sb))
		return 0;
	vexfs_warn(sb, "shut down requested (%u)", flags);
	if (flags == FS_SHUTDOWN_FLAGS_DEFAULT && !sb_rdonly(sb)) {
		down_read(&sb->s_umount);
		sync_filesystem(sb);
		up_read(&sb->s_umount);
	}
	/*
	 * The commit goes first: it writes the ordered data of its files,
	 * which a shut down filesystem refuses (and jbd2 would abort the
	 * commit).  A handle started meanwhile belongs to the transaction
	 * the abort discards, like any change after the call.
	 */
	if (journal && !is_journal_aborted(journal) &&
	    flags != FS_SHUTDOWN_FLAGS_NOLOGFLUSH)
		jbd2_journal_force_commit(journal);
	set_bit(VEXFS_MF_SHUTDOWN, &sbi->mount_flags);
	if (journal && !is_journal_aborted(journal))
		jbd2_journal_abort(journal, -ESHUTDOWN);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Superblock I/O                                                      */
/* ------------------------------------------------------------------ */

/* Copy the in-memory counters into the on-disk superblock and checksum it. */
static void vexfs_fill_raw_super(struct vexfs_sb_info *sbi)
{
	struct vexfs_super_block *raw = sbi->raw;

	spin_lock(&sbi->lock);
	if (READ_ONCE(sbi->fs_error))
		raw->s_state |= cpu_to_le16(VEXFS_STATE_ERROR);
	raw->s_free_blocks = cpu_to_le64(sbi->free_blocks);
	raw->s_free_inodes = cpu_to_le64(sbi->free_inodes);
	raw->s_write_time = cpu_to_le64(ktime_get_real_seconds());
	raw->s_checksum = cpu_to_le32(vexfs_super_csum(raw));
	spin_unlock(&sbi->lock);
}

/*
 * Write the superblock in place; with @wait, wait for it to reach the
 * disk.  With a journal this is only done while no transaction can hold
 * the superblock: at mount before the first handle, after the journal is
 * flushed (remount read-only) or destroyed (unmount).
 */
static int vexfs_write_super(struct super_block *sb, bool wait)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);

	lock_buffer(sbi->sbh);
	vexfs_fill_raw_super(sbi);
	mark_buffer_dirty(sbi->sbh);
	unlock_buffer(sbi->sbh);
	if (wait)
		return sync_dirty_buffer(sbi->sbh);
	return 0;
}

/**
 * vexfs_super_get_write() - prepare to change the on-disk superblock
 * @sb: the filesystem
 *
 * Takes write access to the superblock buffer in the running handle;
 * the caller then changes sbi->raw under the buffer lock and sbi->lock
 * and calls vexfs_commit_super().
 *
 * Context: inside a handle when there is a journal; may sleep.
 * Return: 0 or a negative errno.
 */
int vexfs_super_get_write(struct super_block *sb)
{
	return vexfs_journal_get_write(sb, VEXFS_SB(sb)->sbh);
}

/**
 * vexfs_commit_super() - write back a change to the on-disk superblock
 * @sb: the filesystem; the caller changed sbi->raw under sbi->lock,
 *	after vexfs_super_get_write()
 *
 * Recomputes the checksum and, with a journal, logs the buffer in the
 * running handle (the free counts are not journaled and stay as they
 * are); without one, fills in the counters and marks the buffer dirty,
 * without waiting.
 *
 * Context: inside a handle when there is a journal; takes the superblock
 * buffer lock.
 * Return: 0 or a negative errno.
 */
int vexfs_commit_super(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);

	if (!sbi->journal)
		return vexfs_write_super(sb, false);
	lock_buffer(sbi->sbh);
	spin_lock(&sbi->lock);
	sbi->raw->s_checksum = cpu_to_le32(vexfs_super_csum(sbi->raw));
	spin_unlock(&sbi->lock);
	unlock_buffer(sbi->sbh);
	return vexfs_dirty_metadata(sb, NULL, sbi->sbh);
}

/* ------------------------------------------------------------------ */
/* Validation                                                          */
/* ------------------------------------------------------------------ */

/*
 * The rules themselves are common/super.c, shared with libvexfs and fsck;
 * these wrappers log one line per refusal and pick the error code.
 */
static int vexfs_check_features(struct super_block *sb,
				const struct vexfs_super_block *raw)
{
	u32 incompat = le32_to_cpu(raw->s_feature_incompat);
	u32 ro_compat = le32_to_cpu(raw->s_feature_ro_compat);
	const char *why;

	why = vexfs_super_features_check(raw, true);
	if (why) {
		vexfs_err(sb, "%s (incompat 0x%x); cannot mount, run fsck.vexfs if this filesystem was made by VexFS",
			  why, incompat);
		return -EINVAL;
	}
	why = vexfs_super_features_check(raw, sb_rdonly(sb));
	if (why) {
		vexfs_err(sb, "%s: 0x%x; mount read-only", why,
			  ro_compat & ~VEXFS_FEATURE_RO_COMPAT_ALL);
		return -EROFS;
	}
	return 0;
}

/*
 * Validate an on-disk superblock before trusting any field of it.  Every
 * refusal logs exactly one line saying why.
 */
static int vexfs_validate_super(struct super_block *sb,
				const struct vexfs_super_block *raw,
				bool silent)
{
	u32 bs = le32_to_cpu(raw->s_block_size);
	const char *why;
	u64 dev_blocks;
	int err;

	if (le32_to_cpu(raw->s_magic) != VEXFS_SUPER_MAGIC) {
		/*
		 * A silent mount is one of many guesses (busybox mount is
		 * always silent): say it quietly, but still say it.
		 */
		vexfs_msg(sb, silent ? KERN_INFO : KERN_ERR,
			  "bad magic 0x%08x: not a vexfs filesystem",
			  le32_to_cpu(raw->s_magic));
		return -EINVAL;
	}
	if (le32_to_cpu(raw->s_checksum) != vexfs_super_csum(raw)) {
		vexfs_err(sb, "superblock checksum mismatch (stored 0x%08x, computed 0x%08x)",
			  le32_to_cpu(raw->s_checksum), vexfs_super_csum(raw));
		return -EFSBADCRC;
	}
	why = vexfs_super_identity_check(raw);
	if (!why && bs > PAGE_SIZE)
		why = "unsupported block size";	/* the kernel's own limit */
	if (why) {
		vexfs_err(sb, "%s: version %u.%u (this module reads %u.x), block size %u, inode size %u, checksum type %u",
			  why, le16_to_cpu(raw->s_version_major),
			  le16_to_cpu(raw->s_version_minor), VEXFS_VERSION_MAJOR,
			  bs, le16_to_cpu(raw->s_inode_size),
			  le16_to_cpu(raw->s_checksum_type));
		return -EINVAL;
	}
	err = vexfs_check_features(sb, raw);
	if (err)
		return err;

	dev_blocks = bdev_nr_bytes(sb->s_bdev) / bs;
	why = vexfs_super_geometry_check(raw, dev_blocks);
	if (!why)
		why = vexfs_super_fields_check(raw);
	if (why) {
		vexfs_err(sb, "bad geometry: %s (%llu blocks, device %llu, %llu inodes)",
			  why, le64_to_cpu(raw->s_blocks_count), dev_blocks,
			  le64_to_cpu(raw->s_inodes_count));
		return -EFSCORRUPTED;
	}
	return 0;
}

/*
 * Read the superblock at byte VEXFS_SUPER_OFFSET using the current block
 * size of @sb.  On success *@bhp holds the buffer and the return value
 * points at the superblock inside it.
 */
static struct vexfs_super_block *vexfs_read_raw_super(struct super_block *sb,
						      struct buffer_head **bhp)
{
	unsigned long offset = VEXFS_SUPER_OFFSET % sb->s_blocksize;
	struct buffer_head *bh;

	bh = sb_bread(sb, VEXFS_SUPER_OFFSET / sb->s_blocksize);
	if (!bh) {
		vexfs_err(sb, "unable to read the superblock");
		return NULL;
	}
	*bhp = bh;
	return (struct vexfs_super_block *)(bh->b_data + offset);
}

/*
 * Find and validate the superblock: read it with the smallest block size
 * the device allows, then switch to the filesystem's block size and read
 * it again from its final buffer, which stays pinned while mounted.
 */
static int vexfs_load_super(struct super_block *sb, struct vexfs_sb_info *sbi,
			    bool silent)
{
	struct vexfs_super_block *raw;
	struct buffer_head *bh;
	unsigned int bs;
	int err;

	if (!sb_min_blocksize(sb, VEXFS_MIN_BLOCK_SIZE)) {
		vexfs_err(sb, "unable to set the block size");
		return -EINVAL;
	}
	/*
	 * Buffers cached from an earlier mount may carry BH_VexfsVerified
	 * while the device was written since: start from the disk.
	 */
	invalidate_bdev(sb->s_bdev);
	raw = vexfs_read_raw_super(sb, &bh);
	if (!raw)
		return -EIO;
	err = vexfs_validate_super(sb, raw, silent);
	bs = le32_to_cpu(raw->s_block_size);
	if (err || bs == sb->s_blocksize)
		goto out;

	brelse(bh);
	if (!sb_set_blocksize(sb, bs)) {
		vexfs_err(sb, "block size %u is smaller than the device's sectors",
			  bs);
		return -EINVAL;
	}
	raw = vexfs_read_raw_super(sb, &bh);
	if (!raw)
		return -EIO;
	/* The same bytes, but do not trust a device that changed under us. */
	err = vexfs_validate_super(sb, raw, silent);
out:
	if (err) {
		brelse(bh);
		return err;
	}
	sbi->sbh = bh;
	sbi->raw = raw;
	return 0;
}

/* Copy what the module uses from the validated superblock into @sbi. */
static void vexfs_init_sbi(struct super_block *sb, struct vexfs_sb_info *sbi)
{
	struct vexfs_super_block *raw = sbi->raw;

	sbi->csum_seed = vexfs_csum_seed(raw);
	if (vexfs_super_errors_check(raw))
		vexfs_warn(sb, "%s (%u); the errors= mount option applies, fsck.vexfs repairs the field",
			   vexfs_super_errors_check(raw),
			   le16_to_cpu(raw->s_errors));
	sbi->blocks_count = le64_to_cpu(raw->s_blocks_count);
	sbi->inodes_count = le64_to_cpu(raw->s_inodes_count);
	sbi->data_start = le64_to_cpu(raw->s_data_start);
	sbi->inode_table_start = le64_to_cpu(raw->s_inode_table_start);
	sbi->inode_table_blocks = le64_to_cpu(raw->s_inode_table_blocks);
	sbi->inodes_per_block = sb->s_blocksize / VEXFS_INODE_SIZE;
	sbi->free_blocks = le64_to_cpu(raw->s_free_blocks);
	sbi->free_inodes = le64_to_cpu(raw->s_free_inodes);
	sbi->inode_bitmap_start = le64_to_cpu(raw->s_inode_bitmap_start);
	sbi->block_bitmap_start = le64_to_cpu(raw->s_block_bitmap_start);
	sbi->bitmap_bits = VEXFS_BITMAP_BITS(sb->s_blocksize);
	sbi->block_goal = sbi->data_start;
	sbi->inode_goal = VEXFS_FIRST_INO;

	sb->s_magic = VEXFS_SUPER_MAGIC;
	sb->s_maxbytes = min_t(u64, MAX_LFS_FILESIZE,
			       (VEXFS_MAX_LBLK + 1) << sb->s_blocksize_bits);
	sb->s_time_min = S64_MIN;
	sb->s_time_max = S64_MAX;
	sb->s_time_gran = 1;
	sb->s_max_links = VEXFS_LINK_MAX;
	super_set_uuid(sb, raw->s_uuid, sizeof(raw->s_uuid));
}

/*
 * Note in the superblock that the filesystem is mounted read-write, so
 * that a crash leaves it marked as not cleanly unmounted.
 */
static int vexfs_setup_rw(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_super_block *raw = sbi->raw;
	u16 state = le16_to_cpu(raw->s_state);

	/*
	 * With a journal, a crash needs no fsck: vexfs_journal_load() has
	 * replayed the log, and that is all a crash leaves to repair.
	 */
	if (!(state & VEXFS_STATE_VALID) && !sbi->journal)
		vexfs_warn(sb, "was not cleanly unmounted; running fsck.vexfs is recommended");
	if (state & VEXFS_STATE_ERROR)
		vexfs_warn(sb, "contains errors; running fsck.vexfs is recommended");

	spin_lock(&sbi->lock);
	raw->s_state = cpu_to_le16(state & ~VEXFS_STATE_VALID);
	if (sbi->journal) {
		/* Until the journal is checkpointed at unmount. */
		raw->s_feature_incompat |=
			cpu_to_le32(VEXFS_FEATURE_INCOMPAT_RECOVER);
		sbi->journal_rw = true;
	}
	le32_add_cpu(&raw->s_mount_count, 1);
	raw->s_mount_time = cpu_to_le64(ktime_get_real_seconds());
	spin_unlock(&sbi->lock);
	return vexfs_write_super(sb, true);
}

/*
 * Load (and replay) the journal of a filesystem that has one.  Replay may
 * rewrite any metadata block, the superblock included, and the pinned
 * superblock buffer is the very buffer jbd2 writes: check it again and
 * take the geometry from it anew.
 */
static int vexfs_setup_journal(struct super_block *sb, bool silent)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_super_block *raw = sbi->raw;
	u64 start = le64_to_cpu(raw->s_journal_start);
	u64 len = le64_to_cpu(raw->s_journal_blocks);
	int err;

	if (!(le32_to_cpu(raw->s_feature_compat) &
	      VEXFS_FEATURE_COMPAT_HAS_JOURNAL)) {
		if (start)
			vexfs_warn(sb, "journal region present but not enabled; ignoring it");
		return 0;
	}
	err = vexfs_journal_load(sb);
	if (err)
		return err;
	err = vexfs_validate_super(sb, raw, silent);
	if (!err && (le64_to_cpu(raw->s_journal_start) != start ||
		     le64_to_cpu(raw->s_journal_blocks) != len)) {
		vexfs_err(sb, "journal replay moved the journal");
		err = -EFSCORRUPTED;
	}
	if (err) {
		vexfs_journal_destroy(sb);
		return err;
	}
	vexfs_init_sbi(sb, sbi);
	return 0;
}

/*
 * Going read-write: after a crash rebuild the free counts (they are not
 * journaled), mark the superblock in use, then finish the deletions and
 * truncations the orphan list says were interrupted.
 */
static int vexfs_mount_rw(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_super_block *raw = sbi->raw;
	int err;

	/*
	 * Not only when the superblock says so: after a replay its in-place
	 * copy may even say "clean" with counts from another moment than
	 * the bitmaps (vexfs_journal_load()).
	 */
	if (sbi->journal &&
	    (sbi->counts_stale ||
	     !(le16_to_cpu(raw->s_state) & VEXFS_STATE_VALID) ||
	     (le32_to_cpu(raw->s_feature_incompat) &
	      VEXFS_FEATURE_INCOMPAT_RECOVER))) {
		err = vexfs_recount_free(sb);
		if (err)
			return err;
		sbi->counts_stale = false;
	}
	err = vexfs_setup_rw(sb);
	if (err)
		return err;
	if (sbi->journal)
		vexfs_orphan_cleanup(sb);
	else if (raw->s_last_orphan)
		vexfs_warn(sb, "orphan list present but no journal; run fsck.vexfs");
	vexfs_vindex_mount(sb);
	return 0;
}

/*
 * A read-only mount that replayed the log has written the device already
 * (jbd2 replays in place): finish the recovery as ext4 does, with the free
 * counts rebuilt from the replayed bitmaps and INCOMPAT_RECOVER cleared,
 * so that neither the next mount nor fsck finds a recovery pending.  The
 * superblock is written in place, safely: the log is empty and a
 * read-only mount starts no transaction.  A read-only device is never
 * written (a log that needs recovery there refused the mount already).
 */
static void vexfs_finish_ro_recovery(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	int err;

	if (!sbi->journal || !sbi->counts_stale || bdev_read_only(sb->s_bdev))
		return;
	err = vexfs_recount_free(sb);
	if (!err) {
		lock_buffer(sbi->sbh);
		spin_lock(&sbi->lock);
		sbi->raw->s_feature_incompat &=
			~cpu_to_le32(VEXFS_FEATURE_INCOMPAT_RECOVER);
		spin_unlock(&sbi->lock);
		unlock_buffer(sbi->sbh);
		err = vexfs_write_super(sb, true);
	}
	if (err) {
		vexfs_warn(sb, "journal replayed, but the superblock could not be updated (error %d)",
			   err);
		return;
	}
	sbi->counts_stale = false;
}

/*
 * Mark the filesystem cleanly unmounted (or remounted read-only).  With a
 * journal the caller has checkpointed it (@journal_ok) or failed to, in
 * which case the log still needs recovery and the state stays unclean.
 */
static void vexfs_commit_clean(struct super_block *sb, bool journal_ok)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);

	spin_lock(&sbi->lock);
	if (journal_ok) {
		sbi->raw->s_state |= cpu_to_le16(VEXFS_STATE_VALID);
		sbi->raw->s_feature_incompat &=
			~cpu_to_le32(VEXFS_FEATURE_INCOMPAT_RECOVER);
	}
	spin_unlock(&sbi->lock);
	sbi->journal_rw = false;
	vexfs_write_super(sb, true);
}

/* ------------------------------------------------------------------ */
/* super_operations                                                    */
/* ------------------------------------------------------------------ */

static void vexfs_put_super(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	bool journal_ok;

	/* An error state being logged goes into the last transaction. */
	flush_work(&sbi->error_work);
	journal_ok = !vexfs_journal_destroy(sb);

	/*
	 * Also after errors=remount-ro: the log was checkpointed above.
	 * Not after a shutdown, which promised to write nothing more: the
	 * superblock still says the log needs recovery.
	 */
	if ((!sb_rdonly(sb) || sbi->journal_rw) && !vexfs_forced_shutdown(sb))
		vexfs_commit_clean(sb, journal_ok);
	vexfs_vec_put_super(sb);
	brelse(sbi->sbh);
	sb->s_fs_info = NULL;
	kfree(sbi);
}

/*
 * sync_fs without a journal.  With @wait the metadata buffers and then the
 * superblock are written and waited for, and the disk's write cache is
 * flushed: nothing else flushes it for syncfs(2) or sync(2), and without
 * the flush what they waited for may still be lost at a power cut.
 */
static int vexfs_sync_fs_nojournal(struct super_block *sb, int wait)
{
	int err;

	if (!wait)
		return vexfs_write_super(sb, false);
	err = sync_blockdev(sb->s_bdev);
	if (!err)
		err = vexfs_write_super(sb, true);
	if (!err)
		err = vexfs_blkdev_issue_flush(sb->s_bdev);
	return err;
}

static int vexfs_sync_fs(struct super_block *sb, int wait)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);

	if (vexfs_forced_shutdown(sb))
		return -EIO;
	if (sbi->journal) {
		/* Free counts are rebuilt from the bitmaps after a crash. */
		if (sb_rdonly(sb) && !sbi->journal_rw)
			return 0;
		return vexfs_journal_sync_fs(sb, wait);
	}
	if (sb_rdonly(sb))
		return 0;
	return vexfs_sync_fs_nojournal(sb, wait);
}

/*
 * fsfreeze.  The VFS has stopped writers (write(2), page faults, the
 * namespace operations) and synced the filesystem before ->freeze_fs.
 * With a journal, freeze_fs also blocks every new handle and checkpoints
 * the log, so that the image on the device is complete without it, and
 * says so in the superblock (INCOMPAT_RECOVER cleared, as ext4 clears
 * needs_recovery): a snapshot or `fsck.vexfs -n` of the frozen device
 * finds a consistent filesystem with nothing to replay.
 *
 * Unlike ext4, which unlocks the journal again and relies on every
 * internal writer taking sb_start_intwrite(), VexFS keeps the journal
 * locked until unfreeze: the index build worker and inode eviction start
 * handles without freeze protection, and the locked journal is what
 * makes them wait.  jbd2_journal_lock_updates() holds the journal's
 * j_barrier mutex across the freeze and unfreeze_fs releases it, from
 * whichever task thaws (what ext3 and ext4 did before the VFS had freeze
 * levels); the VFS serializes the two under s_umount.
 */
static int vexfs_freeze_fs(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	int err;

	if (!sbi->journal)
		return vexfs_sync_fs_nojournal(sb, 1);
	err = vexfs_journal_flush(sb);
	if (!err) {
		spin_lock(&sbi->lock);
		sbi->raw->s_feature_incompat &=
			~cpu_to_le32(VEXFS_FEATURE_INCOMPAT_RECOVER);
		spin_unlock(&sbi->lock);
		err = vexfs_write_super(sb, true);
	}
	if (err) {
		vexfs_journal_unlock(sb);
		return err;
	}
	return 0;
}

static int vexfs_unfreeze_fs(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	int err;

	if (!sbi->journal)
		return 0;
	/* A shutdown while frozen promised to write nothing more. */
	if (vexfs_forced_shutdown(sb)) {
		vexfs_journal_unlock(sb);
		return 0;
	}
	/* In use again until the next clean unmount (vexfs_setup_rw()). */
	spin_lock(&sbi->lock);
	sbi->raw->s_feature_incompat |=
		cpu_to_le32(VEXFS_FEATURE_INCOMPAT_RECOVER);
	spin_unlock(&sbi->lock);
	err = vexfs_write_super(sb, true);
	vexfs_journal_unlock(sb);
	return err;
}

static int vexfs_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct super_block *sb = dentry->d_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	__le64 uuid[2];

	buf->f_type = VEXFS_SUPER_MAGIC;
	buf->f_bsize = sb->s_blocksize;
	buf->f_frsize = sb->s_blocksize;
	/* Metadata regions are overhead, as in ext4's default (bsddf). */
	buf->f_blocks = sbi->blocks_count - sbi->data_start;
	/* Slot 0 of the inode table is not an inode. */
	buf->f_files = sbi->inodes_count - 1;
	spin_lock(&sbi->lock);
	buf->f_bfree = sbi->free_blocks;
	buf->f_ffree = sbi->free_inodes;
	spin_unlock(&sbi->lock);
	buf->f_bavail = buf->f_bfree;
	buf->f_namelen = VEXFS_NAME_LEN;
	memcpy(uuid, sbi->raw->s_uuid, sizeof(uuid));
	buf->f_fsid = u64_to_fsid(le64_to_cpu(uuid[0]) ^ le64_to_cpu(uuid[1]));
	return 0;
}

static const char *vexfs_errors_name(unsigned int errors)
{
	switch (errors) {
	case VEXFS_ERRORS_CONTINUE:
		return "continue";
	case VEXFS_ERRORS_PANIC:
		return "panic";
	default:
		return "remount-ro";
	}
}

static int vexfs_show_options(struct seq_file *seq, struct dentry *root)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(root->d_sb);

	if (sbi->opts.errors != VEXFS_ERRORS_DEFAULT)
		seq_printf(seq, ",errors=%s",
			   vexfs_errors_name(sbi->opts.errors));
	if (sbi->opts.commit_interval != VEXFS_DEFAULT_COMMIT_INTERVAL)
		seq_printf(seq, ",commit=%u", sbi->opts.commit_interval);
	return 0;
}

static const struct super_operations vexfs_super_ops = {
	.alloc_inode	= vexfs_alloc_inode,
	.free_inode	= vexfs_free_inode,
	.dirty_inode	= vexfs_dirty_inode,
	.write_inode	= vexfs_write_inode,
	.evict_inode	= vexfs_evict_inode,
	.put_super	= vexfs_put_super,
	.sync_fs	= vexfs_sync_fs,
	.freeze_fs	= vexfs_freeze_fs,
	.unfreeze_fs	= vexfs_unfreeze_fs,
	.statfs		= vexfs_statfs,
	.show_options	= vexfs_show_options,
};

/* ------------------------------------------------------------------ */
/* Mounting                                                            */
/* ------------------------------------------------------------------ */

enum { Opt_errors, Opt_data, Opt_commit };

static const struct constant_table vexfs_param_errors[] = {
	{ "continue",	VEXFS_ERRORS_CONTINUE },
	{ "remount-ro",	VEXFS_ERRORS_RO },
	{ "panic",	VEXFS_ERRORS_PANIC },
	{}
};

static const struct fs_parameter_spec vexfs_param_spec[] = {
	fsparam_enum("errors", Opt_errors, vexfs_param_errors),
	fsparam_string("data", Opt_data),
	fsparam_u32("commit", Opt_commit),
	{}
};

static int vexfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct vexfs_mount_opts *opts = fc->fs_private;
	struct fs_parse_result result;
	int opt;

	opt = fs_parse(fc, vexfs_param_spec, param, &result);
	if (opt < 0)
		return opt;

	switch (opt) {
	case Opt_errors:
		opts->errors = result.uint_32;
		break;
	case Opt_data:
		/* Only ordered data is implemented: say so, do not guess. */
		if (strcmp(param->string, "ordered"))
			return invalfc(fc, "data=%s is not supported; only data=ordered is",
				       param->string);
		break;
	case Opt_commit:
		/* 0 means the default, as for ext4. */
		if (result.uint_32 > 24 * 60 * 60)
			return invalfc(fc, "commit=%u: at most one day",
				       result.uint_32);
		opts->commit_interval = result.uint_32 ? result.uint_32 :
					VEXFS_DEFAULT_COMMIT_INTERVAL;
		break;
	}
	return 0;
}

static int vexfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct vexfs_mount_opts *opts = fc->fs_private;
	bool silent = fc->sb_flags & SB_SILENT;
	struct vexfs_sb_info *sbi;
	struct inode *root;
	int err;

	sbi = kzalloc(sizeof(*sbi), GFP_KERNEL);
	if (!sbi)
		return -ENOMEM;
	spin_lock_init(&sbi->lock);
	mutex_init(&sbi->alloc_lock);
	vexfs_alloc_init(sbi);
	mutex_init(&sbi->vecs_init_lock);
	mutex_init(&sbi->orphan_lock);
	INIT_LIST_HEAD(&sbi->orphans);
	INIT_WORK(&sbi->error_work, vexfs_error_work);
	ratelimit_state_init(&sbi->err_rs, 5 * HZ, 10);
	sbi->opts = *opts;
	sb->s_fs_info = sbi;

	err = vexfs_load_super(sb, sbi, silent);
	if (err)
		goto out_free;
	vexfs_init_sbi(sb, sbi);
	sb->s_op = &vexfs_super_ops;
	err = vexfs_setup_journal(sb, silent);
	if (err)
		goto out_brelse;
	sb->s_xattr = vexfs_xattr_handlers;
	sb->s_export_op = &vexfs_export_ops;
	sb->s_flags |= SB_POSIXACL;

	root = vexfs_iget(sb, VEXFS_ROOT_INO);
	if (IS_ERR(root)) {
		err = PTR_ERR(root);
		vexfs_err(sb, "cannot read the root inode (error %d)", err);
		goto out_journal;
	}
	if (!S_ISDIR(root->i_mode)) {
		vexfs_err(sb, "root inode is not a directory");
		iput(root);
		err = -EFSCORRUPTED;
		goto out_journal;
	}
	sb->s_root = d_make_root(root);
	if (!sb->s_root) {
		err = -ENOMEM;
		goto out_journal;
	}

	if (!sb_rdonly(sb)) {
		err = vexfs_mount_rw(sb);
		if (err)
			goto out_root;
	} else {
		vexfs_finish_ro_recovery(sb);
	}
	return 0;

out_root:
	dput(sb->s_root);
	sb->s_root = NULL;
out_journal:
	/* The inodes iput so far need no journal to be evicted. */
	flush_work(&sbi->error_work);
	vexfs_journal_destroy(sb);
out_brelse:
	brelse(sbi->sbh);
out_free:
	sb->s_fs_info = NULL;
	kfree(sbi);
	return err;
}

/*
 * Before the VFS tears the filesystem down (and while every inode can
 * still be read and written normally): stop the index builds, then write
 * the indexes back and mark them clean.
 */
static void vexfs_kill_sb(struct super_block *sb)
{
	if (sb->s_fs_info && sb->s_root) {
		vexfs_vindex_stop(sb);
		if (!sb_rdonly(sb) && !vexfs_forced_shutdown(sb))
			vexfs_vindex_unmount(sb);
	}
	kill_block_super(sb);
}

static int vexfs_get_tree(struct fs_context *fc)
{
	return get_tree_bdev(fc, vexfs_fill_super);
}

static int vexfs_reconfigure(struct fs_context *fc)
{
	struct super_block *sb = fc->root->d_sb;
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	struct vexfs_mount_opts *opts = fc->fs_private;
	bool to_ro = fc->sb_flags & SB_RDONLY;
	int err;

	if (to_ro && !sb_rdonly(sb)) {
		/* The indexes are written back and marked clean first. */
		vexfs_vindex_stop(sb);
		vexfs_vindex_unmount(sb);
	}
	sync_filesystem(sb);
	if (to_ro && !sb_rdonly(sb)) {
		if (sbi->journal) {
			err = vexfs_journal_flush(sb);
			vexfs_commit_clean(sb, !err);
			vexfs_journal_unlock(sb);
		} else {
			vexfs_commit_clean(sb, true);
		}
	} else if (!to_ro && sb_rdonly(sb)) {
		/* Same checks as a read-write mount, minus the old refusal. */
		sb->s_flags &= ~SB_RDONLY;
		err = vexfs_check_features(sb, sbi->raw);
		if (!err)
			err = vexfs_mount_rw(sb);
		if (err) {
			sb->s_flags |= SB_RDONLY;
			return err;
		}
	}
	sbi->opts = *opts;
	vexfs_journal_set_params(sb);
	return 0;
}

static void vexfs_free_fc(struct fs_context *fc)
{
	kfree(fc->fs_private);
}

static const struct fs_context_operations vexfs_context_ops = {
	.parse_param	= vexfs_parse_param,
	.get_tree	= vexfs_get_tree,
	.reconfigure	= vexfs_reconfigure,
	.free		= vexfs_free_fc,
};

static int vexfs_init_fs_context(struct fs_context *fc)
{
	struct vexfs_mount_opts *opts;

	opts = kzalloc(sizeof(*opts), GFP_KERNEL);
	if (!opts)
		return -ENOMEM;
	opts->errors = VEXFS_ERRORS_DEFAULT;
	opts->commit_interval = VEXFS_DEFAULT_COMMIT_INTERVAL;
	/* A remount starts from the current options, not the defaults. */
	if (fc->purpose == FS_CONTEXT_FOR_RECONFIGURE)
		*opts = VEXFS_SB(fc->root->d_sb)->opts;
	fc->fs_private = opts;
	fc->ops = &vexfs_context_ops;
	return 0;
}

static struct file_system_type vexfs_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "vexfs",
	.init_fs_context	= vexfs_init_fs_context,
	.parameters		= vexfs_param_spec,
	.kill_sb		= vexfs_kill_sb,
	.fs_flags		= FS_REQUIRES_DEV,
};
MODULE_ALIAS_FS("vexfs");

/* ------------------------------------------------------------------ */
/* Module                                                              */
/* ------------------------------------------------------------------ */

static int __init vexfs_init(void)
{
	int err;

	vexfs_simd_init();
	err = vexfs_init_inodecache();
	if (err)
		return err;
	err = register_filesystem(&vexfs_fs_type);
	if (err) {
		vexfs_destroy_inodecache();
		return err;
	}
	pr_info("version %s loaded\n", VEXFS_VERSION);
	return 0;
}

static void __exit vexfs_exit(void)
{
	unregister_filesystem(&vexfs_fs_type);
	vexfs_destroy_inodecache();
}

module_init(vexfs_init);
module_exit(vexfs_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The VexFS developers");
MODULE_DESCRIPTION("VexFS: a filesystem whose files carry searchable vector embeddings");
MODULE_VERSION(VEXFS_VERSION);
