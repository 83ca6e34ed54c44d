// SPDX-License-Identifier: GPL-2.0
/*
 * vexctl - the VexFS control tool.
 *
 * usage: vexctl [--version] [--help] COMMAND [ARGS...]
 *
 * Commands are `vexctl VERB` (info, ls, cat) or `vexctl NOUN VERB` (collection
 * create, later); each has --help.  They live in one table, commands[],
 * which --help and the bash completion read: an entry holds a command's
 * options, its operands and its help, and one getopt_long() loop,
 * parse(), reads every command line by it (cmd.h).  Adding a command is
 * one entry and one function.
 *
 * Exit status: 0 on success, 1 when the operation failed, 2 for a usage
 * error (including an unknown command) or bad input data, 3 when the path
 * is not on VexFS, not in a collection, or has no embedding.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libvexfs.h"
#include "vectors.h"

#define EXIT_USAGE	2

static const char *prog = "vexctl";

struct command {
	const char *name;
	const char *summary;
	int (*run)(const struct cmd_line *cl);
	/* a noun has verbs instead of run(); NULL-terminated */
	const struct command *verbs;
	/* getopt_long()'s options ({ 0 }-terminated; --help is added) */
	const struct option *opts;
	const char *shortopts;		/* the short ones: "k:" (-h is added) */
	int min_args, max_args;		/* operands */
	const char *operands;		/* the usage error when too few */
	const char *help;		/* --help, and after a usage error */
};

/* ------------------------------------------------------------------ */
/* vexctl info                                                         */
/* ------------------------------------------------------------------ */

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static const char *state_name(uint16_t state)
{
	if (state & VEXFS_STATE_ERROR)
		return (state & VEXFS_STATE_VALID) ? "clean with errors" :
		       "not clean with errors";
	return (state & VEXFS_STATE_VALID) ? "clean" : "not clean";
}

static const char *errors_name(uint16_t errors)
{
	switch (errors) {
	case VEXFS_ERRORS_CONTINUE:
		return "continue";
	case VEXFS_ERRORS_RO:
		return "remount-ro";
	case VEXFS_ERRORS_PANIC:
		return "panic";
	default:
		return "unknown";
	}
}

static void print_time(const char *what, uint64_t t)
{
	char buf[64];
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !localtime_r(&tt, &tm)) {
		printf("%-26s n/a\n", what);
		return;
	}
	strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", &tm);
	printf("%-26s %s\n", what, buf);
}

#define U64(x)	((unsigned long long)le64(x))

static void print_region(const char *what, __le64 start, __le64 len)
{
	if (!le64(len))
		printf("%-26s none\n", what);
	else
		printf("%-26s %llu-%llu (%llu blocks)\n", what, U64(start),
		       U64(start) + U64(len) - 1, U64(len));
}

static void info_text(const struct vexfs_super_block *sb)
{
	char uuid[37], label[VEXFS_LABEL_MAX], features[512];

	vexfs_uuid_unparse(sb->s_uuid, uuid);
	vexfs_super_label(sb, label);
	vexfs_feature_names(sb, features, sizeof(features));
	printf("%-26s %s\n", "Filesystem label:", *label ? label : "<none>");
	printf("%-26s %s\n", "Filesystem UUID:", uuid);
	printf("%-26s %u.%u\n", "Format version:", le16(sb->s_version_major),
	       le16(sb->s_version_minor));
	printf("%-26s %s\n", "Filesystem features:", features);
	printf("%-26s %s\n", "Filesystem state:", state_name(le16(sb->s_state)));
	printf("%-26s %s\n", "Errors behavior:", errors_name(le16(sb->s_errors)));
	printf("%-26s %u\n", "Block size:", le32(sb->s_block_size));
	printf("%-26s %u\n", "Inode size:", le16(sb->s_inode_size));
	printf("%-26s %llu\n", "Block count:", U64(sb->s_blocks_count));
	printf("%-26s %llu\n", "Data blocks:",
	       U64(sb->s_blocks_count) - U64(sb->s_data_start));
	printf("%-26s %llu\n", "Free blocks:", U64(sb->s_free_blocks));
	printf("%-26s %llu\n", "Inode count:", U64(sb->s_inodes_count));
	printf("%-26s %llu\n", "Free inodes:", U64(sb->s_free_inodes));
	printf("%-26s %llu\n", "First inode:", U64(sb->s_first_ino));
	printf("%-26s %llu\n", "Root inode:", U64(sb->s_root_ino));
	print_region("Inode bitmap:", sb->s_inode_bitmap_start,
		     sb->s_inode_bitmap_blocks);
	print_region("Block bitmap:", sb->s_block_bitmap_start,
		     sb->s_block_bitmap_blocks);
	print_region("Inode table:", sb->s_inode_table_start,
		     sb->s_inode_table_blocks);
	print_region("Journal:", sb->s_journal_start, sb->s_journal_blocks);
	printf("%-26s %llu\n", "First data block:", U64(sb->s_data_start));
	printf("%-26s %u\n", "Collections:", le32(sb->s_collections_count));
	print_time("Filesystem created:", le64(sb->s_mkfs_time));
	print_time("Last mount time:", le64(sb->s_mount_time));
	print_time("Last write time:", le64(sb->s_write_time));
	print_time("Last checked:", le64(sb->s_lastcheck_time));
	printf("%-26s %u\n", "Mount count:", le32(sb->s_mount_count));
	printf("%-26s 0x%08x\n", "Checksum:", le32(sb->s_checksum));
}

