// SPDX-License-Identifier: GPL-2.0
/*
 * inode_get_ctime(), inode_set_ctime_to_ts() and inode_set_ctime_current()
 * exist (6.6, and Debian 12's 6.1 has them backported); compat.h supplies
 * them otherwise.
 */
#include <linux/fs.h>

static void __used probe(struct inode *inode)
{
	inode_set_ctime_to_ts(inode, inode_get_ctime(inode));
	inode_set_ctime_current(inode);
}
