// SPDX-License-Identifier: GPL-2.0
/*
 * anntest.c - the guest side of the ANN index suite (tests/ann).
 *
 *   anntest load DIR FIRST N DIM SEED    files fFIRST..f(FIRST+N-1) with
 *                                        clustered-Gaussian embeddings
 *   anntest wait DIR                     wait for a build; print the state
 *   anntest ctl DIR rebuild|compact      VEXFS_IOC_INDEX_CTL
 *   anntest state DIR                    print state live deleted bytes
 *   anntest expect DIR STATE             fail unless the state is STATE
 *   anntest recall DIR K EF NQ SEED MIN  recall@K of the index against the
 *                                        exact search, over NQ queries
 *                                        from the clusters of data SEED;
 *                                        fails below MIN, or if a hit's
 *                                        distance is not exact
 *   anntest churn DIR N DIM SEED ROUNDS  (SEED: the data's, as for recall)
 *                                        inserts, updates, removals and
 *                                        unlinks interleaved with queries,
 *                                        each checked against exact search
 *   anntest concurrent DIR N DIM SEED    queries in a child while the
 *                                        parent inserts N vectors
 *   anntest speed DIR NQ EF SEED         queries per second, by the index
 *                                        and exactly (informational)
 *   anntest census DIR                   every file with an embedding is
 *                                        counted once by the collection
 *                                        and, once ready, by the index
 *   anntest verify DIR FIRST N DIM SEED [partial|cut]
 *                                        files fFIRST..f(FIRST+N-1) hold
 *                                        exactly the embeddings `load`
 *                                        with the same arguments gave;
 *                                        with "partial" (an import cut
 *                                        short) a file may also be missing
 *                                        or have no embedding, but never a
 *                                        wrong one; "cut" is "partial"
 *                                        that also fails if every file
 *                                        is there as imported (the
 *                                        import was not cut short)
 *
 * With ANNTEST_PROGRESS=FILE in the environment, load rewrites FILE with
 * the number of vectors it has stored after each batch of 256.
 *
 * Data: C = 16 cluster centres uniform in [-1, 1]^dim, points at a centre
 * plus N(0, 0.15^2) per element, from a seeded xorshift generator, so the
 * same SEED gives the same vectors on every run and kernel.
 *
 * Copyright (C) 2026 The VexFS developers
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vexfs_uapi.h"

#define NCLUSTER	16
#define MAXK		64

static const char *state_names[] = {
	"none", "ready", "building", "stale", "failed", "unsupported"
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double unif(void)
{
	return (rnd() >> 11) * (1.0 / 9007199254740992.0);
}

static double gauss(void)
{
	double u = unif(), v = unif();

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static float *centres;

static void seed_data(uint64_t seed, uint32_t dim)
{
	uint32_t i;

	rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;
	free(centres);
	centres = malloc(sizeof(float) * NCLUSTER * dim);
	for (i = 0; i < NCLUSTER * dim; i++)
		centres[i] = (float)(unif() * 2 - 1);
}

static void point(float *v, uint32_t dim)
{
	const float *c = centres + (rnd() % NCLUSTER) * dim;
	uint32_t d;

	for (d = 0; d < dim; d++)
		v[d] = c[d] + (float)(0.15 * gauss());
}

static void die(const char *what)
{
	fprintf(stderr, "anntest: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int open_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		die(dir);
	return fd;
}

static void stats(int fd, struct vexfs_collection_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->version = VEXFS_UAPI_VERSION;
	if (ioctl(fd, VEXFS_IOC_COLLECTION_STATS, st))
		die("stats");
}

static uint32_t ctl(int fd, uint32_t op)
{
	struct vexfs_index_ctl c = { .version = VEXFS_UAPI_VERSION, .op = op };

	if (ioctl(fd, VEXFS_IOC_INDEX_CTL, &c))
		die("index ctl");
	return c.state;
}

/* Tell ANNTEST_PROGRESS's file how many vectors load() has stored. */
static void progress(uint32_t done)
{
	const char *path = getenv("ANNTEST_PROGRESS");
	char buf[16];
	int fd, len;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(path);
	len = snprintf(buf, sizeof(buf), "%u\n", done);
	if (write(fd, buf, len) != len)
		die(path);
	close(fd);
}

