// SPDX-License-Identifier: GPL-2.0
/*
 * pass0.c - pass 0: the superblock, the journal (replayed here unless -n)
 * and the bitmap blocks' headers and checksums.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsck.h"

/* What makes this fsck unable to read the filesystem at all. */
static bool sb_identity_ok(struct check *c)
{
	const struct vexfs_super_block *sb = &c->fs.sb;
	uint32_t bs = le32(sb->s_block_size);
	uint32_t incompat = le32(sb->s_feature_incompat);
	uint32_t ro_compat = le32(sb->s_feature_ro_compat);

	if (le32(sb->s_magic) != VEXFS_SUPER_MAGIC)
		fix_problem(c, PR_0_SB_MAGIC, le32(sb->s_magic));
	else if (le16(sb->s_version_major) != VEXFS_VERSION_MAJOR)
		fix_problem(c, PR_0_SB_VERSION, le16(sb->s_version_major),
			    le16(sb->s_version_minor), VEXFS_VERSION_MAJOR);
	else if (bs != 1024 && bs != 2048 && bs != 4096)
		fix_problem(c, PR_0_SB_BLOCK_SIZE, bs);
	else if (le16(sb->s_inode_size) != VEXFS_INODE_SIZE ||
		 le16(sb->s_checksum_type) != VEXFS_CSUM_CRC32C)
		fix_problem(c, PR_0_SB_INODE_SIZE, le16(sb->s_inode_size),
			    le16(sb->s_checksum_type));
	else if (incompat & ~VEXFS_FEATURE_INCOMPAT_ALL)
		fix_problem(c, PR_0_SB_INCOMPAT,
			    incompat & ~VEXFS_FEATURE_INCOMPAT_ALL);
	else if (ro_compat & ~VEXFS_FEATURE_RO_COMPAT_ALL)
		fix_problem(c, PR_0_SB_RO_COMPAT,
			    ro_compat & ~VEXFS_FEATURE_RO_COMPAT_ALL);
	return !c->stop;
}

/*
 * With a bad superblock checksum, trust the superblock only if its UUID
 * (the seed) verifies the root inode or the first inode bitmap block:
 * then the damage is most likely confined to fields that the rest of this
 * check validates.  There is no backup superblock to compare against.
 */
static bool sb_uuid_confirmed(struct check *c)
{
	struct vexfs_inode root;
	uint8_t *blk;
	bool ok = false;

	if (!vexfs_inode_read_raw(&c->fs, VEXFS_ROOT_INO, &root, NULL))
		ok = le32(root.i_checksum) == vexfs_inode_csum(c->fs.seed, &root);
	blk = malloc(c->fs.bs);
	if (!ok && blk &&
	    !vexfs_read_block(&c->fs.dev, le64(c->fs.sb.s_inode_bitmap_start),
			      blk, NULL))
		ok = !vexfs_meta_block_check(c->fs.seed, blk, c->fs.bs,
					     VEXFS_IBITMAP_MAGIC,
					     le64(c->fs.sb.s_inode_bitmap_start),
					     0);
	free(blk);
	return ok;
}

static void check_sb_csum(struct check *c)
{
	uint32_t stored = le32(c->fs.sb.s_checksum);
	uint32_t computed = vexfs_super_csum(&c->fs.sb);

	if (stored == computed)
		return;
	if (!sb_uuid_confirmed(c)) {
		fix_problem(c, PR_0_SB_CSUM_UNTRUSTED, stored, computed);
		return;
	}
	if (fix_problem(c, PR_0_SB_CSUM, stored, computed))
		c->sb_dirty = true;
}

