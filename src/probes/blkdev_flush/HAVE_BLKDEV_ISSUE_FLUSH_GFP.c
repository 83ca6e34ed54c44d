// SPDX-License-Identifier: GPL-2.0
/*
 * blkdev_issue_flush() takes the block device and a gfp mask, and no
 * error-sector pointer (5.9 to 5.11).
 */
#include <linux/blkdev.h>

static int __used probe(struct block_device *bdev)
{
	return blkdev_issue_flush(bdev, GFP_NOFS);
}
