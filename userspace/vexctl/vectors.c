// SPDX-License-Identifier: GPL-2.0
/*
 * vectors.c - the vexctl commands for vector collections: collection,
 * embed, import, export, query and stats.  They are thin: each checks the
 * option values main.c parsed (cmd.h), makes the ioctls of
 * include/vexfs_uapi.h and prints the result as text or, with --json, as
 * one JSON document.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

int cmd_collection_create(const struct cmd_line *cl)
{
	struct vexfs_collection_info info = { .version = VEXFS_UAPI_VERSION };
	const char *dir = cl->argv[0], *arg;
	uint32_t val;
	bool json = false, existing;
	int i, fd, ret;

	for (i = 0; i < cl->nopts; i++) {
		arg = cl->opt[i].arg;
		switch (cl->opt[i].code) {
		case OPT_DIM:
			if (!parse_u32(arg, &info.dim, 1, VEXFS_UAPI_MAX_DIM))
				return cmd_usage_error(cl,
					"collection create: --dim must be 1..4096, not '%s'",
					arg);
			break;
		case OPT_METRIC:
			for (info.metric = 1; info.metric <= 3; info.metric++)
				if (!strcmp(arg, metric_names[info.metric]))
					break;
			if (info.metric > 3)
				return cmd_usage_error(cl,
					"collection create: unknown metric '%s' (l2, cosine or ip)",
					arg);
			break;
		case OPT_M:
			if (!parse_u32(arg, &val, 2, VEXFS_HNSW_MAX_M))
				return cmd_usage_error(cl,
					"collection create: --m must be 2..64, not '%s'",
					arg);
			info.hnsw_m = val;
			break;
		case OPT_EF_CONSTRUCTION:
			if (!parse_u32(arg, &val, 1, VEXFS_HNSW_MAX_EF))
				return cmd_usage_error(cl,
					"collection create: --ef-construction must be 1..1024, not '%s'",
					arg);
			info.hnsw_ef_construction = val;
			break;
		case OPT_JSON:
			json = true;
			break;
		}
	}
	if (!info.dim || !info.metric)
		return cmd_usage_error(cl, "collection create: %s",
				       "DIR, --dim and --metric are required");
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


int cmd_collection_info(const struct cmd_line *cl)
{
	struct vexfs_collection_info info;
	const char *path = cl->argv[0];
	bool json = cmd_has(cl, OPT_JSON);
	int fd;

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


int cmd_collection_list(const struct cmd_line *cl)
{
	struct vexfs_collection_list list = { .version = VEXFS_UAPI_VERSION };
	const char *mnt = cl->argv[0];
	bool json = cmd_has(cl, OPT_JSON);
	struct stat st;
	uint32_t i;
	int fd, ret = 0;

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


int cmd_embed_set(const struct cmd_line *cl)
{
	struct vexfs_embedding e = { .version = VEXFS_UAPI_VERSION };
	const char *text = NULL, *vfile = NULL, *path = cl->argv[0];
	char err[VECIO_ERR_MAX];
	float *v = NULL;
	uint32_t dim;
	int i, fd, ret;
	long n;

	for (i = 0; i < cl->nopts; i++) {
		switch (cl->opt[i].code) {
		case OPT_VECTOR: text = cl->opt[i].arg; break;
		case OPT_VECTOR_FILE: vfile = cl->opt[i].arg; break;
		}
	}
	if (!text == !vfile)
		return cmd_usage_error(cl, "embed set: %s",
				       "FILE and one of --vector or --vector-file are required");
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


int cmd_embed_get(const struct cmd_line *cl)
{
	struct vexfs_embedding e = { .version = VEXFS_UAPI_VERSION };
	const char *path = cl->argv[0];
	bool json = cmd_has(cl, OPT_JSON);
	float *v;
	uint32_t i;
	int fd, ret = 0;

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


int cmd_embed_rm(const struct cmd_line *cl)
{
	struct vexfs_embedding e = { .version = VEXFS_UAPI_VERSION };
	int fd, ret;

	fd = open_path("embed rm", cl->argv[0], O_RDONLY);
	if (fd < 0)
		return 1;
	ret = ioctl(fd, VEXFS_IOC_EMBEDDING_REMOVE, &e) ?
	      fail_errno("embed rm", cl->argv[0], errno) : 0;
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


int cmd_import(const struct cmd_line *cl)
{
	enum vec_format fmt = FMT_NONE;
	const char *prefix = "vec-", *dir = cl->argv[0], *file = cl->argv[1];
	const char *arg;
	bool create = true, quiet = false, json = false, tty;
	struct vexfs_batch_item *items = NULL;
	char err[VECIO_ERR_MAX], (*names)[256] = NULL;
	size_t done = 0, failed = 0, i, j;
	uint32_t batch = 256, dim;
	struct vecset vs;
	double t0, dt;
	int c, fd, ret;

	for (c = 0; c < cl->nopts; c++) {
		arg = cl->opt[c].arg;
		switch (cl->opt[c].code) {
		case OPT_FORMAT:
			fmt = vec_format_by_name(arg);
			if (fmt == FMT_NONE)
				return cmd_usage_error(cl, "import: unknown format '%s'", arg);
			break;
		case OPT_BATCH:
			if (!parse_u32(arg, &batch, 1, VEXFS_BATCH_MAX))
				return cmd_usage_error(cl, "import: --batch must be 1..1024, not '%s'", arg);
			break;
		case OPT_PREFIX: prefix = arg; break;
		case OPT_NO_CREATE: create = false; break;
		case OPT_QUIET: quiet = true; break;
		case OPT_JSON: json = true; break;
		}
	}
	if (fmt == FMT_NONE)
		fmt = vec_format_by_ext(file);
	if (fmt == FMT_NONE)
		return cmd_usage_error(cl, "import: %s: cannot tell the format; use --format", file);
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


int cmd_export(const struct cmd_line *cl)
{
	const char *out = NULL, *dir = cl->argv[0], *arg;
	int i, ret;

	export_fmt = FMT_JSONL;
	for (i = 0; i < cl->nopts; i++) {
		arg = cl->opt[i].arg;
		switch (cl->opt[i].code) {
		case OPT_FORMAT:
			export_fmt = vec_format_by_name(arg);
			if (export_fmt == FMT_NONE || export_fmt == FMT_NPY)
				return cmd_usage_error(cl, "export: cannot write format '%s'", arg);
			break;
		case OPT_OUTPUT: out = arg; break;
		}
	}
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


int cmd_query(const struct cmd_line *cl)
{
	const char *text = NULL, *vfile = NULL, *like = NULL, *dir = cl->argv[0];
	const char *arg;
	struct vexfs_query q = { .version = VEXFS_UAPI_VERSION };
	struct vexfs_query_hit *hits = NULL;
	char err[VECIO_ERR_MAX], *paths = NULL;
	bool json = false;
	uint32_t k = 10, dim, i;
	float *v = NULL;
	int c, fd = -1, ret, srcs;
	long n;

	for (c = 0; c < cl->nopts; c++) {
		arg = cl->opt[c].arg;
		switch (cl->opt[c].code) {
		case OPT_VECTOR: text = arg; break;
		case OPT_VECTOR_FILE: vfile = arg; break;
		case OPT_LIKE: like = arg; break;
		case OPT_EXACT: q.flags |= VEXFS_QUERY_EXACT; break;
		case OPT_EF:
			if (!parse_u32(arg, &q.ef, 1, VEXFS_HNSW_MAX_EF))
				return cmd_usage_error(cl, "query: --ef must be 1..1024, not '%s'", arg);
			break;
		case OPT_JSON: json = true; break;
		case OPT_K:
			if (!parse_u32(arg, &k, 1, VEXFS_QUERY_MAX_K))
				return cmd_usage_error(cl, "query: -k must be 1..1024, not '%s'", arg);
			break;
		}
	}
	if (q.ef && (q.flags & VEXFS_QUERY_EXACT))
		return cmd_usage_error(cl, "query: %s",
				       "--ef and --exact exclude each other");
	if (q.ef && q.ef < k)
		q.ef = k;	/* the width is at least the answers wanted */
	srcs = !!text + !!vfile + !!like;
	if (srcs != 1)
		return cmd_usage_error(cl, "query: %s",
				       "DIR and exactly one of --vector, --vector-file or --like are required");
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


