// SPDX-License-Identifier: GPL-2.0
/* jbd2_journal_flush() takes JBD2_JOURNAL_FLUSH_* flags (5.15 and later). */
#include <linux/jbd2.h>

static int __used probe(journal_t *journal)
{
	return jbd2_journal_flush(journal, 0);
}