/* Set the embeddings of fFIRST.. (created as needed), 256 per call. */
static void load(int fd, uint32_t first, uint32_t n, uint32_t dim)
{
	struct vexfs_batch_item items[256];
	char names[256][16];
	float *vecs = malloc(sizeof(float) * 256 * dim);
	uint32_t done = 0, i;

	progress(0);

	while (done < n) {
		struct vexfs_batch b = { .version = VEXFS_UAPI_VERSION };
		uint32_t cnt = n - done > 256 ? 256 : n - done;

		for (i = 0; i < cnt; i++) {
			snprintf(names[i], sizeof(names[i]), "f%u", first + done + i);
			items[i].name = (uintptr_t)names[i];
			items[i].name_len = strlen(names[i]);
			items[i].result = 0;
			point(vecs + (size_t)i * dim, dim);
		}
		b.flags = VEXFS_BATCH_CREATE;
		b.count = cnt;
		b.dim = dim;
		b.mode = 0644;
		b.items = (uintptr_t)items;
		b.vectors = (uintptr_t)vecs;
		if (ioctl(fd, VEXFS_IOC_BATCH_SET, &b))
			die("batch set");
		for (i = 0; i < cnt; i++)
			if (items[i].result) {
				errno = -items[i].result;
				die(names[i]);
			}
		done += cnt;
		progress(done);
	}
	free(vecs);
}

static int query(int fd, const float *v, uint32_t dim, uint32_t k,
		 uint32_t ef, int exact, struct vexfs_query_hit *hits,
		 uint32_t *method)
{
	struct vexfs_query q = { .version = VEXFS_UAPI_VERSION };

	q.flags = exact ? VEXFS_QUERY_EXACT : 0;
	q.k = k;
	q.dim = dim;
	q.ef = exact ? 0 : ef;
	q.vector = (uintptr_t)v;
	q.hits = (uintptr_t)hits;
	if (ioctl(fd, VEXFS_IOC_QUERY, &q))
		die("query");
	if (method)
		*method = q.method;
	return (int)q.nhits;
}

static double hit_dist(const struct vexfs_query_hit *h)
{
	double d;

	memcpy(&d, &h->distance_f64, sizeof(d));
	return d;
}

/*
 * Compare one index answer with the exact one: the count of shared
 * inodes, and 0 if every index hit's distance is exact (equal to the
 * exact answer's for shared inodes, never below the exact k-th), else -1.
 */
static int compare(const struct vexfs_query_hit *ix, int nix,
		   const struct vexfs_query_hit *ex, int nex, int *shared)
{
	int i, j, bad = 0;

	*shared = 0;
	for (i = 0; i < nix; i++) {
		if (i && hit_dist(&ix[i]) < hit_dist(&ix[i - 1]))
			bad = 1;	/* not nearest first */
		for (j = 0; j < nex; j++)
			if (ix[i].ino == ex[j].ino) {
				(*shared)++;
				if (ix[i].distance_f64 != ex[j].distance_f64)
					bad = 1;
				break;
			}
		if (j == nex && nex && hit_dist(&ix[i]) < hit_dist(&ex[nex - 1]))
			bad = 1;	/* nearer than the exact k-th: impossible */
	}
	return bad ? -1 : 0;
}

static int cmd_recall(const char *dir, uint32_t k, uint32_t ef, uint32_t nq,
		      uint64_t seed, double min)
{
	struct vexfs_query_hit ix[MAXK], ex[MAXK];
	struct vexfs_collection_stats st;
	uint32_t i, dim, method, via_index = 0;
	long shared_total = 0, want = 0;
	int fd = open_dir(dir), bad = 0;
	float *v;

	stats(fd, &st);
	dim = st.info.dim;
	v = malloc(sizeof(float) * dim);
	seed_data(seed, dim);
	rng_state ^= 0x5555;		/* queries: other points, same clusters */
	for (i = 0; i < nq; i++) {
		int nix, nex, shared;

		point(v, dim);
		nex = query(fd, v, dim, k, 0, 1, ex, NULL);
		nix = query(fd, v, dim, k, ef, 0, ix, &method);
		if (method == VEXFS_QUERY_METHOD_INDEX)
			via_index++;
		if (nix != nex || compare(ix, nix, ex, nex, &shared)) {
			fprintf(stderr, "anntest: query %u: %d hits vs %d exact, or a distance is not exact\n",
				i, nix, nex);
			bad = 1;
		}
		shared_total += shared;
		want += nex;
	}
	printf("recall@%u ef=%u: %.4f over %u queries (%u by the index)\n", k,
	       ef, want ? (double)shared_total / want : 1.0, nq, via_index);
	if (via_index != nq) {
		fprintf(stderr, "anntest: %u queries were not answered by the index\n",
			nq - via_index);
		bad = 1;
	}
	if (want && (double)shared_total / want < min) {
		fprintf(stderr, "anntest: recall below %.2f\n", min);
		bad = 1;
	}
	return bad;
}

