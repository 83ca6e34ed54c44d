// SPDX-License-Identifier: GPL-2.0
/*
 * struct jbd2_inode keeps its dirty range in pages, read locklessly
 * through jbd2_jinode_get_dirty_range() (7.x).
 */
#include <linux/jbd2.h>

static bool __used probe(const struct jbd2_inode *jinode)
{
	loff_t start, end;

	return jbd2_jinode_get_dirty_range(jinode, &start, &end);
}
