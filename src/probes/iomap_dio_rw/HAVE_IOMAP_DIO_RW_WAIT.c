// SPDX-License-Identifier: GPL-2.0
/* iomap_dio_rw() takes a wait_for_completion flag (5.10 to 5.12). */
#include <linux/fs.h>
#include <linux/iomap.h>

static ssize_t __used probe(struct kiocb *iocb, struct iov_iter *to,
			    const struct iomap_ops *ops)
{
	return iomap_dio_rw(iocb, to, ops, NULL, true);
}
