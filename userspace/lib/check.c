// SPDX-License-Identifier: GPL-2.0
/*
 * check.c - the checker behind fsck.vexfs.
 *
 * Organized like e2fsck: every problem is one entry in problems[] with a
 * stable code, its message, whether preen may fix it, and the prompt for
 * the fix; fix_problem() is the only place that reports a problem and
 * decides, from the mode, whether to fix it.  The passes run in order:
 *
 *   pass 0  superblock and bitmap blocks (headers, checksums)
 *   pass 1  inodes: checksum, number, mode; the root is a directory
 *   pass 5  bitmaps against what pass 1 found, and the summary counts
 *
 * Passes 2-4 (directory trees, connectivity, link counts) and 6 (vector
 * collections) slot in between as those checks are written; pass 1 will
 * then also walk extent trees and build the block usage map, which pass 5
 * compares with the block bitmap.  Today the data-region bits of the block
 * bitmap are trusted, and only the metadata region and padding are
 * checked.
 *
 * Fixes to inodes are written as pass 1 goes; bitmaps are written once, at
 * the end of pass 5; the superblock last.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "libvexfs.h"

static const struct vexfs_problem problems[] = {
	/* Pass 0: superblock */
	{ PR_0_SB_READ, "Cannot read the superblock: %s", NULL, PR_FATAL },
	{ PR_0_SB_MAGIC, "Bad magic number 0x%08x in the superblock: not a VexFS filesystem, or its superblock is destroyed",
	  NULL, PR_FATAL },
	{ PR_0_SB_VERSION, "Unsupported format version %u.%u (this fsck knows %u.x)",
	  NULL, PR_FATAL },
	{ PR_0_SB_BLOCK_SIZE, "Unsupported block size %u", NULL, PR_FATAL },
	{ PR_0_SB_INODE_SIZE, "Unsupported inode size %u or checksum type %u",
	  NULL, PR_FATAL },
	{ PR_0_SB_INCOMPAT, "Unsupported incompatible features 0x%x", NULL,
	  PR_FATAL },
	{ PR_0_SB_RO_COMPAT, "Unsupported read-only-compatible features 0x%x",
	  NULL, PR_FATAL },
	{ PR_0_SB_GEOMETRY, "Superblock geometry is corrupt: %s", NULL,
	  PR_FATAL },
	{ PR_0_SB_CSUM, "Superblock checksum does not match (stored 0x%08x, computed 0x%08x), but its fields are consistent and its UUID matches the metadata checksums",
	  "Fix", 0 },
	{ PR_0_SB_CSUM_UNTRUSTED, "Superblock checksum does not match (stored 0x%08x, computed 0x%08x), and its UUID does not match the checksums of the root inode or the bitmaps: the superblock cannot be trusted",
	  NULL, PR_FATAL },
	{ PR_0_SB_ROOT_INO, "Superblock names root inode %llu and first inode %llu (expected %u and %u)",
	  "Fix", 0 },
	{ PR_0_SB_FEATURES_MISSING, "Superblock lacks the required features extents and dir_tree (incompat 0x%x)",
	  "Fix", 0 },
	{ PR_0_SB_RECOVER, "Superblock says the journal needs recovery, but there is no journal",
	  "Clear", PR_PREEN_OK },
	{ PR_0_SB_RECOVER_JOURNAL, "The journal needs recovery, which this version of fsck cannot do",
	  NULL, PR_FATAL },
	{ PR_0_SB_ERRORS, "Superblock error behavior %u is invalid", "Set to remount-ro",
	  PR_PREEN_OK },
	{ PR_0_BITMAP_HEADER, "%s bitmap block %llu has a bad header (magic 0x%08x, block %llu, owner %llu)",
	  "Rewrite", 0 },
	{ PR_0_BITMAP_CSUM, "%s bitmap block %llu checksum does not match",
	  "Rewrite", 0 },

	/* Pass 1: inodes */
	{ PR_1_INODE_EMPTY, "Inode %llu is marked in use, but it is empty",
	  "Clear", PR_PREEN_OK },
	{ PR_1_INODE_CSUM, "Inode %llu passes checks, but its checksum does not match",
	  "Fix", 0 },
	{ PR_1_INODE_BAD, "Inode %llu is corrupt (%s)", "Clear", 0 },
	{ PR_1_INODE_INO, "Inode %llu claims to be inode %llu", "Fix", 0 },
	{ PR_1_INODE_TIME, "Inode %llu has an invalid timestamp", "Fix",
	  PR_PREEN_OK },
	{ PR_1_ROOT_NOT_DIR, "Root inode is not a directory (mode 0%o)",
	  "Recreate", 0 },
	{ PR_1_ROOT_BAD, "Root inode is corrupt (%s)", "Recreate", 0 },

	/* Pass 5: bitmaps and summary counts */
	{ PR_5_INODE_BITMAP, "Inode bitmap differences: %s", "Fix",
	  PR_PREEN_OK },
	{ PR_5_BLOCK_BITMAP, "Block bitmap differences: %s", "Fix",
	  PR_PREEN_OK },
	{ PR_5_INODE_PADDING, "Padding at the end of the inode bitmap is not set",
	  "Fix", PR_PREEN_OK },
	{ PR_5_BLOCK_PADDING, "Padding at the end of the block bitmap is not set",
	  "Fix", PR_PREEN_OK },
	{ PR_5_FREE_INODES, "Free inodes count wrong (stored %llu, counted %llu)",
	  "Fix", PR_PREEN_OK | PR_PREEN_NOMSG },
	{ PR_5_FREE_BLOCKS, "Free blocks count wrong (stored %llu, counted %llu)",
	  "Fix", PR_PREEN_OK | PR_PREEN_NOMSG },
};

