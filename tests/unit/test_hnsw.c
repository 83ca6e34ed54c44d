// SPDX-License-Identifier: GPL-2.0
/*
 * test_hnsw.c - the HNSW index core (common/hnsw.c) over the in-memory
 * storage (userspace/lib/hnsw_mem.c), checked against exact search:
 *
 * - recall@10 >= 0.9 on a fixed-seed clustered data set, for L2, cosine
 *   and inner product, and every reported distance is bit-for-bit the
 *   exact integer distance (vec_distance());
 * - random interleavings of insert, delete, re-insert into a freed slot,
 *   update and compaction: deleted vectors are never returned, recall
 *   stays >= 0.9, and the graph stays well formed (every link names a
 *   record at that level; after compaction no link names a tombstone);
 * - edges: empty index, k > n, dim 1, dim 4096, bad parameters, a
 *   corrupt link (an error, not a crash), deleting everything.
 *
 * Randomized cases print their seed; HNSW_TEST_SEED=N replays one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hnsw_mem.h"

static uint64_t rng;

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double unif(void)	/* (0, 1) */
{
	return ((next() >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
	return sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());
}

static uint64_t seed_for(uint64_t dflt)
{
	const char *s = getenv("HNSW_TEST_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 0) : dflt;

	printf("# seed %llu\n", (unsigned long long)seed);
	return seed;
}

/* n vectors of dim in nc Gaussian clusters (centres N(0,1), spread sd). */
static u32 *clustered(u32 n, u32 dim, u32 nc, double sd)
{
	float *c = malloc(sizeof(float) * nc * dim);
	u32 *v = malloc(sizeof(u32) * n * dim), i, d;

	assert_non_null(c);
	assert_non_null(v);
	for (i = 0; i < nc * dim; i++)
		c[i] = (float)gauss();
	for (i = 0; i < n; i++) {
		u32 k = next() % nc;

		for (d = 0; d < dim; d++) {
			float f = c[k * dim + d] + (float)(sd * gauss());

			memcpy(&v[i * dim + d], &f, 4);
		}
	}
	free(c);
	return v;
}

/* Exact top-k of the live slots (1-based) by vec_distance, ties by slot. */
static u32 exact_topk(int metric, const u32 *vecs, u32 n, u32 dim,
		      const u8 *live, const u32 *q, u32 k,
		      struct hnsw_hit *out)
{
	u32 s, m = 0, j;

	for (s = 1; s <= n; s++) {
		struct hnsw_hit h;

		if (live && !live[s])
			continue;
		h.d = vec_distance(metric, q, vecs + (size_t)(s - 1) * dim,
				   dim);
		h.slot = s;
		if (m == k && vec_num_cmp(&h.d, &out[k - 1].d) >= 0)
			continue;
		j = m < k ? m++ : k - 1;
		while (j && (vec_num_cmp(&h.d, &out[j - 1].d) < 0)) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = h;
	}
	return m;
}

/*
 * Query @hm with @q; check the hits (live, sorted, exact distances) and
 * return how many of the exact top-k they contain.
 */
static u32 check_query_rr(struct hnsw_mem *hm, const u32 *vecs, u32 n,
			  u32 dim, const u8 *live, const u32 *q, u32 k, u32 ef,
			  u32 rerank)
{
	struct hnsw_hit got[64], want[64];
	u32 ng, nw, i, j, found = 0;

	assert_true(k <= 64);
	assert_int_equal(hnsw_mem_search(hm, q, k, ef, rerank, got, &ng), 0);
	nw = exact_topk(hm->ix.metric, vecs, n, dim, live, q, k, want);
	assert_int_equal(ng, nw);	/* as many as exist, up to k */
	for (i = 0; i < ng; i++) {
		struct vec_num d;

		assert_true(got[i].slot >= 1 && got[i].slot <= n);
		if (live)
			assert_true(live[got[i].slot]);
		d = vec_distance(hm->ix.metric, q,
				 vecs + (size_t)(got[i].slot - 1) * dim, dim);
		assert_int_equal(vec_num_cmp(&d, &got[i].d), 0);
		if (i)
			assert_true(vec_num_cmp(&got[i - 1].d, &got[i].d) <= 0);
		for (j = 0; j < i; j++)
			assert_int_not_equal(got[j].slot, got[i].slot);
		for (j = 0; j < nw; j++)
			if (want[j].slot == got[i].slot) {
				found++;
				break;
			}
	}
	return found;
}

static u32 check_query(struct hnsw_mem *hm, const u32 *vecs, u32 n, u32 dim,
		       const u8 *live, const u32 *q, u32 k, u32 ef)
{
	return check_query_rr(hm, vecs, n, dim, live, q, k, ef, 2 * k);
}

/*
 * Every record's lists name records that reach that level; with
 * @no_tombstones, none names a tombstone.  Returns the live count.
 */
static u64 check_graph(struct hnsw_mem *hm, bool no_tombstones)
{
	u32 s, lev, i;
	u64 live = 0;

	for (s = 1; s <= hm->cap; s++) {
		if (hm->info[s].level == 0xff)
			continue;
		if (!(hm->info[s].flags & HNSW_NODE_DELETED))
			live++;
		for (lev = 0; lev <= hm->info[s].level; lev++) {
			const u32 *l = lev ? hm->upper[s] + (lev - 1) *
					(hm->ix.m + 1) :
				hnsw_mem_links0(hm, s);

			assert_true(l[0] <= (lev ? hm->ix.m : hm->ix.m0));
			for (i = 1; i <= l[0]; i++) {
				u32 t = l[i];

				assert_true(t >= 1 && t <= hm->cap && t != s);
				assert_int_not_equal(hm->info[t].level, 0xff);
				assert_true(hm->info[t].level >= lev);
				if (no_tombstones && !(hm->info[s].flags &
						       HNSW_NODE_DELETED))
					assert_false(hm->info[t].flags &
						     HNSW_NODE_DELETED);
			}
		}
	}
	return live;
}

static void train_all(struct hnsw_mem *hm, const u32 *v, u32 n)
{
	u32 i;

	hnsw_train_begin(&hm->ix);
	for (i = 0; i < n; i++)
		hnsw_train_add(&hm->ix, v + (size_t)i * hm->ix.dim);
	hnsw_train_end(&hm->ix);
}

static void build(struct hnsw_mem *hm, const u32 *v, u32 n, u32 dim, u32 m,
		  u32 efc)
{
	u32 s;

	assert_int_equal(hnsw_mem_create(hm, dim, m, efc, 42, n, v, 256), 0);
	train_all(hm, v, n);
	for (s = 1; s <= n; s++)
		assert_int_equal(hnsw_mem_insert(hm, s), 0);
	assert_int_equal(hm->ix.live, n);
}

static void recall_clustered(void **state)
{
	const u32 n = 4000, dim = 32, nq = 100, k = 10;
	struct hnsw_mem hm;
	u32 *v, *q, i, found = 0;

	(void)state;
	rng = seed_for(1);
	v = clustered(n, dim, 40, 0.3);
	q = clustered(nq, dim, 40, 0.3);
	build(&hm, v, n, dim, 16, 100);
	assert_int_equal(check_graph(&hm, true), n);
	for (i = 0; i < nq; i++)
		found += check_query(&hm, v, n, dim, NULL, q + i * dim, k, 64);
	printf("# recall@10 %.4f (%llu quantized, %llu exact distances)\n",
	       (double)found / (nq * k), (unsigned long long)hm.ix.n_dist,
	       (unsigned long long)hm.ix.n_exact);
	assert_true(found >= 0.9 * nq * k);
	assert_int_equal(hm.ix.n_budget, 0);
	hnsw_mem_destroy(&hm);
	free(v);
	free(q);
}

static void interleavings(void **state)
{
	const u32 n = 800, dim = 16, k = 10;
	struct hnsw_mem hm;
	u32 *v, *alt, i, round, found = 0, asked = 0;
	u8 *live = calloc(n + 1, 1);

	(void)state;
	rng = seed_for(2);
	v = clustered(n, dim, 10, 0.4);
	alt = clustered(n, dim, 10, 0.4);	/* replacement vectors */
	assert_non_null(live);
	assert_int_equal(hnsw_mem_create(&hm, dim, 8, 64, 7, n, v, 256), 0);
	train_all(&hm, v, n);
	for (round = 0; round < 40; round++) {
		for (i = 0; i < 60; i++) {
			u32 s = 1 + next() % n, r = next() % 10;

			if (!live[s] || r < 2) {
				if (live[s] && r == 0) {
					/* update: a new vector in place */
					memcpy(v + (s - 1) * dim,
					       alt + (s - 1) * dim,
					       dim * sizeof(u32));
				}
				assert_int_equal(hnsw_mem_insert(&hm, s), 0);
				live[s] = 1;
			} else {
				assert_int_equal(hnsw_mem_delete(&hm, s), 0);
				assert_int_equal(hnsw_mem_delete(&hm, s),
						 -ENOENT);
				live[s] = 0;
			}
		}
		if (round % 10 == 9) {
			assert_int_equal(hnsw_compact(&hm.ix, n, hm.scratch), 0);
			assert_int_equal(hm.ix.deleted, 0);
			assert_int_equal(check_graph(&hm, true), hm.ix.live);
		} else {
			assert_int_equal(check_graph(&hm, false), hm.ix.live);
		}
		for (i = 0; i < 10; i++) {
			u32 qi = next() % n;

			found += check_query(&hm, v, n, dim, live,
					     alt + qi * dim, k, 128);
			asked += k;
		}
	}
	printf("# interleaved recall@10 %.4f, %llu live\n",
	       (double)found / asked, (unsigned long long)hm.ix.live);
	assert_true(found >= 0.9 * asked);
	hnsw_mem_destroy(&hm);
	free(v);
	free(alt);
	free(live);
}

static void delete_everything(void **state)
{
	const u32 n = 50, dim = 8;
	struct hnsw_mem hm;
	struct hnsw_hit h[10];
	u32 *v, s, nh;
	u8 live[51] = { 0 };

	(void)state;
	rng = 3;
	v = clustered(n, dim, 3, 0.5);
	build(&hm, v, n, dim, 4, 32);
	for (s = 1; s <= n; s++)
		assert_int_equal(hnsw_mem_delete(&hm, s), 0);
	assert_int_equal(hm.ix.live, 0);
	assert_int_equal(hm.ix.entry, HNSW_NONE);
	assert_int_equal(hnsw_mem_search(&hm, v, 10, 32, 10, h, &nh), 0);
	assert_int_equal(nh, 0);
	/* back from nothing, reusing the tombstones' slots */
	for (s = 1; s <= n; s += 2) {
		assert_int_equal(hnsw_mem_insert(&hm, s), 0);
		live[s] = 1;
	}
	assert_int_equal(hm.ix.live, 25);
	assert_int_equal(hm.ix.deleted, 25);
	for (s = 0; s < n; s++)
		assert_int_equal(check_query(&hm, v, n, dim, live, v + s * dim,
					     10, 64), 10);
	assert_int_equal(hnsw_compact(&hm.ix, n, hm.scratch), 0);
	assert_int_equal(check_graph(&hm, true), 25);
	hnsw_mem_destroy(&hm);
	free(v);
}

static void empty_index(void **state)
{
	struct hnsw_mem hm;
	struct hnsw_hit h[4];
	u32 q[4] = { 0 }, nh = 99;

	(void)state;
	assert_int_equal(hnsw_mem_create(&hm, 4, 16, 100, 1, 10, q, 64), 0);
	/* untrained */
	assert_int_equal(hnsw_mem_search(&hm, q, 4, 16, 4, h, &nh), 0);
	assert_int_equal(nh, 0);
	assert_int_equal(hnsw_mem_insert(&hm, 1), -EINVAL);
	hnsw_train_begin(&hm.ix);
	hnsw_train_end(&hm.ix);		/* no sample at all */
	nh = 99;
	assert_int_equal(hnsw_mem_search(&hm, q, 4, 16, 4, h, &nh), 0);
	assert_int_equal(nh, 0);
	assert_int_equal(hnsw_mem_delete(&hm, 3), -ENOENT);
	assert_int_equal(hnsw_mem_delete(&hm, 11), -EINVAL);
	hnsw_mem_destroy(&hm);
}

static void k_above_n(void **state)
{
	const u32 n = 5, dim = 8;
	struct hnsw_mem hm;
	u32 *v, i;

	(void)state;
	rng = 4;
	v = clustered(n, dim, 2, 0.5);
	build(&hm, v, n, dim, 16, 100);
	for (i = 0; i < n; i++)
		assert_int_equal(check_query(&hm, v, n, dim, NULL, v + i * dim,
					     10, 16), n);
	hnsw_mem_destroy(&hm);
	free(v);
}

static void dim_one(void **state)
{
	const u32 n = 300, dim = 1, nq = 50, k = 10;
	struct hnsw_mem hm;
	u32 *v, *q, i, found = 0;

	(void)state;
	rng = 5;
	v = clustered(n, dim, 5, 0.5);
	q = clustered(nq, dim, 5, 0.5);
	build(&hm, v, n, dim, 8, 64);
	for (i = 0; i < nq; i++)
		found += check_query(&hm, v, n, dim, NULL, q + i, k, 64);
	printf("# dim 1 recall@10 %.4f\n", (double)found / (nq * k));
	assert_true(found >= 0.9 * nq * k);
	hnsw_mem_destroy(&hm);
	free(v);
	free(q);
}

static void dim_4096(void **state)
{
	const u32 n = 64, dim = 4096, k = 5;
	struct hnsw_mem hm;
	u32 *v, *q, i, found = 0;

	(void)state;
	rng = 6;
	v = clustered(n, dim, 4, 0.2);
	q = clustered(8, dim, 4, 0.2);
	build(&hm, v, n, dim, 16, 64);
	for (i = 0; i < 8; i++)
		found += check_query_rr(&hm, v, n, dim, NULL, q + i * dim, k,
					64, 64);
	/* ef >= n and every candidate reranked: exhaustive, so exact */
	assert_int_equal(found, 8 * k);
	hnsw_mem_destroy(&hm);
	free(v);
	free(q);
}

/* Scale each vector by its own factor in [0.25, 4): norms then vary. */
static void scale_each(u32 *v, u32 n, u32 dim)
{
	u32 i, d;

	for (i = 0; i < n; i++) {
		float f = (float)(0.25 * pow(16.0, unif())), x;

		for (d = 0; d < dim; d++) {
			memcpy(&x, &v[i * dim + d], 4);
			x *= f;
			memcpy(&v[i * dim + d], &x, 4);
		}
	}
}

/*
 * Cosine and inner product: recall@10 >= 0.9 against the exact search of
 * the same metric, and every reported distance is vec_distance()'s, bit
 * for bit (check_query).  The vectors have norms spread over 16x, so
 * ranking by L2 instead would not pass.
 */
static void recall_metric(int metric, u32 ef)
{
	const u32 n = 4000, dim = 32, nq = 100, k = 10;
	struct hnsw_mem hm;
	u32 *v, *q, i, s, found = 0;

	v = clustered(n, dim, 40, 0.3);
	q = clustered(nq, dim, 40, 0.3);
	scale_each(v, n, dim);
	scale_each(q, nq, dim);
	assert_int_equal(hnsw_mem_create_metric(&hm, dim, metric, 16, 100, 42,
						n, v, 256), 0);
	train_all(&hm, v, n);
	for (s = 1; s <= n; s++)
		assert_int_equal(hnsw_mem_insert(&hm, s), 0);
	assert_int_equal(check_graph(&hm, true), n);
	for (i = 0; i < nq; i++)
		found += check_query(&hm, v, n, dim, NULL, q + i * dim, k, ef);
	printf("# %s recall@10 %.4f at ef %u (%llu saturated code bytes)\n",
	       metric == VEC_METRIC_IP ? "ip" : "cosine",
	       (double)found / (nq * k), ef,
	       (unsigned long long)hm.ix.n_saturated);
	assert_true(found >= 0.9 * nq * k);
	/* deletes, then queries again: never a deleted slot, still exact */
	{
		u8 *live = malloc(n + 1);

		assert_non_null(live);
		memset(live, 1, n + 1);
		for (s = 1; s <= n; s += 3) {
			assert_int_equal(hnsw_mem_delete(&hm, s), 0);
			live[s] = 0;
		}
		found = 0;
		for (i = 0; i < nq; i++)
			found += check_query(&hm, v, n, dim, live, q + i * dim,
					     k, ef);
		printf("# after deleting a third: recall@10 %.4f\n",
		       (double)found / (nq * k));
		assert_true(found >= 0.9 * nq * k);
		free(live);
	}
	hnsw_mem_destroy(&hm);
	free(v);
	free(q);
}

static void recall_cosine(void **state)
{
	(void)state;
	rng = seed_for(3);
	recall_metric(VEC_METRIC_COSINE, 64);
}

static void recall_inner_product(void **state)
{
	(void)state;
	rng = seed_for(4);
	recall_metric(VEC_METRIC_IP, 64);
}

/*
 * Zero vectors: cosine defines their distance as 1, IP as 0.  An index
 * holding some, queried with one, answers with exact distances.
 */
static void zero_vectors(void **state)
{
	const u32 n = 300, dim = 16;
	int metrics[3] = { VEC_METRIC_L2, VEC_METRIC_COSINE, VEC_METRIC_IP };
	u32 *v, zero[16] = { 0 }, s, i;
	struct hnsw_mem hm;

	(void)state;
	rng = 5;
	for (i = 0; i < 3; i++) {
		v = clustered(n, dim, 4, 0.5);
		for (s = 0; s < n; s += 10)
			memset(v + s * dim, 0, dim * sizeof(u32));
		assert_int_equal(hnsw_mem_create_metric(&hm, dim, metrics[i],
							8, 64, 1, n, v, 64), 0);
		train_all(&hm, v, n);
		for (s = 1; s <= n; s++)
			assert_int_equal(hnsw_mem_insert(&hm, s), 0);
		check_query(&hm, v, n, dim, NULL, zero, 10, 64);
		check_query(&hm, v, n, dim, NULL, v + 5 * dim, 10, 64);
		hnsw_mem_destroy(&hm);
		free(v);
	}
}

static void bad_parameters(void **state)
{
	struct hnsw_index ix;
	struct hnsw_mem hm;
	struct hnsw_hit h[2];
	s64 lo[4];
	u32 q[4] = { 0 }, nh;

	(void)state;
	assert_int_equal(hnsw_init(&ix, 0, VEC_METRIC_L2, 16, 100, 0, lo,
				   NULL, NULL), -EINVAL);
	assert_int_equal(hnsw_init(&ix, HNSW_MAX_DIM + 1, VEC_METRIC_L2, 16,
				   100, 0, lo, NULL, NULL), -EINVAL);
	assert_int_equal(hnsw_init(&ix, 4, VEC_METRIC_L2, 1, 100, 0, lo,
				   NULL, NULL), -EINVAL);
	assert_int_equal(hnsw_init(&ix, 4, VEC_METRIC_L2, 65, 100, 0, lo,
				   NULL, NULL), -EINVAL);
	assert_int_equal(hnsw_init(&ix, 4, VEC_METRIC_L2, 16, 0, 0, lo,
				   NULL, NULL), -EINVAL);
	assert_int_equal(hnsw_init(&ix, 4, 0, 16, 100, 0, lo, NULL, NULL),
			 -EOPNOTSUPP);
	assert_int_equal(hnsw_init(&ix, 4, VEC_METRIC_IP + 1, 16, 100, 0, lo,
				   NULL, NULL), -EOPNOTSUPP);
	assert_int_equal(hnsw_mem_create(&hm, 4, 16, 100, 1, 2, q, 64), 0);
	assert_int_equal(hnsw_search(&hm.ix, q, 0, 16, 0, h, &nh,
				     hm.scratch), -EINVAL);
	assert_int_equal(hnsw_search(&hm.ix, q, 2, HNSW_MAX_EF + 1, 0, h, &nh,
				     hm.scratch), -EINVAL);
	assert_int_equal(hnsw_mem_insert(&hm, 0), -EINVAL);
	/* wider than the scratch was sized for (ef_max 64) */
	assert_int_equal(hnsw_mem_search(&hm, q, 2, 65, 0, h, &nh), -EINVAL);
	assert_int_equal(hnsw_mem_search(&hm, q, 65, 16, 0, h, &nh), -EINVAL);
	hnsw_mem_destroy(&hm);
}

static void corrupt_link(void **state)
{
	const u32 n = 200, dim = 8;
	struct hnsw_mem hm;
	struct hnsw_hit h[10];
	u32 *v, s, nh, *l;

	(void)state;
	rng = 7;
	v = clustered(n, dim, 3, 0.5);
	build(&hm, v, n, dim, 4, 32);
	/* every level-0 list names a slot beyond the store */
	for (s = 1; s <= n; s++) {
		l = hnsw_mem_links0(&hm, s);
		if (l[0])
			l[1] = n + 7;
	}
	assert_int_equal(hnsw_mem_search(&hm, v, 10, 64, 10, h, &nh),
			 -EFSCORRUPTED);
	/* a count above the list's capacity */
	l = hnsw_mem_links0(&hm, hm.ix.entry);
	l[0] = hm.ix.m0 + 1;
	assert_int_equal(hnsw_mem_search(&hm, v, 10, 64, 10, h, &nh),
			 -EFSCORRUPTED);
	hnsw_mem_destroy(&hm);
	free(v);
}

static void levels_are_geometric_and_stable(void **state)
{
	struct hnsw_index a, b;
	s64 lo[1];
	u32 s, above = 0;

	(void)state;
	assert_int_equal(hnsw_init(&a, 1, VEC_METRIC_L2, 16, 10, 99, lo, NULL,
				   NULL), 0);
	assert_int_equal(hnsw_init(&b, 1, VEC_METRIC_L2, 16, 10, 99, lo, NULL,
				   NULL), 0);
	for (s = 1; s <= 160000; s++) {
		u32 l = hnsw_level_of(&a, s);

		assert_int_equal(l, hnsw_level_of(&b, s));
		assert_true(l <= HNSW_MAX_LEVEL);
		above += l > 0;
	}
	/* P(level >= 1) = 1/16: 10000 expected, sd ~ 97 */
	assert_in_range(above, 9500, 10500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(recall_clustered),
		cmocka_unit_test(recall_cosine),
		cmocka_unit_test(recall_inner_product),
		cmocka_unit_test(zero_vectors),
		cmocka_unit_test(interleavings),
		cmocka_unit_test(delete_everything),
		cmocka_unit_test(empty_index),
		cmocka_unit_test(k_above_n),
		cmocka_unit_test(dim_one),
		cmocka_unit_test(dim_4096),
		cmocka_unit_test(bad_parameters),
		cmocka_unit_test(corrupt_link),
		cmocka_unit_test(levels_are_geometric_and_stable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
