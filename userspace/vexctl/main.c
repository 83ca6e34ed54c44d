// SPDX-License-Identifier: GPL-2.0
/*
 * vexctl - the VexFS control tool.
 *
 * usage: vexctl [--version] [--help] COMMAND [ARGS...]
 *
 * Commands are `vexctl VERB` (info, ls, cat) or `vexctl NOUN VERB` (collection
 * create, later); each has --help.  They live in one table, commands[],
 * which --help and the bash completion read, so adding a command is one
 * entry and one function.
 *
 * Exit status: 0 on success, 1 when the operation failed, 2 for a usage
 * error (including an unknown command) or bad input data, 3 when the path
 * is not on VexFS, not in a collection, or has no embedding.
 */
#include <errno.h>
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
	int (*run)(int argc, char **argv);
	/* a noun has verbs instead of run(); NULL-terminated */
	const struct command *verbs;
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

static void info_usage(FILE *out)
{
	fprintf(out,
		"Usage: %s info [--json] DEVICE|IMAGE\n"
		"\n"
		"Show the superblock of a VexFS filesystem: label, UUID, sizes,\n"
		"free space, features and state, like dumpe2fs -h.  It reads the\n"
		"device directly, so the filesystem may be mounted or not.\n"
		"\n"
		"  --json    one JSON object, for scripts\n",
		prog);
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

static int info_parse(int argc, char **argv, const char **path, bool *json)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			*json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			info_usage(stdout);
			exit(0);
		} else if (argv[i][0] == '-' || *path) {
			fprintf(stderr, "%s: info: unexpected argument '%s'\n",
				prog, argv[i]);
			info_usage(stderr);
			return EXIT_USAGE;
		} else {
			*path = argv[i];
		}
	}
	if (!*path) {
		info_usage(stderr);
		return EXIT_USAGE;
	}
	return 0;
}

