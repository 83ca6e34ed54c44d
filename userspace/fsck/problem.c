// SPDX-License-Identifier: GPL-2.0
/*
 * problem.c - every problem fsck.vexfs can report, as e2fsck's problem.c:
 * one table (problems[]) pairing each stable code of problem.h with its
 * message, whether preen may fix it, and the prompt for the fix; and
 * fix_problem(), the only place that reports a problem and decides, from
 * the mode, whether to fix it.
 */
#include <stdarg.h>
#include <stdio.h>

#include "fsck.h"

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
	{ PR_1_INODE_FLAGS, "Inode %llu has unknown flags 0x%x (the kernel refuses it)",
	  "Clear them", 0 },

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
	{ PR_6_UNADOPTED, "Inode %llu is not yet in collection %u of its directory %llu (an interrupted collection create)",
	  "Finish the create", PR_PREEN_OK },
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

void out(struct check *c, const char *fmt, ...)
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
bool vfix_problem(struct check *c, uint32_t code, va_list ap)
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

bool fix_problem(struct check *c, uint32_t code, ...)
{
	va_list ap;
	bool fix;

	va_start(ap, code);
	fix = vfix_problem(c, code, ap);
	va_end(ap);
	return fix;
}
