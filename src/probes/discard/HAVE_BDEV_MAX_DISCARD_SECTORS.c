// SPDX-License-Identifier: GPL-2.0
/* bdev_max_discard_sectors() and bdev_discard_granularity() (5.19). */
#include <linux/blkdev.h>

static unsigned int __used probe(struct block_device *bdev)
{
	return bdev_max_discard_sectors(bdev) + bdev_discard_granularity(bdev);
}
