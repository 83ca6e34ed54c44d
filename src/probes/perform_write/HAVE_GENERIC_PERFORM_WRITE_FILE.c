// SPDX-License-Identifier: GPL-2.0
/*
 * generic_perform_write() takes the file and the position (before 5.18).
 */
#include <linux/fs.h>
#include <linux/uio.h>

static ssize_t __used probe(struct kiocb *iocb, struct iov_iter *from)
{
	return generic_perform_write(iocb->ki_filp, from, iocb->ki_pos);
}
