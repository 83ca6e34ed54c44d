/* SPDX-License-Identifier: GPL-2.0 */
/* vectors.h - the vector commands of vexctl (vectors.c). */
#ifndef _VEXCTL_VECTORS_H
#define _VEXCTL_VECTORS_H

#include "cmd.h"

/* Exit statuses (documented in vexctl(8)). */
#define VEXCTL_EXIT_FAILURE	1	/* the operation failed */
#define VEXCTL_EXIT_USAGE	2	/* bad options or bad input data */
#define VEXCTL_EXIT_NOTVEXFS	3	/* not VexFS, not in a collection, no embedding */

int cmd_collection_create(const struct cmd_line *cl);
int cmd_collection_info(const struct cmd_line *cl);
int cmd_collection_list(const struct cmd_line *cl);
int cmd_embed_set(const struct cmd_line *cl);
int cmd_embed_get(const struct cmd_line *cl);
int cmd_embed_rm(const struct cmd_line *cl);
int cmd_import(const struct cmd_line *cl);
int cmd_export(const struct cmd_line *cl);
int cmd_query(const struct cmd_line *cl);
int cmd_stats(const struct cmd_line *cl);
int cmd_index_wait(const struct cmd_line *cl);
int cmd_index_rebuild(const struct cmd_line *cl);
int cmd_index_compact(const struct cmd_line *cl);

#endif /* _VEXCTL_VECTORS_H */