int cmd_stats(const struct cmd_line *cl)
{
	struct vexfs_collection_stats st = { .version = VEXFS_UAPI_VERSION };
	const char *path = cl->argv[0];
	bool json = cmd_has(cl, OPT_JSON);
	int fd, ret = 0;

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


static int index_op(const struct cmd_line *cl, uint32_t op)
{
	struct vexfs_index_ctl ctl = { .version = VEXFS_UAPI_VERSION, .op = op };
	int fd, ret = 0;

	fd = open_path("index", cl->argv[0], O_RDONLY);
	if (fd < 0)
		return 1;
	if (ioctl(fd, VEXFS_IOC_INDEX_CTL, &ctl))
		ret = fail_errno("index", cl->argv[0], errno);
	close(fd);
	if (!ret)
		printf("%s\n", index_state_name(ctl.state));
	return ret;
}

int cmd_index_wait(const struct cmd_line *cl)
{
	return index_op(cl, VEXFS_INDEX_OP_WAIT);
}

int cmd_index_rebuild(const struct cmd_line *cl)
{
	return index_op(cl, VEXFS_INDEX_OP_REBUILD);
}

int cmd_index_compact(const struct cmd_line *cl)
{
	return index_op(cl, VEXFS_INDEX_OP_COMPACT);
}
