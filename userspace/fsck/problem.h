/* SPDX-License-Identifier: GPL-2.0 */
/*
 * problem.h - the problems fsck.vexfs can report: their flags and
 * stable codes.
 */
#ifndef VEXFS_FSCK_PROBLEM_H
#define VEXFS_FSCK_PROBLEM_H

#include <stdint.h>

/* Problem flags */
#define PR_PREEN_OK	0x0001	/* preen may fix it without asking */
#define PR_PREEN_NOMSG	0x0002	/* ... and without saying so */
#define PR_FATAL	0x0004	/* cannot be fixed: stop, exit 8 */
#define PR_NO_FIX	0x0008	/* reported, left alone (exit 4) */

/* One kind of problem the checker can find; see problem.c for the table. */
struct vexfs_problem {
	uint32_t code;		/* PR_<pass>_<NAME>, stable across versions */
	const char *msg;	/* printf format, no trailing period */
	const char *prompt;	/* "Fix", "Clear", ...; NULL for PR_FATAL */
	unsigned int flags;	/* PR_* */
};

/*
 * Problem codes: 0xPPNNNN, PP the pass.  Pass 0 checks the superblock and
 * the bitmap blocks (0x00002n-0x00003n: the journal and its recovery),
 * pass 1 the inodes, their extent trees and xattr blocks (1B, code
 * 0x011nnn: blocks claimed twice; 1C, 0x013nnn: the orphan list, before
 * the inode scan), pass 2 the directory trees and entries, pass 3
 * connectivity, pass 4 reference counts, pass 5 the bitmaps and summary
 * counts, pass 6 the vector collections (it runs between passes 3 and 4:
 * see pass6.c).
 */
#define PR_0_SB_READ		0x000001
#define PR_0_SB_MAGIC		0x000002
#define PR_0_SB_VERSION		0x000003
#define PR_0_SB_BLOCK_SIZE	0x000004
#define PR_0_SB_INODE_SIZE	0x000005
#define PR_0_SB_INCOMPAT	0x000006
#define PR_0_SB_RO_COMPAT	0x000007
#define PR_0_SB_GEOMETRY	0x000008
#define PR_0_SB_CSUM		0x000009
#define PR_0_SB_CSUM_UNTRUSTED	0x00000a
#define PR_0_SB_ROOT_INO	0x00000b
#define PR_0_SB_FEATURES_MISSING 0x00000c
#define PR_0_SB_RECOVER		0x00000d
/*
 * 0x00000e is retired: fsck replays a journal that needs recovery rather
 * than refuse it.  A code is never given to another problem, so that a
 * code in a log or a test names one problem forever.
 */