static int file_exists(int fd, uint32_t i)
{
	char name[16];
	struct stat st;

	snprintf(name, sizeof(name), "f%u", i);
	return !fstatat(fd, name, &st, 0);
}

static int set_one(int fd, uint32_t i, uint32_t dim, const float *v)
{
	struct vexfs_embedding e = { .version = VEXFS_UAPI_VERSION };
	char name[16];
	int f, r;

	snprintf(name, sizeof(name), "f%u", i);
	f = openat(fd, name, O_RDWR | O_CREAT, 0644);
	if (f < 0)
		die(name);
	e.dim = dim;
	e.vector = (uintptr_t)v;
	r = ioctl(f, VEXFS_IOC_EMBEDDING_SET, &e);
	close(f);
	return r;
}

static int cmd_churn(const char *dir, uint32_t n, uint32_t dim, uint64_t seed,
		     uint32_t rounds)
{
	struct vexfs_query_hit ix[MAXK], ex[MAXK];
	int fd = open_dir(dir), bad = 0;
	long shared_total = 0, want = 0;
	uint32_t r, j, method, next = n, ops[4] = { 0 };
	float *v = malloc(sizeof(float) * dim);

	seed_data(seed, dim);
	rng_state ^= 0xaaaa;
	for (r = 0; r < rounds; r++) {
		for (j = 0; j < 8; j++) {
			uint32_t i = rnd() % next, op = rnd() % 4;
			char name[16];

			snprintf(name, sizeof(name), "f%u", i);
			switch (op) {
			case 0:		/* a new file */
				point(v, dim);
				if (set_one(fd, next++, dim, v))
					die("set new");
				break;
			case 1:		/* a new embedding for an old one */
				if (!file_exists(fd, i))
					continue;
				point(v, dim);
				if (set_one(fd, i, dim, v))
					die("update");
				break;
			case 2: {	/* remove an embedding */
				struct vexfs_embedding e = {
					.version = VEXFS_UAPI_VERSION };
				int f = openat(fd, name, O_RDWR);

				if (f < 0)
					continue;
				if (ioctl(f, VEXFS_IOC_EMBEDDING_REMOVE, &e) &&
				    errno != ENODATA)
					die("remove");
				close(f);
				break;
			}
			default:	/* unlink the file */
				if (unlinkat(fd, name, 0) && errno != ENOENT)
					die("unlink");
				break;
			}
			ops[op]++;
		}
		for (j = 0; j < 2; j++) {
			int nix, nex, shared;

			point(v, dim);
			nex = query(fd, v, dim, 10, 0, 1, ex, NULL);
			nix = query(fd, v, dim, 10, 64, 0, ix, &method);
			if (nix != nex || compare(ix, nix, ex, nex, &shared)) {
				fprintf(stderr, "anntest: churn round %u: bad answer (%d vs %d hits)\n",
					r, nix, nex);
				bad = 1;
			}
			if (method != VEXFS_QUERY_METHOD_INDEX) {
				fprintf(stderr, "anntest: churn round %u: not answered by the index\n",
					r);
				bad = 1;
			}
			shared_total += shared;
			want += nex;
		}
	}
	printf("churn: %u rounds, %u inserts %u updates %u removals %u unlinks, recall@10 %.4f\n",
	       rounds, ops[0], ops[1], ops[2], ops[3],
	       want ? (double)shared_total / want : 1.0);
	if (want && (double)shared_total / want < 0.9)
		bad = 1;
	return bad;
}

