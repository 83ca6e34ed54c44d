// SPDX-License-Identifier: GPL-2.0
/*
 * inode->i_state is a struct read through inode_state_read_once() and
 * friends (7.x); compat.h reads the plain field otherwise.
 */
#include <linux/fs.h>

static bool __used probe(struct inode *inode)
{
	return inode_state_read_once(inode) & I_NEW;
}