/*
 * The first six keys keep their order: tests/vm/run.sh reads the sixth
 * comma-separated field (data_blocks).
 */
static void info_json(const struct vexfs_super_block *sb)
{
	char uuid[37], label[VEXFS_LABEL_MAX], features[512];
	uint16_t state = le16(sb->s_state);

	vexfs_uuid_unparse(sb->s_uuid, uuid);
	vexfs_super_label(sb, label);
	vexfs_feature_names(sb, features, sizeof(features));
	printf("{\"label\": ");
	json_string(label);
	printf(", \"uuid\": \"%s\", \"version\": \"%u.%u\", \"block_size\": %u, \"blocks\": %llu, \"data_blocks\": %llu",
	       uuid, le16(sb->s_version_major), le16(sb->s_version_minor),
	       le32(sb->s_block_size), U64(sb->s_blocks_count),
	       U64(sb->s_blocks_count) - U64(sb->s_data_start));
	printf(", \"free_blocks\": %llu, \"inodes\": %llu, \"free_inodes\": %llu",
	       U64(sb->s_free_blocks), U64(sb->s_inodes_count),
	       U64(sb->s_free_inodes));
	printf(", \"features\": ");
	json_string(features);
	printf(", \"feature_compat\": %u, \"feature_ro_compat\": %u, \"feature_incompat\": %u",
	       le32(sb->s_feature_compat), le32(sb->s_feature_ro_compat),
	       le32(sb->s_feature_incompat));
	printf(", \"state\": \"%s\", \"clean\": %s, \"errors\": %s, \"errors_behavior\": \"%s\"",
	       state_name(state), state & VEXFS_STATE_VALID ? "true" : "false",
	       state & VEXFS_STATE_ERROR ? "true" : "false",
	       errors_name(le16(sb->s_errors)));
	printf(", \"mount_count\": %u, \"collections\": %u, \"mkfs_time\": %llu, \"mount_time\": %llu, \"write_time\": %llu, \"lastcheck_time\": %llu}\n",
	       le32(sb->s_mount_count), le32(sb->s_collections_count),
	       U64(sb->s_mkfs_time), U64(sb->s_mount_time),
	       U64(sb->s_write_time), U64(sb->s_lastcheck_time));
}

static int cmd_info(const struct cmd_line *cl)
{
	struct vexfs_super_block sb;
	struct vexfs_err err = { "" };
	struct vexfs_dev dev;
	const char *path = cl->argv[0];
	bool json = cmd_has(cl, OPT_JSON);
	int ret;

	if (vexfs_dev_open(&dev, path, false, &err) ||
	    vexfs_super_read(&dev, &sb, &err)) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return 1;
	}
	ret = vexfs_super_validate(&sb, dev.size, &err);
	vexfs_dev_close(&dev);
	if (le32(sb.s_magic) != VEXFS_SUPER_MAGIC) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, err.msg);
		return 1;
	}
	/* Like dumpe2fs, show a damaged superblock, but say so and fail. */
	if (ret)
		fprintf(stderr, "%s: %s: warning: %s\n", prog, path, err.msg);
	if (json)
		info_json(&sb);
	else
		info_text(&sb);
	return ret ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* vexctl ls, vexctl cat: read an unmounted image through libvexfs     */
