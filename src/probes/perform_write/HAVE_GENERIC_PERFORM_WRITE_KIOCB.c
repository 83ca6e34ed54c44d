// SPDX-License-Identifier: GPL-2.0
/* generic_perform_write() takes the kiocb (5.18 and later). */
#include <linux/fs.h>
#include <linux/uio.h>

static ssize_t __used probe(struct kiocb *iocb, struct iov_iter *from)
{
	return generic_perform_write(iocb, from);
}
