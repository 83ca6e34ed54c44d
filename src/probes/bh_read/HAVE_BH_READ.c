// SPDX-License-Identifier: GPL-2.0
/* __bh_read() exists (6.0); compat.h supplies it otherwise. */
#include <linux/buffer_head.h>

static int __used probe(struct buffer_head *bh)
{
	return __bh_read(bh, REQ_META, true);
}