/* ------------------------------------------------------------------ */

struct ls_state {
	struct vexfs_fs *fs;
	int errors;
};

static int ls_entry(void *priv, const struct vexfs_dir_entry *de,
		    uint32_t lblk)
{
	struct ls_state *ls = priv;
	struct vexfs_inode inode;
	struct vexfs_err err;
	uint64_t ino = le64(de->de_ino);

	(void)lblk;
	if (vexfs_inode_read(ls->fs, ino, &inode, &err)) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		ls->errors++;
		return 0;
	}
	printf("%8llu %06o %5u %5u:%-5u %10llu %.*s\n",
	       (unsigned long long)ino, le16(inode.i_mode),
	       le16(inode.i_links_count), le32(inode.i_uid), le32(inode.i_gid),
	       (unsigned long long)le64(inode.i_size), de->de_name_len,
	       de->de_name);
	return 0;
}

static void ls_bad(void *priv, uint32_t lblk, const char *why)
{
	struct ls_state *ls = priv;

	fprintf(stderr, "%s: directory block %u: %s\n", prog, lblk, why);
	ls->errors++;
}

static int offline_open(struct vexfs_fs *fs, const char *path, const char *file,
			uint64_t *ino, struct vexfs_inode *inode)
{
	struct vexfs_err err = { "" };

	if (vexfs_fs_open(fs, path, false, &err)) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return 1;
	}
	if (vexfs_lookup(fs, file, ino, &err) ||
	    vexfs_inode_read(fs, *ino, inode, &err)) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, err.msg);
		vexfs_fs_close(fs);
		return 1;
	}
	return 0;
}

static int cmd_ls(const struct cmd_line *cl)
{
	struct ls_state ls = { 0 };
	struct vexfs_dir_visitor v = { .priv = &ls, .bad = ls_bad,
				       .entry = ls_entry };
	struct vexfs_err err = { "" };
	const char *dir = cl->argc == 2 ? cl->argv[1] : "/";
	struct vexfs_inode inode;
	struct vexfs_fs fs;
	uint64_t ino;

	if (offline_open(&fs, cl->argv[0], dir, &ino, &inode))
		return 1;
	ls.fs = &fs;
	if ((le16(inode.i_mode) & 0170000) != 0040000) {
		fprintf(stderr, "%s: %s: not a directory\n", prog, dir);
		ls.errors++;
	} else if (vexfs_dir_walk(&fs, ino, &inode, &v, &err) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		ls.errors++;
	}
	vexfs_fs_close(&fs);
	return ls.errors ? 1 : 0;
}

