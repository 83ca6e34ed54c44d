// SPDX-License-Identifier: GPL-2.0
/* struct jbd2_inode keeps its dirty range in bytes, end inclusive. */
#include <linux/jbd2.h>

static loff_t __used probe(struct jbd2_inode *jinode)
{
	return jinode->i_dirty_start + jinode->i_dirty_end;
}
