/* SPDX-License-Identifier: GPL-2.0 */
/* vectors.h - the vector commands of vexctl (vectors.c). */
#ifndef _VEXCTL_VECTORS_H
#define _VEXCTL_VECTORS_H

/* Exit statuses (documented in vexctl(8)). */
#define VEXCTL_EXIT_FAILURE	1	/* the operation failed */
#define VEXCTL_EXIT_USAGE	2	/* bad options or bad input data */
#define VEXCTL_EXIT_NOTVEXFS	3	/* not VexFS, not in a collection, no embedding */

int cmd_collection_create(int argc, char **argv);
int cmd_collection_info(int argc, char **argv);
int cmd_collection_list(int argc, char **argv);
int cmd_embed_set(int argc, char **argv);
int cmd_embed_get(int argc, char **argv);
int cmd_embed_rm(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_index_wait(int argc, char **argv);
int cmd_index_rebuild(int argc, char **argv);
int cmd_index_compact(int argc, char **argv);

#endif /* _VEXCTL_VECTORS_H */