static int cmd_cat(const struct cmd_line *cl)
{
	const char *file = cl->argv[1];
	struct vexfs_err err = { "" };
	struct vexfs_inode inode;
	struct vexfs_fs fs;
	uint64_t ino, size;
	const char *why;
	char *buf = NULL;
	int ret = 1;

	if (offline_open(&fs, cl->argv[0], file, &ino, &inode))
		return 1;
	size = le64(inode.i_size);
	switch (le16(inode.i_mode) & 0170000) {
	case 0120000:
		buf = malloc(fs.bs + 1);
		if (buf && !vexfs_symlink_read(&fs, ino, &inode, buf, &why, &err)) {
			puts(buf);
			ret = 0;
		} else if (buf) {
			fprintf(stderr, "%s: %s: %s\n", prog, file,
				why ? why : err.msg);
		}
		break;
	case 0100000:
		buf = size < ((uint64_t)1 << 31) &&
		      size / fs.bs <= le64(fs.sb.s_blocks_count) ?
		      malloc(size ? size : 1) : NULL;
		if (!buf) {
			fprintf(stderr, "%s: %s: too large (or a corrupt size)\n",
				prog, file);
		} else if (vexfs_file_read(&fs, ino, &inode, buf, size, &err)) {
			fprintf(stderr, "%s: %s: %s\n", prog, file, err.msg);
		} else {
			ret = fwrite(buf, 1, size, stdout) == size ? 0 : 1;
		}
		break;
	default:
		fprintf(stderr, "%s: %s: not a regular file or symlink\n", prog,
			file);
	}
	free(buf);
	vexfs_fs_close(&fs);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */
/* ------------------------------------------------------------------ */

/*
 * The help of each command: its usage line, what it does, its options.
 * The bash completion reads the options from it (--help).
 */
static const char info_help[] =
	"Usage: vexctl info [--json] DEVICE|IMAGE\n"
	"\n"
	"Show the superblock of a VexFS filesystem: label, UUID, sizes,\n"
	"free space, features and state, like dumpe2fs -h.  It reads the\n"
	"device directly, so the filesystem may be mounted or not.\n"
	"\n"
	"  --json    one JSON object, for scripts\n";

static const char ls_help[] =
	"Usage: vexctl ls DEVICE|IMAGE [PATH]\n"
	"\n"
	"List a directory of a VexFS filesystem without mounting it:\n"
	"inode, mode, links, owner, size and name, in hash order.\n"
	"PATH defaults to the root.\n";

static const char cat_help[] =
	"Usage: vexctl cat DEVICE|IMAGE PATH\n"
	"\n"
	"Write a file (or a symlink's target) of a VexFS filesystem to\n"
	"standard output without mounting it.\n";

static const char collection_create_help[] =
	"Usage: vexctl collection create DIR --dim D --metric l2|cosine|ip\n"
	"                                [--m M] [--ef-construction E] [--json]\n"
	"\n"
	"Make DIR (created if missing) the root of a vector collection: every\n"
	"file below it may carry one embedding of D float32 values (1..4096),\n"
	"compared with the metric given.  What DIR already holds joins the\n"
	"collection, and so does everything made below it later.  A file with\n"
	"several hard links, or a tree already in a collection, cannot join.\n"
	"If the command is interrupted, running it again finishes the work.\n"
	"\n"
	"  --dim D       elements per vector\n"
	"  --metric M    l2 (squared Euclidean), cosine, or ip (inner product)\n"
	"  --m M         links per node of the ANN index, 2..64 (default 16)\n"
	"  --ef-construction E\n"
	"                candidates kept while inserting, 1..1024 (default 200)\n"
	"  --json        print the new collection as JSON\n"
	"\n"
	"Once the collection holds 1024 vectors the kernel builds an HNSW index\n"
	"in the background; queries use it (see vexctl query --ef, --exact).\n";

static const char collection_info_help[] =
	"Usage: vexctl collection info [--json] PATH\n"
	"\n"
	"Show the collection that PATH (a directory or file) belongs to.\n";

static const char collection_list_help[] =
	"Usage: vexctl collection list [--json] MOUNTPOINT\n"
	"\n"
	"List the collections of the VexFS filesystem at MOUNTPOINT, with\n"
	"their paths (found by walking the tree; '?' when not reachable).\n";

static const char embed_set_help[] =
	"Usage: vexctl embed set FILE (--vector \"v1,v2,...\" | --vector-file F)\n"
	"\n"
	"Give FILE (a regular file in a collection) its embedding, replacing\n"
	"any it had.  The vector must have exactly the collection's dimension.\n"
	"--vector-file reads text numbers, or the first vector of a .fvecs\n"
	"or .npy file; '-' is standard input.\n";

static const char embed_get_help[] =
	"Usage: vexctl embed get [--json] FILE\n"
	"\n"
	"Print FILE's embedding: comma-separated values, or a JSON array.\n"
	"Exit status 3 if FILE has no embedding or is in no collection.\n";

static const char embed_rm_help[] =
	"Usage: vexctl embed rm FILE\n\nRemove FILE's embedding.\n";

static const char import_help[] =
	"Usage: vexctl import [--format F] [--batch N] [--prefix P] [--no-create]\n"
	"                     [--quiet] [--json] DIR FILE\n"
	"\n"
	"Attach the vectors of FILE to files of DIR (a collection directory),\n"
	"creating the files that do not exist, in batches of N (default 256,\n"
	"at most 1024) per ioctl.  FILE is .fvecs, .npy (float32, 2-D), .csv\n"
	"(NAME,v1,...,vD per line) or .jsonl ({\"name\": ..., \"vector\": [...]}\n"
	"per line); the extension picks the format unless --format says.\n"
	"Vectors without a name become files P000000000, P000000001, ...\n"
	"(P defaults to 'vec-').  A progress bar is shown on a terminal.\n"
	"\n"
	"  --no-create   only attach to existing files\n"
	"  --quiet       no progress bar and no summary\n"
	"  --json        print the summary as JSON\n"
	"Exit status: 0 all imported, 1 some failed, 2 bad input, 3 not a\n"
	"collection.\n";

static const char export_help[] =
	"Usage: vexctl export [--format jsonl|csv|fvecs] [-o FILE] DIR\n"
	"\n"
	"Write the embedding of every file below DIR, named by its path\n"
	"relative to DIR (jsonl, the default, and csv keep the names; fvecs\n"
	"has none), to FILE or standard output.  'vexctl import' reads it back.\n";

static const char query_help[] =
	"Usage: vexctl query DIR (--vector \"v1,...\" | --vector-file F | --like FILE)\n"
	"                    [-k N] [--ef E | --exact] [--json]\n"
	"\n"
	"Find the N (default 10, at most 1024) files below DIR whose embeddings\n"
	"are nearest the query vector, by the collection's metric, among the\n"
	"files you may read.  Prints rank, distance and path relative to DIR.\n"
	"Distances: l2 is the squared Euclidean distance, cosine 1 - cos,\n"
	"ip minus the inner product; smaller is nearer.\n"
	"\n"
	"  --vector V       comma- or space-separated values\n"
	"  --vector-file F  text values, or the first vector of .fvecs/.npy\n"
	"  --like FILE      use FILE's own embedding\n"
	"  -k N             results wanted\n"
	"  --ef E           width of the index search, k..1024 (default 64):\n"
	"                   higher finds more of the true nearest, slower\n"
	"  --exact          exact brute-force search, bypassing the index\n"
	"\n"
	"Collections with an ANN index that is ready are searched with it;\n"
	"the others (and --exact) are scanned exactly.  Distances are exact\n"
	"either way.\n"
	"  --json           print the results as JSON\n";

static const char stats_help[] =
	"Usage: vexctl stats [--json] PATH\n"
	"\n"
	"Show the counters of the collection PATH is in: embeddings, slots,\n"
	"store size, queries served and vectors compared since mount, and\n"
	"the ANN index: its state, nodes, tombstones and size.\n";

static const char index_help[] =
	"Usage: vexctl index wait|rebuild|compact PATH\n"
	"\n"
	"Act on the ANN index of the collection PATH is in:\n"
	"  wait     wait until no build is running, print the state\n"
	"  rebuild  rebuild it from the stored vectors, then wait\n"
	"  compact  drop the tombstones deletions left, now\n"
	"rebuild and compact need to own the collection's root (or be root).\n";

/* Options that more than one command takes. */
#define OPTION_JSON	{ "json", no_argument, NULL, OPT_JSON }
#define OPTIONS_END	{ NULL, 0, NULL, 0 }

static const struct option json_opts[] = { OPTION_JSON, OPTIONS_END };

static const struct option create_opts[] = {
	{ "dim", required_argument, NULL, OPT_DIM },
	{ "metric", required_argument, NULL, OPT_METRIC },
	{ "m", required_argument, NULL, OPT_M },
	{ "ef-construction", required_argument, NULL, OPT_EF_CONSTRUCTION },
	OPTION_JSON,
	OPTIONS_END
};

static const struct option embed_set_opts[] = {
	{ "vector", required_argument, NULL, OPT_VECTOR },
	{ "vector-file", required_argument, NULL, OPT_VECTOR_FILE },
	OPTIONS_END
};

static const struct option import_opts[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "prefix", required_argument, NULL, OPT_PREFIX },
	{ "no-create", no_argument, NULL, OPT_NO_CREATE },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	OPTION_JSON,
	OPTIONS_END
};

