// SPDX-License-Identifier: GPL-2.0
/*
 * check.c - the checker behind fsck.vexfs.
 *
 * Organized like e2fsck: every problem is one entry in problems[] with a
 * stable code, its message, whether preen may fix it, and the prompt for
 * the fix; fix_problem() is the only place that reports a problem and
 * decides, from the mode, whether to fix it.  The passes run in this
 * order (run_passes()):
 *
 *   pass 0   the superblock, the journal (replayed here unless -n) and
 *            the bitmap blocks' headers and checksums
 *   pass 1C  the orphan list, finished before the inode scan
 *   pass 1   inodes, their extent trees and xattr blocks; builds the map
 *            of blocks in use
 *   pass 1B  blocks claimed by two owners
 *   pass 2   directory trees and their entries
 *   pass 3   connectivity (lost+found)
 *   pass 6   vector collections, stores and ANN indexes; before pass 4,
 *            which counts the references to stores and indexes as pass 6
 *            leaves them (see "Pass 6" below)
 *   pass 4   link counts and hidden inodes
 *   pass 6B  rebuilding the indexes pass 6 condemned, into blocks that
 *            pass 5 then accounts for
 *   pass 5   bitmaps against what the passes found, and the summary
 *            counts
 *
 * Without -f, a filesystem marked clean whose journal and orphan list are
 * empty stops after pass 0.  Fixes are written as each pass makes them;
 * the bitmaps once, at the end of pass 5; the superblock last, so that it
 * says "clean" only once everything else is on the disk.
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
#include "vexfs_hnsw.h"

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
	{ PR_0_SB_ERRORS, "Superblock error behavior %u is invalid", "Set to remount-ro",
	  PR_PREEN_OK },
	{ PR_0_BITMAP_HEADER, "%s bitmap block %llu has a bad header (magic 0x%08x, block %llu, owner %llu)",
	  "Rewrite", 0 },
	{ PR_0_BITMAP_CSUM, "%s bitmap block %llu checksum does not match",
	  "Rewrite", 0 },

	/* Pass 0: the journal */
	{ PR_0_JOURNAL_BAD_SUPER, "The journal cannot be used: %s; the kernel will not mount the filesystem with it",
	  "Clear the journal", 0 },
	{ PR_0_JOURNAL_RECOVER_SKIPPED, "The journal needs recovery; a read-only check does not replay it, and checks the filesystem as it is",
	  NULL, PR_NO_FIX },
	{ PR_0_JOURNAL_TXN_CORRUPT, "Journal transaction %u is corrupt (%s, log block %u): it and any later transaction cannot be replayed",
	  "Replay the transactions before it", 0 },
	{ PR_0_JOURNAL_DATA_NOT_FLAGGED, "The journal holds transactions, but the superblock does not say it needs recovery",
	  "Replay them", PR_PREEN_OK },
	{ PR_0_JOURNAL_ERRNO, "The journal was aborted (error %d)", "Clear the error",
	  PR_PREEN_OK },

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
	{ PR_1_INLINE_NOT_SYMLINK, "Inode %llu is a %s but has the inline-data flag of a fast symlink",
	  "Clear", 0 },
	{ PR_1_SYMLINK_BAD, "Symlink inode %llu is corrupt (%s)", "Clear", 0 },
	{ PR_1_EXTENT_ROOT_BAD, "Inode %llu has a corrupt extent tree root (%s)",
	  "Clear", 0 },
	{ PR_1_EXTENT_BAD, "Inode %llu, extent tree block %llu is corrupt (%s)",
	  "Drop the bad subtree", 0 },
	{ PR_1_SPECIAL_DATA, "Inode %llu is a %s but has data blocks or a size",
	  "Truncate", PR_PREEN_OK },
	{ PR_1_XATTR_BAD, "Inode %llu, xattr block %llu is corrupt (%s)",
	  "Clear the attributes", 0 },
	{ PR_1_BAD_I_BLOCKS, "Inode %llu, i_blocks is %llu, should be %llu",
	  "Fix", PR_PREEN_OK },
	{ PR_1_BAD_SIZE, "Inode %llu, i_size is %llu, larger than any file can be (the kernel refuses it)",
	  "Set it to the end of the last extent", 0 },

	/* Pass 1B: blocks claimed twice */
	{ PR_1B_DUP_BLOCKS, "Inode %llu shares %llu block(s) with other inodes",
	  "Clone", 0 },

	/* Pass 1C: the orphan list */
	{ PR_1C_ORPHAN_FREE, "Orphan inode %llu (%s, %llu bytes) has no links left",
	  "Free it", PR_PREEN_OK },
	{ PR_1C_ORPHAN_TRUNCATE, "Orphan inode %llu (%s) was being truncated to %llu bytes",
	  "Finish the truncation", PR_PREEN_OK },
	{ PR_1C_ORPHAN_BAD, "Orphan list entry %llu is invalid (%s)",
	  "Cut the orphan list there", PR_PREEN_OK },
	{ PR_1C_ORPHAN_LOOP, "The orphan list loops back to inode %llu (after inode %llu)",
	  "Cut the orphan list there", PR_PREEN_OK },
	{ PR_1C_ORPHAN_STRAY, "Inode %llu is marked as an orphan but is not on the orphan list",
	  "Clear the mark", PR_PREEN_OK },

	/* Pass 2: directories */
	{ PR_2_DIR_CORRUPT, "Directory inode %llu, block %llu: %s",
	  "Rebuild the directory", 0 },
	{ PR_2_BAD_NAME, "Entry '%2$s' in directory %1$llu has an invalid name",
	  "Clear", 0 },
	{ PR_2_BAD_INO, "Entry '%2$s' in directory %1$llu has bad inode number %3$llu",
	  "Clear", 0 },
	{ PR_2_UNUSED_INODE, "Entry '%2$s' in directory %1$llu points to free or deleted inode %3$llu",
	  "Clear", PR_PREEN_OK },
	{ PR_2_HIDDEN_INODE, "Entry '%2$s' in directory %1$llu points to hidden inode %3$llu",
	  "Clear", 0 },
	{ PR_2_DUP_NAME, "Entry '%2$s' in directory %1$llu is a duplicate name",
	  "Clear", 0 },
	{ PR_2_DIR_LINKED_TWICE, "Entry '%2$s' in directory %1$llu is a link to directory %3$llu, already in directory %4$llu",
	  "Clear", 0 },
	{ PR_2_BAD_HASH, "Entry '%2$s' in directory %1$llu has hash 0x%3$llx, should be 0x%4$llx",
	  "Fix", 0 },
	{ PR_2_BAD_FTYPE, "Entry '%2$s' in directory %1$llu has file type %3$u, should be %4$u",
	  "Fix", PR_PREEN_OK },

	/* Pass 3: connectivity */
	{ PR_3_NO_LPF, "/lost+found not found", "Create", PR_PREEN_OK },
	{ PR_3_UNCONNECTED_DIR, "Unconnected directory inode %llu (parent %llu)",
	  "Connect to /lost+found", 0 },
	{ PR_3_DIR_LOOP, "Directory inode %llu (in directory %llu) is in a loop of directories not connected to the root",
	  "Move it to /lost+found", 0 },
	{ PR_3_BAD_PARENT, "Directory inode %llu has parent (..) %llu, should be %llu",
	  "Fix", PR_PREEN_OK },

	/* Pass 4: reference counts */
	{ PR_4_ZERO_LEN_UNATTACHED, "Unattached zero-length inode %llu (%s)",
	  "Clear", PR_PREEN_OK },
	{ PR_4_UNATTACHED, "Unattached inode %llu (%s, %llu bytes)",
	  "Connect to /lost+found", 0 },
	{ PR_4_BAD_LINKS, "Inode %llu ref count is %u, should be %u", "Fix",
	  PR_PREEN_OK },
	{ PR_4_HIDDEN_UNUSED, "Hidden inode %llu (owner %llu) is not used by its owner",
	  "Clear", PR_PREEN_OK },
	{ PR_4_XATTR_VALUE_INODE, "Inode %llu has an xattr whose value inode %llu is bad (%s)",
	  "Clear the attribute", 0 },

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

	/* Pass 6: vector collections (run between passes 3 and 4) */
	{ PR_6_SB_FEATURE, "The filesystem has a collections table (inode %llu) but not the collections feature",
	  "Fix", PR_PREEN_OK },
	{ PR_6_SB_NO_TABLE, "The collections feature is set, but there is no collections table",
	  "Clear", PR_PREEN_OK },
	{ PR_6_TABLE_BAD, "Collections table inode %llu is bad (%s): every collection is lost",
	  "Clear the table (the files stay)", 0 },
	{ PR_6_TABLE_SIZE, "Collections table inode %llu has size %llu, not a whole number of at most %u descriptors",
	  "Fix", 0 },
	{ PR_6_TABLE_PARENT, "Collections table inode %llu has parent %llu, should be %u",
	  "Fix", PR_PREEN_OK },
	{ PR_6_DESC_CSUM, "Collection %u passes checks, but its descriptor checksum does not match",
	  "Fix", 0 },
	{ PR_6_DESC_BAD, "Collection %u has a corrupt descriptor (%s)",
	  "Remove the collection (its files stay)", 0 },
	{ PR_6_ROOT_COLL, "Collection %u root directory %llu is in collection %u",
	  "Fix", 0 },
	{ PR_6_STORE_BAD, "Collection %u vector store inode %llu is bad (%s)",
	  "Make a new, empty store", 0 },
	{ PR_6_STORE_PARENT, "Collection %u vector store inode %llu has parent %llu, should be %llu",
	  "Fix", PR_PREEN_OK },
	{ PR_6_INDEX_BAD, "Collection %u index inode %llu is bad (%s)",
	  "Drop the index", 0 },
	{ PR_6_HIDDEN_VEC, "Hidden inode %llu has collection %u and vector slot %llu",
	  "Clear", PR_PREEN_OK },
	{ PR_6_DANGLING, "Inode %llu is in collection %u, which does not exist",
	  "Move it to its directory's collection", 0 },
	{ PR_6_INHERIT, "Inode %llu is in collection %u, but its directory %llu is in collection %u",
	  "Move it to its directory's collection", 0 },
	{ PR_6_STRAY_SLOT, "Inode %llu has vector slot %llu, but is not a regular file of a collection",
	  "Clear", 0 },
	{ PR_6_BAD_SLOT, "Inode %llu, vector slot %llu of collection %u is bad (%s)",
	  "Drop the embedding", 0 },
	{ PR_6_ORPHAN_SLOT, "Collection %u, vector slot %llu is used by inode %llu, which does not claim it",
	  "Free", PR_PREEN_OK },
	{ PR_6_COUNT, "Collection %u embedding count wrong (stored %llu, counted %llu)",
	  "Fix", PR_PREEN_OK },
	{ PR_6_SLOTS, "Collection %u slot count is %llu, should be %llu",
	  "Fix", PR_PREEN_OK },
	{ PR_6_SB_COUNT, "Collections count wrong (stored %u, counted %u)",
	  "Fix", PR_PREEN_OK },
	{ PR_6_DESC_FLAGS, "Collection %u has unknown flags 0x%x",
	  "Clear", PR_PREEN_OK },
	{ PR_6_DESC_TUNABLES, "Collection %u has index tunables M %u and ef_construction %u, out of range (the kernel refuses them)",
	  "Reset them to the defaults", PR_PREEN_OK },
	{ PR_6_INDEX_PARENT, "Collection %u index inode %llu has parent %llu, should be %llu",
	  "Fix", PR_PREEN_OK },

	/* Pass 6: the ANN index, derived data: any fix is a rebuild */
	{ PR_6_VINDEX_HEADER, "Collection %u index inode %llu has a bad header (%s)",
	  "Rebuild the index", PR_PREEN_OK },
	{ PR_6_VINDEX_QUANT, "Collection %u index inode %llu: the quantizer does not match its checksum",
	  "Rebuild the index", PR_PREEN_OK },
	{ PR_6_VINDEX_NODE, "Collection %u index inode %llu, the node of slot %llu is bad (%s)",
	  "Rebuild the index", PR_PREEN_OK },
	{ PR_6_VINDEX_UPPER, "Collection %u index inode %llu, the level %u list of slot %llu (record %llu) is bad (%s)",
	  "Rebuild the index", PR_PREEN_OK },
	{ PR_6_VINDEX_LINK, "Collection %u index inode %llu, slot %llu links at level %u to %llu, %s",
	  "Rebuild the index", PR_PREEN_OK },
	{ PR_6_VINDEX_COUNTS, "Collection %u index inode %llu counts %llu live and %llu deleted nodes, found %llu and %llu",
	  "Rebuild the index", PR_PREEN_OK },
	{ PR_6_VINDEX_ENTRY, "Collection %u index inode %llu has entry point %llu at level %u, %s",
	  "Rebuild the index", PR_PREEN_OK },
	{ PR_6_VINDEX_UNINDEXED, "Collection %u, vector slot %llu is not in the index (%s)",
	  "Rebuild the index", PR_PREEN_OK },
	{ PR_6_VINDEX_STALE, "Collection %u index has a live node for vector slot %llu, which is free",
	  "Rebuild the index", PR_PREEN_OK },
	{ PR_6_VINDEX_MORE, "Collection %u index inode %llu has more problems, not listed",
	  NULL, PR_NO_FIX },
};

const struct vexfs_problem *vexfs_problem_find(uint32_t code)
{
	size_t i;

	for (i = 0; i < VEXFS_ARRAY_SIZE(problems); i++)
		if (problems[i].code == code)
			return &problems[i];
	return NULL;
}

/* What the passes know about one inode. */
struct ino_info {
	uint8_t state;			/* IS_* */
	uint16_t mode;
	uint16_t links;			/* i_links_count on disk */
	uint32_t flags;			/* i_flags */
	uint32_t refs;			/* entries (or xattrs) naming it */
	uint32_t subdirs;		/* directories among its entries */
	uint64_t parent;		/* i_parent on disk */
	uint64_t found_in;		/* the directory pass 2 found it in
					 * (for a file, the first one) */
	uint64_t size;
};

/* An xattr value kept in a hidden inode, found in pass 1. */
struct xref {
	uint64_t owner, vino;
	uint32_t size;
	bool bad;
};