static void check_sb_fields(struct check *c)
{
	struct vexfs_super_block *sb = &c->fs.sb;
	uint32_t incompat = le32(sb->s_feature_incompat);
	const uint32_t required = VEXFS_FEATURE_INCOMPAT_REQUIRED;
	uint16_t errors = le16(sb->s_errors);

	if (le64(sb->s_root_ino) != VEXFS_ROOT_INO ||
	    le64(sb->s_first_ino) != VEXFS_FIRST_INO) {
		if (fix_problem(c, PR_0_SB_ROOT_INO,
				(unsigned long long)le64(sb->s_root_ino),
				(unsigned long long)le64(sb->s_first_ino),
				VEXFS_ROOT_INO, VEXFS_FIRST_INO)) {
			sb->s_root_ino = cpu_le64(VEXFS_ROOT_INO);
			sb->s_first_ino = cpu_le64(VEXFS_FIRST_INO);
			c->sb_dirty = true;
		}
	}
	if ((incompat & required) != required &&
	    fix_problem(c, PR_0_SB_FEATURES_MISSING, incompat)) {
		sb->s_feature_incompat = cpu_le32(incompat | required);
		c->sb_dirty = true;
	}
	if (vexfs_super_errors_check(sb)) {
		if (fix_problem(c, PR_0_SB_ERRORS, errors)) {
			sb->s_errors = cpu_le16(VEXFS_ERRORS_DEFAULT);
			c->sb_dirty = true;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Pass 0: the journal                                                 */
/* ------------------------------------------------------------------ */

static void clear_recover_flag(struct check *c)
{
	struct vexfs_super_block *sb = &c->fs.sb;
	uint32_t incompat = le32(sb->s_feature_incompat);

	if (!(incompat & VEXFS_FEATURE_INCOMPAT_RECOVER))
		return;
	sb->s_feature_incompat = cpu_le32(incompat &
					  ~VEXFS_FEATURE_INCOMPAT_RECOVER);
	c->sb_dirty = true;
}

/* A journal that cannot be read is made anew, empty, as e2fsck does. */
static void clear_journal(struct check *c)
{
	struct vexfs_err err;

	if (!can_write(c))
		return;
	if (vexfs_journal_format(&c->fs, &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		return;
	}
	c->modified = true;
	c->journal_done = true;
	c->counts_stale = true;
	clear_recover_flag(c);
}

/*
 * Replay the log (@r from the scan says how far).  The replay may rewrite
 * any metadata block, the superblock included: it is read and checked
 * again afterwards (check_superblock() runs once more).
 */
static int replay_journal(struct check *c, struct vexfs_journal *j,
			  struct vexfs_err *err)
{
	struct vexfs_journal_replay r;
	int ret;

	out(c, "%s: recovering journal\n", c->name);
	ret = vexfs_journal_recover(j, &r, err);
	if (ret)
		return ret;
	if (c->opts->verbose || r.transactions)
		out(c, "%s: replayed %llu transaction%s (%u to %u): %llu block%s written, %llu revoked\n",
		    c->name, (unsigned long long)r.transactions,
		    r.transactions == 1 ? "" : "s", r.first_tid,
		    r.end_tid - 1, (unsigned long long)r.blocks_replayed,
		    r.blocks_replayed == 1 ? "" : "s",
		    (unsigned long long)r.blocks_revoked);
	c->modified = true;
	c->journal_done = true;
	c->counts_stale = true;
	ret = vexfs_super_read(&c->fs.dev, &c->fs.sb, err);
	if (ret)
		return ret;
	c->sb_dirty = false;	/* what was fixed before is read anew */
	return 1;
}

/*
 * A log left unreplayed would be written over any repair at the next
 * mount: a writing check stops there (-n goes on, writing nothing).
 */
static int journal_declined(struct check *c)
{
	if (!can_write(c) || c->stop)
		return 0;
	out(c, "%s: the journal was not replayed; nothing else is repaired before it is\n",
	    c->name);
	c->uncorrected = true;
	c->stop = true;
	return 0;
}

/*
 * The journal superblock, and recovery when the superblock says it is
 * needed (or the log is not empty anyway: the kernel would replay it).
 * Return: 1 if the superblock must be checked again after a replay, 0,
 * or a negative errno (an operational error).
 */
static int check_journal(struct check *c, struct vexfs_err *err)
{
	struct vexfs_super_block *sb = &c->fs.sb;
	bool recover = le32(sb->s_feature_incompat) &
		       VEXFS_FEATURE_INCOMPAT_RECOVER;
	struct vexfs_journal_replay r;
	struct vexfs_journal j;
	struct vexfs_err jerr;
	int ret;

	if (!(le32(sb->s_feature_compat) & VEXFS_FEATURE_COMPAT_HAS_JOURNAL) ||
	    !le64(sb->s_journal_start)) {
		if (recover && fix_problem(c, PR_0_SB_RECOVER))
			clear_recover_flag(c);
		return 0;
	}
	ret = vexfs_journal_open(&c->fs, &j, &jerr);
	if (ret == -EUCLEAN) {
		if (fix_problem(c, PR_0_JOURNAL_BAD_SUPER, jerr.msg))
			clear_journal(c);
		return 0;
	}
	if (ret) {
		snprintf(err->msg, sizeof(err->msg), "%s", jerr.msg);
		return ret;
	}
	/* A replay clears the error too (vexfs_journal_recover()). */
	if (j.errnum && fix_problem(c, PR_0_JOURNAL_ERRNO, (int)j.errnum) &&
	    can_write(c) && !j.log_start) {
		ret = vexfs_journal_mark_empty(&j, j.sequence, err);
		if (ret)
			return ret;
		c->modified = true;
	}
	if (!j.log_start) {
		/* Nothing to replay: only the flag is left over. */
		if (recover && !c->journal_done) {
			if (!can_write(c)) {
				fix_problem(c, PR_0_JOURNAL_RECOVER_SKIPPED);
				return 0;
			}
			out(c, "%s: recovering journal\n", c->name);
			c->modified = true;
			c->counts_stale = true;
		}
		if (recover && can_write(c))
			clear_recover_flag(c);
		return 0;
	}
	if (!recover && !fix_problem(c, PR_0_JOURNAL_DATA_NOT_FLAGGED))
		return journal_declined(c);
	/* -n scans the log too (writing nothing), to say what it holds. */
	ret = vexfs_journal_scan(&j, &r, err);
	if (ret)
		return ret;
	if (recover && !can_write(c)) {
		fix_problem(c, PR_0_JOURNAL_RECOVER_SKIPPED);
		if (c->opts->verbose)
			out(c, "The log holds %llu complete transaction%s from %u\n",
			    (unsigned long long)r.transactions,
			    r.transactions == 1 ? "" : "s", r.first_tid);
	}
	if (r.corrupt && !fix_problem(c, PR_0_JOURNAL_TXN_CORRUPT, r.bad_tid,
				      r.why, r.bad_block))
		return journal_declined(c);
	if (!can_write(c))
		return 0;
	return replay_journal(c, &j, err);
}

static void check_superblock(struct check *c)
{
	struct vexfs_err gerr;

	if (!sb_identity_ok(c))
		return;
	if (vexfs_super_check_geometry(&c->fs.sb, c->fs.dev.size, &gerr)) {
		fix_problem(c, PR_0_SB_GEOMETRY, gerr.msg);
		return;
	}
	c->fs.bs = le32(c->fs.sb.s_block_size);
	c->fs.dev.bs = c->fs.bs;
	c->fs.seed = vexfs_csum_seed(&c->fs.sb);
	check_sb_csum(c);
	if (c->stop)
		return;
	check_sb_fields(c);
}

static const char *bitmap_name(const struct vexfs_bitmap *map)
{
	return map->magic == VEXFS_IBITMAP_MAGIC ? "Inode" : "Block";
}

static void check_bitmap_block(struct check *c, struct vexfs_bitmap *map,
			       const uint8_t *blk, uint64_t nr, bool *rewrite)
{
	const struct vexfs_block_header *bh = (const void *)blk;
	int ret = vexfs_meta_block_check(c->fs.seed, blk, c->fs.bs,
					 map->magic, nr, 0);

	if (ret == -EUCLEAN)
		*rewrite |= fix_problem(c, PR_0_BITMAP_HEADER,
					bitmap_name(map),
					(unsigned long long)nr,
					le32(bh->bh_magic),
					(unsigned long long)le64(bh->bh_blocknr),
					(unsigned long long)le64(bh->bh_owner));
	else if (ret == -EBADMSG)
		*rewrite |= fix_problem(c, PR_0_BITMAP_CSUM, bitmap_name(map),
					(unsigned long long)nr);
}

/* Read a bitmap block by block, checking each; keep the bits anyway. */
static int load_bitmap(struct check *c, struct vexfs_bitmap *map,
		       enum vexfs_bitmap_kind kind, bool *rewrite,
		       struct vexfs_err *err)
{
	const size_t hdr = sizeof(struct vexfs_block_header);
	size_t body = c->fs.bs - hdr;
	uint8_t *blk;
	uint64_t k;
	int ret;

	if (vexfs_bitmap_init(map, &c->fs.sb, kind))
		return vexfs_errf(err, ENOMEM, "out of memory");
	blk = malloc(c->fs.bs);
	if (!blk)
		return vexfs_errf(err, ENOMEM, "out of memory");
	for (k = 0, ret = 0; k < map->nblocks && !ret && !c->stop; k++) {
		ret = vexfs_read_block(&c->fs.dev, map->start + k, blk, err);
		if (ret)
			break;
		check_bitmap_block(c, map, blk, map->start + k, rewrite);
		memcpy(map->bits + k * body, blk + hdr, body);
	}
	free(blk);
	return ret;
}

int pass0(struct check *c, struct vexfs_err *err)
{
	int ret;

	pass_header(c, 0, "Checking the superblock and the bitmap blocks");
	ret = vexfs_super_read(&c->fs.dev, &c->fs.sb, err);
	if (ret) {
		fix_problem(c, PR_0_SB_READ, err->msg);
		err->msg[0] = '\0';	/* reported once, as the problem */
		return 0;
	}
	check_superblock(c);
	if (c->stop)
		return 0;
	ret = check_journal(c, err);
	if (ret > 0) {
		/* replayed: the superblock may be another one now */
		check_superblock(c);
		if (c->stop)
			return 0;
		ret = check_journal(c, err);
	}
	if (ret)
		return ret;
	if (c->stop)
		return 0;
	ret = load_bitmap(c, &c->imap, VEXFS_INODE_BITMAP, &c->imap_rewrite,
			  err);
	if (!ret)
		ret = load_bitmap(c, &c->bmap, VEXFS_BLOCK_BITMAP,
				  &c->bmap_rewrite, err);
	progress(c, 0, 1, 1);
	return ret;
}