static const struct option export_opts[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	OPTIONS_END
};

static const struct option query_opts[] = {
	{ "vector", required_argument, NULL, OPT_VECTOR },
	{ "vector-file", required_argument, NULL, OPT_VECTOR_FILE },
	{ "like", required_argument, NULL, OPT_LIKE },
	{ "exact", no_argument, NULL, OPT_EXACT },
	{ "ef", required_argument, NULL, OPT_EF },
	OPTION_JSON,
	OPTIONS_END
};

static const struct command collection_verbs[] = {
	{ .name = "create",
	  .summary = "make an empty directory a vector collection",
	  .run = cmd_collection_create, .opts = create_opts,
	  .min_args = 1, .max_args = 1,
	  .operands = "DIR, --dim and --metric are required",
	  .help = collection_create_help },
	{ .name = "info", .summary = "show the collection a path belongs to",
	  .run = cmd_collection_info, .opts = json_opts,
	  .min_args = 1, .max_args = 1, .operands = "PATH is required",
	  .help = collection_info_help },
	{ .name = "list",
	  .summary = "list the collections of a mounted filesystem",
	  .run = cmd_collection_list, .opts = json_opts,
	  .min_args = 1, .max_args = 1, .operands = "MOUNTPOINT is required",
	  .help = collection_list_help },
	{ NULL }
};

