// SPDX-License-Identifier: GPL-2.0
/*
 * FMODE_CAN_ODIRECT exists (6.0 and later).  Without it, open() allows
 * O_DIRECT when the address space has ->direct_IO.
 */
#include <linux/fs.h>

static void __used probe(struct file *file)
{
	file->f_mode |= FMODE_CAN_ODIRECT;
}