static int cmd_info(int argc, char **argv)
{
	struct vexfs_super_block sb;
	struct vexfs_err err = { "" };
	struct vexfs_dev dev;
	const char *path = NULL;
	bool json = false;
	int ret;

	ret = info_parse(argc, argv, &path, &json);
	if (ret)
		return ret;
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

static void offline_usage(FILE *out, const char *cmd)
{
	if (!strcmp(cmd, "ls"))
		fprintf(out,
			"Usage: %s ls DEVICE|IMAGE [PATH]\n"
			"\n"
			"List a directory of a VexFS filesystem without mounting it:\n"
			"inode, mode, links, owner, size and name, in hash order.\n"
			"PATH defaults to the root.\n", prog);
	else
		fprintf(out,
			"Usage: %s cat DEVICE|IMAGE PATH\n"
			"\n"
			"Write a file (or a symlink's target) of a VexFS filesystem to\n"
			"standard output without mounting it.\n", prog);
}

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

static int cmd_ls(int argc, char **argv)
{
	struct ls_state ls = { 0 };
	struct vexfs_dir_visitor v = { .priv = &ls, .bad = ls_bad,
				       .entry = ls_entry };
	struct vexfs_err err = { "" };
	struct vexfs_inode inode;
	struct vexfs_fs fs;
	uint64_t ino;

	if (argc >= 2 && !strcmp(argv[1], "--help")) {
		offline_usage(stdout, "ls");
		return 0;
	}
	if (argc < 2 || argc > 3 || argv[1][0] == '-') {
		offline_usage(stderr, "ls");
		return EXIT_USAGE;
	}
	if (offline_open(&fs, argv[1], argc == 3 ? argv[2] : "/", &ino, &inode))
		return 1;
	ls.fs = &fs;
	if ((le16(inode.i_mode) & 0170000) != 0040000) {
		fprintf(stderr, "%s: %s: not a directory\n", prog, argv[2]);
		ls.errors++;
	} else if (vexfs_dir_walk(&fs, ino, &inode, &v, &err) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		ls.errors++;
	}
	vexfs_fs_close(&fs);
	return ls.errors ? 1 : 0;
}

static int cmd_cat(int argc, char **argv)
{
	struct vexfs_err err = { "" };
	struct vexfs_inode inode;
	struct vexfs_fs fs;
	uint64_t ino, size;
	const char *why;
	char *buf = NULL;
	int ret = 1;

	if (argc >= 2 && !strcmp(argv[1], "--help")) {
		offline_usage(stdout, "cat");
		return 0;
	}
	if (argc != 3 || argv[1][0] == '-') {
		offline_usage(stderr, "cat");
		return EXIT_USAGE;
	}
	if (offline_open(&fs, argv[1], argv[2], &ino, &inode))
		return 1;
	size = le64(inode.i_size);
	switch (le16(inode.i_mode) & 0170000) {
	case 0120000:
		buf = malloc(fs.bs + 1);
		if (buf && !vexfs_symlink_read(&fs, ino, &inode, buf, &why, &err)) {
			puts(buf);
			ret = 0;
		} else if (buf) {
			fprintf(stderr, "%s: %s: %s\n", prog, argv[2],
				why ? why : err.msg);
		}
		break;
	case 0100000:
		buf = size < ((uint64_t)1 << 31) &&
		      size / fs.bs <= le64(fs.sb.s_blocks_count) ?
		      malloc(size ? size : 1) : NULL;
		if (!buf) {
			fprintf(stderr, "%s: %s: too large (or a corrupt size)\n",
				prog, argv[2]);
		} else if (vexfs_file_read(&fs, ino, &inode, buf, size, &err)) {
			fprintf(stderr, "%s: %s: %s\n", prog, argv[2], err.msg);
		} else {
			ret = fwrite(buf, 1, size, stdout) == size ? 0 : 1;
		}
		break;
	default:
		fprintf(stderr, "%s: %s: not a regular file or symlink\n", prog,
			argv[2]);
	}
	free(buf);
	vexfs_fs_close(&fs);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */
/* ------------------------------------------------------------------ */

static const struct command collection_verbs[] = {
	{ "create", "make an empty directory a vector collection",
	  cmd_collection_create, NULL },
	{ "info", "show the collection a path belongs to",
	  cmd_collection_info, NULL },
	{ "list", "list the collections of a mounted filesystem",
	  cmd_collection_list, NULL },
	{ NULL, NULL, NULL, NULL },
};

static const struct command embed_verbs[] = {
	{ "set", "set a file's embedding", cmd_embed_set, NULL },
	{ "get", "print a file's embedding", cmd_embed_get, NULL },
	{ "rm", "remove a file's embedding", cmd_embed_rm, NULL },
	{ NULL, NULL, NULL, NULL },
};

static const struct command index_verbs[] = {
	{ "wait", "wait for a running index build", cmd_index_wait, NULL },
	{ "rebuild", "rebuild a collection's index", cmd_index_rebuild, NULL },
	{ "compact", "drop an index's tombstones", cmd_index_compact, NULL },
	{ NULL, NULL, NULL, NULL },
};

static const struct command commands[] = {
	{ "info", "show a filesystem's superblock (like dumpe2fs -h)",
	  cmd_info, NULL },
	{ "collection", "create, show and list vector collections",
	  NULL, collection_verbs },
	{ "embed", "set, get or remove one file's embedding",
	  NULL, embed_verbs },
	{ "import", "attach vectors from .fvecs/.npy/.csv/.jsonl to files",
	  cmd_import, NULL },
	{ "export", "write a collection's embeddings out", cmd_export, NULL },
	{ "query", "find the files nearest a vector (ANN index or exact)",
	  cmd_query, NULL },
	{ "index", "wait for, rebuild or compact a collection's ANN index",
	  NULL, index_verbs },
	{ "stats", "show a collection's counters", cmd_stats, NULL },
	{ "ls", "list a directory of an unmounted filesystem",
	  cmd_ls, NULL },
	{ "cat", "print a file of an unmounted filesystem", cmd_cat, NULL },
	{ NULL, NULL, NULL, NULL },
};

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
	return verb->run(argc - 1, argv + 1);
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
	return cmd->run(argc - 1, argv + 1);
}
