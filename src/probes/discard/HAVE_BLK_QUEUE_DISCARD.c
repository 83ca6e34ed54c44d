// SPDX-License-Identifier: GPL-2.0
/* blk_queue_discard() and the queue's discard_granularity (before 5.19). */
#include <linux/blkdev.h>

static unsigned int __used probe(struct block_device *bdev)
{
	struct request_queue *q = bdev_get_queue(bdev);

	return blk_queue_discard(q) + q->limits.discard_granularity;
}
