// SPDX-License-Identifier: GPL-2.0
/*
 * generic_fillattr() takes the idmap (a user namespace or a mnt_idmap)
 * but no request mask (5.12 to 6.5).
 */
#include <linux/fs.h>
#include <linux/stat.h>

static void __used probe(struct inode *inode, struct kstat *stat)
{
	generic_fillattr(NULL, inode, stat);
}
