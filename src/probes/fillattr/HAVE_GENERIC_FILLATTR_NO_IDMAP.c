// SPDX-License-Identifier: GPL-2.0
/* generic_fillattr() takes only the inode and the kstat (before 5.12). */
#include <linux/fs.h>
#include <linux/stat.h>

static void __used probe(struct inode *inode, struct kstat *stat)
{
	generic_fillattr(inode, stat);
}