static const struct command embed_verbs[] = {
	{ .name = "set", .summary = "set a file's embedding",
	  .run = cmd_embed_set, .opts = embed_set_opts,
	  .min_args = 1, .max_args = 1,
	  .operands = "FILE and one of --vector or --vector-file are required",
	  .help = embed_set_help },
	{ .name = "get", .summary = "print a file's embedding",
	  .run = cmd_embed_get, .opts = json_opts,
	  .min_args = 1, .max_args = 1, .operands = "FILE is required",
	  .help = embed_get_help },
	{ .name = "rm", .summary = "remove a file's embedding",
	  .run = cmd_embed_rm, .min_args = 1, .max_args = 1,
	  .operands = "exactly one FILE is required", .help = embed_rm_help },
	{ NULL }
};

static const struct command index_verbs[] = {
	{ .name = "wait", .summary = "wait for a running index build",
	  .run = cmd_index_wait, .min_args = 1, .max_args = 1,
	  .operands = "PATH is required", .help = index_help },
	{ .name = "rebuild", .summary = "rebuild a collection's index",
	  .run = cmd_index_rebuild, .min_args = 1, .max_args = 1,
	  .operands = "PATH is required", .help = index_help },
	{ .name = "compact", .summary = "drop an index's tombstones",
	  .run = cmd_index_compact, .min_args = 1, .max_args = 1,
	  .operands = "PATH is required", .help = index_help },
	{ NULL }
};

static const struct command commands[] = {
	{ .name = "info",
	  .summary = "show a filesystem's superblock (like dumpe2fs -h)",
	  .run = cmd_info, .opts = json_opts, .min_args = 1, .max_args = 1,
	  .operands = "DEVICE|IMAGE is required", .help = info_help },
	{ .name = "collection",
	  .summary = "create, show and list vector collections",
	  .verbs = collection_verbs },
	{ .name = "embed", .summary = "set, get or remove one file's embedding",
	  .verbs = embed_verbs },
	{ .name = "import",
	  .summary = "attach vectors from .fvecs/.npy/.csv/.jsonl to files",
	  .run = cmd_import, .opts = import_opts, .min_args = 2, .max_args = 2,
	  .operands = "DIR and FILE are required", .help = import_help },
	{ .name = "export", .summary = "write a collection's embeddings out",
	  .run = cmd_export, .opts = export_opts, .shortopts = "o:",
	  .min_args = 1, .max_args = 1, .operands = "DIR is required",
	  .help = export_help },
	{ .name = "query",
	  .summary = "find the files nearest a vector (ANN index or exact)",
	  .run = cmd_query, .opts = query_opts, .shortopts = "k:",
	  .min_args = 1, .max_args = 1,
	  .operands = "DIR and exactly one of --vector, --vector-file or --like are required",
	  .help = query_help },
	{ .name = "index",
	  .summary = "wait for, rebuild or compact a collection's ANN index",
	  .verbs = index_verbs },
	{ .name = "stats", .summary = "show a collection's counters",
	  .run = cmd_stats, .opts = json_opts, .min_args = 1, .max_args = 1,
	  .operands = "PATH is required", .help = stats_help },
	{ .name = "ls", .summary = "list a directory of an unmounted filesystem",
	  .run = cmd_ls, .min_args = 1, .max_args = 2,
	  .operands = "DEVICE|IMAGE is required", .help = ls_help },
	{ .name = "cat", .summary = "print a file of an unmounted filesystem",
	  .run = cmd_cat, .min_args = 2, .max_args = 2,
	  .operands = "DEVICE|IMAGE and PATH are required", .help = cat_help },
	{ NULL }
};

int cmd_usage_error(const struct cmd_line *cl, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(cl->help, stderr);
	return EXIT_USAGE;
}

/*
 * parse - read a command line by its table entry
 * @cmd:  the command
 * @name: its name in messages ("collection create")
 * @argc, @argv: the command line, argv[0] being the command's own name
 * @cl:   the result: the options in the order given, then the operands
 *
 * Returns 0; -1 once --help is printed (the command then exits 0); or
 * EXIT_USAGE after a usage error: an unknown option, an option without
 * its argument, too few or too many operands.
 */
