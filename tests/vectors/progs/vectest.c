// SPDX-License-Identifier: GPL-2.0
/*
 * vectest.c - guest-side tests of the VexFS vector ioctls (static binary).
 *
 *   vectest abuse COLLDIR PLAINDIR    every ioctl fed bad arguments
 *   vectest ref DIR N DIM METRIC SEED QUERIES K
 *                                     import N random vectors, compare
 *                                     QUERIES exact queries with a long
 *                                     double reference
 *   vectest perm DIR                  results filtered per caller (uids
 *                                     1000 and 1001)
 *   vectest race DIR N                unlink every file during queries
 *   vectest bench DIR N DIM SEED REPS time queries; and a float scan
 *   vectest adopt-race DIR            make DIR's tree a collection while
 *                                     another process moves and creates
 *                                     entries in it; every entry joins
 *   vectest rename|link A B           exit status = errno of the call
 *
 * Prints one PASS:/FAIL: line per check, and exits non-zero on failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <signal.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "vexfs_uapi.h"

static int failures;

static void result(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf(ok ? "PASS: " : "FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		failures++;
}

/* Expect ioctl(...) to fail with @want. */
static void expect_err(const char *name, int ret, int want)
{
	int e = ret ? errno : 0;

	result(ret == -1 && e == want, "%s (errno %d, want %d)", name, e, want);
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t xrand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static float frand(void)	/* [-1, 1) */
{
	return (float)((double)(xrand() >> 11) / (double)(1ULL << 53) * 2 - 1);
}

static int opendir_fd(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);

	if (fd < 0) {
		fprintf(stderr, "vectest: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return fd;
}

static int coll_dim(int fd)
{
	struct vexfs_collection_info info = { .version = VEXFS_UAPI_VERSION };

	if (ioctl(fd, VEXFS_IOC_COLLECTION_INFO, &info))
		return -1;
	return (int)info.dim;
}

/* Batch-create files PREFIX%06u with the given vectors. */
static int batch_create(int dfd, const char *prefix, uint32_t first,
			uint32_t n, uint32_t dim, const float *vecs)
{
	struct vexfs_batch_item items[VEXFS_BATCH_MAX];
	static char names[VEXFS_BATCH_MAX][64];
	uint32_t done = 0;

	while (done < n) {
		struct vexfs_batch b = { .version = VEXFS_UAPI_VERSION };
		uint32_t c = n - done > VEXFS_BATCH_MAX ? VEXFS_BATCH_MAX : n - done;
		uint32_t i;

		for (i = 0; i < c; i++) {
			snprintf(names[i], sizeof(names[i]), "%s%06u", prefix,
				 first + done + i);
			items[i].name = (uintptr_t)names[i];
			items[i].name_len = strlen(names[i]);
			items[i].result = 0;
		}
		b.flags = VEXFS_BATCH_CREATE;
		b.count = c;
		b.dim = dim;
		b.mode = 0644;
		b.items = (uintptr_t)items;
		b.vectors = (uintptr_t)(vecs + (size_t)done * dim);
		if (ioctl(dfd, VEXFS_IOC_BATCH_SET, &b) || b.done != c) {
			fprintf(stderr, "vectest: batch: %s (done %u of %u, first item %d)\n",
				strerror(errno), b.done, c, items[0].result);
			return -1;
		}
		done += c;
	}
	return 0;
}

static int do_query(int dfd, const float *q, uint32_t dim, uint32_t k,
		    struct vexfs_query_hit *hits, char *paths, uint32_t psize,
		    uint32_t *nhits)
{
	struct vexfs_query qq = { .version = VEXFS_UAPI_VERSION };

	qq.flags = VEXFS_QUERY_EXACT;
	qq.k = k;
	qq.dim = dim;
	qq.vector = (uintptr_t)q;
	qq.hits = (uintptr_t)hits;
	qq.paths = (uintptr_t)paths;
	qq.path_size = paths ? psize : 0;
	if (ioctl(dfd, VEXFS_IOC_QUERY, &qq))
		return -1;
	*nhits = qq.nhits;
	return 0;
}

/* ------------------------------------------------------------------ */
/* abuse                                                               */
/* ------------------------------------------------------------------ */

static int cmd_abuse(const char *cdir, const char *plain)
{
	int cfd = opendir_fd(cdir), pfd = opendir_fd(plain), dim, ffd;
	struct vexfs_query q;
	struct vexfs_query_hit hits[4];
	struct vexfs_embedding e;
	struct vexfs_batch b;
	struct vexfs_batch_item item;
	struct vexfs_collection_info info;
	struct vexfs_collection_list list;
	float v[8] = { 1, 2, 3, 4 }, big[4097];
	char path[256], buf[64];
	uint32_t n;

	dim = coll_dim(cfd);
	result(dim == 4, "abuse: collection has dimension 4 (got %d)", dim);

#define QINIT() do { memset(&q, 0, sizeof(q)); q.version = VEXFS_UAPI_VERSION; \
	q.k = 2; q.dim = 4; q.vector = (uintptr_t)v; q.hits = (uintptr_t)hits; } while (0)
	QINIT();
	result(!ioctl(cfd, VEXFS_IOC_QUERY, &q), "abuse: a good query works");
	QINIT(); q.version = 2;
	expect_err("abuse: query version 2", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	QINIT(); q.flags = 0x80;
	expect_err("abuse: query unknown flag", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	QINIT(); q.reserved[2] = 1;
	expect_err("abuse: query reserved not zero", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	QINIT(); q.method = VEXFS_QUERY_METHOD_INDEX;
	expect_err("abuse: query method is output only", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	QINIT(); q.k = 10; q.ef = 9;
	expect_err("abuse: query ef below k", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	QINIT(); q.ef = VEXFS_HNSW_MAX_EF + 1;
	expect_err("abuse: query ef too large", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	{
		struct vexfs_index_ctl ic = { .version = VEXFS_UAPI_VERSION };

		ic.op = 0;
		expect_err("abuse: index ctl without an op",
			   ioctl(cfd, VEXFS_IOC_INDEX_CTL, &ic), EINVAL);
		ic.op = 99;
		expect_err("abuse: index ctl unknown op",
			   ioctl(cfd, VEXFS_IOC_INDEX_CTL, &ic), EINVAL);
		ic.op = VEXFS_INDEX_OP_WAIT;
		ic.reserved[1] = 1;
		expect_err("abuse: index ctl reserved not zero",
			   ioctl(cfd, VEXFS_IOC_INDEX_CTL, &ic), EINVAL);
		ic.reserved[1] = 0;
		ic.version = 2;
		expect_err("abuse: index ctl bad version",
			   ioctl(cfd, VEXFS_IOC_INDEX_CTL, &ic), EINVAL);
	}
	QINIT(); q.k = 0;
	expect_err("abuse: query k=0", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	QINIT(); q.k = 0xffffffffu;
	expect_err("abuse: query k=2^32-1", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	QINIT(); q.k = VEXFS_QUERY_MAX_K + 1;
	expect_err("abuse: query k=MAX+1", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	QINIT(); q.dim = 3;
	expect_err("abuse: query dim mismatch", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	QINIT(); q.dim = 0;
	expect_err("abuse: query dim 0", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	QINIT(); q.dim = 0xffffffffu;
	expect_err("abuse: query dim 2^32-1", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	QINIT(); q.vector = 0;
	expect_err("abuse: query NULL vector", ioctl(cfd, VEXFS_IOC_QUERY, &q), EFAULT);
	QINIT(); q.vector = 0xffff888000000000ULL;
	expect_err("abuse: query kernel-address vector", ioctl(cfd, VEXFS_IOC_QUERY, &q), EFAULT);
	QINIT(); q.hits = 8;
	/* Only fails if there is a hit to write. */
	n = ioctl(cfd, VEXFS_IOC_QUERY, &q) ? (uint32_t)errno : 0;
	result(n == EFAULT, "abuse: query bad hits pointer (errno %u)", n);
	QINIT(); q.path_size = 1; q.paths = (uintptr_t)path;
	expect_err("abuse: query path_size 1", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	QINIT(); q.path_size = 4097; q.paths = (uintptr_t)path;
	expect_err("abuse: query path_size 4097", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	QINIT(); q.path_size = 64; q.paths = 0;
	expect_err("abuse: query path_size without paths", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	QINIT(); q.path_size = 64; q.paths = 16;
	expect_err("abuse: query bad paths pointer", ioctl(cfd, VEXFS_IOC_QUERY, &q), EFAULT);
	QINIT(); q.nhits = 5;
	expect_err("abuse: query output field set on input", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	QINIT(); v[1] = NAN;
	expect_err("abuse: query NaN", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	v[1] = INFINITY;
	expect_err("abuse: query Inf", ioctl(cfd, VEXFS_IOC_QUERY, &q), EINVAL);
	v[1] = 2;
	expect_err("abuse: query argument pointer bad",
		   ioctl(cfd, VEXFS_IOC_QUERY, (void *)16), EFAULT);
	expect_err("abuse: query with the wrong struct size",
		   ioctl(cfd, _IOC(_IOC_READ | _IOC_WRITE, VEXFS_IOC_MAGIC, 8, 16), buf),
		   ENOTTY);
	expect_err("abuse: unknown ioctl number",
		   ioctl(cfd, _IOWR(VEXFS_IOC_MAGIC, 99, struct vexfs_query), &q), ENOTTY);
	QINIT();
	expect_err("abuse: query a directory outside collections",
		   ioctl(pfd, VEXFS_IOC_QUERY, &q), ENODATA);

	/* Hits: zeroed reserved fields, no stray bytes. */
	memset(hits, 0xa5, sizeof(hits));
	QINIT(); q.k = 4;
	if (!ioctl(cfd, VEXFS_IOC_QUERY, &q) && q.nhits) {
		bool clean = true;

		for (n = 0; n < q.nhits; n++)
			clean &= !hits[n].reserved && !hits[n].reserved0;
		result(clean, "abuse: hits have zeroed reserved fields");
	} else {
		result(false, "abuse: query for the leak check (%s)", strerror(errno));
	}

	/* info / list / stats */
	memset(&info, 0, sizeof(info));
	info.version = VEXFS_UAPI_VERSION;
	info.reserved[0] = 1;
	expect_err("abuse: info reserved not zero", ioctl(cfd, VEXFS_IOC_COLLECTION_INFO, &info), EINVAL);
	memset(&info, 0, sizeof(info));
	info.version = VEXFS_UAPI_VERSION;
	expect_err("abuse: info outside collections", ioctl(pfd, VEXFS_IOC_COLLECTION_INFO, &info), ENODATA);
	memset(&list, 0, sizeof(list));
	list.version = VEXFS_UAPI_VERSION;
	list.capacity = VEXFS_LIST_MAX + 1;
	list.entries = (uintptr_t)&info;
	expect_err("abuse: list capacity too big", ioctl(cfd, VEXFS_IOC_COLLECTION_LIST, &list), EINVAL);
	list.capacity = 1;
	list.entries = 0;
	expect_err("abuse: list NULL entries", ioctl(cfd, VEXFS_IOC_COLLECTION_LIST, &list), EINVAL);
	list.entries = 24;
	expect_err("abuse: list bad entries pointer", ioctl(cfd, VEXFS_IOC_COLLECTION_LIST, &list), EFAULT);

	/* create */
	memset(&info, 0, sizeof(info));
	info.version = VEXFS_UAPI_VERSION;
	info.dim = 4;
	info.metric = 1;
	expect_err("abuse: create on a collection", ioctl(cfd, VEXFS_IOC_COLLECTION_CREATE, &info), EEXIST);
	info.dim = 0;
	expect_err("abuse: create dim 0", ioctl(pfd, VEXFS_IOC_COLLECTION_CREATE, &info), EINVAL);
	info.dim = 4097;
	expect_err("abuse: create dim 4097", ioctl(pfd, VEXFS_IOC_COLLECTION_CREATE, &info), EINVAL);
	info.dim = 4;
	info.metric = 9;
	expect_err("abuse: create metric 9", ioctl(pfd, VEXFS_IOC_COLLECTION_CREATE, &info), EINVAL);
	info.metric = 1;
	expect_err("abuse: create on a non-empty directory", ioctl(pfd, VEXFS_IOC_COLLECTION_CREATE, &info), ENOTEMPTY);

	/* embeddings */
	snprintf(path, sizeof(path), "%s/abuse-file", cdir);
	ffd = open(path, O_RDWR | O_CREAT, 0644);
	memset(&e, 0, sizeof(e));
	e.version = VEXFS_UAPI_VERSION;
	e.dim = 4;
	e.vector = (uintptr_t)v;
	result(!ioctl(ffd, VEXFS_IOC_EMBEDDING_SET, &e), "abuse: embedding set works");
	e.dim = 5;
	expect_err("abuse: embedding set dim mismatch", ioctl(ffd, VEXFS_IOC_EMBEDDING_SET, &e), EINVAL);
	e.dim = 4097;
	expect_err("abuse: embedding set dim 4097", ioctl(ffd, VEXFS_IOC_EMBEDDING_SET, &e), EINVAL);
	e.dim = 4;
	e.vector = 0;
	expect_err("abuse: embedding set NULL vector", ioctl(ffd, VEXFS_IOC_EMBEDDING_SET, &e), EFAULT);
	e.vector = (uintptr_t)v;
	e.reserved[1] = 7;
	expect_err("abuse: embedding set reserved", ioctl(ffd, VEXFS_IOC_EMBEDDING_SET, &e), EINVAL);
	e.reserved[1] = 0;
	v[0] = NAN;
	expect_err("abuse: embedding set NaN", ioctl(ffd, VEXFS_IOC_EMBEDDING_SET, &e), EINVAL);
	v[0] = 1;
	expect_err("abuse: embedding set on a directory", ioctl(cfd, VEXFS_IOC_EMBEDDING_SET, &e), EISDIR);
	e.vector = 0xffff888000000000ULL;
	expect_err("abuse: embedding get to a kernel address", ioctl(ffd, VEXFS_IOC_EMBEDDING_GET, &e), EFAULT);
	e.vector = (uintptr_t)v;
	e.dim = 3;
	expect_err("abuse: embedding get dim mismatch", ioctl(ffd, VEXFS_IOC_EMBEDDING_GET, &e), EINVAL);
	e.dim = 4;
	e.vector = 0;
	e.dim = 0;
	result(!ioctl(ffd, VEXFS_IOC_EMBEDDING_REMOVE, &e), "abuse: embedding remove works");
	expect_err("abuse: embedding remove twice", ioctl(ffd, VEXFS_IOC_EMBEDDING_REMOVE, &e), ENODATA);
	expect_err("abuse: embedding get without one", ioctl(ffd, VEXFS_IOC_EMBEDDING_GET, &e), ENODATA);
	close(ffd);

	/* xattr */
	memset(big, 0, sizeof(big));
	expect_err("abuse: xattr of 3 floats", setxattr(path, VEXFS_EMBEDDING_XATTR, big, 12, 0), EINVAL);
	expect_err("abuse: xattr of 4097 floats", setxattr(path, VEXFS_EMBEDDING_XATTR, big, sizeof(big), 0), EINVAL);
	expect_err("abuse: xattr of 15 bytes", setxattr(path, VEXFS_EMBEDDING_XATTR, big, 15, 0), EINVAL);
	big[2] = NAN;
	expect_err("abuse: xattr with NaN", setxattr(path, VEXFS_EMBEDDING_XATTR, big, 16, 0), EINVAL);
	big[2] = -INFINITY;
	expect_err("abuse: xattr with -Inf", setxattr(path, VEXFS_EMBEDDING_XATTR, big, 16, 0), EINVAL);
	big[2] = 0.5f;
	result(!setxattr(path, VEXFS_EMBEDDING_XATTR, big, 16, 0), "abuse: xattr of 4 floats works");
	expect_err("abuse: xattr get into a short buffer", getxattr(path, VEXFS_EMBEDDING_XATTR, buf, 8) < 0 ? -1 : 0, ERANGE);
	result(getxattr(path, VEXFS_EMBEDDING_XATTR, NULL, 0) == 16, "abuse: xattr size query");
	snprintf(buf, sizeof(buf), "%s/plain-file", plain);
	close(open(buf, O_RDWR | O_CREAT, 0644));
	expect_err("abuse: xattr outside collections", setxattr(buf, VEXFS_EMBEDDING_XATTR, big, 16, 0), EOPNOTSUPP);

	/* batch */
	memset(&b, 0, sizeof(b));
	b.version = VEXFS_UAPI_VERSION;
	b.flags = VEXFS_BATCH_CREATE;
	b.count = 1;
	b.dim = 4;
	b.mode = 0644;
	b.items = (uintptr_t)&item;
	b.vectors = (uintptr_t)v;
	item.name = (uintptr_t)"a/b";
	item.name_len = 3;
	item.result = 0;
	result(!ioctl(cfd, VEXFS_IOC_BATCH_SET, &b) && item.result == -EINVAL && !b.done,
	       "abuse: batch name with a slash fails alone (%d)", item.result);
	item.name = (uintptr_t)"..";
	item.name_len = 2;
	item.result = 0;
	b.done = 0;
	result(!ioctl(cfd, VEXFS_IOC_BATCH_SET, &b) && item.result == -EINVAL,
	       "abuse: batch name '..' fails alone (%d)", item.result);
	item.name = 8;
	item.name_len = 4;
	item.result = 0;
	result(!ioctl(cfd, VEXFS_IOC_BATCH_SET, &b) && item.result == -EFAULT,
	       "abuse: batch bad name pointer fails alone (%d)", item.result);
	item.name = (uintptr_t)"ok";
	item.name_len = 2;
	item.result = 0;
	b.vectors = 8;
	result(!ioctl(cfd, VEXFS_IOC_BATCH_SET, &b) && item.result == -EFAULT,
	       "abuse: batch bad vectors pointer fails alone (%d)", item.result);
	b.vectors = (uintptr_t)v;
	item.result = 0;
	item.name_len = 0;
	expect_err("abuse: batch name_len 0", ioctl(cfd, VEXFS_IOC_BATCH_SET, &b), EINVAL);
	item.name_len = 2;
	b.count = 0;
	expect_err("abuse: batch count 0", ioctl(cfd, VEXFS_IOC_BATCH_SET, &b), EINVAL);
	b.count = VEXFS_BATCH_MAX + 1;
	expect_err("abuse: batch count MAX+1", ioctl(cfd, VEXFS_IOC_BATCH_SET, &b), EINVAL);
	b.count = 1;
	b.dim = 5;
	expect_err("abuse: batch dim mismatch", ioctl(cfd, VEXFS_IOC_BATCH_SET, &b), EINVAL);
	b.dim = 4;
	b.mode = 010000;
	expect_err("abuse: batch mode with file type bits", ioctl(cfd, VEXFS_IOC_BATCH_SET, &b), EINVAL);
	b.mode = 0644;
	b.items = 0;
	expect_err("abuse: batch NULL items", ioctl(cfd, VEXFS_IOC_BATCH_SET, &b), EFAULT);
	b.items = (uintptr_t)&item;
	expect_err("abuse: batch outside collections", ioctl(pfd, VEXFS_IOC_BATCH_SET, &b), ENODATA);
	b.flags = 0;
	item.name = (uintptr_t)"nonexistent";
	item.name_len = 11;
	result(!ioctl(cfd, VEXFS_IOC_BATCH_SET, &b) && item.result == -ENOENT,
	       "abuse: batch without CREATE does not create (%d)", item.result);

	close(cfd);
	close(pfd);
	return failures ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* ref: top-k against a long double reference                          */
/* ------------------------------------------------------------------ */

static long double ref_dist(int metric, const float *a, const float *b,
			    uint32_t dim)
{
	long double s = 0, na = 0, nb = 0, d;
	uint32_t i;

	for (i = 0; i < dim; i++) {
		switch (metric) {
		case 1:
			d = (long double)a[i] - b[i];
			s += d * d;
			break;
		default:
			s += (long double)a[i] * b[i];
			na += (long double)a[i] * a[i];
			nb += (long double)b[i] * b[i];
		}
	}
	if (metric == 1)
		return s;
	if (metric == 3)
		return -s;
	if (na == 0 || nb == 0)
		return 1;
	return 1 - s / (sqrtl(na) * sqrtl(nb));
}

struct refent {
	long double d;
	uint32_t idx;
};

static int refcmp(const void *a, const void *b)
{
	const struct refent *x = a, *y = b;

	if (x->d != y->d)
		return x->d < y->d ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmd_ref(const char *dir, uint32_t n, uint32_t dim, int metric,
		   uint64_t seed, uint32_t nq, uint32_t k)
{
	int dfd = opendir_fd(dir);
	float *vecs = malloc((size_t)n * dim * sizeof(float));
	float *q = malloc(dim * sizeof(float));
	struct refent *ref = malloc(n * sizeof(*ref));
	struct vexfs_query_hit *hits = calloc(k, sizeof(*hits));
	char *paths = calloc(k, 256);
	uint32_t i, j, nh, bad_set = 0, bad_dist = 0;
	double worst = 0;

	rng = seed * 2654435761ULL + 1;
	for (i = 0; i < (size_t)n * dim; i++) {
		float f = frand();

		/* A spread of magnitudes, and a few exact duplicates. */
		if (i % 97 == 5)
			f *= 1e-3f;
		vecs[i] = f;
	}
	if (n > 10)
		memcpy(vecs + (size_t)7 * dim, vecs + (size_t)3 * dim,
		       dim * sizeof(float));
	if (batch_create(dfd, "v", 0, n, dim, vecs)) {
		result(false, "ref m%d d%u: import %u vectors", metric, dim, n);
		return 1;
	}
	result(true, "ref m%d d%u: import %u vectors", metric, dim, n);

	for (j = 0; j < nq; j++) {
		long double kth;

		for (i = 0; i < dim; i++)
			q[i] = frand();
		if (j == 0)	/* one query equal to a stored vector */
			memcpy(q, vecs + (size_t)11 % n * dim, dim * sizeof(float));
		for (i = 0; i < n; i++) {
			ref[i].d = ref_dist(metric, q, vecs + (size_t)i * dim, dim);
			ref[i].idx = i;
		}
		qsort(ref, n, sizeof(*ref), refcmp);
		if (do_query(dfd, q, dim, k, hits, paths, 256, &nh)) {
			result(false, "ref m%d d%u: query %u: %s", metric, dim, j, strerror(errno));
			continue;
		}
		if (nh != (k < n ? k : n)) {
			result(false, "ref m%d d%u: query %u: %u hits, want %u", metric, dim, j, nh, k < n ? k : n);
			continue;
		}
		kth = ref[nh - 1].d;
		for (i = 0; i < nh; i++) {
			double got;
			long double want = ref[i].d, mine, tol;
			unsigned idx;

			memcpy(&got, &hits[i].distance_f64, sizeof(got));
			/*
			 * rank i's distance matches the reference's rank i.
			 * The kernel's distances are exact (correctly rounded;
			 * tests/unit proves it against MPFR), but this long
			 * double reference is not: its 1 - cos cancels, and
			 * near 0 (the query equal to a stored vector) it is
			 * off by up to about dim * 2^-64, absolute.
			 */
			tol = 1e-5L * fabsl(want) + 1e-30L;
			if (metric == 2)
				tol += dim * 0x1p-60L;
			if (fabsl((long double)got - want) > tol)
				bad_dist++;
			if (want != 0 && fabsl(((long double)got - want) / want) > worst)
				worst = (double)fabsl(((long double)got - want) / want);
			/* and the file named is truly within the top k */
			if (sscanf(paths + i * 256, "v%u", &idx) != 1 || idx >= n) {
				bad_set++;
				continue;
			}
			mine = ref_dist(metric, q, vecs + (size_t)idx * dim, dim);
			if (mine > kth + 1e-5L * fabsl(kth) + 1e-30L)
				bad_set++;
		}
	}
	result(!bad_set, "ref m%d d%u: %u queries, top-%u sets equal the reference (%u misplaced)",
	       metric, dim, nq, k, bad_set);
	result(!bad_dist, "ref m%d d%u: distances within 1e-5 relative (%u off, worst %.3g)",
	       metric, dim, bad_dist, worst);
	free(vecs);
	free(q);
	free(ref);
	free(hits);
	free(paths);
	close(dfd);
	return failures ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* perm: per-caller filtering                                          */
/* ------------------------------------------------------------------ */

static void mkfile(const char *dir, const char *name, uid_t uid, mode_t mode,
		   float x)
{
	char path[512];
	float v[4] = { x, 0, 0, 0 };
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || fchown(fd, uid, uid) || fchmod(fd, mode) ||
	    fsetxattr(fd, VEXFS_EMBEDDING_XATTR, v, sizeof(v), 0)) {
		fprintf(stderr, "vectest: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	close(fd);
}

/* As @uid, query @dir for k hits; return the sorted names, space-separated. */
static void query_as(uid_t uid, const char *dir, uint32_t k, char *out,
		     size_t size, int *err)
{
	int pipefd[2], status;
	pid_t pid;
	ssize_t len;

	if (pipe(pipefd))
		exit(2);
	pid = fork();
	if (!pid) {
		struct vexfs_query_hit hits[64];
		static char paths[64][256];
		float q[4] = { 0, 0, 0, 0 };
		char buf[8192] = "";
		uint32_t nh, i;
		int fd;

		close(pipefd[0]);
		if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
		    setresuid(uid, uid, uid))
			_exit(100);
		fd = open(dir, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			_exit(errno);
		if (do_query(fd, q, 4, k, hits, &paths[0][0], 256, &nh))
			_exit(errno);
		for (i = 0; i < nh; i++) {
			strcat(buf, paths[i]);
			strcat(buf, " ");
		}
		if (write(pipefd[1], buf, strlen(buf)) < 0)
			_exit(101);
		_exit(0);
	}
	close(pipefd[1]);
	len = read(pipefd[0], out, size - 1);
	out[len > 0 ? len : 0] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	*err = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

static int cmd_perm(const char *dir)
{
	char sub[512], priv[512], got[8192];
	int err;

	snprintf(sub, sizeof(sub), "%s/pub", dir);
	snprintf(priv, sizeof(priv), "%s/priv", dir);
	mkdir(sub, 0755);
	mkdir(priv, 0700);
	if (chown(priv, 1000, 1000))
		return 2;
	/* Nearest first: a* (uid 1000 only), then b* (1001 only), then c*. */
	mkfile(sub, "a0", 1000, 0600, 0.1f);
	mkfile(sub, "a1", 1000, 0600, 0.2f);
	mkfile(sub, "b0", 1001, 0600, 0.3f);
	mkfile(sub, "b1", 1001, 0600, 0.4f);
	mkfile(sub, "c0", 0, 0644, 0.5f);
	mkfile(priv, "d0", 0, 0644, 0.05f);	/* readable, behind priv/ */

	query_as(0, dir, 10, got, sizeof(got), &err);
	result(!err && !strcmp(got, "priv/d0 pub/a0 pub/a1 pub/b0 pub/b1 pub/c0 "),
	       "perm: root sees all, nearest first: '%s' (err %d)", got, err);
	query_as(1000, dir, 10, got, sizeof(got), &err);
	result(!err && !strcmp(got, "priv/d0 pub/a0 pub/a1 pub/c0 "),
	       "perm: uid 1000 sees its files and readable ones: '%s' (err %d)", got, err);
	query_as(1001, dir, 10, got, sizeof(got), &err);
	result(!err && !strcmp(got, "pub/b0 pub/b1 pub/c0 "),
	       "perm: uid 1001 sees neither 1000's files nor behind priv/: '%s' (err %d)",
	       got, err);
	query_as(1001, dir, 2, got, sizeof(got), &err);
	result(!err && !strcmp(got, "pub/b0 pub/b1 "),
	       "perm: uid 1001's top 2 are the nearest it may see: '%s' (err %d)", got, err);
	query_as(1001, sub, 10, got, sizeof(got), &err);
	result(!err && !strcmp(got, "b0 b1 c0 "),
	       "perm: a query on a subdirectory is relative to it: '%s' (err %d)", got, err);
	query_as(1001, priv, 10, got, sizeof(got), &err);
	result(err == EACCES, "perm: uid 1001 may not query priv/ (err %d)", err);
	chmod(priv, 0711);		/* searchable but not readable */
	query_as(1001, dir, 10, got, sizeof(got), &err);
	result(!err && !strcmp(got, "pub/b0 pub/b1 pub/c0 "),
	       "perm: search-only priv/ hides its names from uid 1001: '%s'", got);
	return failures ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* race: unlink everything while querying                              */
/* ------------------------------------------------------------------ */

static int cmd_race(const char *dir, uint32_t n)
{
	int dfd = opendir_fd(dir), dim = coll_dim(dfd), status;
	float *vecs, *q;
	struct vexfs_query_hit hits[32];
	static char paths[32][256];
	uint32_t i, nh = 0, queries = 0, errs = 0;
	struct vexfs_collection_stats st = { .version = VEXFS_UAPI_VERSION };
	pid_t pid;

	if (dim <= 0)
		return 2;
	vecs = malloc((size_t)n * dim * sizeof(float));
	q = calloc(dim, sizeof(float));
	for (i = 0; i < (size_t)n * dim; i++)
		vecs[i] = frand();
	if (batch_create(dfd, "r", 0, n, dim, vecs))
		return 2;
	pid = fork();
	if (!pid) {
		char path[512];

		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/r%06u", dir, i);
			unlink(path);
		}
		_exit(0);
	}
	do {
		if (do_query(dfd, q, dim, 32, hits, &paths[0][0], 256, &nh))
			errs++;
		queries++;
	} while (waitpid(pid, &status, WNOHANG) == 0);
	result(!errs, "race: %u queries during %u unlinks, %u failed", queries, n, errs);
	result(!do_query(dfd, q, dim, 32, hits, &paths[0][0], 256, &nh) && nh == 0,
	       "race: nothing left to find afterwards (%u hits)", nh);
	i = ioctl(dfd, VEXFS_IOC_COLLECTION_STATS, &st);
	result(!i && st.info.count == 0 && st.info.slots >= n &&
	       st.free_slots == st.info.slots,
	       "race: every slot was freed (count %llu, free %llu of %llu)",
	       (unsigned long long)st.info.count, (unsigned long long)st.free_slots,
	       (unsigned long long)st.info.slots);
	free(vecs);
	free(q);
	close(dfd);
	return failures ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* adopt-race: an existing tree joins a collection while it changes    */
/* ------------------------------------------------------------------ */

#define ADOPT_DIRS	16
#define ADOPT_FILES	24

static uint32_t adopt_id;
static unsigned int adopt_seen, adopt_outside;

static int adopt_check_one(const char *path, const struct stat *st, int type,
			   struct FTW *ftw)
{
	struct vexfs_collection_info info = { .version = VEXFS_UAPI_VERSION };
	int fd;

	(void)st;
	(void)ftw;
	adopt_seen++;
	fd = open(path, (type == FTW_D ? O_DIRECTORY : 0) | O_RDONLY);
	if (fd < 0 || ioctl(fd, VEXFS_IOC_COLLECTION_INFO, &info) ||
	    info.id != adopt_id) {
		if (adopt_outside++ < 5)
			printf("    not in collection %u: %s\n", adopt_id, path);
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

/* Move and make entries at random inside @dir until killed. */
static void adopt_churn(const char *dir)
{
	char a[512], b[512];
	unsigned int n = 0;

	for (;;) {
		unsigned int d1 = xrand() % ADOPT_DIRS, d2 = xrand() % ADOPT_DIRS;
		unsigned int f = xrand() % ADOPT_FILES;
		int fd;

		switch (xrand() % 4) {
		case 0:	/* a file to another directory */
			snprintf(a, sizeof(a), "%s/d%u/f%u", dir, d1, f);
			snprintf(b, sizeof(b), "%s/d%u/f%u", dir, d2, f);
			rename(a, b);
			break;
		case 1:	/* a new file */
			snprintf(a, sizeof(a), "%s/d%u/new%u", dir, d1, n++);
			fd = open(a, O_CREAT | O_WRONLY, 0644);
			if (fd >= 0)
				close(fd);
			break;
		case 2:	/* a new directory, deeper */
			snprintf(a, sizeof(a), "%s/d%u/sub%u", dir, d1, n++);
			mkdir(a, 0755);
			break;
		default: /* a directory into another one */
			snprintf(a, sizeof(a), "%s/d%u/sub%u", dir, d1, n / 2);
			snprintf(b, sizeof(b), "%s/d%u/moved%u", dir, d2, n++);
			rename(a, b);
			break;
		}
	}
}

static int cmd_adopt_race(const char *dir)
{
	struct vexfs_collection_info info = {
		.version = VEXFS_UAPI_VERSION, .flags = VEXFS_COLLECTION_ADOPT,
		.dim = 4, .metric = VEXFS_UAPI_METRIC_L2 };
	char path[512];
	unsigned int d, f;
	int dfd, ret, e;
	pid_t pid;

	mkdir(dir, 0755);
	for (d = 0; d < ADOPT_DIRS; d++) {
		snprintf(path, sizeof(path), "%s/d%u", dir, d);
		mkdir(path, 0755);
		for (f = 0; f < ADOPT_FILES; f++) {
			snprintf(path, sizeof(path), "%s/d%u/f%u", dir, d, f);
			close(open(path, O_CREAT | O_WRONLY, 0644));
		}
	}
	dfd = opendir_fd(dir);
	pid = fork();
	if (!pid)
		adopt_churn(dir);
	usleep(20000);
	ret = ioctl(dfd, VEXFS_IOC_COLLECTION_CREATE, &info);
	e = errno;
	usleep(20000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	result(!ret, "adopt-race: create with ADOPT during renames (errno %d)",
	       ret ? e : 0);
	adopt_id = info.id;
	nftw(dir, adopt_check_one, 32, FTW_PHYS);
	result(!ret && !adopt_outside && adopt_seen > ADOPT_DIRS * ADOPT_FILES,
	       "adopt-race: all %u entries are in the collection (%u not)",
	       adopt_seen, adopt_outside);
	close(dfd);
	return failures ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* bench: kernel exact scan vs a plain float scan in userspace        */
/* ------------------------------------------------------------------ */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmd_bench(const char *dir, uint32_t n, uint32_t dim, uint64_t seed,
		     uint32_t reps)
{
	int dfd = opendir_fd(dir);
	float *vecs = malloc((size_t)n * dim * sizeof(float));
	float *q = malloc(dim * sizeof(float));
	struct vexfs_query_hit hits[10];
	uint32_t i, r, nh;
	double t0, tk, tu, best = 1e30;
	volatile float sink = 0;

	rng = seed;
	for (i = 0; i < (size_t)n * dim; i++)
		vecs[i] = frand();
	for (i = 0; i < dim; i++)
		q[i] = frand();
	t0 = now();
	if (batch_create(dfd, "b", 0, n, dim, vecs))
		return 2;
	printf("bench: import %u x %u: %.2f s (%.0f vectors/s)\n", n, dim,
	       now() - t0, n / (now() - t0));
	/*
	 * Alternate a kernel query and a plain float L2 scan with a running
	 * minimum over the same data, so both see the same machine load.
	 */
	tk = tu = 0;
	for (r = 0; r < reps; r++) {
		t0 = now();
		if (do_query(dfd, q, dim, 10, hits, NULL, 0, &nh))
			return 2;
		tk += now() - t0;
		t0 = now();
		for (i = 0; i < n; i++) {
			const float *v = vecs + (size_t)i * dim;
			float s = 0;
			uint32_t j;

			for (j = 0; j < dim; j++) {
				float d = v[j] - q[j];

				s += d * d;
			}
			if (s < best)
				best = s;
		}
		tu += now() - t0;
	}
	sink = (float)best;
	tk /= reps;
	tu /= reps;
	printf("bench: kernel exact query: %.4f s per query, %.0f vectors/s\n",
	       tk, n / tk);
	printf("bench: userspace float scan: %.4f s per scan, %.0f vectors/s\n",
	       tu, n / tu);
	printf("BENCH: n=%u dim=%u kernel_vps=%.0f user_float_vps=%.0f ratio=%.1f\n",
	       n, dim, n / tk, n / tu, tk / tu);
	(void)sink;
	close(dfd);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "abuse"))
		return cmd_abuse(argv[2], argv[3]);
	if (argc == 9 && !strcmp(argv[1], "ref"))
		return cmd_ref(argv[2], atoi(argv[3]), atoi(argv[4]),
			       atoi(argv[5]), strtoull(argv[6], NULL, 0),
			       atoi(argv[7]), atoi(argv[8]));
	if (argc == 3 && !strcmp(argv[1], "perm"))
		return cmd_perm(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "race"))
		return cmd_race(argv[2], atoi(argv[3]));
	if (argc == 7 && !strcmp(argv[1], "bench"))
		return cmd_bench(argv[2], atoi(argv[3]), atoi(argv[4]),
				 strtoull(argv[5], NULL, 0), atoi(argv[6]));
	if (argc == 3 && !strcmp(argv[1], "adopt-race"))
		return cmd_adopt_race(argv[2]);
	/* rename/link A B: exit with the errno (0 on success). */
	if (argc == 4 && !strcmp(argv[1], "rename"))
		return rename(argv[2], argv[3]) ? errno : 0;
	if (argc == 4 && !strcmp(argv[1], "link"))
		return link(argv[2], argv[3]) ? errno : 0;
	fprintf(stderr, "usage: see the head of vectest.c\n");
	return 2;
}