static int cmd_concurrent(const char *dir, uint32_t n, uint32_t dim,
			  uint64_t seed)
{
	int fd = open_dir(dir), status, bad = 0;
	pid_t pid;

	seed_data(seed, dim);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		struct vexfs_query_hit hits[MAXK];
		float *v = malloc(sizeof(float) * dim);
		uint32_t q = 0, method, by_index = 0;
		int r;

		rng_state ^= 0x1234;
		for (;;) {
			point(v, dim);
			r = query(fd, v, dim, 10, 32, 0, hits, &method);
			if (r != 10)
				_exit(2);
			q++;
			by_index += method == VEXFS_QUERY_METHOD_INDEX;
			if (!access("/tmp/anntest.stop", F_OK))
				break;
		}
		printf("concurrent: %u queries during the inserts, %u by the index\n",
		       q, by_index);
		_exit(by_index ? 0 : 3);
	}
	load(fd, 100000, n, dim);
	close(open("/tmp/anntest.stop", O_CREAT | O_WRONLY, 0644));
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	unlink("/tmp/anntest.stop");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "anntest: the querying child failed (status %d)\n",
			status);
		bad = 1;
	}
	return bad;
}

static int cmd_census(const char *dir)
{
	struct vexfs_collection_stats st;
	int fd = open_dir(dir), bad = 0;
	DIR *d = fdopendir(dup(fd));
	struct dirent *de;
	uint64_t with = 0, without = 0;
	float *v;

	stats(fd, &st);
	v = malloc(sizeof(float) * st.info.dim);
	if (!d)
		die("opendir");
	while ((de = readdir(d))) {
		struct vexfs_embedding e = { .version = VEXFS_UAPI_VERSION };
		int f;

		if (de->d_name[0] != 'f')
			continue;
		f = openat(fd, de->d_name, O_RDONLY);
		if (f < 0)
			die(de->d_name);
		e.dim = st.info.dim;
		e.vector = (uintptr_t)v;
		if (!ioctl(f, VEXFS_IOC_EMBEDDING_GET, &e))
			with++;
		else if (errno == ENODATA)
			without++;
		else
			die("embedding get");
		close(f);
	}
	closedir(d);
	ctl(fd, VEXFS_INDEX_OP_WAIT);
	stats(fd, &st);
	printf("census: %llu files with an embedding, %llu without; count %llu, index %s with %llu live\n",
	       (unsigned long long)with, (unsigned long long)without,
	       (unsigned long long)st.info.count,
	       state_names[st.info.index_state % 6],
	       (unsigned long long)st.index_live);
	if (st.info.count != with)
		bad = 1;
	if (st.info.index_state == VEXFS_INDEX_READY && st.index_live != with)
		bad = 1;
	return bad;
}

/* The generator `load DIR FIRST N DIM SEED` starts from. */
static void seed_load(uint64_t seed, uint32_t dim, uint32_t first)
{
	seed_data(seed, dim);
	/* Another FIRST, other points from the same clusters. */
	rng_state ^= first * 0x2545f4914f6cdd1dULL;
	rng_state |= 1;
}