/* Everything one check run knows. */
struct check {
	const struct vexfs_check_opts *opts;
	struct vexfs_check_result *res;
	const char *name;
	struct vexfs_fs fs;
	struct vexfs_bitmap imap, bmap;	/* as read */
	uint8_t *inode_used;		/* as the passes found */
	uint8_t *block_used;		/* as pass 1 found */
	uint8_t *block_dup;		/* claimed more than once */
	uint8_t *block_p1;		/* block_used as pass 1 left it */
	uint8_t *fsck_freed;		/* blocks the repairs let go of */
	bool pass4_root_done;
	uint64_t ndup;
	uint64_t dup_inodes[1024];	/* later claimants of those blocks */
	size_t ndup_inodes;
	struct ino_info *ii;		/* s_inodes_count entries */
	uint64_t ninodes;
	struct xref *xref;
	size_t nxref, xref_cap;
	struct vcheck *vec;		/* pass 6 */
	struct vexfs_alloc alloc;	/* new blocks for repairs */
	uint8_t *blk;			/* a block of scratch */
	uint64_t lost_found;		/* its inode, once known */
	bool lf_failed;
	bool root_recreated;
	bool stop_tree;			/* no usable root: skip passes 2-4 */
	bool oom;
	bool imap_rewrite, bmap_rewrite;
	bool sb_dirty;			/* fixes to write to the superblock */
	bool journal_done;		/* replayed (or cleared) this run */
	bool counts_stale;		/* free counts are not journaled */
	uint8_t *orphan_listed;		/* inodes the orphan list reaches */
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
static bool vfix_problem(struct check *c, uint32_t code, va_list ap)
{
	const struct vexfs_problem *p = vexfs_problem_find(code);
	enum vexfs_check_mode mode = c->opts->mode;
	char msg[2048];

	vsnprintf(msg, sizeof(msg), p->msg, ap);
	note_problem(c, code);

	if (p->flags & PR_NO_FIX) {
		out(c, "%s%s%s.\n", mode == VEXFS_CHECK_PREEN ? c->name : "",
		    mode == VEXFS_CHECK_PREEN ? ": " : "", msg);
		c->uncorrected = true;
		return false;
	}
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

static bool fix_problem(struct check *c, uint32_t code, ...)
{
	va_list ap;
	bool fix;

	va_start(ap, code);
	fix = vfix_problem(c, code, ap);
	va_end(ap);
	return fix;
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

static bool can_write(struct check *c);

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

/* ------------------------------------------------------------------ */
/* Inode state shared by the passes                                    */
/* ------------------------------------------------------------------ */

/* ii->state */
#define IS_FREE		0	/* not in use (or cleared by this check) */
#define IS_USED		1	/* in use and sane */

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

static bool can_write(struct check *c)
{
	return c->opts->mode != VEXFS_CHECK_NO;
}

static void write_inode(struct check *c, uint64_t ino,
			struct vexfs_inode *inode)
{
	struct vexfs_err err;

	if (!can_write(c))
		return;
	if (vexfs_inode_write(&c->fs, ino, inode, &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		return;
	}
	c->modified = true;
}

static int read_inode(struct check *c, uint64_t ino, struct vexfs_inode *inode)
{
	struct vexfs_err err;

	if (vexfs_inode_read_raw(&c->fs, ino, inode, &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		return -1;
	}
	return 0;
}

static int freed_node(void *priv, uint64_t pblk, unsigned int depth,
		      const char *why)
{
	struct check *c = priv;

	(void)depth;
	if (!why)
		vexfs_set_bit(c->fsck_freed, pblk);
	return 0;
}

static int freed_extent(void *priv, const struct vexfs_ext *ex)
{
	struct check *c = priv;
	uint64_t b;

	for (b = 0; b < ex->len; b++)
		vexfs_set_bit(c->fsck_freed, ex->pblk + b);
	return 0;
}

static void freed_root(void *priv, uint64_t pblk, unsigned int depth,
		       const char *why)
{
	(void)priv;
	(void)pblk;
	(void)depth;
	(void)why;
}

/*
 * Remember the blocks an inode holds before a repair rewrites or clears
 * it: those the repair lets go of are then freed in the bitmaps silently
 * (pass 5), as the repair's own doing, not reported as differences.
 */
static void note_freed(struct check *c, uint64_t ino)
{
	struct vexfs_extent_visitor v = {
		.priv = c, .node = freed_node, .extent = freed_extent,
		.bad = freed_root,
	};
	struct vexfs_inode inode;
	struct vexfs_err err;
	uint64_t x;

	if (vexfs_inode_read_raw(&c->fs, ino, &inode, &err))
		return;
	vexfs_extent_walk(&c->fs, ino, &inode, &v, &err);
	x = le64(inode.i_xattr_block);
	if (x >= le64(c->fs.sb.s_data_start) &&
	    x < le64(c->fs.sb.s_blocks_count))
		vexfs_set_bit(c->fsck_freed, x);
}

/*
 * Account an inode the repairs freed or allocated in the on-disk view of
 * the bitmap, so that pass 5 does not report it as a difference.  The
 * summary counts are compared with the result as they are.
 */
static void inode_alloc_stats(struct check *c, uint64_t ino, bool used)
{
	if (ino < VEXFS_FIRST_INO || !can_write(c) ||
	    vexfs_test_bit(c->imap.bits, ino) == used)
		return;
	if (used)
		vexfs_set_bit(c->imap.bits, ino);
	else
		vexfs_clear_bit(c->imap.bits, ino);
	c->imap_rewrite = true;
}

static void recreate_root(struct check *c, const struct vexfs_inode *old);
static void check_orphan_mark(struct check *c, uint64_t ino,
			      struct vexfs_inode *inode);
static void vec_forget(struct check *c, uint64_t ino);

/*
 * Clear an inode: zero it and forget it.  The root cannot go: it is made
 * anew, empty, and its old subdirectories end up in /lost+found.
 */
static void clear_inode(struct check *c, uint64_t ino)
{
	struct vexfs_inode zero;
	struct vexfs_err err;

	if (ino == VEXFS_ROOT_INO) {
		memset(&zero, 0, sizeof(zero));
		if (can_write(c))
			note_freed(c, ino);
		recreate_root(c, &zero);
		return;
	}
	c->ii[ino].state = IS_FREE;
	if (ino >= VEXFS_FIRST_INO)
		vexfs_clear_bit(c->inode_used, ino);
	if (!can_write(c))
		return;
	vec_forget(c, ino);
	note_freed(c, ino);
	inode_alloc_stats(c, ino, false);
	memset(&zero, 0, sizeof(zero));
	if (vexfs_dev_write(&c->fs.dev, vexfs_inode_offset(&c->fs.sb, ino),
			    &zero, sizeof(zero), &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		return;
	}
	c->modified = true;
}

static const char *type_name(uint16_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "regular file";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "character device";
	case S_IFBLK: return "block device";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	default: return "unknown";
	}
}

/* ------------------------------------------------------------------ */
/* Pass 1: inodes, extent trees, xattr blocks                          */
/* ------------------------------------------------------------------ */

/* What one inode's extent walk found. */
struct iwalk {
	struct check *c;
	uint64_t ino;
	uint64_t blocks;		/* data and tree blocks */
	struct vexfs_ext_list good;	/* extents outside bad subtrees */
	bool bad;			/* some subtree is bad */
	bool root_bad;
	bool dup;			/* some block is claimed twice */
	bool oom;
	const char *why;
	uint64_t bad_blk;
};

/* Mark @n blocks from @start in use; note the ones already in use. */
static void claim(struct iwalk *w, uint64_t start, uint64_t n)
{
	struct check *c = w->c;
	uint64_t b;

	for (b = start; b < start + n; b++) {
		if (vexfs_test_bit(c->block_used, b)) {
			vexfs_set_bit(c->block_dup, b);
			w->dup = true;
			c->ndup++;
		} else {
			vexfs_set_bit(c->block_used, b);
		}
	}
	w->blocks += n;
}

static int iw_node(void *priv, uint64_t pblk, unsigned int depth,
		   const char *why)
{
	struct iwalk *w = priv;

	(void)depth;
	if (why) {
		if (!w->bad) {
			w->why = why;
			w->bad_blk = pblk;
		}
		w->bad = true;
		return 0;
	}
	claim(w, pblk, 1);
	return 0;
}

static int iw_extent(void *priv, const struct vexfs_ext *ex)
{
	struct iwalk *w = priv;

	claim(w, ex->pblk, ex->len);
	if (vexfs_ext_list_add(&w->good, ex, NULL))
		w->oom = true;
	return 0;
}

static void iw_bad(void *priv, uint64_t pblk, unsigned int depth,
		   const char *why)
{
	struct iwalk *w = priv;

	(void)pblk;
	(void)depth;
	w->root_bad = true;
	w->why = why;
}

/* Replace an inode's extent tree by one holding @ext. */
static int rebuild_extents(struct check *c, uint64_t ino,
			   struct vexfs_inode *inode,
			   const struct vexfs_ext *ext, size_t n,
			   uint64_t *nodes)
{
	struct vexfs_err err;

	note_freed(c, ino);
	if (vexfs_extent_build(&c->fs, &c->alloc, ino, inode, ext, n, nodes,
			       &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		return -1;
	}
	return 0;
}

static void check_xattr_block(struct check *c, uint64_t ino,
			      struct vexfs_inode *inode, struct iwalk *w,
			      bool *dirty)
{
	uint64_t nr = le64(inode->i_xattr_block);
	struct vexfs_xattr_ent *xs;
	const char *why = NULL;
	struct vexfs_err err;
	int n, i, max = vexfs_xattr_max_entries(c->fs.bs);

	if (!nr)
		return;
	xs = calloc((size_t)max, sizeof(*xs));
	if (!xs) {
		c->oom = true;
		return;
	}
	n = vexfs_xattr_read_block(&c->fs, ino, inode, c->blk, &why, &err);
	if (!n)
		n = vexfs_xattr_parse(c->blk, c->fs.bs, xs, max, &why);
	else if (!why)
		why = err.msg;
	if (n < 0) {
		if (fix_problem(c, PR_1_XATTR_BAD, (unsigned long long)ino,
				(unsigned long long)nr, why)) {
			inode->i_xattr_block = 0;
			*dirty = true;
		}
		if (nr >= le64(c->fs.sb.s_data_start) &&
		    nr < le64(c->fs.sb.s_blocks_count) && !inode->i_xattr_block)
			goto out;
		if (nr < le64(c->fs.sb.s_data_start) ||
		    nr >= le64(c->fs.sb.s_blocks_count))
			goto out;
	}
	claim(w, nr, 1);
	for (i = 0; i < n; i++) {
		uint64_t vino = xs[i].value_ino;

		if (!vino)
			continue;
		if (c->nxref == c->xref_cap) {
			size_t cap = c->xref_cap ? c->xref_cap * 2 : 16;
			struct xref *x = realloc(c->xref, cap * sizeof(*x));

			if (!x) {
				c->oom = true;
				break;
			}
			c->xref = x;
			c->xref_cap = cap;
		}
		c->xref[c->nxref].owner = ino;
		c->xref[c->nxref].vino = vino;
		c->xref[c->nxref].size = xs[i].size;
		c->nxref++;
	}
out:
	free(xs);
}

static void check_symlink(struct check *c, uint64_t ino,
			  struct vexfs_inode *inode)
{
	char *buf = malloc(c->fs.bs + 1);
	const char *why = NULL;
	struct vexfs_err err;
	int ret;

	if (!buf) {
		c->oom = true;
		return;
	}
	ret = vexfs_symlink_read(&c->fs, ino, inode, buf, &why, &err);
	if (ret && !why)
		why = err.msg;
	free(buf);
	if (ret && fix_problem(c, PR_1_SYMLINK_BAD, (unsigned long long)ino, why))
		clear_inode(c, ino);
}

/* Extents, xattrs, i_blocks and the type-specific checks of a sane inode. */
static void check_inode_data(struct check *c, uint64_t ino,
			     struct vexfs_inode *inode)
{
	struct vexfs_extent_visitor v = {
		.node = iw_node, .extent = iw_extent, .bad = iw_bad,
	};
	uint16_t mode = le16(inode->i_mode);
	uint32_t flags = le32(inode->i_flags);
	struct iwalk w = { .c = c, .ino = ino };
	bool dirty = false;
	struct vexfs_err err;
	uint64_t nodes;

	v.priv = &w;
	if ((flags & VEXFS_INODE_INLINE) && !S_ISLNK(mode)) {
		if (fix_problem(c, PR_1_INLINE_NOT_SYMLINK,
				(unsigned long long)ino, type_name(mode)))
			clear_inode(c, ino);
		return;
	}
	if (vexfs_extent_walk(&c->fs, ino, inode, &v, &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		goto out;
	}
	if (w.oom)
		c->oom = true;
	if (w.root_bad) {
		if (ino == VEXFS_ROOT_INO ?
		    fix_problem(c, PR_1_ROOT_BAD, w.why) :
		    fix_problem(c, PR_1_EXTENT_ROOT_BAD, (unsigned long long)ino,
				w.why))
			clear_inode(c, ino);
		goto out;
	}
	if (w.bad && fix_problem(c, PR_1_EXTENT_BAD, (unsigned long long)ino,
				 (unsigned long long)w.bad_blk, w.why) &&
	    can_write(c)) {
		if (!rebuild_extents(c, ino, inode, w.good.e, w.good.n, &nodes)) {
			w.blocks = nodes;
			for (size_t k = 0; k < w.good.n; k++)
				w.blocks += w.good.e[k].len;
			dirty = true;
		}
	}
	if (w.dup && c->ndup_inodes < VEXFS_ARRAY_SIZE(c->dup_inodes))
		c->dup_inodes[c->ndup_inodes++] = ino;
	if (S_ISLNK(mode))
		check_symlink(c, ino, inode);
	if (c->ii[ino].state == IS_FREE)
		goto out;
	if ((S_ISCHR(mode) || S_ISBLK(mode) || S_ISFIFO(mode) ||
	     S_ISSOCK(mode)) && (w.good.n || le64(inode->i_size))) {
		if (fix_problem(c, PR_1_SPECIAL_DATA, (unsigned long long)ino,
				type_name(mode)) && can_write(c)) {
			if (!rebuild_extents(c, ino, inode, NULL, 0, &nodes)) {
				w.blocks = 0;
				inode->i_size = 0;
				dirty = true;
			}
		}
	}
	if (le64(inode->i_size) > ((VEXFS_MAX_LBLK + 1) * c->fs.bs) &&
	    fix_problem(c, PR_1_BAD_SIZE, (unsigned long long)ino,
			(unsigned long long)le64(inode->i_size))) {
		uint64_t end = 0;

		if (w.good.n)
			end = ((uint64_t)w.good.e[w.good.n - 1].lblk +
			       w.good.e[w.good.n - 1].len) * c->fs.bs;
		inode->i_size = cpu_le64(end);
		c->ii[ino].size = end;
		dirty = true;
	}
	check_xattr_block(c, ino, inode, &w, &dirty);
	if (le64(inode->i_blocks) != w.blocks &&
	    fix_problem(c, PR_1_BAD_I_BLOCKS, (unsigned long long)ino,
			(unsigned long long)le64(inode->i_blocks),
			(unsigned long long)w.blocks)) {
		inode->i_blocks = cpu_le64(w.blocks);
		dirty = true;
	}
	if (dirty)
		write_inode(c, ino, inode);
out:
	vexfs_ext_list_free(&w.good);
}

/*
 * A new, empty root directory.  The old root's blocks are freed by pass 5
 * (nothing owns them any more).
 */
static void recreate_root(struct check *c, const struct vexfs_inode *old)
{
	struct vexfs_inode root;

	vexfs_inode_init_dir(&root, VEXFS_ROOT_INO, VEXFS_ROOT_INO, 0755,
			     (int64_t)time(NULL), le32(old->i_generation));
	write_inode(c, VEXFS_ROOT_INO, &root);
	c->ii[VEXFS_ROOT_INO].mode = le16(root.i_mode);
	c->ii[VEXFS_ROOT_INO].links = 2;
	c->ii[VEXFS_ROOT_INO].parent = VEXFS_ROOT_INO;
	c->ii[VEXFS_ROOT_INO].flags = 0;
	c->ii[VEXFS_ROOT_INO].size = 0;
	c->ii[VEXFS_ROOT_INO].state = IS_USED;
	c->root_recreated = true;
}

static void check_root(struct check *c, struct vexfs_inode *inode,
		       bool csum_ok)
{
	const char *why = inode_insanity(inode, VEXFS_ROOT_INO);
	uint16_t mode = le16(inode->i_mode);

	if (!why && !S_ISDIR(mode)) {
		if (fix_problem(c, PR_1_ROOT_NOT_DIR, mode))
			recreate_root(c, inode);
		else
			c->stop_tree = true;
		return;
	} else if (why) {
		if (fix_problem(c, PR_1_ROOT_BAD, why))
			recreate_root(c, inode);
		else
			c->stop_tree = true;
		return;
	} else if (!csum_ok) {
		if (fix_problem(c, PR_1_INODE_CSUM,
				(unsigned long long)VEXFS_ROOT_INO))
			write_inode(c, VEXFS_ROOT_INO, inode);
	}
	c->ii[VEXFS_ROOT_INO].state = IS_USED;
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
		if (why && !strcmp(why, "wrong inode number"))
			return;		/* -n: leave it alone */
	}
	if (csum_ok && why && !strcmp(why, "bad timestamp")) {
		if (fix_problem(c, PR_1_INODE_TIME, (unsigned long long)ino)) {
			inode->i_atime.nsec = inode->i_mtime.nsec = 0;
			inode->i_ctime.nsec = inode->i_crtime.nsec = 0;
			write_inode(c, ino, inode);
		}
		why = NULL;
	}
	if (why) {
		if (fix_problem(c, PR_1_INODE_BAD, (unsigned long long)ino, why))
			clear_inode(c, ino);
		return;
	}
	if (!csum_ok) {
		if (fix_problem(c, PR_1_INODE_CSUM, (unsigned long long)ino))
			write_inode(c, ino, inode);
		else
			return;		/* the kernel will not read it */
	}
	c->ii[ino].state = IS_USED;
}

static void note_inode(struct check *c, uint64_t ino,
		       const struct vexfs_inode *inode)
{
	struct ino_info *ii = &c->ii[ino];
	uint16_t mode = le16(inode->i_mode);

	ii->mode = mode;
	ii->links = le16(inode->i_links_count);
	ii->flags = le32(inode->i_flags);
	ii->parent = le64(inode->i_parent);
	ii->size = le64(inode->i_size);
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
		if (c->ii[ino].state == IS_USED && !c->root_recreated) {
			note_inode(c, ino, inode);
			check_inode_data(c, ino, inode);
		}
		return;
	}
	/* Reserved slots other than the root hold nothing yet. */
	if (ino < VEXFS_FIRST_INO)
		return;
	if (!in_use) {
		/*
		 * The kernel zeroes an inode it frees: a sane, checksummed
		 * inode with links here is in use and lost its bit (pass 5
		 * puts it back), as e2fsck trusts inodes over the bitmap.
		 */
		if (!le16(inode->i_mode) || !le16(inode->i_links_count) ||
		    !csum_ok || inode_insanity(inode, ino))
			return;
		vexfs_set_bit(c->inode_used, ino);
	}
	if (!le16(inode->i_mode)) {
		if (fix_problem(c, PR_1_INODE_EMPTY, (unsigned long long)ino))
			vexfs_clear_bit(c->inode_used, ino);
		return;
	}
	if (csum_ok)
		check_orphan_mark(c, ino, inode);
	check_other(c, ino, inode, csum_ok);
	if (c->ii[ino].state != IS_USED)
		return;
	/* Checksummed anew by check_other(): its orphan mark counts now. */
	if (!csum_ok)
		check_orphan_mark(c, ino, inode);
	note_inode(c, ino, inode);
	check_inode_data(c, ino, inode);
}

/* ------------------------------------------------------------------ */
/* Pass 1C: the orphan list (before the inode scan, as e2fsck does)     */
/* ------------------------------------------------------------------ */

/*
 * Cut an inode's blocks past @size, as the kernel's truncation would
 * have.  Tree blocks, if the shorter tree needs new ones, come from the
 * on-disk bitmap (pass 1 has not yet said which blocks are in use), and
 * are marked there at once.
 */
static int orphan_truncate(struct check *c, uint64_t ino,
			   struct vexfs_inode *inode)
{
	size_t bytes = (size_t)(c->bmap.nblocks * VEXFS_BITMAP_BITS(c->fs.bs) / 8);
	uint64_t keep = (le64(inode->i_size) + c->fs.bs - 1) / c->fs.bs;
	uint64_t nodes, blocks = 0, n;
	struct vexfs_ext_list list;
	struct vexfs_alloc alloc;
	struct vexfs_err err;
	uint8_t *map;
	size_t k, out_n = 0;
	int ret;

	if (vexfs_extent_list(&c->fs, ino, inode, &list, &err)) {
		out(c, "%s: inode %llu: %s\n", c->name, (unsigned long long)ino,
		    err.msg);
		c->uncorrected = true;
		return -1;
	}
	for (k = 0; k < list.n; k++) {
		struct vexfs_ext e = list.e[k];

		if (e.lblk >= keep)
			continue;
		if (e.lblk + (uint64_t)e.len > keep)
			e.len = (uint32_t)(keep - e.lblk);
		list.e[out_n++] = e;
		blocks += e.len;
	}
	map = malloc(bytes);
	if (!map) {
		vexfs_ext_list_free(&list);
		c->oom = true;
		return -1;
	}
	memcpy(map, c->bmap.bits, bytes);
	vexfs_alloc_init(&alloc, map, &c->fs.sb);
	note_freed(c, ino);
	ret = vexfs_extent_build(&c->fs, &alloc, ino, inode, list.e, out_n,
				 &nodes, &err);
	if (ret) {
		out(c, "%s: inode %llu: %s\n", c->name, (unsigned long long)ino,
		    err.msg);
		c->uncorrected = true;
	} else {
		for (n = le64(c->fs.sb.s_data_start);
		     n < le64(c->fs.sb.s_blocks_count); n++)
			if (vexfs_test_bit(map, n) &&
			    !vexfs_test_bit(c->bmap.bits, n)) {
				vexfs_set_bit(c->bmap.bits, n);
				c->bmap_rewrite = true;
			}
		inode->i_blocks = cpu_le64(blocks + nodes +
					   (inode->i_xattr_block ? 1 : 0));
	}
	free(map);
	vexfs_ext_list_free(&list);
	return ret;
}

/* Why inode @ino cannot be on the orphan list; NULL if it can. */
static const char *orphan_insanity(struct check *c, uint64_t ino,
				   struct vexfs_inode *inode)
{
	if (ino < VEXFS_FIRST_INO || ino >= c->ninodes)
		return "not an inode number";
	if (vexfs_inode_read_raw(&c->fs, ino, inode, NULL))
		return "unreadable";
	if (!le16(inode->i_mode) || !vexfs_test_bit(c->imap.bits, ino))
		return "a free inode";
	if (le32(inode->i_checksum) != vexfs_inode_csum(c->fs.seed, inode) ||
	    inode_insanity(inode, ino))
		return "a corrupt inode";
	if (!(le32(inode->i_flags) & VEXFS_INODE_ORPHAN))
		return "an inode in use that is not an orphan";
	return NULL;
}

/*
 * Walk the orphan list from s_last_orphan and finish what the kernel
 * would at mount (vexfs_orphan_cleanup()): an inode without links is
 * freed, one with links loses its blocks past i_size and leaves the list.
 * A bad entry or a loop ends the list there; inodes cut off that way are
 * then found in pass 1 (check_orphan_mark()).
 */
static int release_orphans(struct check *c, struct vexfs_err *err)
{
	struct vexfs_super_block *sb = &c->fs.sb;
	uint64_t ino = le64(sb->s_last_orphan), prev = 0;
	bool declined = false;

	c->orphan_listed = calloc(c->ninodes / 8 + 1, 1);
	if (!c->orphan_listed)
		return vexfs_errf(err, ENOMEM, "out of memory");
	if (!ino)
		return 0;
	while (ino && !c->stop) {
		unsigned long long i = (unsigned long long)ino;
		struct vexfs_inode inode;
		const char *why;
		uint64_t next;
		uint16_t mode;

		if (ino < c->ninodes && vexfs_test_bit(c->orphan_listed, ino)) {
			fix_problem(c, PR_1C_ORPHAN_LOOP, i,
				    (unsigned long long)prev);
			break;
		}
		why = orphan_insanity(c, ino, &inode);
		if (why) {
			fix_problem(c, PR_1C_ORPHAN_BAD, i, why);
			break;
		}
		vexfs_set_bit(c->orphan_listed, ino);
		next = le64(inode.i_next_orphan);
		mode = le16(inode.i_mode);
		if (!le16(inode.i_links_count)) {
			if (fix_problem(c, PR_1C_ORPHAN_FREE, i, type_name(mode),
					(unsigned long long)le64(inode.i_size))) {
				if (can_write(c))
					c->counts_stale = true;
				clear_inode(c, ino);
			} else {
				declined = true;
			}
		} else {
			if (S_ISREG(mode) &&
			    !fix_problem(c, PR_1C_ORPHAN_TRUNCATE, i,
					 type_name(mode),
					 (unsigned long long)le64(inode.i_size))) {
				declined = true;
			} else if (can_write(c)) {
				c->counts_stale = true;
				if (S_ISREG(mode) &&
				    orphan_truncate(c, ino, &inode))
					return 0;
				inode.i_flags = cpu_le32(le32(inode.i_flags) &
							 ~VEXFS_INODE_ORPHAN);
				inode.i_next_orphan = 0;
				write_inode(c, ino, &inode);
			}
		}
		if (declined)
			break;
		prev = ino;
		ino = next;
	}
	/*
	 * The list is done (or cut): empty it.  If a fix was declined, the
	 * list goes on from that inode, untouched.
	 */
	if (!can_write(c) || c->stop)
		return 0;
	if (le64(sb->s_last_orphan) != (declined ? ino : 0)) {
		sb->s_last_orphan = cpu_le64(declined ? ino : 0);
		c->sb_dirty = true;
	}
	return 0;
}

/* Did pass 1C free inode @ino, as the orphan list asked? */
static bool orphan_released(struct check *c, uint64_t ino)
{
	return can_write(c) && c->orphan_listed && ino < c->ninodes &&
	       vexfs_test_bit(c->orphan_listed, ino) &&
	       c->ii[ino].state == IS_FREE;
}

/* Pass 1: an inode marked orphan that the orphan list does not reach. */
static void check_orphan_mark(struct check *c, uint64_t ino,
			      struct vexfs_inode *inode)
{
	uint32_t flags = le32(inode->i_flags);

	if (!(flags & VEXFS_INODE_ORPHAN) ||
	    (c->orphan_listed && vexfs_test_bit(c->orphan_listed, ino)))
		return;
	if (!fix_problem(c, PR_1C_ORPHAN_STRAY, (unsigned long long)ino))
		return;
	inode->i_flags = cpu_le32(flags & ~VEXFS_INODE_ORPHAN);
	inode->i_next_orphan = 0;
	/* (without links it is then an inode to clear: check_other()) */
	write_inode(c, ino, inode);
}

static int pass1(struct check *c, struct vexfs_err *err)
{
	uint64_t ipb = c->fs.bs / VEXFS_INODE_SIZE;
	uint64_t inodes = le64(c->fs.sb.s_inodes_count);
	uint64_t start = le64(c->fs.sb.s_inode_table_start);
	uint64_t nblocks = (inodes + ipb - 1) / ipb, k, i;
	struct vexfs_inode *table;
	int ret = 0;

	pass_header(c, 1, "Checking inodes, extent trees and xattr blocks");
	ret = release_orphans(c, err);
	if (ret || c->stop)
		return ret;
	table = malloc(c->fs.bs);
	if (!table)
		return vexfs_errf(err, ENOMEM, "out of memory");
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
	if (c->oom && !ret)
		ret = vexfs_errf(err, ENOMEM, "out of memory");
	if (c->opts->verbose && !ret)
		out(c, "%" PRIu64 " directories, %" PRIu64 " regular files\n",
		    c->dirs, c->files);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Pass 1B: blocks claimed twice                                       */
/* ------------------------------------------------------------------ */

/*
 * The first inode (in inode order) to claim a block keeps it; every later
 * claimant gets a copy of the data, as e2fsck's pass 1B-1D clone does.
 */
static int clone_inode(struct check *c, uint64_t ino, uint8_t *claimed)
{
	struct vexfs_ext_list list, out_list = { 0 };
	struct vexfs_inode inode;
	struct vexfs_err err;
	uint64_t nodes, blocks = 0, dups = 0;
	uint8_t *buf = c->blk;
	size_t k;
	int ret = 0;

	if (read_inode(c, ino, &inode))
		return 0;
	if (vexfs_extent_list(&c->fs, ino, &inode, &list, &err))
		return 0;	/* reported in pass 1 */
	for (k = 0; k < list.n; k++)
		for (uint64_t b = 0; b < list.e[k].len; b++) {
			uint64_t p = list.e[k].pblk + b;

			if (!vexfs_test_bit(c->block_dup, p))
				continue;
			if (vexfs_test_bit(claimed, p))
				dups++;
		}
	if (!dups) {
		/* first claimant: keep the blocks */
		for (k = 0; k < list.n; k++)
			for (uint64_t b = 0; b < list.e[k].len; b++)
				vexfs_set_bit(claimed, list.e[k].pblk + b);
		goto out;
	}
	if (!fix_problem(c, PR_1B_DUP_BLOCKS, (unsigned long long)ino,
			 (unsigned long long)dups) || !can_write(c))
		goto out;
	for (k = 0; k < list.n && !ret; k++) {
		struct vexfs_ext e = list.e[k];
		uint32_t b;

		for (b = 0; b < e.len && !ret; b++) {
			uint64_t p = e.pblk + b, np, got;
			struct vexfs_ext one = { .lblk = e.lblk + b, .len = 1 };

			if (vexfs_test_bit(c->block_dup, p) &&
			    vexfs_test_bit(claimed, p)) {
				if (vexfs_alloc_blocks(&c->alloc, 1, &np, &got)) {
					out(c, "%s: no free block to copy block %llu of inode %llu into\n",
					    c->name, (unsigned long long)p,
					    (unsigned long long)ino);
					c->uncorrected = true;
					ret = -1;
					break;
				}
				if (vexfs_read_block(&c->fs.dev, p, buf, &err) ||
				    vexfs_write_block(&c->fs.dev, np, buf, &err)) {
					out(c, "%s: %s\n", c->name, err.msg);
					c->uncorrected = true;
					ret = -1;
					break;
				}
				one.pblk = np;
			} else {
				one.pblk = p;
				vexfs_set_bit(claimed, p);
			}
			/* merge with the previous mapping when contiguous */
			if (out_list.n) {
				struct vexfs_ext *last = &out_list.e[out_list.n - 1];

				if (last->lblk + last->len == one.lblk &&
				    last->pblk + last->len == one.pblk &&
				    last->len < VEXFS_EXT_MAX_LEN) {
					last->len++;
					continue;
				}
			}
			if (vexfs_ext_list_add(&out_list, &one, &err))
				ret = -1;
		}
	}
	if (!ret && !rebuild_extents(c, ino, &inode, out_list.e, out_list.n,
				     &nodes)) {
		for (k = 0; k < out_list.n; k++)
			blocks += out_list.e[k].len;
		blocks += nodes + (inode.i_xattr_block ? 1 : 0);
		inode.i_blocks = cpu_le64(blocks);
		write_inode(c, ino, &inode);
	}
out:
	vexfs_ext_list_free(&out_list);
	vexfs_ext_list_free(&list);
	return 0;
}

static int pass1b(struct check *c, struct vexfs_err *err)
{
	uint64_t nbits = le64(c->fs.sb.s_blocks_count);
	uint8_t *claimed;
	size_t i;
	uint64_t ino;

	if (!c->ndup)
		return 0;
	pass_header(c, 1, "B: Cloning blocks claimed by more than one inode");
	claimed = calloc(nbits / 8 + 1, 1);
	if (!claimed)
		return vexfs_errf(err, ENOMEM, "out of memory");
	/* every in-use inode, in order, so that the first claimant keeps */
	for (ino = 1; ino < c->ninodes && !c->stop; ino++) {
		bool listed = false;

		if (c->ii[ino].state != IS_USED)
			continue;
		for (i = 0; i < c->ndup_inodes; i++)
			listed |= c->dup_inodes[i] == ino;
		if (listed || (c->ndup_inodes &&
			       ino < c->dup_inodes[c->ndup_inodes - 1]))
			clone_inode(c, ino, claimed);
	}
	free(claimed);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Pass 2: directory structure                                         */
/* ------------------------------------------------------------------ */

struct dcheck {
	struct check *c;
	uint64_t ino;
	struct vexfs_dirent_list list;
	unsigned int nbad;
	uint32_t bad_lblk;
	const char *why;
	bool oom;
};

static void dc_bad(void *priv, uint32_t lblk, const char *why)
{
	struct dcheck *d = priv;

	if (!d->nbad++) {
		d->bad_lblk = lblk;
		d->why = why;
	}
}

static int dc_entry(void *priv, const struct vexfs_dir_entry *de,
		    uint32_t lblk)
{
	struct dcheck *d = priv;

	(void)lblk;
	if (vexfs_dirent_add(&d->list, le64(de->de_hash), le64(de->de_ino),
			     de->de_file_type, de->de_name, de->de_name_len,
			     NULL))
		d->oom = true;
	return 0;
}

static void name_printable(const struct vexfs_dirent *e, char *out, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < e->name_len && o + 5 < len; i++) {
		unsigned char ch = (unsigned char)e->name[i];

		if (ch < 0x20 || ch == 0x7f || ch == '\\')
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
	out[o] = '\0';
}

/* Load a directory's entries as they are (for adding to it). */
static int dir_load(struct check *c, uint64_t ino, struct vexfs_inode *inode,
		    struct vexfs_dirent_list *list)
{
	struct dcheck d = { .c = c, .ino = ino };
	struct vexfs_dir_visitor v = { .priv = &d, .bad = dc_bad,
				       .entry = dc_entry };
	struct vexfs_err err;

	if (read_inode(c, ino, inode))
		return -1;
	if (vexfs_dir_walk(&c->fs, ino, inode, &v, &err) || d.oom) {
		vexfs_dirent_list_free(&d.list);
		return -1;
	}
	*list = d.list;
	return 0;
}

/* Write a directory anew with @list; update its i_size and i_blocks. */
static int dir_store(struct check *c, uint64_t ino, struct vexfs_inode *inode,
		     struct vexfs_dirent_list *list)
{
	struct vexfs_err err;
	uint64_t blocks;

	if (!can_write(c))
		return 0;
	note_freed(c, ino);
	if (vexfs_dir_build(&c->fs, &c->alloc, ino, inode, list, &blocks,
			    &err)) {
		out(c, "%s: directory %llu: %s\n", c->name,
		    (unsigned long long)ino, err.msg);
		c->uncorrected = true;
		return -1;
	}
	inode->i_blocks = cpu_le64(blocks + (inode->i_xattr_block ? 1 : 0));
	c->ii[ino].size = le64(inode->i_size);
	write_inode(c, ino, inode);
	return 0;
}

static bool name_bad(const struct vexfs_dirent *e)
{
	return vexfs_dir_name_check(e->name, e->name_len);
}

/*
 * Check one entry of directory @dir.  Return: 1 to drop it, 0 to keep it;
 * *@changed is set when the entry was corrected in place.
 */
/*
 * Check one entry of directory @dir.  Return: 0 if it is good (perhaps
 * after a fix in place, which sets *@changed), 1 to drop it, 2 to keep a
 * bad entry that the user chose not to fix: it is left in the directory
 * but not counted as a reference (its inode number may not even be one).
 */
static int check_entry(struct check *c, uint64_t dir,
		       struct vexfs_dirent_list *list, size_t i, bool *changed)
{
	struct vexfs_dirent *e = &list->d[i];
	unsigned long long d = (unsigned long long)dir;
	unsigned long long ino = (unsigned long long)e->ino;
	struct ino_info *ii;
	uint64_t hash;
	char name[VEXFS_NAME_LEN * 4 + 1];
	uint8_t ft;

	name_printable(e, name, sizeof(name));
	if (name_bad(e))
		return fix_problem(c, PR_2_BAD_NAME, d, name) ? 1 : 2;
	if (e->ino < VEXFS_FIRST_INO || e->ino >= c->ninodes)
		return fix_problem(c, PR_2_BAD_INO, d, name, ino) ? 1 : 2;
	ii = &c->ii[e->ino];
	if (ii->state != IS_USED)
		return fix_problem(c, PR_2_UNUSED_INODE, d, name, ino) ? 1 : 2;
	if (ii->flags & VEXFS_INODE_HIDDEN)
		return fix_problem(c, PR_2_HIDDEN_INODE, d, name, ino) ? 1 : 2;
	if (vexfs_dirent_find(list, e->name, e->name_len) != (int)i)
		return fix_problem(c, PR_2_DUP_NAME, d, name) ? 1 : 2;
	if (S_ISDIR(ii->mode) && ii->found_in)
		return fix_problem(c, PR_2_DIR_LINKED_TWICE, d, name, ino,
				   (unsigned long long)ii->found_in) ? 1 : 2;
	hash = vexfs_name_hash(&c->fs.sb, e->name, e->name_len);
	if (e->hash != hash && fix_problem(c, PR_2_BAD_HASH, d, name,
					   (unsigned long long)e->hash,
					   (unsigned long long)hash)) {
		e->hash = hash;
		*changed = true;
	}
	ft = vexfs_mode_to_ftype(ii->mode);
	if (e->type != ft && fix_problem(c, PR_2_BAD_FTYPE, d, name, e->type,
					 ft)) {
		e->type = ft;
		*changed = true;
	}
	return 0;
}

static void check_dir(struct check *c, uint64_t ino)
{
	struct dcheck d = { .c = c, .ino = ino };
	struct vexfs_dir_visitor v = { .priv = &d, .bad = dc_bad,
				       .entry = dc_entry };
	struct vexfs_dirent_list *list;
	struct vexfs_inode inode;
	struct vexfs_err err;
	bool rebuild = false;
	size_t i, keep;

	if (read_inode(c, ino, &inode))
		return;
	if (vexfs_dir_walk(&c->fs, ino, &inode, &v, &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		goto out;
	}
	if (d.oom) {
		c->oom = true;
		goto out;
	}
	if (d.nbad && fix_problem(c, PR_2_DIR_CORRUPT, (unsigned long long)ino,
				  (unsigned long long)d.bad_lblk, d.why)) {
		vexfs_dirent_list_free(&d.list);
		if (vexfs_dir_salvage(&c->fs, ino, &inode, &d.list, &err)) {
			out(c, "%s: %s\n", c->name, err.msg);
			c->uncorrected = true;
			goto out;
		}
		if (c->opts->verbose)
			out(c, "Directory %llu: %zu entries salvaged\n",
			    (unsigned long long)ino, d.list.n);
		rebuild = true;
	}
	list = &d.list;
	for (i = 0, keep = 0; i < list->n; i++) {
		bool changed = false;

		int verdict = check_entry(c, ino, list, i, &changed);

		if (verdict == 1) {
			rebuild = true;
			continue;
		}
		if (verdict == 2) {
			list->d[keep++] = list->d[i];
			continue;
		}
		rebuild |= changed;
		if (S_ISDIR(c->ii[list->d[i].ino].mode)) {
			c->ii[list->d[i].ino].found_in = ino;
			c->ii[ino].subdirs++;
		} else if (!c->ii[list->d[i].ino].found_in) {
			c->ii[list->d[i].ino].found_in = ino;
		}
		c->ii[list->d[i].ino].refs++;
		list->d[keep++] = list->d[i];
	}
	list->n = keep;
	if (ino == VEXFS_ROOT_INO) {
		int lf = vexfs_dirent_find(list, "lost+found", 10);

		if (lf >= 0 && list->d[lf].ino < c->ninodes &&
		    S_ISDIR(c->ii[list->d[lf].ino].mode))
			c->lost_found = list->d[lf].ino;
	}
	if (rebuild)
		dir_store(c, ino, &inode, list);
out:
	vexfs_dirent_list_free(&d.list);
}

static int pass2(struct check *c, struct vexfs_err *err)
{
	uint64_t ino;

	pass_header(c, 2, "Checking directory structure");
	for (ino = 1; ino < c->ninodes && !c->stop; ino++) {
		if (c->ii[ino].state == IS_USED && S_ISDIR(c->ii[ino].mode))
			check_dir(c, ino);
		if (!(ino % 1024))
			progress(c, 2, ino, c->ninodes);
	}
	progress(c, 2, c->ninodes, c->ninodes);
	if (c->oom)
		return vexfs_errf(err, ENOMEM, "out of memory");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Pass 3: connectivity                                                */
/* ------------------------------------------------------------------ */

/* A free inode number for lost+found, from what pass 1 found. */
static uint64_t find_free_ino(struct check *c)
{
	uint64_t ino;

	for (ino = VEXFS_FIRST_INO; ino < c->ninodes; ino++)
		if (c->ii[ino].state == IS_FREE &&
		    !vexfs_test_bit(c->inode_used, ino))
			return ino;
	return 0;
}

static void set_links(struct check *c, uint64_t ino, uint16_t links);

/* Make sure /lost+found exists; Return: its inode, or 0. */
static uint64_t get_lost_found(struct check *c)
{
	struct vexfs_dirent_list root_list;
	struct vexfs_inode root, lf;
	uint64_t ino;

	if (c->lost_found)
		return c->lost_found;
	if (c->lf_failed)
		return 0;
	c->lf_failed = true;
	if (!fix_problem(c, PR_3_NO_LPF) || !can_write(c))
		return 0;
	ino = find_free_ino(c);
	if (!ino) {
		out(c, "%s: no free inode for /lost+found\n", c->name);
		c->uncorrected = true;
		return 0;
	}
	if (dir_load(c, VEXFS_ROOT_INO, &root, &root_list))
		return 0;
	if (vexfs_dirent_find(&root_list, "lost+found", 10) >= 0) {
		/* the name is taken by something that is not a directory */
		out(c, "%s: /lost+found is not a directory; move it away and run fsck again\n",
		    c->name);
		c->uncorrected = true;
		vexfs_dirent_list_free(&root_list);
		return 0;
	}
	vexfs_inode_init_dir(&lf, ino, VEXFS_ROOT_INO, 0700,
			     (int64_t)time(NULL), 0);
	write_inode(c, ino, &lf);
	if (vexfs_dirent_add(&root_list,
			     vexfs_name_hash(&c->fs.sb, "lost+found", 10), ino,
			     VEXFS_FT_DIR, "lost+found", 10, NULL) ||
	    dir_store(c, VEXFS_ROOT_INO, &root, &root_list)) {
		vexfs_dirent_list_free(&root_list);
		return 0;
	}
	vexfs_dirent_list_free(&root_list);
	vexfs_set_bit(c->inode_used, ino);
	inode_alloc_stats(c, ino, true);
	if (c->pass4_root_done)
		set_links(c, VEXFS_ROOT_INO,
			  (uint16_t)(c->ii[VEXFS_ROOT_INO].links + 1));
	c->ii[ino] = (struct ino_info){
		.state = IS_USED, .mode = le16(lf.i_mode), .links = 2,
		.parent = VEXFS_ROOT_INO, .found_in = VEXFS_ROOT_INO,
		.refs = 1,
	};
	c->ii[VEXFS_ROOT_INO].subdirs++;
	c->lost_found = ino;
	c->lf_failed = false;
	return ino;
}

/* Link inode @ino into /lost+found as "#ino". */
static bool reconnect(struct check *c, uint64_t ino)
{
	struct vexfs_dirent_list list;
	struct vexfs_inode lf;
	uint64_t lfino = get_lost_found(c);
	char name[32];
	int len;

	if (!lfino)
		return false;
	if (dir_load(c, lfino, &lf, &list))
		return false;
	/* "#ino", or "#ino.N" if a file of that name is already there */
	len = snprintf(name, sizeof(name), "#%llu", (unsigned long long)ino);
	for (int n = 1; vexfs_dirent_find(&list, name, (size_t)len) >= 0; n++)
		len = snprintf(name, sizeof(name), "#%llu.%d",
			       (unsigned long long)ino, n);
	if (vexfs_dirent_add(&list, vexfs_name_hash(&c->fs.sb, name, (size_t)len),
			     ino, vexfs_mode_to_ftype(c->ii[ino].mode), name,
			     (size_t)len, NULL) ||
	    dir_store(c, lfino, &lf, &list)) {
		vexfs_dirent_list_free(&list);
		c->uncorrected = true;
		return false;
	}
	vexfs_dirent_list_free(&list);
	c->ii[ino].refs++;
	if (S_ISDIR(c->ii[ino].mode)) {
		c->ii[ino].found_in = lfino;
		c->ii[lfino].subdirs++;
	}
	return true;
}

static void set_parent(struct check *c, uint64_t ino, uint64_t parent)
{
	struct vexfs_inode inode;

	c->ii[ino].parent = parent;
	if (!can_write(c) || read_inode(c, ino, &inode))
		return;
	inode.i_parent = cpu_le64(parent);
	write_inode(c, ino, &inode);
}

/*
 * Break a loop of directories at @ino: its entry leaves the directory of
 * the loop that holds it, and it goes to /lost+found instead (its '..'
 * follows in pass 3, the link counts in pass 4).  Everything hanging from
 * the loop is then connected again.
 */
static void break_dir_loop(struct check *c, uint64_t ino)
{
	uint64_t dir = c->ii[ino].found_in;
	struct vexfs_dirent_list list;
	struct vexfs_inode inode;
	size_t i, keep;

	if (!can_write(c) || !get_lost_found(c)) {
		c->uncorrected = true;
		return;
	}
	if (dir_load(c, dir, &inode, &list)) {
		c->uncorrected = true;
		return;
	}
	for (i = 0, keep = 0; i < list.n; i++)
		if (list.d[i].ino != ino)
			list.d[keep++] = list.d[i];
	list.n = keep;
	if (dir_store(c, dir, &inode, &list)) {
		vexfs_dirent_list_free(&list);
		return;
	}
	vexfs_dirent_list_free(&list);
	c->ii[dir].subdirs--;
	c->ii[ino].refs--;
	c->ii[ino].found_in = 0;
	if (!reconnect(c, ino))
		c->uncorrected = true;
}

/* Does following found_in from @ino reach the root? */
static bool reaches_root(struct check *c, uint64_t ino)
{
	uint64_t steps = 0;

	while (ino != VEXFS_ROOT_INO) {
		ino = c->ii[ino].found_in;
		if (!ino || ++steps > c->dirs + 1)
			return false;
	}
	return true;
}

static int pass3(struct check *c, struct vexfs_err *err)
{
	uint64_t ino;

	(void)err;
	pass_header(c, 3, "Checking directory connectivity");
	if (c->ii[VEXFS_ROOT_INO].state != IS_USED)
		return 0;
	c->ii[VEXFS_ROOT_INO].found_in = VEXFS_ROOT_INO;
	for (ino = VEXFS_FIRST_INO; ino < c->ninodes && !c->stop; ino++) {
		struct ino_info *ii = &c->ii[ino];

		if (ii->state != IS_USED || !S_ISDIR(ii->mode) ||
		    (ii->flags & VEXFS_INODE_HIDDEN))
			continue;
		if (!reaches_root(c, ino)) {
			/* reconnect the top of the detached subtree */
			uint64_t top = ino, steps = 0;

			/*
			 * A chain of parents longer than there are
			 * directories goes round a loop, and @top is then
			 * in it.
			 */
			while (c->ii[top].found_in &&
			       ++steps <= c->dirs + 1)
				top = c->ii[top].found_in;
			if (c->ii[top].found_in) {
				if (fix_problem(c, PR_3_DIR_LOOP,
						(unsigned long long)top,
						(unsigned long long)c->ii[top].found_in))
					break_dir_loop(c, top);
				continue;
			}
			if (fix_problem(c, PR_3_UNCONNECTED_DIR,
					(unsigned long long)top,
					(unsigned long long)c->ii[top].parent))
				reconnect(c, top);
		}
	}
	for (ino = VEXFS_FIRST_INO; ino < c->ninodes && !c->stop; ino++) {
		struct ino_info *ii = &c->ii[ino];

		if (ii->state != IS_USED || !S_ISDIR(ii->mode) ||
		    !ii->found_in || ii->parent == ii->found_in)
			continue;
		if (fix_problem(c, PR_3_BAD_PARENT, (unsigned long long)ino,
				(unsigned long long)ii->parent,
				(unsigned long long)ii->found_in))
			set_parent(c, ino, ii->found_in);
	}
	if (c->ii[VEXFS_ROOT_INO].parent != VEXFS_ROOT_INO &&
	    fix_problem(c, PR_3_BAD_PARENT, (unsigned long long)VEXFS_ROOT_INO,
			(unsigned long long)c->ii[VEXFS_ROOT_INO].parent,
			(unsigned long long)VEXFS_ROOT_INO))
		set_parent(c, VEXFS_ROOT_INO, VEXFS_ROOT_INO);
	progress(c, 3, 1, 1);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Pass 6: vector collections                                          */
/* ------------------------------------------------------------------ */

/*
 * Pass 6 runs after pass 3 and before pass 4, although it is numbered
 * after the passes it does not depend on:
 *  - it needs pass 2 and 3's view of the tree (which directory holds
 *    each inode, settled by the reconnections of pass 3) to check that
 *    membership is inherited from the parent directory;
 *  - pass 4 counts the references to hidden inodes, and the collections
 *    table names the vector stores and indexes: it must count them as
 *    this pass leaves them, so that the store of a collection removed here
 *    is cleared there as unused, and a store made anew here is kept.
 * Two things pass 4 does later are accounted for: a file it clears gives
 * its slot back (vec_forget()), and a file it reconnects to /lost+found
 * keeps its collection and embedding (a file in /lost+found may be in any
 * collection, so that mv, which copies across collections, can bring the
 * embedding back through user.vexfs.embedding).
 *
 * Repairs never remove a file.  A collection whose descriptor is unusable
 * is removed; its files stay where they are, in no collection, without
 * their embeddings.  An embedding that does not verify is dropped (its
 * slot freed, the file's i_vec_slot cleared).  An inode naming a
 * collection that does not exist, or not the collection of its directory,
 * is moved to its directory's collection, as the kernel would have made
 * it, losing its embedding.  With -n, a collection whose descriptor is
 * left broken is not looked into further, so that one problem is not
 * reported once per file.
 */

/* vcoll->state */
#define VC_NONE		0	/* no descriptor */
#define VC_LIVE		1	/* a usable collection */
#define VC_KEPT		2	/* broken and left alone (-n) */
#define VC_DROPPED	3	/* removed by this check */

struct vcoll {
	uint8_t state;
	bool dirty;			/* descriptor to write back */
	bool new_store;			/* its embeddings are gone */
	bool rebuild;			/* build its index anew (pass 6B) */
	bool old_hdr;			/* the index header could be read: */
	uint32_t old_epoch;		/* ... its epoch */
	uint64_t old_seed;		/* ... and level seed */
	uint8_t *used;			/* store slots in use, after repairs */
	uint64_t used_n;		/* slots 1..used_n are in @used */
	uint64_t cap;			/* slots the store's size can hold */
	struct vexfs_collection d;	/* as it is (to be) on disk */
	struct vexfs_coll_geom g;
};

/* vclaim->kind */
#define CL_CLAIM	0	/* the inode says the slot is its embedding */
#define CL_MOVED	1	/* ... after this check moved it: kept if valid */
#define CL_RELEASE	2	/* it moved away: free the slot if it is its */

/* An inode's claim on a slot. */
struct vclaim {
	uint64_t slot, ino;
	uint32_t coll;
	uint8_t kind;
};

struct vcheck {
	uint64_t table;			/* the table inode, or 0 */
	struct vexfs_ext_list tmap;	/* its mapping */
	uint32_t ndesc;
	struct vcoll *colls;		/* ndesc entries */
	uint32_t *coll;			/* per inode: i_collection */
	uint64_t *slot;			/* per inode: i_vec_slot */
	uint32_t *gen;			/* per inode: i_generation */
	uint32_t *rootof;		/* per inode: collection it is root of */
	uint32_t *moved;		/* per inode: the collection it was
					 * moved out of (UINT32_MAX: none) */
	uint64_t *mslot;		/* per inode: its slot there */
	uint8_t *done;			/* per inode: membership settled */
	struct vclaim *claims;
	size_t nclaims, claims_cap;
	uint8_t *img;			/* one slot */
	bool table_dropped;		/* this check cleared the table */
	bool ready;			/* the checks ran: vec_forget() works */
};

static void vec_release(struct check *c)
{
	struct vcheck *v = c->vec;

	if (!v)
		return;
	vexfs_ext_list_free(&v->tmap);
	for (uint32_t i = 0; v->colls && i < v->ndesc; i++)
		free(v->colls[i].used);
	free(v->colls);
	free(v->coll);
	free(v->slot);
	free(v->gen);
	free(v->rootof);
	free(v->moved);
	free(v->mslot);
	free(v->done);
	free(v->claims);
	free(v->img);
	free(v);
	c->vec = NULL;
}

static bool vec_live(const struct vcheck *v, uint32_t id)
{
	return id && id <= v->ndesc && v->colls[id - 1].state == VC_LIVE;
}

static bool vec_kept(const struct vcheck *v, uint32_t id)
{
	return id && id <= v->ndesc && v->colls[id - 1].state == VC_KEPT;
}

/* The physical block of @lblk, 0 for a hole or an unwritten extent. */
static uint64_t vec_map(const struct vexfs_ext_list *l, uint64_t lblk)
{
	size_t lo = 0, hi = l->n;

	if (lblk > VEXFS_MAX_LBLK)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vexfs_ext *e = &l->e[mid];

		if (lblk < e->lblk)
			hi = mid;
		else if (lblk - e->lblk >= e->len)
			lo = mid + 1;
		else
			return (e->flags & VEXFS_EXT_UNWRITTEN) ? 0 :
			       e->pblk + (lblk - e->lblk);
	}
	return 0;
}

/* Read or zero @len bytes at byte @pos of a file mapped by @l. */
static int vec_io(struct check *c, const struct vexfs_ext_list *l,
		  uint64_t pos, void *buf, uint32_t len, bool zero)
{
	uint8_t *p = buf;
	struct vexfs_err err;

	while (len) {
		uint64_t pblk = vec_map(l, pos / c->fs.bs);
		uint32_t off = (uint32_t)(pos % c->fs.bs);
		uint32_t n = c->fs.bs - off < len ? c->fs.bs - off : len;

		if (zero) {
			if (pblk && can_write(c)) {
				memset(c->blk, 0, n);
				if (vexfs_dev_write(&c->fs.dev, pblk * c->fs.bs + off,
						    c->blk, n, &err)) {
					out(c, "%s: %s\n", c->name, err.msg);
					c->uncorrected = true;
					return -1;
				}
				c->modified = true;
			}
		} else if (!pblk) {
			memset(p, 0, n);
		} else if (vexfs_dev_read(&c->fs.dev, pblk * c->fs.bs + off, p,
					  n, &err)) {
			out(c, "%s: %s\n", c->name, err.msg);
			c->uncorrected = true;
			return -1;
		}
		if (!zero)
			p += n;
		pos += n;
		len -= n;
	}
	return 0;
}

/* Write descriptor @id back to the table, with a fresh checksum. */
static void vec_write_desc(struct check *c, uint32_t id)
{
	struct vcheck *v = c->vec;
	struct vcoll *vc = &v->colls[id - 1];
	uint64_t pos = (uint64_t)(id - 1) * sizeof(vc->d);
	uint64_t pblk = vec_map(&v->tmap, pos / c->fs.bs);
	struct vexfs_err err;

	vc->dirty = false;
	if (vc->d.c_id)
		vc->d.c_checksum = cpu_le32(vexfs_desc_csum(c->fs.seed, &vc->d));
	if (!can_write(c))
		return;
	if (!pblk) {
		out(c, "%s: collection %u: its descriptor is in a hole of the table\n",
		    c->name, id);
		c->uncorrected = true;
		return;
	}
	if (vexfs_dev_write(&c->fs.dev, pblk * c->fs.bs + pos % c->fs.bs,
			    &vc->d, sizeof(vc->d), &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		return;
	}
	c->modified = true;
}

/* Set an inode's collection and slot on disk and in the pass's view. */
static void vec_set_inode(struct check *c, uint64_t ino, uint32_t coll,
			  uint64_t slot)
{
	struct vexfs_inode inode;

	c->vec->coll[ino] = coll;
	c->vec->slot[ino] = slot;
	if (!can_write(c) || read_inode(c, ino, &inode))
		return;
	inode.i_collection = cpu_le32(coll);
	inode.i_vec_slot = cpu_le64(slot);
	write_inode(c, ino, &inode);
}

/* The collection fields of every inode in use. */
static int vec_scan_inodes(struct check *c, struct vexfs_err *err)
{
	struct vcheck *v = c->vec;
	uint64_t ipb = c->fs.bs / VEXFS_INODE_SIZE;
	uint64_t start = le64(c->fs.sb.s_inode_table_start);
	uint64_t nblocks = (c->ninodes + ipb - 1) / ipb, k, i;
	struct vexfs_inode *table = (void *)c->blk;
	int ret;

	for (k = 0; k < nblocks; k++) {
		ret = vexfs_read_block(&c->fs.dev, start + k, table, err);
		if (ret)
			return ret;
		for (i = 0; i < ipb; i++) {
			uint64_t ino = k * ipb + i;

			if (ino >= c->ninodes || c->ii[ino].state != IS_USED)
				continue;
			v->coll[ino] = le32(table[i].i_collection);
			v->slot[ino] = le64(table[i].i_vec_slot);
			v->gen[ino] = le32(table[i].i_generation);
		}
	}
	return 0;
}

static bool vec_hidden_reg(struct check *c, uint64_t ino)
{
	return ino >= VEXFS_FIRST_INO && ino < c->ninodes &&
	       c->ii[ino].state == IS_USED && S_ISREG(c->ii[ino].mode) &&
	       (c->ii[ino].flags & VEXFS_INODE_HIDDEN);
}

/* The superblock's view: the feature, the table inode and its size. */
static int vec_table(struct check *c, struct vexfs_err *err)
{
	struct vcheck *v = c->vec;
	struct vexfs_super_block *sb = &c->fs.sb;
	const uint64_t dsize = sizeof(struct vexfs_collection);
	uint32_t ro = le32(sb->s_feature_ro_compat);
	uint64_t table = le64(sb->s_collections_ino), size;
	struct vexfs_inode inode;
	const char *why = NULL;
	uint32_t i;
	int ret;

	if (table && !vec_hidden_reg(c, table))
		why = table < VEXFS_FIRST_INO || table >= c->ninodes ?
		      "out of range" : c->ii[table].state != IS_USED ?
		      "not in use" : "not a hidden regular file";
	if (why) {
		if (!fix_problem(c, PR_6_TABLE_BAD, (unsigned long long)table,
				 why))
			return 1;	/* nothing more can be checked */
		sb->s_collections_ino = 0;
		sb->s_collections_count = 0;
		ro &= ~VEXFS_FEATURE_RO_COMPAT_COLLECTIONS;
		sb->s_feature_ro_compat = cpu_le32(ro);
		c->sb_dirty = true;
		v->table_dropped = true;
		table = 0;
	}
	if (table && !(ro & VEXFS_FEATURE_RO_COMPAT_COLLECTIONS) &&
	    fix_problem(c, PR_6_SB_FEATURE, (unsigned long long)table)) {
		sb->s_feature_ro_compat =
			cpu_le32(ro | VEXFS_FEATURE_RO_COMPAT_COLLECTIONS);
		c->sb_dirty = true;
	}
	if (!table && (ro & VEXFS_FEATURE_RO_COMPAT_COLLECTIONS) &&
	    fix_problem(c, PR_6_SB_NO_TABLE)) {
		sb->s_feature_ro_compat =
			cpu_le32(ro & ~VEXFS_FEATURE_RO_COMPAT_COLLECTIONS);
		c->sb_dirty = true;
	}
	v->table = table;
	if (!table)
		return 0;
	if (c->ii[table].parent != VEXFS_ROOT_INO &&
	    fix_problem(c, PR_6_TABLE_PARENT, (unsigned long long)table,
			(unsigned long long)c->ii[table].parent, VEXFS_ROOT_INO))
		set_parent(c, table, VEXFS_ROOT_INO);
	if (read_inode(c, table, &inode))
		return 1;
	size = le64(inode.i_size);
	if ((size % dsize || size > VEXFS_MAX_COLLECTIONS * dsize) &&
	    fix_problem(c, PR_6_TABLE_SIZE, (unsigned long long)table,
			(unsigned long long)size, VEXFS_MAX_COLLECTIONS)) {
		if (size > VEXFS_MAX_COLLECTIONS * dsize)
			size = VEXFS_MAX_COLLECTIONS * dsize;
		size -= size % dsize;
		inode.i_size = cpu_le64(size);
		c->ii[table].size = size;
		write_inode(c, table, &inode);
	}
	if (size > VEXFS_MAX_COLLECTIONS * dsize)
		size = VEXFS_MAX_COLLECTIONS * dsize;
	v->ndesc = (uint32_t)(size / dsize);
	ret = vexfs_extent_list(&c->fs, table, &inode, &v->tmap, err);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		/* pass 1 reported the tree (-n left it): nothing to read */
		err->msg[0] = '\0';
		c->uncorrected = true;
		return 1;
	}
	v->colls = calloc(v->ndesc ? v->ndesc : 1, sizeof(*v->colls));
	if (!v->colls)
		return vexfs_errf(err, ENOMEM, "out of memory");
	for (i = 0; i < v->ndesc; i++)
		if (vec_io(c, &v->tmap, i * dsize, &v->colls[i].d,
			   (uint32_t)dsize, false))
			return 1;
	return 0;
}

/* Why a descriptor cannot be used as it is, or NULL. */
static const char *vec_desc_insanity(struct check *c, uint32_t id,
				     const struct vexfs_collection *d)
{
	struct vcheck *v = c->vec;
	uint64_t root = le64(d->c_root_ino);
	uint32_t k;

	if (le32(d->c_id) != id)
		return "wrong id";
	if (!le16(d->c_dim) || le16(d->c_dim) > VEXFS_MAX_DIM)
		return "bad dimension";
	if (d->c_metric < VEXFS_METRIC_L2 || d->c_metric > VEXFS_METRIC_IP)
		return "bad metric";
	if (d->c_elem_type != VEXFS_ELEM_F32)
		return "bad element type";
	if (root < VEXFS_ROOT_INO || root >= c->ninodes ||
	    (root != VEXFS_ROOT_INO && root < VEXFS_FIRST_INO) ||
	    c->ii[root].state != IS_USED || !S_ISDIR(c->ii[root].mode) ||
	    (c->ii[root].flags & VEXFS_INODE_HIDDEN))
		return "its root is not a directory in use";
	for (k = 1; k < id; k++)
		if (v->colls[k - 1].state == VC_LIVE &&
		    le64(v->colls[k - 1].d.c_root_ino) == root)
			return "its root is another collection's";
	return NULL;
}

/* Why collection @id cannot use @ino as its store, or NULL. */
static const char *vec_store_insanity(struct check *c, uint32_t id,
				      uint64_t ino)
{
	struct vcheck *v = c->vec;
	uint32_t k;

	if (!vec_hidden_reg(c, ino))
		return ino < VEXFS_FIRST_INO || ino >= c->ninodes ?
		       "out of range" : c->ii[ino].state != IS_USED ?
		       "not in use" : "not a hidden regular file";
	if (ino == v->table)
		return "it is the collections table";
	for (k = 1; k < id; k++) {
		const struct vcoll *o = &v->colls[k - 1];

		if (o->state != VC_LIVE && o->state != VC_KEPT)
			continue;
		if (le64(o->d.c_store_ino) == ino ||
		    le64(o->d.c_index_ino) == ino)
			return "another collection uses it";
	}
	return NULL;
}

/* A new, empty hidden store for collection @id; Return: its inode or 0. */
static uint64_t vec_new_store(struct check *c, uint64_t parent)
{
	struct vexfs_extent_header *eh;
	struct vexfs_inode inode;
	uint64_t ino = find_free_ino(c);
	int64_t now = (int64_t)time(NULL);

	if (!ino) {
		out(c, "%s: no free inode for a vector store\n", c->name);
		c->uncorrected = true;
		return 0;
	}
	memset(&inode, 0, sizeof(inode));
	inode.i_mode = cpu_le16(S_IFREG | 0600);
	inode.i_links_count = cpu_le16(1);
	inode.i_flags = cpu_le32(VEXFS_INODE_HIDDEN);
	inode.i_atime.sec = inode.i_mtime.sec = cpu_le64((uint64_t)now);
	inode.i_ctime.sec = inode.i_crtime.sec = cpu_le64((uint64_t)now);
	inode.i_ino = cpu_le64(ino);
	inode.i_parent = cpu_le64(parent);
	eh = (void *)inode.i_data;
	eh->eh_magic = cpu_le16(VEXFS_EXTENT_HDR_MAGIC);
	eh->eh_max = cpu_le16(VEXFS_ROOT_EXTENTS);
	write_inode(c, ino, &inode);
	vexfs_set_bit(c->inode_used, ino);
	inode_alloc_stats(c, ino, true);
	c->ii[ino] = (struct ino_info){
		.state = IS_USED, .mode = S_IFREG | 0600, .links = 1,
		.flags = VEXFS_INODE_HIDDEN, .parent = parent,
	};
	return ino;
}

/* Check descriptor @id (1-based); fields first, then the checksum. */
static void vec_check_desc(struct check *c, uint32_t id)
{
	struct vcheck *v = c->vec;
	struct vcoll *vc = &v->colls[id - 1];
	struct vexfs_collection *d = &vc->d;
	uint32_t ro = le32(c->fs.sb.s_feature_ro_compat);
	uint64_t root, store, index;
	const char *why;

	if (!d->c_id)
		return;
	why = vec_desc_insanity(c, id, d);
	if (why) {
		if (fix_problem(c, PR_6_DESC_BAD, id, why)) {
			struct vexfs_super_block *sb = &c->fs.sb;

			memset(d, 0, sizeof(*d));
			vec_write_desc(c, id);
			vc->state = VC_DROPPED;
			if (le32(sb->s_collections_count)) {
				sb->s_collections_count =
					cpu_le32(le32(sb->s_collections_count) - 1);
				c->sb_dirty = true;
			}
		} else {
			vc->state = VC_KEPT;
		}
		return;
	}
	if (le32(d->c_checksum) != vexfs_desc_csum(c->fs.seed, d)) {
		if (!fix_problem(c, PR_6_DESC_CSUM, id)) {
			vc->state = VC_KEPT;
			return;
		}
		vc->dirty = true;
	}
	vc->state = VC_LIVE;
	vexfs_coll_geom(&vc->g, c->fs.bs, le16(d->c_dim));
	root = le64(d->c_root_ino);
	v->rootof[root] = id;
	if (v->coll[root] != id) {
		if (!fix_problem(c, PR_6_ROOT_COLL, id,
				 (unsigned long long)root, v->coll[root])) {
			vc->state = VC_KEPT;
			return;
		}
		vec_set_inode(c, root, id, 0);
	}

	store = le64(d->c_store_ino);
	why = vec_store_insanity(c, id, store);
	if (why) {
		if (!fix_problem(c, PR_6_STORE_BAD, id,
				 (unsigned long long)store, why)) {
			vc->state = VC_KEPT;
		} else {
			store = can_write(c) ? vec_new_store(c, root) : 0;
			if (!store) {
				vc->state = VC_KEPT;
				return;
			}
			d->c_store_ino = cpu_le64(store);
			d->c_count = 0;
			d->c_slots = 0;
			vc->new_store = true;
			vc->dirty = true;
		}
	} else if (c->ii[store].parent != root &&
		   fix_problem(c, PR_6_STORE_PARENT, id,
			       (unsigned long long)store,
			       (unsigned long long)c->ii[store].parent,
			       (unsigned long long)root)) {
		set_parent(c, store, root);
	}

	index = le64(d->c_index_ino);
	why = NULL;
	if (index && !(ro & VEXFS_FEATURE_RO_COMPAT_VECTOR_INDEX))
		why = "the vector_index feature is not set";
	else if (index && (index < VEXFS_FIRST_INO || index >= c->ninodes ||
			   c->ii[index].state != IS_USED ||
			   !(c->ii[index].flags & VEXFS_INODE_HIDDEN)))
		why = "not a hidden inode in use";
	else if (index && !S_ISREG(c->ii[index].mode))
		why = "not a regular file";
	else if (index && (index == store || index == v->table ||
			   vec_store_insanity(c, id, index)))
		why = "it is used for something else";
	if (why && fix_problem(c, PR_6_INDEX_BAD, id,
			       (unsigned long long)index, why)) {
		d->c_index_ino = 0;
		vc->dirty = true;
	} else if (!why && index && c->ii[index].parent != root &&
		   fix_problem(c, PR_6_INDEX_PARENT, id,
			       (unsigned long long)index,
			       (unsigned long long)c->ii[index].parent,
			       (unsigned long long)root)) {
		set_parent(c, index, root);
	}
	if (((le16(d->c_hnsw_m) && (le16(d->c_hnsw_m) < HNSW_MIN_M ||
				    le16(d->c_hnsw_m) > HNSW_MAX_M)) ||
	     le16(d->c_hnsw_ef_construction) > HNSW_MAX_EF) &&
	    fix_problem(c, PR_6_DESC_TUNABLES, id, le16(d->c_hnsw_m),
			le16(d->c_hnsw_ef_construction))) {
		/* 0 is the default; an index built with others is rebuilt */
		d->c_hnsw_m = 0;
		d->c_hnsw_ef_construction = 0;
		vc->dirty = true;
	}
	if ((le32(d->c_flags) & ~VEXFS_COLL_FLAGS_ALL) &&
	    fix_problem(c, PR_6_DESC_FLAGS, id,
			le32(d->c_flags) & ~VEXFS_COLL_FLAGS_ALL)) {
		d->c_flags = cpu_le32(le32(d->c_flags) & VEXFS_COLL_FLAGS_ALL);
		vc->dirty = true;
	}
	if (vc->dirty)
		vec_write_desc(c, id);
}

/*
 * Settle the membership of inode @ino, whose parent's is settled; return
 * the collection its children inherit.
 */
static uint32_t vec_settle(struct check *c, uint64_t ino)
{
	struct vcheck *v = c->vec;
	struct ino_info *ii = &c->ii[ino];
	uint32_t own = v->coll[ino], want;
	uint64_t parent = ii->found_in;
	bool unattached = ino != VEXFS_ROOT_INO &&
			  (!parent || parent == c->lost_found);

	if (v->rootof[ino])
		want = v->rootof[ino];
	else if (ino == VEXFS_ROOT_INO)
		want = 0;
	else if (unattached)
		want = vec_live(v, own) ? own : 0;	/* no parent to follow */
	else
		want = v->coll[parent];
	if (own == want || vec_kept(v, own) || vec_kept(v, want))
		return own;
	if (own && (v->table_dropped || (own <= v->ndesc &&
				       v->colls[own - 1].state == VC_DROPPED))) {
		/* removed by this check, which said its files leave it */
	} else if (own && !vec_live(v, own)) {
		if (!fix_problem(c, PR_6_DANGLING, (unsigned long long)ino, own))
			return own;
	} else if (!fix_problem(c, PR_6_INHERIT, (unsigned long long)ino, own,
				(unsigned long long)parent, want)) {
		return own;
	}
	/*
	 * An embedding cannot move between collections.  Its slot number is
	 * kept for now: if the slot of the new collection is this file's
	 * (only the inode's collection was damaged), the embedding stays;
	 * otherwise pass 6 drops it and frees the slot in the old one.
	 */
	v->mslot[ino] = v->slot[ino];
	if (S_ISREG(ii->mode) && v->slot[ino] && vec_live(v, want)) {
		v->moved[ino] = own ? own : UINT32_MAX;
		vec_set_inode(c, ino, want, v->slot[ino]);
	} else {
		if (S_ISREG(ii->mode) && v->slot[ino] && vec_live(v, own))
			v->moved[ino] = own;
		vec_set_inode(c, ino, want, 0);
	}
	return want;
}

/*
 * Settle @ino after the directories above it, 64 levels at a time (a
 * recursion per 64 levels).  Directories in loops are settled already.
 */
static void vec_settle_up(struct check *c, uint64_t ino)
{
	struct vcheck *v = c->vec;
	uint64_t chain[64];
	size_t n;

	while (!v->done[ino]) {
		uint64_t up = ino;

		/* climb to a settled directory or the top */
		for (n = 0; n < VEXFS_ARRAY_SIZE(chain); n++) {
			chain[n] = up;
			if (up == VEXFS_ROOT_INO || v->rootof[up] ||
			    !c->ii[up].found_in || up == c->lost_found)
				break;
			up = c->ii[up].found_in;
			if (up >= c->ninodes || v->done[up])
				break;
		}
		if (n == VEXFS_ARRAY_SIZE(chain)) {
			vec_settle_up(c, up);
			continue;
		}
		/* chain[n] has a settled parent or none; go back down */
		for (;;) {
			uint64_t x = chain[n];

			if (!v->done[x]) {
				v->coll[x] = vec_settle(c, x);
				v->done[x] = 1;
			}
			if (!n--)
				break;
		}
	}
}

/* Record that @ino claims (or releases) slot @slot in @coll. */
static int vec_add_claim(struct check *c, uint32_t coll, uint64_t ino,
			 uint64_t slot, uint8_t kind, struct vexfs_err *err)
{
	struct vcheck *v = c->vec;

	if (v->nclaims == v->claims_cap) {
		size_t cap = v->claims_cap ? v->claims_cap * 2 : 64;
		struct vclaim *n = realloc(v->claims, cap * sizeof(*n));

		if (!n)
			return vexfs_errf(err, ENOMEM, "out of memory");
		v->claims = n;
		v->claims_cap = cap;
	}
	v->claims[v->nclaims++] = (struct vclaim){
		.slot = slot,
		.ino = ino, .coll = coll, .kind = kind };
	return 0;
}

/* Membership of every inode; gathers the slot claims. */
static int vec_members(struct check *c, struct vexfs_err *err)
{
	struct vcheck *v = c->vec;
	uint64_t ino;

	/* directories in a loop pass 3 left: take them as they are */
	for (ino = VEXFS_FIRST_INO; ino < c->ninodes; ino++)
		if (c->ii[ino].state == IS_USED && S_ISDIR(c->ii[ino].mode) &&
		    c->ii[ino].found_in && !reaches_root(c, ino))
			v->done[ino] = 1;
	for (ino = VEXFS_ROOT_INO; ino < c->ninodes && !c->stop; ino++) {
		struct ino_info *ii = &c->ii[ino];
		uint32_t coll;

		if (ii->state != IS_USED ||
		    (ino != VEXFS_ROOT_INO && ino < VEXFS_FIRST_INO))
			continue;
		if (ii->flags & VEXFS_INODE_HIDDEN) {
			if ((v->coll[ino] || v->slot[ino]) &&
			    fix_problem(c, PR_6_HIDDEN_VEC,
					(unsigned long long)ino, v->coll[ino],
					(unsigned long long)v->slot[ino]))
				vec_set_inode(c, ino, 0, 0);
			continue;
		}
		vec_settle_up(c, ino);
		coll = v->coll[ino];
		if (vec_live(v, v->moved[ino]) &&
		    vec_add_claim(c, v->moved[ino], ino, v->mslot[ino],
				  CL_RELEASE, err))
			return -ENOMEM;
		if (!v->slot[ino] || vec_kept(v, coll))
			continue;
		if (!S_ISREG(ii->mode) || !vec_live(v, coll)) {
			if (fix_problem(c, PR_6_STRAY_SLOT,
					(unsigned long long)ino,
					(unsigned long long)v->slot[ino]))
				vec_set_inode(c, ino, coll, 0);
			continue;
		}
		if (v->colls[coll - 1].new_store) {
			/* its store was made anew: the embedding is gone */
			vec_set_inode(c, ino, coll, 0);
			continue;
		}
		if (vec_add_claim(c, coll, ino, v->slot[ino],
				  v->moved[ino] ? CL_MOVED : CL_CLAIM, err))
			return -ENOMEM;
	}
	return 0;
}

static int claim_cmp(const void *a, const void *b)
{
	const struct vclaim *x = a, *y = b;

	if (x->coll != y->coll)
		return x->coll < y->coll ? -1 : 1;
	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/*
 * Decide claim @cl on the slot @img (all zero for a hole; @beyond: past
 * the end of the store).  Return: true if the claim stands; *@freed is
 * set when the slot, which names the claimant, is to be freed.
 */
static bool vec_judge(struct check *c, const struct vclaim *cl,
		      const struct vcoll *vc, const uint8_t *img, bool beyond,
		      bool *freed)
{
	struct vcheck *v = c->vec;
	const struct vexfs_vec_slot *hdr = (const void *)img;
	bool mine = !beyond && le64(hdr->vs_ino) == cl->ino;
	char why[96];

	if (cl->kind == CL_RELEASE) {
		*freed |= mine;
		return false;
	}
	if (beyond)
		snprintf(why, sizeof(why), "beyond the end of the store");
	else if (!hdr->vs_ino)
		snprintf(why, sizeof(why), "the slot is free");
	else if (le64(hdr->vs_ino) != cl->ino)
		snprintf(why, sizeof(why), "the slot belongs to inode %llu",
			 (unsigned long long)le64(hdr->vs_ino));
	else if (le32(hdr->vs_generation) != v->gen[cl->ino])
		snprintf(why, sizeof(why), "generation %u, should be %u",
			 le32(hdr->vs_generation), v->gen[cl->ino]);
	else if (le32(hdr->vs_checksum) !=
		 vexfs_slot_csum(c->fs.seed, img, vc->g.slot_size))
		snprintf(why, sizeof(why), "checksum mismatch");
	else if (vec_first_nonfinite((const u32 *)hdr->vs_data,
				     le16(vc->d.c_dim)) < le16(vc->d.c_dim))
		/* the kernel's check: a slot it could never have written */
		snprintf(why, sizeof(why), "a value is a NaN or an infinity");
	else
		return true;
	/* moved by this check: its slot was from elsewhere, say no more */
	if (cl->kind != CL_MOVED &&
	    !fix_problem(c, PR_6_BAD_SLOT, (unsigned long long)cl->ino,
			 (unsigned long long)cl->slot, cl->coll, why))
		return true;	/* left as it is: not an orphan either */
	vec_set_inode(c, cl->ino, cl->coll, 0);
	/* the slot names this inode: it goes with the embedding */
	*freed |= mine;
	return false;
}

/*
 * The first slot at or after the one starting at logical block @lblk
 * whose first block is mapped; UINT64_MAX - 1 if none.  Sparse stores
 * are then scanned in the time their mapped blocks take.
 */
static uint64_t vec_next_mapped(const struct vexfs_ext_list *l, uint64_t lblk,
				const struct vexfs_coll_geom *g)
{
	size_t k;

	for (k = 0; k < l->n; k++) {
		const struct vexfs_ext *e = &l->e[k];
		uint64_t b = lblk + 1, end = (uint64_t)e->lblk + e->len;

		if (end <= b || (e->flags & VEXFS_EXT_UNWRITTEN))
			continue;
		if (b < e->lblk)
			b = e->lblk;
		/* the slot holding block b, or the next one starting after */
		if (g->per_block)
			return b * g->per_block + 1;
		return (b + g->blocks_per_slot - 1) / g->blocks_per_slot + 1;
	}
	return UINT64_MAX - 1;
}

/*
 * The ANN index of a collection (include/vexfs_format.h, "Vector index").
 * It is derived data: the store is the truth, and every fix is the same,
 * a rebuild from the store after pass 4 (pass 6B, vec_rebuild_indexes()),
 * so checking an index stops at the first problem the user agrees to fix.
 * With -n, at most VI_MAX_REPORTS problems are listed per index.
 *
 * An index whose descriptor says VEXFS_COLL_INDEX_DIRTY is not looked
 * into: the kernel rebuilds it before any reader sees it.  Otherwise the
 * header must match the descriptor, every record of the current epoch
 * must verify, every link must name a node of this epoch that reaches the
 * list's level (and not the node itself), each node owns its upper
 * records alone, the counts and the entry point must match the nodes,
 * and the nodes must match the store exactly: one live node per used
 * slot, none for a free one.  An untrained index (header only) is what a
 * collection below VEXFS_INDEX_MIN_VECTORS may keep; it must be empty.
 */
#define VI_MAX_REPORTS	16
#define VI_NONE		0xff	/* vi->level: no node of this epoch */
#define VF_TOMB		0x01	/* vi->flags: a tombstone */
#define VF_BAD		0x02	/* ... its record does not verify */

struct vupc {			/* a node's claim on an upper record */
	uint64_t rec, slot;
	uint32_t level;
};

struct vidx {
	struct check *c;
	struct vcoll *vc;
	uint32_t id;
	uint64_t ino;
	struct vexfs_ext_list map;
	struct vexfs_vindex_geom g;
	struct vexfs_vindex_header h;
	uint32_t epoch, upper_used;
	uint64_t nslots;		/* slots the arrays cover */
	uint8_t *level, *flags;
	uint32_t *upper;
	struct hnsw_index lv;		/* for hnsw_level_of() */
	s64 q0;
	uint8_t *blk;			/* one block, cached */
	uint64_t blk_lblk;
	bool blk_valid;
	unsigned int reported;
	bool stop;			/* a rebuild is decided, or enough said */
	bool ioerr;
	struct vupc *claims;
	size_t nclaims;
};

/* Report an index problem; a fix means a rebuild, and nothing more to see. */
static void vi_problem(struct vidx *x, uint32_t code, ...)
{
	va_list ap;
	bool fix;

	if (x->stop)
		return;
	if (x->reported == VI_MAX_REPORTS) {
		fix_problem(x->c, PR_6_VINDEX_MORE, x->id,
			    (unsigned long long)x->ino);
		x->stop = true;
		return;
	}
	x->reported++;
	va_start(ap, code);
	fix = vfix_problem(x->c, code, ap);
	va_end(ap);
	if (fix) {
		x->vc->rebuild = true;
		x->stop = true;
	}
	if (x->c->stop)
		x->stop = true;
}

/* Logical block @lblk of the index (zeros for a hole), or NULL. */
static const uint8_t *vi_block(struct vidx *x, uint64_t lblk)
{
	struct check *c = x->c;
	uint64_t pblk;
	struct vexfs_err err;

	if (x->blk_valid && x->blk_lblk == lblk)
		return x->blk;
	pblk = vec_map(&x->map, lblk);
	x->blk_valid = false;
	if (!pblk) {
		memset(x->blk, 0, c->fs.bs);
	} else if (vexfs_read_block(&c->fs.dev, pblk, x->blk, &err)) {
		out(c, "%s: %s\n", c->name, err.msg);
		c->uncorrected = true;
		x->ioerr = x->stop = true;
		return NULL;
	}
	x->blk_lblk = lblk;
	x->blk_valid = true;
	return x->blk;
}

/* Why the header cannot be used, in @why, or false. */
static bool vi_header_insane(struct vidx *x, char *why, size_t len)
{
	struct check *c = x->c;
	const struct vexfs_collection *d = &x->vc->d;
	const struct vexfs_vindex_header *h = &x->h;
	uint32_t m = le16(d->c_hnsw_m) ? le16(d->c_hnsw_m) : HNSW_DEFAULT_M;
	uint32_t efc = le16(d->c_hnsw_ef_construction) ?
		       le16(d->c_hnsw_ef_construction) :
		       HNSW_DEFAULT_EF_CONSTRUCTION;
	uint64_t pblk = vec_map(&x->map, 0);
	const uint8_t *b;
	int ret;

	if (!pblk) {
		/*
		 * Never built (the kernel made the inode, and stopped before
		 * the first header): nothing is read.  Blocks without a
		 * header, though, could hold records of the epoch a first
		 * build would take.
		 */
		memset(&x->h, 0, sizeof(x->h));
		if (!x->map.n)
			return false;
		snprintf(why, len, "no header block, while %zu extent(s) of other blocks remain",
			 x->map.n);
		return true;
	}
	b = vi_block(x, 0);
	if (!b)
		return false;
	memcpy(&x->h, b, sizeof(x->h));
	ret = vexfs_meta_block_check(c->fs.seed, b, c->fs.bs,
				     VEXFS_VINDEX_MAGIC, pblk, x->ino);
	if (ret) {
		snprintf(why, len, "%s", ret == -EBADMSG ? "checksum mismatch" :
			 "wrong magic, location or owner");
		return true;
	}
	/* what a rebuild keeps: the seed, and an epoch to go past */
	x->vc->old_hdr = true;
	x->vc->old_epoch = le32(h->vh_epoch);
	x->vc->old_seed = le64(h->vh_seed);
	if (le32(h->vh_version) != VEXFS_VINDEX_VERSION)
		snprintf(why, len, "version %u", le32(h->vh_version));
	else if (le32(h->vh_dim) != le16(d->c_dim) || h->vh_metric != d->c_metric)
		snprintf(why, len, "dimension %u and metric %u, the collection's are %u and %u",
			 le32(h->vh_dim), h->vh_metric, le16(d->c_dim),
			 d->c_metric);
	else if (le16(h->vh_m) != m || le16(h->vh_ef_construction) != efc)
		snprintf(why, len, "M %u and ef_construction %u, the collection's are %u and %u",
			 le16(h->vh_m), le16(h->vh_ef_construction), m, efc);
	else if (vexfs_vindex_geom(&x->g, c->fs.bs, le32(h->vh_dim), m))
		snprintf(why, len, "no index has a node record of %llu bytes in a %u-byte block",
			 (unsigned long long)VEXFS_VINDEX_NODE_SIZE(le32(h->vh_dim), m),
			 c->fs.bs);
	else if (le16(h->vh_node_size) != x->g.node_size ||
		 le16(h->vh_upper_size) != x->g.upper_size)
		snprintf(why, len, "record sizes %u and %u, should be %u and %u",
			 le16(h->vh_node_size), le16(h->vh_upper_size),
			 x->g.node_size, x->g.upper_size);
	else if (le32(h->vh_q_blocks) != x->g.q_blocks ||
		 le32(h->vh_node_start) != x->g.node_start)
		snprintf(why, len, "regions at %u and %u, should be %u and %u",
			 le32(h->vh_q_blocks), le32(h->vh_node_start),
			 x->g.q_blocks, x->g.node_start);
	else if (!le32(h->vh_epoch))
		snprintf(why, len, "epoch 0");
	else if (h->vh_trained > 1)
		snprintf(why, len, "trained is %u", h->vh_trained);
	else if (le16(h->vh_max_level) > HNSW_MAX_LEVEL)
		snprintf(why, len, "top level %u", le16(h->vh_max_level));
	else if (h->vh_trained && !le64(h->vh_q_step))
		snprintf(why, len, "quantizer step 0");
	else if (!h->vh_trained && (le32(h->vh_entry) || le64(h->vh_live) ||
				    le64(h->vh_deleted) ||
				    le32(h->vh_upper_used)))
		snprintf(why, len, "not trained, but not empty");
	else if (le32(h->vh_entry) > x->g.max_slots)
		snprintf(why, len, "entry point %u is out of range",
			 le32(h->vh_entry));
	else
		return false;
	return true;
}

static bool vi_quant_ok(struct vidx *x)
{
	struct check *c = x->c;
	uint64_t left = (uint64_t)x->g.dim * 8, k;
	uint32_t crc = c->fs.seed;

	for (k = 0; left; k++) {
		uint32_t n = left < c->fs.bs ? (uint32_t)left : c->fs.bs;
		const uint8_t *b = vi_block(x, 1 + k);

		if (!b)
			return true;
		crc = vexfs_crc32c(crc, b, n);
		left -= n;
	}
	return crc == le32(x->h.vh_q_checksum);
}

/* Is link @t of @slot's level-@lev list valid?  Else why, in @why. */
static bool vi_link_bad(struct vidx *x, uint64_t slot, uint32_t lev,
			uint64_t t, char *why, size_t len)
{
	if (!t || t > x->nslots || x->level[t] == VI_NONE)
		snprintf(why, len, "which is not a node");
	else if (t == slot)
		snprintf(why, len, "itself");
	else if (x->level[t] < lev)
		snprintf(why, len, "whose top level is %u", x->level[t]);
	else
		return false;
	return true;
}

static void vi_links(struct vidx *x, uint64_t slot, uint32_t lev,
		     const uint8_t *links, uint32_t n)
{
	char why[64];
	uint32_t i;

	for (i = 0; i < n && !x->stop; i++) {
		uint32_t t;

		memcpy(&t, links + 4 * (size_t)i, 4);
		t = le32(t);
		if (vi_link_bad(x, slot, lev, t, why, sizeof(why)))
			vi_problem(x, PR_6_VINDEX_LINK, x->id,
				   (unsigned long long)x->ino,
				   (unsigned long long)slot, lev,
				   (unsigned long long)t, why);
	}
}

/*
 * Visit the node records of every mapped node block: @fn gets the slot
 * and the record of each node of the current epoch.
 */
static void vi_each_node(struct vidx *x,
			 void (*fn)(struct vidx *x, uint64_t slot,
				    const uint8_t *rec))
{
	const struct vexfs_ext_list *l = &x->map;
	size_t k;

	for (k = 0; k < l->n && !x->stop; k++) {
		const struct vexfs_ext *e = &l->e[k];
		uint64_t lblk = e->lblk < x->g.node_start ? x->g.node_start :
				e->lblk;
		uint64_t end = (uint64_t)e->lblk + e->len;

		if (e->flags & VEXFS_EXT_UNWRITTEN)
			continue;
		if (end > VEXFS_VINDEX_UPPER_LBLK)
			end = VEXFS_VINDEX_UPPER_LBLK;
		for (; lblk < end && !x->stop; lblk++) {
			const uint8_t *b = vi_block(x, lblk);
			uint32_t i;

			for (i = 0; b && i < x->g.per_block && !x->stop; i++) {
				const uint8_t *rec = b + (size_t)i * x->g.node_size;
				const struct vexfs_vindex_node *vn = (const void *)rec;
				uint64_t slot = (lblk - x->g.node_start) *
						x->g.per_block + i + 1;

				if (le32(vn->vn_epoch) != x->epoch ||
				    slot > x->g.max_slots)
					continue;
				fn(x, slot, rec);
				/* fn may have read another block */
				b = vi_block(x, lblk);
			}
		}
	}
}

/* First look at a node: its record and fields. */
static void vi_node(struct vidx *x, uint64_t slot, const uint8_t *rec)
{
	const struct vexfs_vindex_node *vn = (const void *)rec;
	uint32_t lev = vn->vn_level, up = le32(vn->vn_upper), i;
	uint32_t want, m0 = 2 * x->g.m;
	char why[96];

	if (slot > x->nslots) {
		snprintf(why, sizeof(why), "beyond the store's %llu slots",
			 (unsigned long long)x->nslots);
		vi_problem(x, PR_6_VINDEX_NODE, x->id, (unsigned long long)x->ino,
			   (unsigned long long)slot, why);
		return;
	}
	x->level[slot] = lev > HNSW_MAX_LEVEL ? HNSW_MAX_LEVEL : (uint8_t)lev;
	x->flags[slot] = (vn->vn_flags & VEXFS_VNODE_DELETED) ? VF_TOMB : 0;
	x->upper[slot] = up;
	want = hnsw_level_of(&x->lv, (uint32_t)slot);
	if (le32(vn->vn_checksum) !=
	    vexfs_vindex_rec_csum(x->c->fs.seed, rec, x->g.node_size))
		snprintf(why, sizeof(why), "checksum mismatch");
	else if (lev != want)
		snprintf(why, sizeof(why), "level %u, should be %u", lev, want);
	else if (vn->vn_flags & ~VEXFS_VNODE_FLAGS_ALL)
		snprintf(why, sizeof(why), "unknown flags 0x%x", vn->vn_flags);
	else if (le16(vn->vn_count) > m0)
		snprintf(why, sizeof(why), "%u level-0 links, room for %u",
			 le16(vn->vn_count), m0);
	else if (!lev && up)
		snprintf(why, sizeof(why), "upper record %u at level 0", up);
	else if (lev && (!up || (uint64_t)up + lev - 1 > x->upper_used))
		snprintf(why, sizeof(why), "upper records %u..%llu, %u allocated",
			 up, (unsigned long long)up + lev - 1, x->upper_used);
	else
		why[0] = '\0';
	for (i = x->g.dim; !why[0] && i < x->g.code_bytes; i++)
		if (rec[sizeof(*vn) + i])
			snprintf(why, sizeof(why), "code padding is not zero");
	if (why[0]) {
		x->flags[slot] |= VF_BAD;
		vi_problem(x, PR_6_VINDEX_NODE, x->id, (unsigned long long)x->ino,
			   (unsigned long long)slot, why);
	}
}

/* Second look: the level-0 links, and the claims on upper records. */
static void vi_node_links(struct vidx *x, uint64_t slot, const uint8_t *rec)
{
	const struct vexfs_vindex_node *vn = (const void *)rec;
	uint32_t l;

	if (slot > x->nslots || (x->flags[slot] & VF_BAD))
		return;
	vi_links(x, slot, 0, rec + sizeof(*vn) + x->g.code_bytes,
		 le16(vn->vn_count));
	for (l = 1; l <= vn->vn_level; l++) {
		struct vupc *n = x->claims;

		if (!(x->nclaims & (x->nclaims + 1))) {	/* 0, 1, 3, 7... */
			n = realloc(x->claims, (x->nclaims + 1) * 2 * sizeof(*n));
			if (!n) {
				x->c->oom = x->stop = true;
				return;
			}
			x->claims = n;
		}
		n[x->nclaims++] = (struct vupc){
			.rec = le32(vn->vn_upper) + (uint64_t)l - 1,
			.slot = slot, .level = l };
	}
}

static int vupc_cmp(const void *a, const void *b)
{
	const struct vupc *p = a, *q = b;

	if (p->rec != q->rec)
		return p->rec < q->rec ? -1 : 1;
	return p->slot < q->slot ? -1 : p->slot > q->slot;
}

/* The upper records, in record order, against the nodes that own them. */
static void vi_uppers(struct vidx *x)
{
	size_t k;

	if (x->nclaims)
		qsort(x->claims, x->nclaims, sizeof(*x->claims), vupc_cmp);
	for (k = 0; k < x->nclaims && !x->stop; k++) {
		const struct vupc *cl = &x->claims[k];
		const struct vexfs_vindex_upper *vu;
		const uint8_t *b;
		uint64_t lblk;
		uint32_t off;
		char why[96];

		vexfs_vindex_upper_pos(&x->g, cl->rec, &lblk, &off);
		b = vi_block(x, lblk);
		if (!b)
			return;
		vu = (const void *)(b + off);
		if (k && x->claims[k - 1].rec == cl->rec)
			snprintf(why, sizeof(why), "also the list of slot %llu",
				 (unsigned long long)x->claims[k - 1].slot);
		else if (le32(vu->vu_epoch) != x->epoch)
			snprintf(why, sizeof(why), "not of this build");
		else if (le32(vu->vu_checksum) !=
			 vexfs_vindex_rec_csum(x->c->fs.seed, vu, x->g.upper_size))
			snprintf(why, sizeof(why), "checksum mismatch");
		else if (le32(vu->vu_slot) != cl->slot || vu->vu_level != cl->level)
			snprintf(why, sizeof(why), "it says slot %u, level %u",
				 le32(vu->vu_slot), vu->vu_level);
		else if (le16(vu->vu_count) > x->g.m)
			snprintf(why, sizeof(why), "%u links, room for %u",
				 le16(vu->vu_count), x->g.m);
		else
			why[0] = '\0';
		if (why[0]) {
			vi_problem(x, PR_6_VINDEX_UPPER, x->id,
				   (unsigned long long)x->ino, cl->level,
				   (unsigned long long)cl->slot,
				   (unsigned long long)cl->rec, why);
			continue;
		}
		vi_links(x, cl->slot, cl->level, (const uint8_t *)(vu + 1),
			 le16(vu->vu_count));
	}
}

static bool vi_claimed(const struct vidx *x, uint64_t rec)
{
	size_t lo = 0, hi = x->nclaims;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->claims[mid].rec == rec)
			return true;
		if (x->claims[mid].rec < rec)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * Upper records of this epoch that no node owns (a compacted node's, say)
 * are never followed, but the kernel verifies every record of the epoch
 * in a block it reads: their checksums must hold too.  After vi_uppers(),
 * which sorted the claims.
 */
static void vi_unowned_uppers(struct vidx *x)
{
	const struct vexfs_ext_list *l = &x->map;
	size_t k;

	for (k = 0; k < l->n && !x->stop; k++) {
		const struct vexfs_ext *e = &l->e[k];
		uint64_t lblk = e->lblk, end = (uint64_t)e->lblk + e->len;

		if ((e->flags & VEXFS_EXT_UNWRITTEN) ||
		    end <= VEXFS_VINDEX_UPPER_LBLK)
			continue;
		if (lblk < VEXFS_VINDEX_UPPER_LBLK)
			lblk = VEXFS_VINDEX_UPPER_LBLK;
		for (; lblk < end && !x->stop; lblk++) {
			const uint8_t *b = vi_block(x, lblk);
			uint32_t i;

			for (i = 0; b && i < x->g.per_block_u && !x->stop; i++) {
				const struct vexfs_vindex_upper *vu =
					(const void *)(b + (size_t)i * x->g.upper_size);
				uint64_t rec = (lblk - VEXFS_VINDEX_UPPER_LBLK) *
					       x->g.per_block_u + i + 1;

				if (le32(vu->vu_epoch) != x->epoch ||
				    vi_claimed(x, rec) ||
				    le32(vu->vu_checksum) ==
				    vexfs_vindex_rec_csum(x->c->fs.seed, vu,
							  x->g.upper_size))
					continue;
				vi_problem(x, PR_6_VINDEX_UPPER, x->id,
					   (unsigned long long)x->ino,
					   vu->vu_level,
					   (unsigned long long)le32(vu->vu_slot),
					   (unsigned long long)rec,
					   "checksum mismatch, in a record no node owns");
			}
		}
	}
}

/* The nodes against the store, the counts and the entry point. */
static void vi_totals(struct vidx *x, bool store_only)
{
	const struct vexfs_vindex_header *h = &x->h;
	const struct vcoll *vc = x->vc;
	uint64_t s, live = 0, dead = 0, top = 0, top_slot = 0;
	uint32_t entry = le32(h->vh_entry), maxl = le16(h->vh_max_level);
	char why[64] = "";

	for (s = 1; s <= x->nslots && !x->stop; s++) {
		bool used = s <= vc->used_n && vexfs_test_bit(vc->used, s);
		bool node = x->level[s] != VI_NONE;
		bool tomb = x->flags[s] & VF_TOMB;

		if (node && !tomb) {
			live++;
			if (x->level[s] > top || !top_slot) {
				top = x->level[s];
				top_slot = s;
			}
		} else if (node) {
			dead++;
		}
		if (!store_only)
			continue;
		if (used && (!node || tomb))
			vi_problem(x, PR_6_VINDEX_UNINDEXED, x->id,
				   (unsigned long long)s,
				   node ? "its node is a tombstone" : "no node");
		else if (!used && node && !tomb)
			vi_problem(x, PR_6_VINDEX_STALE, x->id,
				   (unsigned long long)s);
	}
	if (store_only || x->stop)
		return;
	if (live != le64(h->vh_live) || dead != le64(h->vh_deleted))
		vi_problem(x, PR_6_VINDEX_COUNTS, x->id, (unsigned long long)x->ino,
			   (unsigned long long)le64(h->vh_live),
			   (unsigned long long)le64(h->vh_deleted),
			   (unsigned long long)live, (unsigned long long)dead);
	if (!entry && live)
		vi_problem(x, PR_6_VINDEX_ENTRY, x->id, (unsigned long long)x->ino,
			   0ULL, maxl, "but the graph has live nodes");
	else if (!entry && maxl)
		vi_problem(x, PR_6_VINDEX_ENTRY, x->id, (unsigned long long)x->ino,
			   0ULL, maxl, "but the graph is empty");
	else if (entry && (entry > x->nslots || x->level[entry] == VI_NONE))
		vi_problem(x, PR_6_VINDEX_ENTRY, x->id, (unsigned long long)x->ino,
			   (unsigned long long)entry, maxl, "which is not a node");
	else if (entry && x->level[entry] != maxl)
		snprintf(why, sizeof(why), "but its node's level is %u",
			 x->level[entry]);
	else if (live && top > maxl)
		snprintf(why, sizeof(why), "below live node %llu at level %llu",
			 (unsigned long long)top_slot, (unsigned long long)top);
	if (why[0])
		vi_problem(x, PR_6_VINDEX_ENTRY, x->id, (unsigned long long)x->ino,
			   (unsigned long long)entry, maxl, why);
}

/* Check collection @id's index, if it has one the kernel would read. */
static int vec_check_index(struct check *c, uint32_t id, struct vexfs_err *err)
{
	struct vcoll *vc = &c->vec->colls[id - 1];
	struct vidx x = { .c = c, .vc = vc, .id = id,
			  .ino = le64(vc->d.c_index_ino) };
	struct vexfs_inode inode;
	char why[160];
	uint64_t n;
	int ret = 0;

	bool rebuild = c->opts->rebuild_index && can_write(c);

	if (!x.ino || ((le32(vc->d.c_flags) & VEXFS_COLL_INDEX_DIRTY) &&
		       !rebuild))
		return 0;
	if (read_inode(c, x.ino, &inode))
		return 0;
	ret = vexfs_extent_list(&c->fs, x.ino, &inode, &x.map, err);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		/* pass 1 reported the tree (-n left it): skip this index */
		err->msg[0] = '\0';
		c->uncorrected = true;
		return 0;
	}
	ret = 0;
	x.blk = malloc(c->fs.bs);
	if (!x.blk) {
		ret = vexfs_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	if (rebuild) {
		/* -E rebuild-index: the old header gives a seed and epoch */
		vi_header_insane(&x, why, sizeof(why));
		vc->rebuild = true;
		goto out;
	}
	if (vi_header_insane(&x, why, sizeof(why))) {
		vi_problem(&x, PR_6_VINDEX_HEADER, id, (unsigned long long)x.ino,
			   why);
		goto out;
	}
	if (x.stop || !x.h.vh_trained)
		goto out;	/* untrained and empty: nothing else is read */
	if (!vi_quant_ok(&x))
		vi_problem(&x, PR_6_VINDEX_QUANT, id, (unsigned long long)x.ino);
	if (x.stop)
		goto out;
	x.epoch = le32(x.h.vh_epoch);
	x.upper_used = le32(x.h.vh_upper_used);
	/* slots the store's mapped blocks hold: memory for real data only */
	n = le64(vc->d.c_slots);
	if (n > vc->cap)
		n = vc->cap;
	if (n > vc->used_n)
		n = vc->used_n;
	if (n > x.g.max_slots)
		n = x.g.max_slots;
	x.nslots = n;
	x.level = malloc(n + 1);
	x.flags = calloc(n + 1, 1);
	x.upper = calloc(n + 1, sizeof(*x.upper));
	if (!x.level || !x.flags || !x.upper) {
		ret = vexfs_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	memset(x.level, VI_NONE, n + 1);
	x.q0 = 0;
	if (hnsw_init(&x.lv, x.g.dim, VEC_METRIC_L2, x.g.m, 1,
		      le64(x.h.vh_seed), &x.q0, NULL, NULL))
		goto out;	/* cannot happen: the geometry checked m */
	vi_each_node(&x, vi_node);
	vi_totals(&x, true);
	vi_each_node(&x, vi_node_links);
	vi_uppers(&x);
	vi_unowned_uppers(&x);
	vi_totals(&x, false);
	if (c->oom)
		ret = vexfs_errf(err, ENOMEM, "out of memory");
out:
	vexfs_ext_list_free(&x.map);
	free(x.blk);
	free(x.level);
	free(x.flags);
	free(x.upper);
	free(x.claims);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Pass 6B: rebuilding indexes                                         */
/* ------------------------------------------------------------------ */

struct vstore {
	struct check *c;
	const struct vcoll *vc;
	struct vexfs_ext_list map;
	uint8_t *img;
};

/* vexfs_vindex_vec_fn over a store: the used slots that verify. */
static int vstore_vec(void *priv, uint64_t slot, uint32_t *vec)
{
	struct vstore *st = priv;
	const struct vexfs_coll_geom *g = &st->vc->g;
	const struct vexfs_vec_slot *hdr = (const void *)st->img;
	uint32_t dim = le16(st->vc->d.c_dim), i;
	uint64_t lblk;
	uint32_t off;

	vexfs_slot_pos(g, slot, &lblk, &off);
	if (vec_io(st->c, &st->map, lblk * st->c->fs.bs + off, st->img,
		   g->slot_size, false))
		return -EIO;
	if (!hdr->vs_ino || le32(hdr->vs_checksum) !=
	    vexfs_slot_csum(st->c->fs.seed, st->img, g->slot_size))
		return 0;
	for (i = 0; i < dim; i++)
		vec[i] = le32(hdr->vs_data[i]);
	return 1;
}

/* Mark @id's index for the kernel to rebuild, as the last resort. */
static void vec_index_dirty(struct check *c, uint32_t id, const char *why)
{
	struct vcoll *vc = &c->vec->colls[id - 1];

	out(c, "%s: collection %u: cannot rebuild the index (%s); the kernel will rebuild it at mount\n",
	    c->name, id, why);
	vc->d.c_flags = cpu_le32(le32(vc->d.c_flags) | VEXFS_COLL_INDEX_DIRTY);
	vec_write_desc(c, id);
}

static void vec_rebuild_index(struct check *c, uint32_t id)
{
	struct vcoll *vc = &c->vec->colls[id - 1];
	struct vexfs_collection *d = &vc->d;
	uint64_t ino = le64(d->c_index_ino), store = le64(d->c_store_ino);
	struct vstore st = { .c = c, .vc = vc };
	struct vexfs_vindex_params p = {
		.dim = le16(d->c_dim), .metric = d->c_metric,
		.m = le16(d->c_hnsw_m) ? le16(d->c_hnsw_m) : HNSW_DEFAULT_M,
		.ef_construction = le16(d->c_hnsw_ef_construction) ?
			le16(d->c_hnsw_ef_construction) :
			HNSW_DEFAULT_EF_CONSTRUCTION,
		.seed = vc->old_hdr ? vc->old_seed :
			vexfs_vindex_seed(c->fs.seed, id),
		.epoch = vc->old_hdr && vc->old_epoch != UINT32_MAX ?
			 vc->old_epoch + 1 : 1,
	};
	struct vexfs_inode inode, sinode;
	struct vexfs_err err;
	int ret;

	if (p.metric != VEXFS_METRIC_L2) {
		if (ino)
			vec_index_dirty(c, id, "only l2 indexes can be built offline");
		return;
	}
	if (read_inode(c, store, &sinode))
		return;
	ret = vexfs_extent_list(&c->fs, store, &sinode, &st.map, &err);
	if (ret) {
		if (ino)
			vec_index_dirty(c, id, err.msg);
		return;
	}
	st.img = malloc(vc->g.slot_size);
	p.nslots = le64(d->c_slots);
	if (p.nslots > vexfs_store_capacity(&vc->g, le64(sinode.i_size) / c->fs.bs))
		p.nslots = vexfs_store_capacity(&vc->g,
						le64(sinode.i_size) / c->fs.bs);
	if (!ino) {
		/* -E rebuild-index on a collection without one: a new inode */
		ino = vec_new_store(c, le64(d->c_root_ino));
		if (!ino)
			goto out;
		d->c_index_ino = cpu_le64(ino);
		c->fs.sb.s_feature_ro_compat =
			cpu_le32(le32(c->fs.sb.s_feature_ro_compat) |
				 VEXFS_FEATURE_RO_COMPAT_VECTOR_INDEX);
		c->sb_dirty = true;
	}
	if (!st.img || read_inode(c, ino, &inode)) {
		vec_index_dirty(c, id, "out of memory");
		goto out;
	}
	ret = vexfs_vindex_build(&c->fs, &c->alloc, ino, &inode, &p,
				 vstore_vec, &st, &err);
	if (ret) {
		vec_index_dirty(c, id, err.msg);
		goto out;
	}
	note_freed(c, ino);		/* the old blocks, before the new inode */
	write_inode(c, ino, &inode);
	c->ii[ino].size = le64(inode.i_size);
	d->c_flags = cpu_le32(le32(d->c_flags) & ~VEXFS_COLL_INDEX_DIRTY);
	vec_write_desc(c, id);
	if (c->opts->verbose)
		out(c, "%s: collection %u: index rebuilt (epoch %u)\n", c->name,
		    id, p.epoch);
out:
	vexfs_ext_list_free(&st.map);
	free(st.img);
}

/*
 * Pass 6B, after pass 4 (which may still free slots, see vec_forget()):
 * rebuild the indexes pass 6 found wrong, from the stores as the repairs
 * left them.  Before pass 5, which counts the new blocks.
 */
static void vec_rebuild_indexes(struct check *c)
{
	struct vcheck *v = c->vec;
	bool any = false;
	uint32_t id;

	if (!v || !v->ready || !can_write(c))
		return;
	for (id = 1; id <= v->ndesc; id++) {
		struct vcoll *vc = &v->colls[id - 1];

		if (vc->state != VC_LIVE)
			continue;
		if (c->opts->rebuild_index)
			vc->rebuild = true;
		if (!vc->rebuild)
			continue;
		if (!any && c->opts->mode != VEXFS_CHECK_PREEN)
			out(c, "Pass 6B: Rebuilding vector indexes\n");
		any = true;
		vec_rebuild_index(c, id);
	}
}

/* Check collection @id's store against the claims on it. */
static int vec_check_store(struct check *c, uint32_t id, size_t *ci,
			   struct vexfs_err *err)
{
	struct vcheck *v = c->vec;
	struct vcoll *vc = &v->colls[id - 1];
	struct vexfs_collection *d = &vc->d;
	uint64_t store = le64(d->c_store_ino), cap, scan, s, count = 0;
	uint64_t high = 0, mapped = 0;
	struct vexfs_ext_list map;
	struct vexfs_inode inode;
	size_t k;
	int ret;

	if (read_inode(c, store, &inode))
		return 0;
	ret = vexfs_extent_list(&c->fs, store, &inode, &map, err);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		/* pass 1 reported the tree (-n left it): skip this store */
		err->msg[0] = '\0';
		c->uncorrected = true;
		return 0;
	}
	for (k = 0; k < map.n; k++)
		if ((uint64_t)map.e[k].lblk + map.e[k].len > mapped)
			mapped = (uint64_t)map.e[k].lblk + map.e[k].len;
	cap = vexfs_store_capacity(&vc->g, le64(inode.i_size) / c->fs.bs);
	if (cap > vc->g.max_slots)
		cap = vc->g.max_slots;
	scan = vexfs_store_capacity(&vc->g, mapped);
	if (scan > cap)
		scan = cap;
	free(v->img);
	v->img = malloc(vc->g.slot_size);
	free(vc->used);
	vc->used = calloc(scan / 8 + 1, 1);
	vc->used_n = scan;
	vc->cap = cap;
	if (!v->img || !vc->used) {
		vexfs_ext_list_free(&map);
		return vexfs_errf(err, ENOMEM, "out of memory");
	}
	for (s = 1; s <= scan && !c->stop; s++) {
		const struct vexfs_vec_slot *hdr = (const void *)v->img;
		bool owned = false, freed = false;
		uint64_t lblk;
		uint32_t off;

		vexfs_slot_pos(&vc->g, s, &lblk, &off);
		if (!vec_map(&map, lblk) &&
		    (*ci >= v->nclaims || v->claims[*ci].coll != id ||
		     v->claims[*ci].slot > s)) {
			/* a hole, and no claim on it: on to the next of either */
			uint64_t next = vec_next_mapped(&map, lblk, &vc->g);

			if (*ci < v->nclaims && v->claims[*ci].coll == id &&
			    v->claims[*ci].slot < next)
				next = v->claims[*ci].slot;
			s = next - 1;
			continue;
		}
		if (vec_io(c, &map, lblk * c->fs.bs + off, v->img,
			   vc->g.slot_size, false))
			break;
		for (; *ci < v->nclaims && v->claims[*ci].coll == id &&
		       v->claims[*ci].slot == s; (*ci)++)
			owned |= vec_judge(c, &v->claims[*ci], vc, v->img,
					   false, &freed);
		if (!hdr->vs_ino)
			continue;
		/*
		 * A file the orphan list released (pass 1C) gives its slot
		 * back as the kernel's eviction would: nothing to report.
		 */
		if (!owned && orphan_released(c, le64(hdr->vs_ino)))
			freed = true;
		if (!owned && !freed &&
		    !fix_problem(c, PR_6_ORPHAN_SLOT, id, (unsigned long long)s,
				 (unsigned long long)le64(hdr->vs_ino)))
			owned = true;	/* left in place, still counted */
		if (!owned) {
			/* freed by a repair: counted out as the kernel does */
			vec_io(c, &map, lblk * c->fs.bs + off, NULL,
			       vc->g.slot_size, true);
			if (le64(d->c_count)) {
				d->c_count = cpu_le64(le64(d->c_count) - 1);
				vc->dirty = true;
			}
			continue;
		}
		count++;
		high = s;
		vexfs_set_bit(vc->used, s);
	}
	/* claims on slots past what the store holds: all free */
	for (; *ci < v->nclaims && v->claims[*ci].coll == id; (*ci)++) {
		bool freed = false;

		memset(v->img, 0, vc->g.slot_size);
		vec_judge(c, &v->claims[*ci], vc, v->img,
			  v->claims[*ci].slot > cap, &freed);
	}
	vexfs_ext_list_free(&map);
	if (le64(d->c_count) != count &&
	    fix_problem(c, PR_6_COUNT, id,
			(unsigned long long)le64(d->c_count),
			(unsigned long long)count)) {
		d->c_count = cpu_le64(count);
		vc->dirty = true;
	}
	if ((le64(d->c_slots) < high || le64(d->c_slots) > cap) &&
	    fix_problem(c, PR_6_SLOTS, id,
			(unsigned long long)le64(d->c_slots),
			(unsigned long long)high)) {
		d->c_slots = cpu_le64(high);
		vc->dirty = true;
	}
	if (vc->dirty)
		vec_write_desc(c, id);
	return vec_check_index(c, id, err);
}

static int vec_setup(struct check *c, struct vexfs_err *err)
{
	struct vcheck *v = calloc(1, sizeof(*v));

	c->vec = v;
	if (!v)
		return vexfs_errf(err, ENOMEM, "out of memory");
	v->coll = calloc(c->ninodes, sizeof(*v->coll));
	v->slot = calloc(c->ninodes, sizeof(*v->slot));
	v->gen = calloc(c->ninodes, sizeof(*v->gen));
	v->rootof = calloc(c->ninodes, sizeof(*v->rootof));
	v->moved = calloc(c->ninodes, sizeof(*v->moved));
	v->mslot = calloc(c->ninodes, sizeof(*v->mslot));
	v->done = calloc(c->ninodes, 1);
	if (!v->coll || !v->slot || !v->gen || !v->rootof || !v->done ||
	    !v->moved || !v->mslot)
		return vexfs_errf(err, ENOMEM, "out of memory");
	return 0;
}

static int pass6(struct check *c, struct vexfs_err *err)
{
	struct vexfs_super_block *sb = &c->fs.sb;
	struct vcheck *v;
	uint32_t id, live = 0;
	size_t ci = 0;
	int ret;

	pass_header(c, 6, "Checking vector collections");
	ret = vec_setup(c, err);
	if (!ret)
		ret = vec_scan_inodes(c, err);
	if (ret)
		return ret;
	v = c->vec;
	ret = vec_table(c, err);
	if (ret)
		return ret < 0 ? ret : 0;
	for (id = 1; id <= v->ndesc && !c->stop; id++)
		vec_check_desc(c, id);
	if (!c->stop)
		ret = vec_members(c, err);
	if (ret || c->stop)
		return ret;
	if (v->nclaims)
		qsort(v->claims, v->nclaims, sizeof(*v->claims), claim_cmp);
	for (id = 1; id <= v->ndesc && !ret && !c->stop; id++) {
		if (v->colls[id - 1].state == VC_LIVE)
			ret = vec_check_store(c, id, &ci, err);
		/* claims on a collection skipped (kept) are left alone */
		while (ci < v->nclaims && v->claims[ci].coll <= id)
			ci++;
	}
	if (ret)
		return ret;
	for (id = 1; id <= v->ndesc; id++)
		if (v->colls[id - 1].state == VC_LIVE ||
		    v->colls[id - 1].state == VC_KEPT)
			live++;
	if (le32(sb->s_collections_count) != live &&
	    fix_problem(c, PR_6_SB_COUNT, le32(sb->s_collections_count),
			live)) {
		sb->s_collections_count = cpu_le32(live);
		c->sb_dirty = true;
	}
	v->ready = true;
	progress(c, 6, 1, 1);
	return 0;
}

/*
 * Inode @ino is being cleared after pass 6 (pass 4): give its slot back,
 * so that the store does not keep an embedding nobody owns.
 */
static void vec_forget(struct check *c, uint64_t ino)
{
	struct vcheck *v = c->vec;
	struct vcoll *vc;
	struct vexfs_ext_list map;
	struct vexfs_inode inode;
	struct vexfs_err err;
	uint64_t lblk;
	uint32_t off, id;

	if (!v || !v->ready || ino >= c->ninodes || !v->slot[ino] ||
	    !vec_live(v, v->coll[ino]) || !can_write(c))
		return;
	id = v->coll[ino];
	vc = &v->colls[id - 1];
	if (read_inode(c, le64(vc->d.c_store_ino), &inode) ||
	    vexfs_extent_list(&c->fs, le64(vc->d.c_store_ino), &inode, &map,
			      &err))
		return;
	vexfs_slot_pos(&vc->g, v->slot[ino], &lblk, &off);
	vec_io(c, &map, lblk * c->fs.bs + off, NULL, vc->g.slot_size, true);
	vexfs_ext_list_free(&map);
	/* the index has a node for it: pass 6B rebuilds the index */
	if (le64(vc->d.c_index_ino) &&
	    !(le32(vc->d.c_flags) & VEXFS_COLL_INDEX_DIRTY))
		vc->rebuild = true;
	v->slot[ino] = 0;
	if (le64(vc->d.c_count))
		vc->d.c_count = cpu_le64(le64(vc->d.c_count) - 1);
	vec_write_desc(c, id);
}

/* ------------------------------------------------------------------ */
/* Pass 4: reference counts, hidden inodes                             */
/* ------------------------------------------------------------------ */

static void set_links(struct check *c, uint64_t ino, uint16_t links)
{
	struct vexfs_inode inode;

	c->ii[ino].links = links;
	if (!can_write(c) || read_inode(c, ino, &inode))
		return;
	inode.i_links_count = cpu_le16(links);
	write_inode(c, ino, &inode);
}

/* Drop the xattr entries of @owner whose value inode is bad. */
static void drop_xattr_values(struct check *c, uint64_t owner)
{
	int max = vexfs_xattr_max_entries(c->fs.bs), n, i, keep;
	struct vexfs_xattr_ent *xs = calloc((size_t)max, sizeof(*xs));
	struct vexfs_inode inode;
	const char *why;
	struct vexfs_err err;
	uint8_t *blk = malloc(c->fs.bs);

	if (!xs || !blk || read_inode(c, owner, &inode))
		goto out;
	if (vexfs_xattr_read_block(&c->fs, owner, &inode, blk, &why, &err))
		goto out;
	n = vexfs_xattr_parse(blk, c->fs.bs, xs, max, &why);
	for (i = 0, keep = 0; i < n; i++) {
		size_t k;
		bool bad = false;

		for (k = 0; k < c->nxref; k++)
			if (c->xref[k].owner == owner &&
			    c->xref[k].vino == xs[i].value_ino && c->xref[k].bad)
				bad = xs[i].value_ino != 0;
		if (!bad)
			xs[keep++] = xs[i];
	}
	if (n >= 0 && !vexfs_xattr_pack(blk, c->fs.bs, xs, keep)) {
		vexfs_meta_block_seal(c->fs.seed, blk, c->fs.bs);
		if (vexfs_write_block(&c->fs.dev, le64(inode.i_xattr_block), blk,
				      &err)) {
			out(c, "%s: %s\n", c->name, err.msg);
			c->uncorrected = true;
		} else {
			c->modified = true;
		}
	}
out:
	free(xs);
	free(blk);
}

static void check_xrefs(struct check *c)
{
	size_t k;

	for (k = 0; k < c->nxref; k++) {
		struct xref *x = &c->xref[k];
		struct ino_info *vi;
		const char *why = NULL;

		if (c->ii[x->owner].state != IS_USED)
			continue;
		if (x->vino < VEXFS_FIRST_INO || x->vino >= c->ninodes) {
			why = "out of range";
		} else {
			vi = &c->ii[x->vino];
			if (vi->state != IS_USED)
				why = "not in use";
			else if (!S_ISREG(vi->mode) ||
				 !(vi->flags & VEXFS_INODE_HIDDEN))
				why = "not a hidden regular file";
			else if (vi->parent != x->owner)
				why = "its parent is another inode";
			else if (vi->size != x->size)
				why = "its size is not the value's size";
			else if (vi->refs)
				why = "it holds another value too";
		}
		if (!why) {
			c->ii[x->vino].refs++;
			continue;
		}
		x->bad = true;
		if (fix_problem(c, PR_4_XATTR_VALUE_INODE,
				(unsigned long long)x->owner,
				(unsigned long long)x->vino, why) &&
		    can_write(c))
			drop_xattr_values(c, x->owner);
	}
}

/* A hidden inode named by the collections machinery, if it is one. */
static void count_hidden_ref(struct check *c, uint64_t ino)
{
	if (ino >= VEXFS_FIRST_INO && ino < c->ninodes &&
	    c->ii[ino].state == IS_USED &&
	    (c->ii[ino].flags & VEXFS_INODE_HIDDEN))
		c->ii[ino].refs++;
}

/*
 * The collections table (named by the superblock) and each collection's
 * vector store and index (named by the table) are hidden inodes owned
 * through those references, not through xattrs: count them, so that
 * pass 4 never takes a collection's vectors for a leaked inode and clears
 * them.  Pass 6 checked the table and may have changed it: count what
 * it left (a removed collection's store is no longer owned); without
 * its view (the table was left bad), count what the table says.
 */
static void count_collection_refs(struct check *c)
{
	uint64_t table = le64(c->fs.sb.s_collections_ino);
	const size_t dsize = sizeof(struct vexfs_collection);
	struct vexfs_inode raw;
	struct vexfs_err err;
	uint8_t *buf;
	size_t size, off;

	if (c->vec && c->vec->ready) {
		struct vcheck *v = c->vec;
		uint32_t i;

		if (v->table)
			count_hidden_ref(c, v->table);
		for (i = 0; i < v->ndesc; i++) {
			const struct vcoll *vc = &v->colls[i];

			if (vc->state != VC_LIVE && vc->state != VC_KEPT)
				continue;
			count_hidden_ref(c, le64(vc->d.c_store_ino));
			if (le64(vc->d.c_index_ino))
				count_hidden_ref(c, le64(vc->d.c_index_ino));
		}
		return;
	}
	if (!table || table >= c->ninodes || c->ii[table].state != IS_USED ||
	    !(c->ii[table].flags & VEXFS_INODE_HIDDEN))
		return;
	count_hidden_ref(c, table);
	if (vexfs_inode_read(&c->fs, table, &raw, &err))
		return;
	size = le64(raw.i_size);
	if (size > VEXFS_MAX_COLLECTIONS * dsize)
		size = VEXFS_MAX_COLLECTIONS * dsize;
	buf = malloc(size ? size : 1);
	if (!buf || vexfs_file_read(&c->fs, table, &raw, buf, size, &err))
		goto out;
	for (off = 0; off + dsize <= size; off += dsize) {
		struct vexfs_collection d;

		memcpy(&d, buf + off, dsize);
		if (!le32(d.c_id))
			continue;
		count_hidden_ref(c, le64(d.c_store_ino));
		if (le64(d.c_index_ino))
			count_hidden_ref(c, le64(d.c_index_ino));
	}
out:
	free(buf);
}

static int pass4(struct check *c, struct vexfs_err *err)
{
	uint64_t ino;

	(void)err;
	pass_header(c, 4, "Checking reference counts");
	check_xrefs(c);
	count_collection_refs(c);
	for (ino = VEXFS_ROOT_INO; ino < c->ninodes && !c->stop; ino++) {
		struct ino_info *ii = &c->ii[ino];
		unsigned long long i = (unsigned long long)ino;
		uint32_t want;

		if (ii->state != IS_USED ||
		    (ino != VEXFS_ROOT_INO && ino < VEXFS_FIRST_INO))
			continue;
		if (ii->flags & VEXFS_INODE_HIDDEN) {
			if (!ii->refs) {
				if (fix_problem(c, PR_4_HIDDEN_UNUSED, i,
						(unsigned long long)ii->parent))
					clear_inode(c, ino);
				continue;
			}
			want = 1;
		} else if (S_ISDIR(ii->mode)) {
			want = 2 + ii->subdirs;
		} else {
			if (!ii->refs && !(ii->flags & VEXFS_INODE_ORPHAN)) {
				if (!ii->size) {
					if (fix_problem(c, PR_4_ZERO_LEN_UNATTACHED,
							i, type_name(ii->mode)))
						clear_inode(c, ino);
					continue;
				}
				if (fix_problem(c, PR_4_UNATTACHED, i,
						type_name(ii->mode),
						(unsigned long long)ii->size))
					reconnect(c, ino);
			}
			want = ii->refs;
		}
		if (want > VEXFS_LINK_MAX)
			want = VEXFS_LINK_MAX;
		if (ii->links != want && want &&
		    fix_problem(c, PR_4_BAD_LINKS, i, ii->links, want))
			set_links(c, ino, (uint16_t)want);
		if (ino == VEXFS_ROOT_INO)
			c->pass4_root_done = true;
	}
	progress(c, 4, 1, 1);
	return 0;
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

	/* Not journaled: after a replay they are rebuilt, as at mount. */
	if (stored != counted && c->counts_stale && can_write(c)) {
		*field = cpu_le64(counted);
		c->sb_dirty = true;
		return;
	}
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

	if (!can_write(c))
		return 0;
	memcpy(map->bits, want, bytes);
	ret = vexfs_bitmap_store(&c->fs, map, err);
	if (!ret)
		c->modified = true;
	return ret;
}

static int mark_cb(void *priv, const struct vexfs_ext *ex)
{
	uint8_t *map = priv;
	uint64_t b;

	for (b = 0; b < ex->len; b++)
		vexfs_set_bit(map, ex->pblk + b);
	return 0;
}

struct markn {
	uint8_t *map;
};

static int mark_node_cb(void *priv, uint64_t pblk, unsigned int depth,
			const char *why)
{
	struct markn *m = priv;

	(void)depth;
	if (!why)
		vexfs_set_bit(m->map, pblk);
	return 0;
}

static int mark_ext_cb(void *priv, const struct vexfs_ext *ex)
{
	struct markn *m = priv;

	return mark_cb(m->map, ex);
}

static void mark_bad_cb(void *priv, uint64_t pblk, unsigned int depth,
			const char *why)
{
	(void)priv;
	(void)pblk;
	(void)depth;
	(void)why;
}

/*
 * The blocks in use, counted afresh from every in-use inode once the
 * repairs are done, so that whatever the repairs freed or allocated is
 * accounted for exactly.  With -n it is what pass 1 saw.
 */
static int recount_blocks(struct check *c, uint8_t *used, struct vexfs_err *err)
{
	struct markn m = { .map = used };
	struct vexfs_extent_visitor v = {
		.priv = &m, .node = mark_node_cb, .extent = mark_ext_cb,
		.bad = mark_bad_cb,
	};
	uint64_t data_start = le64(c->fs.sb.s_data_start), n, ino;
	int ret;

	for (n = 0; n < data_start; n++)
		vexfs_set_bit(used, n);
	for (ino = 1; ino < c->ninodes; ino++) {
		struct vexfs_inode inode;
		uint64_t x;

		if (c->ii[ino].state != IS_USED)
			continue;
		ret = vexfs_inode_read_raw(&c->fs, ino, &inode, err);
		if (ret)
			return ret;
		ret = vexfs_extent_walk(&c->fs, ino, &inode, &v, err);
		if (ret)
			return ret;
		x = le64(inode.i_xattr_block);
		if (x >= data_start && x < le64(c->fs.sb.s_blocks_count))
			vexfs_set_bit(used, x);
	}
	return 0;
}

/*
 * Blocks the repairs allocated (in use now, free after pass 1, taken by
 * the repair allocator) or let go of (free now, held by a rewritten or
 * cleared inode) are the repairs' own doing: update the on-disk view of
 * the bitmap for them without reporting differences, as e2fsck's
 * allocation statistics do.  The free count is checked afterwards.
 */
static void own_block_stats(struct check *c, const uint8_t *final)
{
	uint64_t n, end = le64(c->fs.sb.s_blocks_count);
	bool changed = false;

	for (n = le64(c->fs.sb.s_data_start); n < end; n++) {
		bool now = vexfs_test_bit(final, n);
		bool disk = vexfs_test_bit(c->bmap.bits, n);

		if (now == disk)
			continue;
		if (now && vexfs_test_bit(c->block_used, n) &&
		    !vexfs_test_bit(c->block_p1, n)) {
			vexfs_set_bit(c->bmap.bits, n);
			changed = true;
		} else if (!now && vexfs_test_bit(c->fsck_freed, n)) {
			vexfs_clear_bit(c->bmap.bits, n);
			changed = true;
		}
	}
	if (changed)
		c->bmap_rewrite = true;
}

static int pass5(struct check *c, struct vexfs_err *err)
{
	struct vexfs_super_block *sb = &c->fs.sb;
	size_t bbytes = (size_t)(c->bmap.nblocks * VEXFS_BITMAP_BITS(c->fs.bs) / 8);
	uint8_t *block_used = calloc(bbytes, 1);
	uint64_t n;
	int ret = 0;

	pass_header(c, 5, "Checking bitmaps and summary counts");
	if (!block_used)
		return vexfs_errf(err, ENOMEM, "out of memory");
	/* Reserved inodes and the metadata blocks are always in use. */
	for (n = 0; n < VEXFS_FIRST_INO; n++)
		vexfs_set_bit(c->inode_used, n);
	if (can_write(c)) {
		ret = recount_blocks(c, block_used, err);
	} else {
		memcpy(block_used, c->block_used, bbytes);
	}
	/* padding past the last block stays set */
	for (n = c->bmap.nbits; n < bbytes * 8; n++)
		vexfs_set_bit(block_used, n);
	if (ret)
		goto out;
	if (can_write(c))
		own_block_stats(c, block_used);

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
out:
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

/* The in-memory state of passes 1-5. */
static int setup_state(struct check *c, struct vexfs_err *err)
{
	size_t ibytes = (size_t)(c->imap.nblocks * VEXFS_BITMAP_BITS(c->fs.bs) / 8);
	size_t bbytes = (size_t)(c->bmap.nblocks * VEXFS_BITMAP_BITS(c->fs.bs) / 8);
	uint64_t n, data_start = le64(c->fs.sb.s_data_start);

	c->ninodes = le64(c->fs.sb.s_inodes_count);
	c->inode_used = malloc(ibytes);
	c->block_used = calloc(bbytes, 1);
	c->block_dup = calloc(bbytes, 1);
	c->block_p1 = calloc(bbytes, 1);
	c->fsck_freed = calloc(bbytes, 1);
	c->ii = calloc(c->ninodes, sizeof(*c->ii));
	c->blk = malloc(c->fs.bs);
	if (!c->inode_used || !c->block_used || !c->block_dup || !c->ii ||
	    !c->blk || !c->block_p1 || !c->fsck_freed)
		return vexfs_errf(err, ENOMEM, "out of memory");
	memcpy(c->inode_used, c->imap.bits, ibytes);
	for (n = 0; n < data_start; n++)
		vexfs_set_bit(c->block_used, n);
	vexfs_alloc_init(&c->alloc, c->block_used, &c->fs.sb);
	return 0;
}

static void release_state(struct check *c)
{
	vexfs_bitmap_release(&c->imap);
	vexfs_bitmap_release(&c->bmap);
	free(c->inode_used);
	free(c->block_used);
	free(c->block_dup);
	free(c->block_p1);
	free(c->fsck_freed);
	free(c->ii);
	free(c->orphan_listed);
	free(c->xref);
	vec_release(c);
	free(c->blk);
}

static int run_passes(struct check *c, struct vexfs_err *err)
{
	bool full;
	int ret;

	ret = pass0(c, err);
	if (ret || c->stop)
		return ret;
	full = c->opts->force || !marked_clean(&c->fs.sb) || c->sb_dirty ||
	       c->uncorrected || c->imap_rewrite || c->bmap_rewrite ||
	       c->journal_done || le64(c->fs.sb.s_last_orphan);
	if (!full) {
		summary(c, true);
		return 0;
	}
	ret = setup_state(c, err);
	if (!ret)
		ret = pass1(c, err);
	if (!ret)
		memcpy(c->block_p1, c->block_used,
		       (size_t)(c->bmap.nblocks * VEXFS_BITMAP_BITS(c->fs.bs) / 8));
	if (!ret && !c->stop)
		ret = pass1b(c, err);
	if (!ret && !c->stop && !c->stop_tree)
		ret = pass2(c, err);
	if (!ret && !c->stop && !c->stop_tree)
		ret = pass3(c, err);
	if (!ret && !c->stop && !c->stop_tree)
		ret = pass6(c, err);
	if (!ret && !c->stop && !c->stop_tree)
		ret = pass4(c, err);
	if (!ret && !c->stop && !c->stop_tree)
		vec_rebuild_indexes(c);
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

static int check_open_dev(struct check *c, struct vexfs_err *err)
{
	int ret = run_passes(c, err);

	release_state(c);
	vexfs_dev_close(&c->fs.dev);
	c->res->exit_code = ret ? FSCK_ERROR : exit_code(c);
	return c->res->exit_code;
}

static void check_init(struct check *c, const struct vexfs_check_opts *opts,
		       struct vexfs_check_result *res,
		       struct vexfs_check_result *dummy, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->opts = opts;
	c->res = res ? res : dummy;
	memset(c->res, 0, sizeof(*c->res));
	c->name = opts->name ? opts->name : name;
}

int vexfs_check(const char *path, const struct vexfs_check_opts *opts,
		struct vexfs_check_result *res, struct vexfs_err *err)
{
	struct vexfs_check_result dummy;
	struct check c;

	check_init(&c, opts, res, &dummy, path);
	if (open_for_check(&c, path, err)) {
		c.res->exit_code = FSCK_ERROR;
		return FSCK_ERROR;
	}
	return check_open_dev(&c, err);
}

int vexfs_check_mem(void *buf, size_t len, const struct vexfs_check_opts *opts,
		    struct vexfs_check_result *res, struct vexfs_err *err)
{
	struct vexfs_check_result dummy;
	struct check c;

	check_init(&c, opts, res, &dummy, "(memory)");
	vexfs_dev_open_mem(&c.fs.dev, buf, len, opts->mode != VEXFS_CHECK_NO);
	return check_open_dev(&c, err);
}