#define PR_0_SB_ERRORS		0x00000f
#define PR_0_BITMAP_HEADER	0x000010
#define PR_0_BITMAP_CSUM	0x000011
#define PR_0_JOURNAL_BAD_SUPER	0x000020
#define PR_0_JOURNAL_RECOVER_SKIPPED 0x000021
#define PR_0_JOURNAL_TXN_CORRUPT 0x000022
#define PR_0_JOURNAL_DATA_NOT_FLAGGED 0x000023
#define PR_0_JOURNAL_ERRNO	0x000024
#define PR_1_INODE_EMPTY	0x010001
#define PR_1_INODE_CSUM		0x010002
#define PR_1_INODE_BAD		0x010003
#define PR_1_INODE_INO		0x010004
#define PR_1_INODE_TIME		0x010005
#define PR_1_ROOT_NOT_DIR	0x010006
#define PR_1_ROOT_BAD		0x010007
#define PR_1_INLINE_NOT_SYMLINK	0x010008
#define PR_1_SYMLINK_BAD	0x010009
#define PR_1_EXTENT_ROOT_BAD	0x01000a
#define PR_1_EXTENT_BAD		0x01000b
#define PR_1_SPECIAL_DATA	0x01000c
#define PR_1_XATTR_BAD		0x01000d
#define PR_1_BAD_I_BLOCKS	0x01000e
#define PR_1_BAD_SIZE		0x01000f
#define PR_1_INODE_FLAGS	0x010010
#define PR_1B_DUP_BLOCKS	0x011001
#define PR_1C_ORPHAN_FREE	0x013001
#define PR_1C_ORPHAN_TRUNCATE	0x013002
#define PR_1C_ORPHAN_BAD	0x013003
#define PR_1C_ORPHAN_LOOP	0x013004
#define PR_1C_ORPHAN_STRAY	0x013005
#define PR_2_DIR_CORRUPT	0x020001
#define PR_2_BAD_NAME		0x020002
#define PR_2_BAD_INO		0x020003
#define PR_2_UNUSED_INODE	0x020004
#define PR_2_HIDDEN_INODE	0x020005
#define PR_2_DUP_NAME		0x020006
#define PR_2_DIR_LINKED_TWICE	0x020007
#define PR_2_BAD_HASH		0x020008
#define PR_2_BAD_FTYPE		0x020009
#define PR_3_NO_LPF		0x030001
#define PR_3_UNCONNECTED_DIR	0x030002
#define PR_3_DIR_LOOP		0x030003
#define PR_3_BAD_PARENT		0x030004
#define PR_4_ZERO_LEN_UNATTACHED 0x040001
#define PR_4_UNATTACHED		0x040002
#define PR_4_BAD_LINKS		0x040003
#define PR_4_HIDDEN_UNUSED	0x040004
#define PR_4_XATTR_VALUE_INODE	0x040005
#define PR_5_INODE_BITMAP	0x050001
#define PR_5_BLOCK_BITMAP	0x050002
#define PR_5_INODE_PADDING	0x050003
#define PR_5_BLOCK_PADDING	0x050004
#define PR_5_FREE_INODES	0x050005
#define PR_5_FREE_BLOCKS	0x050006
#define PR_6_SB_FEATURE		0x060001
#define PR_6_SB_NO_TABLE	0x060002
#define PR_6_TABLE_BAD		0x060003
#define PR_6_TABLE_SIZE		0x060004
#define PR_6_TABLE_PARENT	0x060005
#define PR_6_DESC_CSUM		0x060006
#define PR_6_DESC_BAD		0x060007
#define PR_6_ROOT_COLL		0x060008
#define PR_6_STORE_BAD		0x060009
#define PR_6_STORE_PARENT	0x06000a
#define PR_6_INDEX_BAD		0x06000b
#define PR_6_HIDDEN_VEC		0x06000c
#define PR_6_DANGLING		0x06000d
#define PR_6_INHERIT		0x06000e
#define PR_6_STRAY_SLOT		0x06000f
#define PR_6_BAD_SLOT		0x060010
#define PR_6_ORPHAN_SLOT	0x060011
#define PR_6_COUNT		0x060012
#define PR_6_SLOTS		0x060013
#define PR_6_SB_COUNT		0x060014
#define PR_6_DESC_FLAGS		0x060015
#define PR_6_INDEX_PARENT	0x060016
#define PR_6_VINDEX_HEADER	0x060017
#define PR_6_VINDEX_QUANT	0x060018
#define PR_6_VINDEX_NODE	0x060019
#define PR_6_VINDEX_UPPER	0x06001a
#define PR_6_VINDEX_LINK	0x06001b
#define PR_6_VINDEX_COUNTS	0x06001c
#define PR_6_VINDEX_ENTRY	0x06001d
#define PR_6_VINDEX_UNINDEXED	0x06001e
#define PR_6_VINDEX_STALE	0x06001f
#define PR_6_VINDEX_MORE	0x060020
#define PR_6_DESC_TUNABLES	0x060021
#define PR_6_UNADOPTED		0x060022

/**
 * vexfs_problem_find() - look a problem up by its code
 * @code: a PR_* code
 *
 * Return: the table entry, or NULL for an unknown code.
 */
const struct vexfs_problem *vexfs_problem_find(uint32_t code);

#endif /* VEXFS_FSCK_PROBLEM_H */