const struct vexfs_problem *vexfs_problem_find(uint32_t code)
{
	size_t i;

	for (i = 0; i < VEXFS_ARRAY_SIZE(problems); i++)
		if (problems[i].code == code)
			return &problems[i];
	return NULL;
}

/* Everything one check run knows. */
struct check {
	const struct vexfs_check_opts *opts;
	struct vexfs_check_result *res;
	const char *name;
	struct vexfs_fs fs;
	struct vexfs_bitmap imap, bmap;	/* as read */
	uint8_t *inode_used;		/* as pass 1 found */
	bool imap_rewrite, bmap_rewrite;
	bool sb_dirty;			/* fixes to write to the superblock */
	bool modified;			/* something was written */
	bool uncorrected;		/* a problem was left alone */
	bool stop;			/* fatal, preen gave up, or canceled */
	bool canceled;
	bool fatal;
	uint64_t dirs, files;
};

static void out(struct check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void out(struct check *c, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	if (!c->opts->print)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->opts->print(c->opts->priv, buf);
}

static void note_problem(struct check *c, uint32_t code)
{
	struct vexfs_check_result *res = c->res;

	if (res->nproblems < VEXFS_ARRAY_SIZE(res->codes))
		res->codes[res->nproblems] = code;
	res->nproblems++;
}

static bool preen_decides(struct check *c, const struct vexfs_problem *p,
			  const char *msg)
{
	if (p->flags & PR_PREEN_OK) {
		if (!(p->flags & PR_PREEN_NOMSG))
			out(c, "%s: %s.  FIXED.\n", c->name, msg);
		return true;
	}
	out(c, "%s: %s.\n\n%s: UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY.\n\t(i.e., without -a or -p options)\n",
	    c->name, msg, c->name);
	c->uncorrected = true;
	c->stop = true;
	return false;
}

static bool ask_decides(struct check *c, const struct vexfs_problem *p,
			const char *msg)
{
	char prompt[64];
	int answer;

	out(c, "%s.  ", msg);
	snprintf(prompt, sizeof(prompt), "%s?", p->prompt);
	answer = c->opts->ask ? c->opts->ask(c->opts->priv, prompt) : 0;
	if (answer < 0) {
		c->canceled = true;
		c->stop = true;
		c->uncorrected = true;
		return false;
	}
	if (!answer)
		c->uncorrected = true;
	return answer > 0;
}

/*
 * Report problem @code with the arguments its message takes, and decide
 * whether to fix it.  Return: true if the caller must fix it now.
 */
static bool fix_problem(struct check *c, uint32_t code, ...)
{
	const struct vexfs_problem *p = vexfs_problem_find(code);
	enum vexfs_check_mode mode = c->opts->mode;
	char msg[2048];
	va_list ap;

	va_start(ap, code);
	vsnprintf(msg, sizeof(msg), p->msg, ap);
	va_end(ap);
	note_problem(c, code);

	if (p->flags & PR_FATAL) {
		out(c, "%s%s%s.\n", mode == VEXFS_CHECK_PREEN ? c->name : "",
		    mode == VEXFS_CHECK_PREEN ? ": " : "", msg);
		c->fatal = true;
		c->stop = true;
		return false;
	}
	switch (mode) {
	case VEXFS_CHECK_PREEN:
		return preen_decides(c, p, msg);
	case VEXFS_CHECK_ASK:
		return ask_decides(c, p, msg);
	case VEXFS_CHECK_YES:
		out(c, "%s.  %s? yes\n\n", msg, p->prompt);
		return true;
	case VEXFS_CHECK_NO:
	default:
		out(c, "%s.  %s? no\n\n", msg, p->prompt);
		c->uncorrected = true;
		return false;
	}
}

static void pass_header(struct check *c, int pass, const char *what)
{
	if (c->opts->mode != VEXFS_CHECK_PREEN)
		out(c, "Pass %d: %s\n", pass, what);
}

static void progress(struct check *c, int pass, uint64_t cur, uint64_t max)
{
	if (c->opts->progress)
		c->opts->progress(c->opts->priv, pass, cur, max);
}

/* ------------------------------------------------------------------ */
/* Pass 0: the superblock and the bitmap blocks                        */
/* ------------------------------------------------------------------ */

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
	const uint32_t required = VEXFS_FEATURE_INCOMPAT_EXTENTS |
				  VEXFS_FEATURE_INCOMPAT_DIR_TREE;
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
	if (errors < VEXFS_ERRORS_CONTINUE || errors > VEXFS_ERRORS_PANIC) {
		if (fix_problem(c, PR_0_SB_ERRORS, errors)) {
			sb->s_errors = cpu_le16(VEXFS_ERRORS_DEFAULT);
			c->sb_dirty = true;
		}
	}
}

