// SPDX-License-Identifier: GPL-2.0
/*
 * iomap_dio_rw() takes dio_flags, a private pointer and done_before
 * (5.16 and later).
 */
#include <linux/fs.h>
#include <linux/iomap.h>

static ssize_t __used probe(struct kiocb *iocb, struct iov_iter *to,
			    const struct iomap_ops *ops)
{
	return iomap_dio_rw(iocb, to, ops, NULL, 0, NULL, 0);
}
