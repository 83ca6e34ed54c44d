// SPDX-License-Identifier: GPL-2.0
/*
 * Compiles on every kernel: if it does not, the compiler or the kernel
 * build tree is broken and scripts/compat-probe.sh stops.
 */
#include <linux/module.h>
#include <linux/fs.h>

static int __used vexfs_probe_canary(struct inode *inode)
{
	return inode->i_sb != NULL;
}
