// SPDX-License-Identifier: GPL-2.0
/* blkdev_issue_flush() takes only the block device (5.12 and later). */
#include <linux/blkdev.h>

static int __used probe(struct block_device *bdev)
{
	return blkdev_issue_flush(bdev);
}