/* @partial: 0 all must be there, 1 some may be missing, 2 some must be */
static int cmd_verify(const char *dir, uint32_t first, uint32_t n,
		      uint32_t dim, uint64_t seed, int partial)
{
	float *want = malloc(sizeof(float) * dim);
	float *got = malloc(sizeof(float) * (dim + 1));
	uint32_t i, good = 0, absent = 0, bare = 0, wrong = 0;
	int fd = open_dir(dir);

	if (!want || !got)
		die("malloc");
	seed_load(seed, dim, first);
	for (i = 0; i < n; i++) {
		struct vexfs_embedding e = { .version = VEXFS_UAPI_VERSION };
		char name[16];
		int f;

		point(want, dim);
		snprintf(name, sizeof(name), "f%u", first + i);
		f = openat(fd, name, O_RDONLY);
		if (f < 0) {
			if (errno != ENOENT)
				die(name);
			absent++;
			if (!partial)
				fprintf(stderr, "anntest: %s is missing\n", name);
			continue;
		}
		e.dim = dim;
		e.vector = (uintptr_t)got;
		if (ioctl(f, VEXFS_IOC_EMBEDDING_GET, &e)) {
			if (errno != ENODATA)
				die(name);
			bare++;
			if (!partial)
				fprintf(stderr, "anntest: %s has no embedding\n",
					name);
		} else if (e.dim != dim || memcmp(got, want, sizeof(float) * dim)) {
			wrong++;
			fprintf(stderr, "anntest: %s: embedding (dim %u) is not the one imported\n",
				name, e.dim);
		} else {
			good++;
		}
		close(f);
	}
	printf("verify f%u..f%u: %u as imported, %u missing, %u without an embedding, %u wrong\n",
	       first, first + n - 1, good, absent, bare, wrong);
	free(want);
	free(got);
	if (partial == 2 && good == n)
		fprintf(stderr, "anntest: every file is there: the import was not cut short\n");
	return wrong || (!partial && good != n) || (partial == 2 && good == n);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmd_speed(const char *dir, uint32_t nq, uint32_t ef, uint64_t seed)
{
	struct vexfs_query_hit hits[MAXK];
	struct vexfs_collection_stats st;
	int fd = open_dir(dir), exact;
	uint32_t i, dim, method = 0;
	float *v;

	stats(fd, &st);
	dim = st.info.dim;
	v = malloc(sizeof(float) * dim * nq);
	seed_data(seed, dim);
	rng_state ^= 0x77;
	for (i = 0; i < nq; i++)
		point(v + (size_t)i * dim, dim);
	for (exact = 0; exact < 2; exact++) {
		uint32_t n = exact ? (nq + 9) / 10 : nq;
		double t0 = now();

		for (i = 0; i < n; i++)
			query(fd, v + (size_t)i * dim, dim, 10, ef, exact, hits,
			      &method);
		printf("%s: %.1f queries/s (%u queries, method %u)\n",
		       exact ? "exact" : "index", n / (now() - t0), n, method);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct vexfs_collection_stats st;
	int fd;

	if (argc < 3)
		goto usage;
	if (!strcmp(argv[1], "load") && argc == 7) {
		fd = open_dir(argv[2]);
		seed_load(strtoull(argv[6], NULL, 0), atoi(argv[5]),
			  strtoul(argv[3], NULL, 0));
		load(fd, strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0),
		     atoi(argv[5]));
		return 0;
	}
	if (!strcmp(argv[1], "wait") && argc == 3) {
		printf("%s\n", state_names[ctl(open_dir(argv[2]),
					       VEXFS_INDEX_OP_WAIT) % 6]);
		return 0;
	}
	if (!strcmp(argv[1], "ctl") && argc == 4) {
		uint32_t op = !strcmp(argv[3], "rebuild") ? VEXFS_INDEX_OP_REBUILD :
			      !strcmp(argv[3], "compact") ? VEXFS_INDEX_OP_COMPACT : 0;

		if (!op)
			goto usage;
		printf("%s\n", state_names[ctl(open_dir(argv[2]), op) % 6]);
		return 0;
	}
	if ((!strcmp(argv[1], "state") && argc == 3) ||
	    (!strcmp(argv[1], "expect") && argc == 4)) {
		stats(open_dir(argv[2]), &st);
		printf("%s live %llu deleted %llu bytes %llu count %llu\n",
		       state_names[st.info.index_state % 6],
		       (unsigned long long)st.index_live,
		       (unsigned long long)st.index_deleted,
		       (unsigned long long)st.index_bytes,
		       (unsigned long long)st.info.count);
		return argc == 4 &&
		       strcmp(argv[3], state_names[st.info.index_state % 6]);
	}
	if (!strcmp(argv[1], "recall") && argc == 8)
		return cmd_recall(argv[2], atoi(argv[3]), atoi(argv[4]),
				  atoi(argv[5]), strtoull(argv[6], NULL, 0),
				  atof(argv[7]));
	if (!strcmp(argv[1], "churn") && argc == 7)
		return cmd_churn(argv[2], atoi(argv[3]), atoi(argv[4]),
				 strtoull(argv[5], NULL, 0), atoi(argv[6]));
	if (!strcmp(argv[1], "concurrent") && argc == 6)
		return cmd_concurrent(argv[2], atoi(argv[3]), atoi(argv[4]),
				      strtoull(argv[5], NULL, 0));
	if (!strcmp(argv[1], "speed") && argc == 6)
		return cmd_speed(argv[2], atoi(argv[3]), atoi(argv[4]),
				 strtoull(argv[5], NULL, 0));
	if (!strcmp(argv[1], "census") && argc == 3)
		return cmd_census(argv[2]);
	if (!strcmp(argv[1], "verify") &&
	    (argc == 7 || (argc == 8 && (!strcmp(argv[7], "partial") ||
					 !strcmp(argv[7], "cut")))))
		return cmd_verify(argv[2], strtoul(argv[3], NULL, 0),
				  strtoul(argv[4], NULL, 0), atoi(argv[5]),
				  strtoull(argv[6], NULL, 0),
				  argc == 7 ? 0 : !strcmp(argv[7], "partial") ? 1 : 2);
usage:
	fprintf(stderr, "usage: see the comment at the top of anntest.c\n");
	return 2;
}
