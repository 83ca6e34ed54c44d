// SPDX-License-Identifier: GPL-2.0
/*
 * vectors.c - the vexctl commands for vector collections: collection,
 * embed, import, export, query and stats.  They are thin: each parses its
 * options, makes the ioctls of include/vexfs_uapi.h and prints the result
 * as text or, with --json, as one JSON document.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vexfs_uapi.h"
#include "vecio.h"
#include "vectors.h"

static const char *const metric_names[] = { "?", "l2", "cosine", "ip" };

static const char *metric_name(uint32_t m)
{
	return m <= 3 ? metric_names[m] : "?";
}

/* Report a failed ioctl or system call on @path, mapping the errno. */
static const char *index_state_name(uint32_t s)
{
	static const char *const names[] = {
		"none", "ready", "building", "stale", "failed", "unsupported"
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static int fail_errno(const char *what, const char *path, int err)
{
	switch (err) {
	case ENOTTY:
		fprintf(stderr, "vexctl: %s: %s: not on a VexFS filesystem\n",
			what, path);
		return VEXCTL_EXIT_NOTVEXFS;
	case ENODATA:
		fprintf(stderr, "vexctl: %s: %s: %s\n", what, path,
			!strcmp(what, "embed get") || !strcmp(what, "embed rm") ?
			"the file has no embedding" : "not in a vector collection");
		return VEXCTL_EXIT_NOTVEXFS;
	default:
		fprintf(stderr, "vexctl: %s: %s: %s\n", what, path, strerror(err));
		return 1;
	}
}

static int open_path(const char *what, const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "vexctl: %s: %s: %s\n", what, path, strerror(errno));
	return fd;
}

static bool want_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

static int usage_error(void (*usage)(FILE *), const char *fmt, const char *arg)
{
	fprintf(stderr, "vexctl: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	usage(stderr);
	return VEXCTL_EXIT_USAGE;
}

static bool parse_u32(const char *s, uint32_t *out, uint32_t lo, uint32_t hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < lo || v > hi)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int get_info(int fd, struct vexfs_collection_info *info)
{
	memset(info, 0, sizeof(*info));
	info->version = VEXFS_UAPI_VERSION;
	return ioctl(fd, VEXFS_IOC_COLLECTION_INFO, info);
}

static void print_info(const char *path, const struct vexfs_collection_info *i,
		       bool json)
{
	if (json) {
		printf("{\"path\": ");
		json_str(stdout, path);
		printf(", \"id\": %u, \"dim\": %u, \"metric\": \"%s\", "
		       "\"root_ino\": %llu, \"count\": %llu, \"slots\": %llu}",
		       i->id, i->dim, metric_name(i->metric),
		       (unsigned long long)i->root_ino,
		       (unsigned long long)i->count,
		       (unsigned long long)i->slots);
		return;
	}
	printf("collection %u: %s\n  dimension:  %u (float32)\n  metric:     %s\n"
	       "  embeddings: %llu\n  slots:      %llu\n  root inode: %llu\n",
	       i->id, path, i->dim, metric_name(i->metric),
	       (unsigned long long)i->count, (unsigned long long)i->slots,
	       (unsigned long long)i->root_ino);
}

/* ------------------------------------------------------------------ */
/* collection create | info | list                                     */
/* ------------------------------------------------------------------ */

static void create_usage(FILE *out)
{
	fprintf(out,
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
		"in the background; queries use it (see vexctl query --ef, --exact).\n");
}

/*
 * Is the directory open at @fd already the root of a collection with the
 * dimension and metric in @want?  Then create finishes what an earlier,
 * interrupted create began.
 */
static bool existing_collection(int fd,
				const struct vexfs_collection_info *want)
{
	struct vexfs_collection_info info = { .version = VEXFS_UAPI_VERSION };
	struct stat st;

	if (ioctl(fd, VEXFS_IOC_COLLECTION_INFO, &info) || fstat(fd, &st))
		return false;
	return info.root_ino == (uint64_t)st.st_ino &&
	       info.dim == want->dim && info.metric == want->metric;
}

static int create_failed(const char *dir, int e)
{
	const char *why = NULL;

	switch (e) {
	case EEXIST:
		why = "already in a collection (or something below it is)";
		break;
	case EMLINK:
		why = "a file below it has several hard links (see the kernel log)";
		break;
	case EINTR:
		why = "interrupted; run the same command again to finish";
		break;
	}
	if (!why)
		return fail_errno("collection create", dir, e);
	fprintf(stderr, "vexctl: collection create: %s: %s\n", dir, why);
	return 1;
}

/*
 * What the kernel would refuse half-way through a tree, found before it
 * changes anything, so that the user is told which path is at fault.
 */
static const char *adopt_bad;
static char adopt_bad_path[PATH_MAX];
static unsigned long adopt_entries;

static int adopt_scan_one(const char *path, const struct stat *st, int type,
			  struct FTW *ftw)
{
	struct vexfs_collection_info info = { .version = VEXFS_UAPI_VERSION };
	int fd;

	if (!ftw->level)
		return 0;
	adopt_entries++;
	if (type != FTW_D) {
		if (type == FTW_DNR || type == FTW_NS) {
			adopt_bad = "cannot be read";
		} else if (st->st_nlink > 1) {
			adopt_bad = "has several hard links; a collection shares no file with the rest of the filesystem";
		} else {
			return 0;
		}
		snprintf(adopt_bad_path, sizeof(adopt_bad_path), "%s", path);
		return 1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (fd < 0)
		return 0;	/* the kernel still sees it and will judge */
	if (!ioctl(fd, VEXFS_IOC_COLLECTION_INFO, &info)) {
		adopt_bad = "is in a collection already";
		snprintf(adopt_bad_path, sizeof(adopt_bad_path), "%s", path);
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

/* Return 0 if the tree at @dir may join a new collection, else 1. */
static int adopt_prescan(const char *dir)
{
	adopt_bad = NULL;
	adopt_entries = 0;
	if (nftw(dir, adopt_scan_one, 64, FTW_PHYS | FTW_MOUNT) < 0) {
		fprintf(stderr, "vexctl: collection create: %s: %s\n", dir,
			strerror(errno));
		return 1;
	}
	if (adopt_bad) {
		fprintf(stderr, "vexctl: collection create: %s: %s\n",
			adopt_bad_path, adopt_bad);
		return 1;
	}
	return 0;
}

int cmd_collection_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dim", required_argument, NULL, 'd' },
		{ "metric", required_argument, NULL, 'm' },
		{ "m", required_argument, NULL, 'M' },
		{ "ef-construction", required_argument, NULL, 'E' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	struct vexfs_collection_info info = { .version = VEXFS_UAPI_VERSION };
	uint32_t val;
	const char *dir;
	bool json = false, existing;
	int c, fd, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!parse_u32(optarg, &info.dim, 1, VEXFS_UAPI_MAX_DIM))
				return usage_error(create_usage,
					"collection create: --dim must be 1..4096, not '%s'",
					optarg);
			break;
		case 'm':
			for (info.metric = 1; info.metric <= 3; info.metric++)
				if (!strcmp(optarg, metric_names[info.metric]))
					break;
			if (info.metric > 3)
				return usage_error(create_usage,
					"collection create: unknown metric '%s' (l2, cosine or ip)",
					optarg);
			break;
		case 'M':
			if (!parse_u32(optarg, &val, 2, VEXFS_HNSW_MAX_M))
				return usage_error(create_usage,
					"collection create: --m must be 2..64, not '%s'",
					optarg);
			info.hnsw_m = val;
			break;
		case 'E':
			if (!parse_u32(optarg, &val, 1, VEXFS_HNSW_MAX_EF))
				return usage_error(create_usage,
					"collection create: --ef-construction must be 1..1024, not '%s'",
					optarg);
			info.hnsw_ef_construction = val;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			create_usage(stdout);
			return 0;
		default:
			create_usage(stderr);
			return VEXCTL_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || !info.dim || !info.metric)
		return usage_error(create_usage, "collection create: %s",
				   "DIR, --dim and --metric are required");
	dir = argv[optind];
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "vexctl: collection create: %s: %s\n", dir,
			strerror(errno));
		return 1;
	}
	fd = open_path("collection create", dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return 1;
	existing = existing_collection(fd, &info);
	if (!existing && adopt_prescan(dir)) {
		close(fd);
		return 1;
	}
	info.flags = VEXFS_COLLECTION_ADOPT;
	ret = ioctl(fd, VEXFS_IOC_COLLECTION_CREATE, &info);
	if (ret) {
		int e = errno;

		close(fd);
		return create_failed(dir, e);
	}
	close(fd);
	if (json) {
		print_info(dir, &info, true);
		putchar('\n');
	} else {
		printf("%s collection %u at %s: dimension %u, metric %s",
		       existing ? "finished" : "created", info.id, dir,
		       info.dim, metric_name(info.metric));
		if (adopt_entries)
			printf("; %lu existing entries joined", adopt_entries);
		putchar('\n');
	}
	return 0;
}

static void info_usage(FILE *out)
{
	fprintf(out,
		"Usage: vexctl collection info [--json] PATH\n"
		"\n"
		"Show the collection that PATH (a directory or file) belongs to.\n");
}

int cmd_collection_info(int argc, char **argv)
{
	struct vexfs_collection_info info;
	const char *path = NULL;
	bool json = false;
	int i, fd;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return info_usage(stdout), 0;
		else if (argv[i][0] == '-' || path)
			return usage_error(info_usage, "collection info: unexpected argument '%s'", argv[i]);
		else
			path = argv[i];
	}
	if (!path)
		return usage_error(info_usage, "collection info: %s", "PATH is required");
	fd = open_path("collection info", path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return 1;
	if (get_info(fd, &info)) {
		int e = errno;

		close(fd);
		return fail_errno("collection info", path, e);
	}
	close(fd);
	print_info(path, &info, json);
	if (json)
		putchar('\n');
	return 0;
}

/* nftw cannot take an argument: the search of collection roots by inode. */
static struct vexfs_collection_info *list_entries;
static char **list_paths;
static uint32_t list_n, list_found;
static dev_t list_dev;

static int list_visit(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	uint32_t i;

	(void)ftw;
	if (type != FTW_D || st->st_dev != list_dev)
		return 0;
	for (i = 0; i < list_n; i++)
		if (list_entries[i].root_ino == st->st_ino && !list_paths[i]) {
			list_paths[i] = strdup(path);
			list_found++;
		}
	return list_found == list_n ? 1 : 0;
}

static void list_usage(FILE *out)
{
	fprintf(out,
		"Usage: vexctl collection list [--json] MOUNTPOINT\n"
		"\n"
		"List the collections of the VexFS filesystem at MOUNTPOINT, with\n"
		"their paths (found by walking the tree; '?' when not reachable).\n");
}

int cmd_collection_list(int argc, char **argv)
{
	struct vexfs_collection_list list = { .version = VEXFS_UAPI_VERSION };
	const char *mnt = NULL;
	bool json = false;
	struct stat st;
	uint32_t i;
	int fd, ret = 0;

	for (i = 1; i < (uint32_t)argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return list_usage(stdout), 0;
		else if (argv[i][0] == '-' || mnt)
			return usage_error(list_usage, "collection list: unexpected argument '%s'", argv[i]);
		else
			mnt = argv[i];
	}
	if (!mnt)
		return usage_error(list_usage, "collection list: %s", "MOUNTPOINT is required");
	fd = open_path("collection list", mnt, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return 1;
	if (ioctl(fd, VEXFS_IOC_COLLECTION_LIST, &list)) {
		ret = fail_errno("collection list", mnt, errno);
		close(fd);
		return ret;
	}
	list_n = list.count;
	list_entries = calloc(list_n + 1, sizeof(*list_entries));
	list_paths = calloc(list_n + 1, sizeof(char *));
	if (!list_entries || !list_paths) {
		fprintf(stderr, "vexctl: out of memory\n");
		close(fd);
		return 1;
	}
	list.capacity = list_n;
	list.count = 0;
	list.entries = (uintptr_t)list_entries;
	if (list_n && ioctl(fd, VEXFS_IOC_COLLECTION_LIST, &list)) {
		ret = fail_errno("collection list", mnt, errno);
		close(fd);
		return ret;
	}
	close(fd);
	if (list.count < list_n)
		list_n = list.count;
	if (list_n && !stat(mnt, &st)) {
		list_dev = st.st_dev;
		nftw(mnt, list_visit, 32, FTW_PHYS | FTW_MOUNT);
	}
	if (json)
		printf("[");
	else if (list_n)
		printf("%-4s %-6s %-7s %-10s %s\n", "ID", "DIM", "METRIC",
		       "EMBEDDINGS", "PATH");
	for (i = 0; i < list_n; i++) {
		const char *p = list_paths[i] ? list_paths[i] : "?";

		if (json) {
			printf("%s", i ? ",\n " : "");
			print_info(p, &list_entries[i], true);
		} else {
			printf("%-4u %-6u %-7s %-10llu %s\n", list_entries[i].id,
			       list_entries[i].dim,
			       metric_name(list_entries[i].metric),
			       (unsigned long long)list_entries[i].count, p);
		}
		free(list_paths[i]);
	}
	if (json)
		printf("]\n");
	free(list_entries);
	free(list_paths);
	return 0;
}

/* ------------------------------------------------------------------ */
/* embed set | get | rm                                                */
/* ------------------------------------------------------------------ */

/* Read a vector given as text in a file (or '-'), or the first .fvecs one. */
static long read_vector_file(const char *path, float **v, uint32_t dim,
			     char err[VECIO_ERR_MAX])
{
	enum vec_format fmt = vec_format_by_ext(path);
	struct vecset vs;
	char *text = NULL;
	size_t cap = 0;
	FILE *f;
	long n;

	if (fmt == FMT_FVECS || fmt == FMT_NPY) {
		if (vec_read_file(path, fmt, dim, &vs, err))
			return -1;
		if (!vs.n) {
			snprintf(err, VECIO_ERR_MAX, "%s: no vector in the file", path);
			vecset_free(&vs);
			return -1;
		}
		*v = malloc(dim * sizeof(float));
		if (!*v)
			return -1;
		memcpy(*v, vs.data, dim * sizeof(float));
		vecset_free(&vs);
		return dim;
	}
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		snprintf(err, VECIO_ERR_MAX, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (getdelim(&text, &cap, '\0', f) < 0) {
		snprintf(err, VECIO_ERR_MAX, "%s: empty", path);
		if (f != stdin)
			fclose(f);
		free(text);
		return -1;
	}
	if (f != stdin)
		fclose(f);
	n = vec_parse_text(text, v, dim, err);
	free(text);
	return n;
}

/* The dimension of the collection @path is in, or 0 with a message. */
static uint32_t collection_dim(const char *what, const char *path, int *ret)
{
	struct vexfs_collection_info info;
	int fd = open_path(what, path, O_RDONLY);

	*ret = 1;
	if (fd < 0)
		return 0;
	if (get_info(fd, &info)) {
		*ret = fail_errno(what, path, errno);
		close(fd);
		return 0;
	}
	close(fd);
	*ret = 0;
	return info.dim;
}

static void embed_set_usage(FILE *out)
{
	fprintf(out,
		"Usage: vexctl embed set FILE (--vector \"v1,v2,...\" | --vector-file F)\n"
		"\n"
		"Give FILE (a regular file in a collection) its embedding, replacing\n"
		"any it had.  The vector must have exactly the collection's dimension.\n"
		"--vector-file reads text numbers, or the first vector of a .fvecs\n"
		"or .npy file; '-' is standard input.\n");
}

int cmd_embed_set(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vector", required_argument, NULL, 'v' },
		{ "vector-file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	struct vexfs_embedding e = { .version = VEXFS_UAPI_VERSION };
	const char *text = NULL, *vfile = NULL, *path;
	char err[VECIO_ERR_MAX];
	float *v = NULL;
	uint32_t dim;
	int c, fd, ret;
	long n;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'v': text = optarg; break;
		case 'f': vfile = optarg; break;
		case 'h': embed_set_usage(stdout); return 0;
		default: embed_set_usage(stderr); return VEXCTL_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || !text == !vfile)
		return usage_error(embed_set_usage, "embed set: %s",
				   "FILE and one of --vector or --vector-file are required");
	path = argv[optind];
	dim = collection_dim("embed set", path, &ret);
	if (!dim)
		return ret;
	n = text ? vec_parse_text(text, &v, dim, err) :
		   read_vector_file(vfile, &v, dim, err);
	if (n < 0) {
		fprintf(stderr, "vexctl: embed set: %s\n", err);
		return VEXCTL_EXIT_USAGE;
	}
	e.dim = dim;
	e.vector = (uintptr_t)v;
	fd = open_path("embed set", path, O_RDONLY);
	if (fd < 0) {
		free(v);
		return 1;
	}
	ret = ioctl(fd, VEXFS_IOC_EMBEDDING_SET, &e) ?
	      fail_errno("embed set", path, errno) : 0;
	close(fd);
	free(v);
	return ret;
}

static void embed_get_usage(FILE *out)
{
	fprintf(out,
		"Usage: vexctl embed get [--json] FILE\n"
		"\n"
		"Print FILE's embedding: comma-separated values, or a JSON array.\n"
		"Exit status 3 if FILE has no embedding or is in no collection.\n");
}

int cmd_embed_get(int argc, char **argv)
{
	struct vexfs_embedding e = { .version = VEXFS_UAPI_VERSION };
	const char *path = NULL;
	bool json = false;
	float *v;
	uint32_t i;
	int fd, ret = 0;

	for (i = 1; i < (uint32_t)argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return embed_get_usage(stdout), 0;
		else if (argv[i][0] == '-' || path)
			return usage_error(embed_get_usage, "embed get: unexpected argument '%s'", argv[i]);
		else
			path = argv[i];
	}
	if (!path)
		return usage_error(embed_get_usage, "embed get: %s", "FILE is required");
	fd = open_path("embed get", path, O_RDONLY);
	if (fd < 0)
		return 1;
	/* dim 0 asks the dimension first. */
	if (ioctl(fd, VEXFS_IOC_EMBEDDING_GET, &e)) {
		ret = fail_errno("embed get", path, errno);
		close(fd);
		return ret;
	}
	v = calloc(e.dim, sizeof(float));
	e.vector = (uintptr_t)v;
	if (!v || ioctl(fd, VEXFS_IOC_EMBEDDING_GET, &e)) {
		ret = fail_errno("embed get", path, v ? errno : ENOMEM);
		goto out;
	}
	printf(json ? "[" : "");
	for (i = 0; i < e.dim; i++)
		printf("%s%.9g", i ? (json ? ", " : ",") : "", v[i]);
	printf(json ? "]\n" : "\n");
out:
	free(v);
	close(fd);
	return ret;
}

static void embed_rm_usage(FILE *out)
{
	fprintf(out, "Usage: vexctl embed rm FILE\n\nRemove FILE's embedding.\n");
}

int cmd_embed_rm(int argc, char **argv)
{
	struct vexfs_embedding e = { .version = VEXFS_UAPI_VERSION };
	int fd, ret;

	if (want_help(argc, argv))
		return embed_rm_usage(stdout), 0;
	if (argc != 2 || argv[1][0] == '-')
		return usage_error(embed_rm_usage, "embed rm: %s", "exactly one FILE is required");
	fd = open_path("embed rm", argv[1], O_RDONLY);
	if (fd < 0)
		return 1;
	ret = ioctl(fd, VEXFS_IOC_EMBEDDING_REMOVE, &e) ?
	      fail_errno("embed rm", argv[1], errno) : 0;
	close(fd);
	return ret;
}

/* ------------------------------------------------------------------ */
/* import | export                                                     */
/* ------------------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress(size_t done, size_t total, double t0)
{
	int width = 40, fill = total ? (int)(done * width / total) : width;
	double dt = now_s() - t0;

	fprintf(stderr, "\r[%.*s%*s] %zu/%zu  %.0f vectors/s", fill,
		"========================================", width - fill, "",
		done, total, dt > 0 ? done / dt : 0.0);
}

static void import_usage(FILE *out)
{
	fprintf(out,
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
		"collection.\n");
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "batch", required_argument, NULL, 'b' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "no-create", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	enum vec_format fmt = FMT_NONE;
	const char *prefix = "vec-", *dir, *file;
	bool create = true, quiet = false, json = false, tty;
	struct vexfs_batch_item *items = NULL;
	char err[VECIO_ERR_MAX], (*names)[256] = NULL;
	size_t done = 0, failed = 0, i, j;
	uint32_t batch = 256, dim;
	struct vecset vs;
	double t0, dt;
	int c, fd, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			fmt = vec_format_by_name(optarg);
			if (fmt == FMT_NONE)
				return usage_error(import_usage, "import: unknown format '%s'", optarg);
			break;
		case 'b':
			if (!parse_u32(optarg, &batch, 1, VEXFS_BATCH_MAX))
				return usage_error(import_usage, "import: --batch must be 1..1024, not '%s'", optarg);
			break;
		case 'p': prefix = optarg; break;
		case 'n': create = false; break;
		case 'q': quiet = true; break;
		case 'j': json = true; break;
		case 'h': import_usage(stdout); return 0;
		default: import_usage(stderr); return VEXCTL_EXIT_USAGE;
		}
	}
	if (optind + 2 != argc)
		return usage_error(import_usage, "import: %s", "DIR and FILE are required");
	dir = argv[optind];
	file = argv[optind + 1];
	if (fmt == FMT_NONE)
		fmt = vec_format_by_ext(file);
	if (fmt == FMT_NONE)
		return usage_error(import_usage, "import: %s: cannot tell the format; use --format", file);
	dim = collection_dim("import", dir, &ret);
	if (!dim)
		return ret;
	if (vec_read_file(file, fmt, dim, &vs, err)) {
		fprintf(stderr, "vexctl: import: %s\n", err);
		return VEXCTL_EXIT_USAGE;
	}
	fd = open_path("import", dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		vecset_free(&vs);
		return 1;
	}
	items = calloc(batch, sizeof(*items));
	names = calloc(batch, sizeof(*names));
	if (!items || !names) {
		fprintf(stderr, "vexctl: out of memory\n");
		ret = 1;
		goto out;
	}
	tty = !quiet && isatty(STDERR_FILENO);
	t0 = now_s();
	ret = 0;
	for (i = 0; i < vs.n; i += batch) {
		struct vexfs_batch b = { .version = VEXFS_UAPI_VERSION };
		uint32_t n = vs.n - i < batch ? vs.n - i : batch;

		for (j = 0; j < n; j++) {
			const char *nm = vs.names && vs.names[i + j] ?
					 vs.names[i + j] : NULL;

			if (nm)
				snprintf(names[j], sizeof(names[j]), "%s", nm);
			else
				snprintf(names[j], sizeof(names[j]), "%s%09zu",
					 prefix, i + j);
			items[j].name = (uintptr_t)names[j];
			items[j].name_len = strlen(names[j]);
			items[j].result = 0;
		}
		b.flags = create ? VEXFS_BATCH_CREATE : 0;
		b.count = n;
		b.dim = dim;
		b.mode = 0644;
		b.items = (uintptr_t)items;
		b.vectors = (uintptr_t)(vs.data + i * dim);
		if (ioctl(fd, VEXFS_IOC_BATCH_SET, &b)) {
			if (tty)
				fputc('\n', stderr);
			ret = fail_errno("import", dir, errno);
			goto out;
		}
		for (j = 0; j < n; j++)
			if (items[j].result) {
				if (failed++ < 10)
					fprintf(stderr, "%svexctl: import: %s/%s: %s\n",
						tty ? "\n" : "", dir, names[j],
						strerror(-items[j].result));
			}
		done += b.done;
		if (tty)
			progress(i + n, vs.n, t0);
	}
	dt = now_s() - t0;
	if (tty)
		fputc('\n', stderr);
	if (failed > 10)
		fprintf(stderr, "vexctl: import: ... and %zu more failures\n",
			failed - 10);
	if (json)
		printf("{\"imported\": %zu, \"failed\": %zu, \"seconds\": %.3f, "
		       "\"vectors_per_second\": %.1f}\n", done, failed, dt,
		       dt > 0 ? done / dt : 0.0);
	else if (!quiet)
		printf("imported %zu vectors (%zu failed) into %s in %.2f s: %.0f vectors/s\n",
		       done, failed, dir, dt, dt > 0 ? done / dt : 0.0);
	ret = failed ? 1 : 0;
out:
	free(items);
	free(names);
	close(fd);
	vecset_free(&vs);
	return ret;
}

/* export: walk DIR, write every file's embedding. */
static FILE *export_out;
static enum vec_format export_fmt;
static size_t export_n, export_errors;
static size_t export_root_len;
static float *export_vec;
static uint32_t export_dim;

static int export_visit(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	struct vexfs_embedding e = { .version = VEXFS_UAPI_VERSION };
	const char *rel = path + export_root_len;
	int fd;

	(void)st;
	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	while (*rel == '/')
		rel++;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		fprintf(stderr, "vexctl: export: %s: %s\n", path, strerror(errno));
		export_errors++;
		return 0;
	}
	e.dim = export_dim;
	e.vector = (uintptr_t)export_vec;
	if (ioctl(fd, VEXFS_IOC_EMBEDDING_GET, &e)) {
		if (errno != ENODATA) {
			fprintf(stderr, "vexctl: export: %s: %s\n", path,
				strerror(errno));
			export_errors++;
		}
	} else if (vec_write_one(export_out, export_fmt, rel, export_vec,
				 export_dim)) {
		close(fd);
		return -1;
	} else {
		export_n++;
	}
	close(fd);
	return 0;
}

static void export_usage(FILE *out)
{
	fprintf(out,
		"Usage: vexctl export [--format jsonl|csv|fvecs] [-o FILE] DIR\n"
		"\n"
		"Write the embedding of every file below DIR, named by its path\n"
		"relative to DIR (jsonl, the default, and csv keep the names; fvecs\n"
		"has none), to FILE or standard output.  'vexctl import' reads it back.\n");
}

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	const char *out = NULL, *dir;
	int c, ret;

	export_fmt = FMT_JSONL;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			export_fmt = vec_format_by_name(optarg);
			if (export_fmt == FMT_NONE || export_fmt == FMT_NPY)
				return usage_error(export_usage, "export: cannot write format '%s'", optarg);
			break;
		case 'o': out = optarg; break;
		case 'h': export_usage(stdout); return 0;
		default: export_usage(stderr); return VEXCTL_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return usage_error(export_usage, "export: %s", "DIR is required");
	dir = argv[optind];
	export_dim = collection_dim("export", dir, &ret);
	if (!export_dim)
		return ret;
	export_vec = calloc(export_dim, sizeof(float));
	export_out = out ? fopen(out, "w") : stdout;
	if (!export_out || !export_vec) {
		fprintf(stderr, "vexctl: export: %s: %s\n", out ? out : "stdout",
			strerror(errno));
		free(export_vec);
		return 1;
	}
	export_root_len = strlen(dir);
	ret = nftw(dir, export_visit, 32, FTW_PHYS | FTW_MOUNT);
	if (fflush(export_out) || ret)
		fprintf(stderr, "vexctl: export: write error\n");
	if (out)
		fclose(export_out);
	free(export_vec);
	if (out)
		fprintf(stderr, "exported %zu vectors to %s\n", export_n, out);
	return ret || export_errors ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* query                                                               */
/* ------------------------------------------------------------------ */

static void query_usage(FILE *out)
{
	fprintf(out,
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
		"  --json           print the results as JSON\n");
}

int cmd_query(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vector", required_argument, NULL, 'v' },
		{ "vector-file", required_argument, NULL, 'f' },
		{ "like", required_argument, NULL, 'l' },
		{ "exact", no_argument, NULL, 'e' },
		{ "ef", required_argument, NULL, 'E' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	const char *text = NULL, *vfile = NULL, *like = NULL, *dir;
	struct vexfs_query q = { .version = VEXFS_UAPI_VERSION };
	struct vexfs_query_hit *hits = NULL;
	char err[VECIO_ERR_MAX], *paths = NULL;
	bool json = false;
	uint32_t k = 10, dim, i;
	float *v = NULL;
	int c, fd = -1, ret, srcs;
	long n;

	while ((c = getopt_long(argc, argv, "hk:", opts, NULL)) != -1) {
		switch (c) {
		case 'v': text = optarg; break;
		case 'f': vfile = optarg; break;
		case 'l': like = optarg; break;
		case 'e': q.flags |= VEXFS_QUERY_EXACT; break;
		case 'E':
			if (!parse_u32(optarg, &q.ef, 1, VEXFS_HNSW_MAX_EF))
				return usage_error(query_usage, "query: --ef must be 1..1024, not '%s'", optarg);
			break;
		case 'j': json = true; break;
		case 'k':
			if (!parse_u32(optarg, &k, 1, VEXFS_QUERY_MAX_K))
				return usage_error(query_usage, "query: -k must be 1..1024, not '%s'", optarg);
			break;
		case 'h': query_usage(stdout); return 0;
		default: query_usage(stderr); return VEXCTL_EXIT_USAGE;
		}
	}
	if (q.ef && (q.flags & VEXFS_QUERY_EXACT))
		return usage_error(query_usage, "query: %s",
				   "--ef and --exact exclude each other");
	if (q.ef && q.ef < k)
		q.ef = k;	/* the width is at least the answers wanted */
	srcs = !!text + !!vfile + !!like;
	if (optind + 1 != argc || srcs != 1)
		return usage_error(query_usage, "query: %s",
				   "DIR and exactly one of --vector, --vector-file or --like are required");
	dir = argv[optind];
	dim = collection_dim("query", dir, &ret);
	if (!dim)
		return ret;
	if (like) {
		struct vexfs_embedding e = { .version = VEXFS_UAPI_VERSION };
		int lfd = open_path("query", like, O_RDONLY);

		if (lfd < 0)
			return 1;
		v = calloc(dim, sizeof(float));
		e.dim = dim;
		e.vector = (uintptr_t)v;
		if (!v || ioctl(lfd, VEXFS_IOC_EMBEDDING_GET, &e)) {
			int er = v ? errno : ENOMEM;

			close(lfd);
			free(v);
			if (er == EINVAL) {
				fprintf(stderr, "vexctl: query: %s: its collection's dimension is not %u\n",
					like, dim);
				return VEXCTL_EXIT_USAGE;
			}
			return fail_errno("embed get", like, er);
		}
		close(lfd);
	} else {
		n = text ? vec_parse_text(text, &v, dim, err) :
			   read_vector_file(vfile, &v, dim, err);
		if (n < 0) {
			fprintf(stderr, "vexctl: query: %s\n", err);
			return VEXCTL_EXIT_USAGE;
		}
	}
	hits = calloc(k, sizeof(*hits));
	paths = calloc(k, PATH_MAX);
	ret = 1;
	if (!hits || !paths) {
		fprintf(stderr, "vexctl: out of memory\n");
		goto out;
	}
	q.k = k;
	q.dim = dim;
	q.vector = (uintptr_t)v;
	q.hits = (uintptr_t)hits;
	q.paths = (uintptr_t)paths;
	q.path_size = PATH_MAX;
	fd = open_path("query", dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		goto out;
	if (ioctl(fd, VEXFS_IOC_QUERY, &q)) {
		ret = fail_errno("query", dir, errno);
		goto out;
	}
	if (json)
		printf("{\"method\": \"%s\", \"scanned\": %llu, \"hits\": [",
		       q.method == VEXFS_QUERY_METHOD_INDEX ? "index" : "exact",
		       (unsigned long long)q.scanned);
	for (i = 0; i < q.nhits; i++) {
		double d;

		memcpy(&d, &hits[i].distance_f64, sizeof(d));
		if (json) {
			printf("%s{\"rank\": %u, \"distance\": %.17g, \"ino\": %llu, \"path\": ",
			       i ? ",\n  " : "\n  ", i + 1, d,
			       (unsigned long long)hits[i].ino);
			json_str(stdout, paths + (size_t)i * PATH_MAX);
			printf("}");
		} else {
			printf("%u\t%.9g\t%s\n", i + 1, d, paths + (size_t)i * PATH_MAX);
		}
	}
	if (json)
		printf("\n]}\n");
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(v);
	free(hits);
	free(paths);
	return ret;
}

/* ------------------------------------------------------------------ */
/* stats                                                               */
/* ------------------------------------------------------------------ */

static void stats_usage(FILE *out)
{
	fprintf(out,
		"Usage: vexctl stats [--json] PATH\n"
		"\n"
		"Show the counters of the collection PATH is in: embeddings, slots,\n"
		"store size, queries served and vectors compared since mount, and\n"
		"the ANN index: its state, nodes, tombstones and size.\n");
}

int cmd_stats(int argc, char **argv)
{
	struct vexfs_collection_stats st = { .version = VEXFS_UAPI_VERSION };
	const char *path = NULL;
	bool json = false;
	int i, fd, ret = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return stats_usage(stdout), 0;
		else if (argv[i][0] == '-' || path)
			return usage_error(stats_usage, "stats: unexpected argument '%s'", argv[i]);
		else
			path = argv[i];
	}
	if (!path)
		return usage_error(stats_usage, "stats: %s", "PATH is required");
	fd = open_path("stats", path, O_RDONLY);
	if (fd < 0)
		return 1;
	if (ioctl(fd, VEXFS_IOC_COLLECTION_STATS, &st))
		ret = fail_errno("stats", path, errno);
	close(fd);
	if (ret)
		return ret;
	if (json) {
		printf("{\"id\": %u, \"dim\": %u, \"metric\": \"%s\", \"count\": %llu, "
		       "\"slots\": %llu, \"free_slots\": %llu, \"slot_size\": %u, "
		       "\"store_bytes\": %llu, \"queries\": %llu, \"scanned\": %llu, "
		       "\"index\": {\"state\": \"%s\", \"m\": %u, \"ef_construction\": %u, "
		       "\"live\": %llu, \"deleted\": %llu, \"bytes\": %llu, "
		       "\"queries\": %llu}}\n",
		       st.info.id, st.info.dim, metric_name(st.info.metric),
		       (unsigned long long)st.info.count,
		       (unsigned long long)st.info.slots,
		       (unsigned long long)st.free_slots, st.slot_size,
		       (unsigned long long)st.store_bytes,
		       (unsigned long long)st.queries,
		       (unsigned long long)st.scanned,
		       index_state_name(st.info.index_state), st.info.hnsw_m,
		       st.info.hnsw_ef_construction,
		       (unsigned long long)st.index_live,
		       (unsigned long long)st.index_deleted,
		       (unsigned long long)st.index_bytes,
		       (unsigned long long)st.index_queries);
		return 0;
	}
	printf("collection %u (dimension %u, %s)\n"
	       "  embeddings:      %llu\n  slots:           %llu (%llu free)\n"
	       "  slot size:       %u bytes\n  store size:      %llu bytes\n"
	       "  queries:         %llu since mount\n  vectors scanned: %llu\n"
	       "  index:           %s (M %u, ef_construction %u)\n"
	       "  index nodes:     %llu (%llu tombstones)\n"
	       "  index size:      %llu bytes\n"
	       "  index queries:   %llu since mount\n",
	       st.info.id, st.info.dim, metric_name(st.info.metric),
	       (unsigned long long)st.info.count,
	       (unsigned long long)st.info.slots,
	       (unsigned long long)st.free_slots, st.slot_size,
	       (unsigned long long)st.store_bytes,
	       (unsigned long long)st.queries, (unsigned long long)st.scanned,
	       index_state_name(st.info.index_state), st.info.hnsw_m,
	       st.info.hnsw_ef_construction,
	       (unsigned long long)st.index_live,
	       (unsigned long long)st.index_deleted,
	       (unsigned long long)st.index_bytes,
	       (unsigned long long)st.index_queries);
	return 0;
}

/* ------------------------------------------------------------------ */
/* index wait | rebuild | compact                                      */
/* ------------------------------------------------------------------ */

static void index_usage(FILE *out)
{
	fprintf(out,
		"Usage: vexctl index wait|rebuild|compact PATH\n"
		"\n"
		"Act on the ANN index of the collection PATH is in:\n"
		"  wait     wait until no build is running, print the state\n"
		"  rebuild  rebuild it from the stored vectors, then wait\n"
		"  compact  drop the tombstones deletions left, now\n"
		"rebuild and compact need to own the collection's root (or be root).\n");
}

static int index_op(int argc, char **argv, uint32_t op, const char *name)
{
	struct vexfs_index_ctl ctl = { .version = VEXFS_UAPI_VERSION, .op = op };
	int fd, ret = 0;

	if (want_help(argc, argv))
		return index_usage(stdout), 0;
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "vexctl: index %s: PATH is required\n", name);
		index_usage(stderr);
		return VEXCTL_EXIT_USAGE;
	}
	fd = open_path("index", argv[1], O_RDONLY);
	if (fd < 0)
		return 1;
	if (ioctl(fd, VEXFS_IOC_INDEX_CTL, &ctl))
		ret = fail_errno("index", argv[1], errno);
	close(fd);
	if (!ret)
		printf("%s\n", index_state_name(ctl.state));
	return ret;
}

int cmd_index_wait(int argc, char **argv)
{
	return index_op(argc, argv, VEXFS_INDEX_OP_WAIT, "wait");
}

int cmd_index_rebuild(int argc, char **argv)
{
	return index_op(argc, argv, VEXFS_INDEX_OP_REBUILD, "rebuild");
}

int cmd_index_compact(int argc, char **argv)
{
	return index_op(argc, argv, VEXFS_INDEX_OP_COMPACT, "compact");
}