static int parse(const struct command *cmd, const char *name, int argc,
		 char **argv, struct cmd_line *cl)
{
	struct option longopts[CMD_MAX_OPTS + 1];
	char shortopts[CMD_MAX_OPTS];
	int n = 0, c;

	memset(cl, 0, sizeof(*cl));
	cl->name = name;
	cl->help = cmd->help;
	for (; cmd->opts && n < CMD_MAX_OPTS - 1 && cmd->opts[n].name; n++)
		longopts[n] = cmd->opts[n];
	longopts[n++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	/* ':' first: a missing argument is ':', and getopt prints nothing */
	snprintf(shortopts, sizeof(shortopts), ":h%s",
		 cmd->shortopts ? cmd->shortopts : "");
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_HELP:
			fputs(cmd->help, stdout);
			return -1;
		case ':':
			return cmd_usage_error(cl, "%s: option '%s' needs an argument",
					       name, argv[optind - 1]);
		case '?':
			if (optopt)
				return cmd_usage_error(cl, "%s: unknown option '-%c'",
						       name, optopt);
			return cmd_usage_error(cl, "%s: unknown or ambiguous option '%s'",
					       name, argv[optind - 1]);
		default:
			if (cl->nopts == CMD_MAX_OPTS)
				return cmd_usage_error(cl, "%s: too many options",
						       name);
			cl->opt[cl->nopts].code = c;
			cl->opt[cl->nopts].arg = optarg;
			cl->nopts++;
		}
	}
	cl->argc = argc - optind;
	cl->argv = argv + optind;
	if (cl->argc < cmd->min_args)
		return cmd_usage_error(cl, "%s: %s", name, cmd->operands);
	if (cl->argc > cmd->max_args)
		return cmd_usage_error(cl, "%s: unexpected argument '%s'", name,
				       cl->argv[cmd->max_args]);
	return 0;
}

/* Parse and run a command; @name is its name in messages. */
static int run(const struct command *cmd, const char *name, int argc,
	       char **argv)
{
	struct cmd_line cl;
	int ret;

	ret = parse(cmd, name, argc, argv, &cl);
	if (ret)
		return ret < 0 ? 0 : ret;
	return cmd->run(&cl);
}

static void usage(FILE *out)
{
	const struct command *c;

	fprintf(out, "Usage: %s [--version] [--help] COMMAND [ARGS...]\n\n"
		"Commands:\n", prog);
	for (c = commands; c->name; c++)
		fprintf(out, "  %-12s %s\n", c->name, c->summary);
	fprintf(out, "\nRun '%s COMMAND --help' for a command's options.\n"
		"Exit status: 0 success, 1 failure, 2 usage error or bad input,\n"
		"3 not VexFS, not in a collection, or no embedding.\n", prog);
}

static void noun_usage(FILE *out, const struct command *noun)
{
	const struct command *v;

	fprintf(out, "Usage: %s %s VERB [ARGS...]\n\nVerbs:\n", prog,
		noun->name);
	for (v = noun->verbs; v->name; v++)
		fprintf(out, "  %-12s %s\n", v->name, v->summary);
}

static const struct command *find(const struct command *table,
				  const char *name)
{
	for (; table->name; table++)
		if (!strcmp(table->name, name))
			return table;
	return NULL;
}

/* Run `NOUN VERB ARGS...`, argv[0] being the noun. */
static int run_noun(const struct command *noun, int argc, char **argv)
{
	const struct command *verb;
	char name[64];

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		noun_usage(argc < 2 ? stderr : stdout, noun);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	verb = find(noun->verbs, argv[1]);
	if (!verb) {
		fprintf(stderr, "%s: %s: unknown verb '%s'\n", prog, noun->name,
			argv[1]);
		noun_usage(stderr, noun);
		return EXIT_USAGE;
	}
	snprintf(name, sizeof(name), "%s %s", noun->name, verb->name);
	return run(verb, name, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("%s %s\n", prog, VEXFS_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	cmd = find(commands, argv[1]);
	if (!cmd) {
		fprintf(stderr, "%s: unknown command '%s'; see '%s --help'\n",
			prog, argv[1], prog);
		return EXIT_USAGE;
	}
	if (cmd->verbs)
		return run_noun(cmd, argc - 1, argv + 1);
	return run(cmd, cmd->name, argc - 1, argv + 1);
}