static void check_sb_recover(struct check *c)
{
	struct vexfs_super_block *sb = &c->fs.sb;
	uint32_t incompat = le32(sb->s_feature_incompat);

	if (!(incompat & VEXFS_FEATURE_INCOMPAT_RECOVER))
		return;
	if (le64(sb->s_journal_start)) {
		fix_problem(c, PR_0_SB_RECOVER_JOURNAL);
		return;
	}
	if (fix_problem(c, PR_0_SB_RECOVER)) {
		incompat &= ~VEXFS_FEATURE_INCOMPAT_RECOVER;
		sb->s_feature_incompat = cpu_le32(incompat);
		c->sb_dirty = true;
	}
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
	check_sb_recover(c);
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

static int pass0(struct check *c, struct vexfs_err *err)
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
	ret = load_bitmap(c, &c->imap, VEXFS_INODE_BITMAP, &c->imap_rewrite,
			  err);
	if (!ret)
		ret = load_bitmap(c, &c->bmap, VEXFS_BLOCK_BITMAP,
				  &c->bmap_rewrite, err);
	progress(c, 0, 1, 1);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Pass 1: inodes                                                      */
/* ------------------------------------------------------------------ */

static bool file_type_known(uint16_t mode)
{
	return S_ISDIR(mode) || S_ISREG(mode) || S_ISLNK(mode) ||
	       S_ISCHR(mode) || S_ISBLK(mode) || S_ISFIFO(mode) ||
	       S_ISSOCK(mode);
}

static bool times_valid(const struct vexfs_inode *inode)
{
	return le32(inode->i_atime.nsec) < 1000000000U &&
	       le32(inode->i_mtime.nsec) < 1000000000U &&
	       le32(inode->i_ctime.nsec) < 1000000000U &&
	       le32(inode->i_crtime.nsec) < 1000000000U;
}

/* Why an inode cannot be trusted, ignoring its checksum; NULL if sane. */
static const char *inode_insanity(const struct vexfs_inode *inode,
				  uint64_t ino)
{
	uint16_t mode = le16(inode->i_mode);

	if (le64(inode->i_ino) != ino)
		return "wrong inode number";
	if (!file_type_known(mode))
		return "bad mode";
	if (!le16(inode->i_links_count) &&
	    !(le32(inode->i_flags) & VEXFS_INODE_ORPHAN))
		return "no links";
	if (!times_valid(inode))
		return "bad timestamp";
	return NULL;
}

static bool inode_is_zero(const struct vexfs_inode *inode)
{
	static const struct vexfs_inode zero;

	return !memcmp(inode, &zero, sizeof(zero));
}

static void write_inode(struct check *c, uint64_t ino,
			struct vexfs_inode *inode)
{
	struct vexfs_err err;

	if (vexfs_inode_write(&c->fs, ino, inode, &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		return;
	}
	c->modified = true;
}

static void clear_inode(struct check *c, uint64_t ino)
{
	struct vexfs_inode zero;
	struct vexfs_err err;

	memset(&zero, 0, sizeof(zero));
	if (vexfs_dev_write(&c->fs.dev, vexfs_inode_offset(&c->fs.sb, ino),
			    &zero, sizeof(zero), &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		return;
	}
	c->modified = true;
	if (ino >= VEXFS_FIRST_INO)
		vexfs_clear_bit(c->inode_used, ino);
}

/*
 * A new, empty root directory.  The old root's directory blocks, if it had
 * any, stay marked in use until the extent pass can free them.
 */
static void recreate_root(struct check *c, const struct vexfs_inode *old)
{
	struct vexfs_inode root;

	vexfs_inode_init_dir(&root, VEXFS_ROOT_INO, VEXFS_ROOT_INO, 0755,
			     (int64_t)time(NULL), le32(old->i_generation));
	write_inode(c, VEXFS_ROOT_INO, &root);
}

static void check_root(struct check *c, struct vexfs_inode *inode,
		       bool csum_ok)
{
	const char *why = inode_insanity(inode, VEXFS_ROOT_INO);
	uint16_t mode = le16(inode->i_mode);

	if (!why && !S_ISDIR(mode)) {
		if (fix_problem(c, PR_1_ROOT_NOT_DIR, mode))
			recreate_root(c, inode);
	} else if (why) {
		if (fix_problem(c, PR_1_ROOT_BAD, why))
			recreate_root(c, inode);
	} else if (!csum_ok) {
		if (fix_problem(c, PR_1_INODE_CSUM,
				(unsigned long long)VEXFS_ROOT_INO))
			write_inode(c, VEXFS_ROOT_INO, inode);
	}
}

/* A sane inode with a bad checksum gets a new one, anything else goes. */
static void check_other(struct check *c, uint64_t ino,
			struct vexfs_inode *inode, bool csum_ok)
{
	const char *why = inode_insanity(inode, ino);

	if (csum_ok && le64(inode->i_ino) != ino) {
		if (fix_problem(c, PR_1_INODE_INO, (unsigned long long)ino,
				(unsigned long long)le64(inode->i_ino))) {
			inode->i_ino = cpu_le64(ino);
			write_inode(c, ino, inode);
		}
		why = inode_insanity(inode, ino);
	}
	if (csum_ok && why && !strcmp(why, "bad timestamp")) {
		if (fix_problem(c, PR_1_INODE_TIME, (unsigned long long)ino)) {
			inode->i_atime.nsec = inode->i_mtime.nsec = 0;
			inode->i_ctime.nsec = inode->i_crtime.nsec = 0;
			write_inode(c, ino, inode);
		}
		return;
	}
	if (why) {
		if (fix_problem(c, PR_1_INODE_BAD, (unsigned long long)ino, why))
			clear_inode(c, ino);
	} else if (!csum_ok) {
		if (fix_problem(c, PR_1_INODE_CSUM, (unsigned long long)ino))
			write_inode(c, ino, inode);
	}
}

static void count_inode(struct check *c, const struct vexfs_inode *inode)
{
	uint16_t mode = le16(inode->i_mode);

	if (S_ISDIR(mode))
		c->dirs++;
	else if (S_ISREG(mode))
		c->files++;
}

static void check_inode(struct check *c, uint64_t ino,
			struct vexfs_inode *inode)
{
	bool in_use = vexfs_test_bit(c->imap.bits, ino);
	bool csum_ok = le32(inode->i_checksum) ==
		       vexfs_inode_csum(c->fs.seed, inode);

	if (ino == VEXFS_ROOT_INO) {
		check_root(c, inode, csum_ok);
		count_inode(c, inode);
		return;
	}
	/* A free slot, or an unused reserved one, may hold anything. */
	if (!in_use || (ino < VEXFS_FIRST_INO && inode_is_zero(inode)))
		return;
	if (ino >= VEXFS_FIRST_INO && !le16(inode->i_mode)) {
		if (fix_problem(c, PR_1_INODE_EMPTY, (unsigned long long)ino))
			vexfs_clear_bit(c->inode_used, ino);
		return;
	}
	check_other(c, ino, inode, csum_ok);
	count_inode(c, inode);
}

static int pass1(struct check *c, struct vexfs_err *err)
{
	uint64_t ipb = c->fs.bs / VEXFS_INODE_SIZE;
	uint64_t inodes = le64(c->fs.sb.s_inodes_count);
	uint64_t start = le64(c->fs.sb.s_inode_table_start);
	uint64_t nblocks = (inodes + ipb - 1) / ipb, k, i;
	size_t bytes = (size_t)(c->imap.nblocks * VEXFS_BITMAP_BITS(c->fs.bs) / 8);
	struct vexfs_inode *table;
	int ret = 0;

	pass_header(c, 1, "Checking inodes");
	c->inode_used = malloc(bytes);
	table = malloc(c->fs.bs);
	if (!c->inode_used || !table) {
		free(table);
		return vexfs_errf(err, ENOMEM, "out of memory");
	}
	memcpy(c->inode_used, c->imap.bits, bytes);
	for (k = 0; k < nblocks && !ret && !c->stop; k++) {
		ret = vexfs_read_block(&c->fs.dev, start + k, table, err);
		for (i = 0; i < ipb && !ret && !c->stop; i++) {
			uint64_t ino = k * ipb + i;

			if (ino && ino < inodes)
				check_inode(c, ino, &table[i]);
		}
		progress(c, 1, k + 1, nblocks);
	}
	free(table);
	if (c->opts->verbose && !ret)
		out(c, "%" PRIu64 " directories, %" PRIu64 " regular files\n",
		    c->dirs, c->files);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Pass 5: bitmaps and summary counts                                  */
/* ------------------------------------------------------------------ */

/* Append " +a-b" or " -a" (set in @want but not in @have, or the reverse). */
static void add_range(char *buf, size_t len, bool plus, uint64_t first,
		      uint64_t last)
{
	size_t used = strlen(buf);

	if (used + 48 >= len) {
		if (!strstr(buf, " ..."))
			snprintf(buf + used, len - used, " ...");
		return;
	}
	if (first == last)
		snprintf(buf + used, len - used, " %c%" PRIu64,
			 plus ? '+' : '-', first);
	else
		snprintf(buf + used, len - used, " %c%" PRIu64 "-%" PRIu64,
			 plus ? '+' : '-', first, last);
}

/*
 * Describe the differences between what is on disk (@have) and what the
 * check found (@want), as e2fsck does: +n is in use but marked free, -n is
 * free but marked in use.  Return: true if there are any.
 */
static bool bitmap_diff(const uint8_t *have, const uint8_t *want,
			uint64_t nbits, char *buf, size_t len)
{
	uint64_t n, first = 0;
	int run = 0;		/* 0 none, 1 plus run, -1 minus run */

	buf[0] = '\0';
	for (n = 0; n <= nbits; n++) {
		int d = 0;

		if (n < nbits && vexfs_test_bit(have, n) != vexfs_test_bit(want, n))
			d = vexfs_test_bit(want, n) ? 1 : -1;
		if (d == run)
			continue;
		if (run)
			add_range(buf, len, run > 0, first, n - 1);
		run = d;
		first = n;
	}
	return buf[0] != '\0';
}

static bool padding_set(const struct vexfs_bitmap *map, uint32_t bs)
{
	uint64_t n, end = map->nblocks * VEXFS_BITMAP_BITS(bs);

	for (n = map->nbits; n < end; n++)
		if (!vexfs_test_bit(map->bits, n))
			return false;
	return true;
}

static void compare_bitmap(struct check *c, struct vexfs_bitmap *map,
			   uint8_t *want, uint32_t diff_code,
			   uint32_t pad_code, bool *rewrite)
{
	char diff[1024];

	if (bitmap_diff(map->bits, want, map->nbits, diff, sizeof(diff)) &&
	    fix_problem(c, diff_code, diff + 1))
		*rewrite = true;
	if (!padding_set(map, c->fs.bs) && fix_problem(c, pad_code))
		*rewrite = true;
}

static void check_count(struct check *c, uint32_t code, __le64 *field,
			uint64_t counted)
{
	uint64_t stored = le64(*field);

	if (stored != counted &&
	    fix_problem(c, code, (unsigned long long)stored,
			(unsigned long long)counted)) {
		*field = cpu_le64(counted);
		c->sb_dirty = true;
	}
}

static int store_bitmap(struct check *c, struct vexfs_bitmap *map,
			uint8_t *want, struct vexfs_err *err)
{
	size_t bytes = (size_t)(map->nblocks * VEXFS_BITMAP_BITS(c->fs.bs) / 8);
	int ret;

	memcpy(map->bits, want, bytes);
	ret = vexfs_bitmap_store(&c->fs, map, err);
	if (!ret)
		c->modified = true;
	return ret;
}

static int pass5(struct check *c, struct vexfs_err *err)
{
	struct vexfs_super_block *sb = &c->fs.sb;
	uint64_t data_start = le64(sb->s_data_start), n;
	size_t bbytes = (size_t)(c->bmap.nblocks * VEXFS_BITMAP_BITS(c->fs.bs) / 8);
	uint8_t *block_used = malloc(bbytes);
	int ret = 0;

	pass_header(c, 5, "Checking bitmaps and summary counts");
	if (!block_used)
		return vexfs_errf(err, ENOMEM, "out of memory");
	/* Reserved inodes and the metadata blocks are always in use. */
	for (n = 0; n < VEXFS_FIRST_INO; n++)
		vexfs_set_bit(c->inode_used, n);
	memcpy(block_used, c->bmap.bits, bbytes);
	for (n = 0; n < data_start; n++)
		vexfs_set_bit(block_used, n);

	compare_bitmap(c, &c->imap, c->inode_used, PR_5_INODE_BITMAP,
		       PR_5_INODE_PADDING, &c->imap_rewrite);
	if (!c->stop)
		compare_bitmap(c, &c->bmap, block_used, PR_5_BLOCK_BITMAP,
			       PR_5_BLOCK_PADDING, &c->bmap_rewrite);
	if (!c->stop && c->imap_rewrite)
		ret = store_bitmap(c, &c->imap, c->inode_used, err);
	if (!c->stop && !ret && c->bmap_rewrite)
		ret = store_bitmap(c, &c->bmap, block_used, err);

	if (!c->stop && !ret) {
		check_count(c, PR_5_FREE_INODES, &sb->s_free_inodes,
			    vexfs_bitmap_count_clear(c->inode_used,
						     c->imap.nbits));
		check_count(c, PR_5_FREE_BLOCKS, &sb->s_free_blocks,
			    vexfs_bitmap_count_clear(block_used, c->bmap.nbits));
	}
	free(block_used);
	progress(c, 5, 1, 1);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Driver                                                              */
/* ------------------------------------------------------------------ */

static bool marked_clean(const struct vexfs_super_block *sb)
{
	uint16_t state = le16(sb->s_state);

	return (state & VEXFS_STATE_VALID) && !(state & VEXFS_STATE_ERROR);
}

/*
 * After a full check that left nothing behind, mark the filesystem clean
 * and checked, as e2fsck does.
 */
static int finish_super(struct check *c, bool full, struct vexfs_err *err)
{
	struct vexfs_super_block *sb = &c->fs.sb;
	int ret;

	if (c->opts->mode == VEXFS_CHECK_NO || c->stop)
		return 0;
	if (full && !c->uncorrected) {
		if (!marked_clean(sb))
			c->sb_dirty = true;
		sb->s_state = cpu_le16(VEXFS_STATE_VALID);
		sb->s_mount_count = 0;
		sb->s_lastcheck_time = cpu_le64((uint64_t)time(NULL));
	}
	if (!full && !c->sb_dirty)
		return 0;
	ret = vexfs_super_write(&c->fs.dev, sb, err);
	if (!ret && c->sb_dirty)
		c->modified = true;
	if (!ret)
		ret = vexfs_dev_sync(&c->fs.dev, err);
	return ret;
}

static void summary(struct check *c, bool clean)
{
	const struct vexfs_super_block *sb = &c->fs.sb;
	struct vexfs_check_result *res = c->res;

	res->inodes = le64(sb->s_inodes_count);
	res->blocks = le64(sb->s_blocks_count);
	res->inodes_used = res->inodes - le64(sb->s_free_inodes);
	res->blocks_used = res->blocks - le64(sb->s_free_blocks);
	if (c->modified && c->opts->mode != VEXFS_CHECK_PREEN)
		out(c, "\n%s: ***** FILE SYSTEM WAS MODIFIED *****\n", c->name);
	if (c->uncorrected && !c->stop)
		out(c, "\n%s: ********** WARNING: Filesystem still has errors **********\n\n",
		    c->name);
	out(c, "%s: %s%" PRIu64 "/%" PRIu64 " inodes, %" PRIu64 "/%" PRIu64 " blocks\n",
	    c->name, clean ? "clean, " : "", res->inodes_used, res->inodes,
	    res->blocks_used, res->blocks);
}

static int exit_code(const struct check *c)
{
	int code = 0;

	if (c->fatal)
		return FSCK_ERROR | (c->modified ? FSCK_NONDESTRUCT : 0);
	if (c->modified)
		code |= FSCK_NONDESTRUCT;
	if (c->uncorrected)
		code |= FSCK_UNCORRECTED;
	if (c->canceled)
		code |= FSCK_CANCELED;
	return code;
}

static int run_passes(struct check *c, struct vexfs_err *err)
{
	bool full;
	int ret;

	ret = pass0(c, err);
	if (ret || c->stop)
		return ret;
	full = c->opts->force || !marked_clean(&c->fs.sb) || c->sb_dirty ||
	       c->uncorrected || c->imap_rewrite || c->bmap_rewrite;
	if (!full) {
		summary(c, true);
		return 0;
	}
	ret = pass1(c, err);
	if (!ret && !c->stop)
		ret = pass5(c, err);
	if (!ret)
		ret = finish_super(c, true, err);
	if (!ret && !c->fatal)
		summary(c, false);
	return ret;
}

static int open_for_check(struct check *c, const char *path,
			  struct vexfs_err *err)
{
	bool write = c->opts->mode != VEXFS_CHECK_NO;
	char mnt[4096];

	if (vexfs_dev_mountpoint(path, mnt, sizeof(mnt))) {
		if (write)
			return vexfs_errf(err, EBUSY,
					  "%s is mounted on %s; cannot repair a mounted filesystem",
					  path, mnt);
		out(c, "Warning: %s is mounted on %s; the results may be inconsistent.\n",
		    path, mnt);
	}
	return vexfs_dev_open(&c->fs.dev, path, write, err);
}

int vexfs_check(const char *path, const struct vexfs_check_opts *opts,
		struct vexfs_check_result *res, struct vexfs_err *err)
{
	struct vexfs_check_result dummy;
	struct check c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.opts = opts;
	c.res = res ? res : &dummy;
	memset(c.res, 0, sizeof(*c.res));
	c.name = opts->name ? opts->name : path;

	ret = open_for_check(&c, path, err);
	if (ret) {
		c.res->exit_code = FSCK_ERROR;
		return FSCK_ERROR;
	}
	ret = run_passes(&c, err);
	vexfs_bitmap_release(&c.imap);
	vexfs_bitmap_release(&c.bmap);
	free(c.inode_used);
	vexfs_dev_close(&c.fs.dev);
	c.res->exit_code = ret ? FSCK_ERROR : exit_code(&c);
	return c.res->exit_code;
}
