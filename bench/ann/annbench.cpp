// SPDX-License-Identifier: GPL-2.0
/*
 * annbench.cpp - recall@10 against queries per second, single-threaded,
 * for the VexFS HNSW core (common/hnsw.c over userspace/lib/hnsw_mem.c),
 * hnswlib and FAISS (IndexFlatL2, IndexHNSWFlat), on the same generated
 * data and ground truth, natively (no VM).  bench/ann/run.sh drives it.
 *
 * usage: annbench --n N --dim D [--nq 1000] [--k 10] [--m 16]
 *        [--efc 200] [--ef 10,20,...] [--rerank R] [--libs a,b,...]
 *        [--data DIR] [--label NAME]
 *
 * Data: clustered Gaussian.  100 centres drawn N(0, 1) per dimension;
 * each vector is a centre plus Gaussian noise whose standard deviation
 * along dimension j is 0.5 / sqrt(1 + r_j / 4), r_j being j's rank in a
 * random permutation of the dimensions drawn per cluster (so each cluster
 * is an ellipsoid with a decaying spectrum, as embeddings are, rather
 * than a ball).  Queries come from the same distribution with another
 * seed.  Ground truth: the exact top-k by float64 squared L2 over all
 * vectors.  Data and ground truth are cached in DIR.
 *
 * Output: one JSON object per line: {"lib", "ef", "recall", "qps",
 * "build_s", "index_bytes", ...}.
 */
#include <algorithm>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <vector>

#include <hnswlib/hnswlib.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/index_io.h>
#include <omp.h>

extern "C" {
#include "hnsw_mem.h"
#include "vexfs_simd.h"
}

/*
 * Time is the process's CPU time, not the wall clock: every library runs
 * on one thread, and on a machine shared with other jobs the wall clock
 * also counts the time this process waited for a CPU.
 */
struct clk {
	typedef double time_point;
	static double now()
	{
		struct timespec ts;

		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
		return ts.tv_sec + ts.tv_nsec * 1e-9;
	}
};

static double since(double t)
{
	return clk::now() - t;
}

struct rng {
	uint64_t s;
	uint64_t next()
	{
		uint64_t z = (s += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		return z ^ (z >> 31);
	}
	double unif() { return ((next() >> 11) + 0.5) / 9007199254740992.0; }
	double gauss()
	{
		return std::sqrt(-2 * std::log(unif())) *
		       std::cos(6.283185307179586 * unif());
	}
};

static void generate(std::vector<float> &out, size_t n, unsigned dim,
		     uint64_t seed)
{
	const unsigned nc = 100;
	rng cr = { 12345 }, r = { seed };
	std::vector<float> centre((size_t)nc * dim), sd((size_t)nc * dim);

	for (auto &c : centre)
		c = (float)cr.gauss();
	for (unsigned c = 0; c < nc; c++) {
		std::vector<unsigned> perm(dim);

		for (unsigned j = 0; j < dim; j++)
			perm[j] = j;
		for (unsigned j = dim - 1; j > 0; j--)
			std::swap(perm[j], perm[cr.next() % (j + 1)]);
		for (unsigned j = 0; j < dim; j++)
			sd[(size_t)c * dim + perm[j]] =
				(float)(0.5 / std::sqrt(1.0 + j / 4.0));
	}
	out.resize(n * dim);
	for (size_t i = 0; i < n; i++) {
		unsigned c = r.next() % nc;

		for (unsigned j = 0; j < dim; j++)
			out[i * dim + j] = centre[(size_t)c * dim + j] +
				(float)(sd[(size_t)c * dim + j] * r.gauss());
	}
}

static void ground_truth(const std::vector<float> &base,
			 const std::vector<float> &q, size_t n, size_t nq,
			 unsigned dim, unsigned k, std::vector<uint32_t> &gt)
{
	gt.resize(nq * k);
	std::vector<std::pair<double, uint32_t>> best;

	for (size_t i = 0; i < nq; i++) {
		best.clear();
		for (size_t s = 0; s < n; s++) {
			double d = 0;

			for (unsigned j = 0; j < dim; j++) {
				double t = (double)q[i * dim + j] -
					   (double)base[s * dim + j];
				d += t * t;
			}
			if (best.size() < k || d < best.back().first) {
				if (best.size() == k)
					best.pop_back();
				auto e = std::make_pair(d, (uint32_t)s);
				best.insert(std::upper_bound(best.begin(),
							     best.end(), e), e);
			}
		}
		for (unsigned j = 0; j < k; j++)
			gt[i * k + j] = best[j].second;
	}
}

template <class T>
static bool load(const std::string &path, std::vector<T> &v, size_t count)
{
	FILE *f = fopen(path.c_str(), "rb");

	if (!f)
		return false;
	v.resize(count);
	bool ok = fread(v.data(), sizeof(T), count, f) == count;
	fclose(f);
	return ok;
}

template <class T>
static void save(const std::string &path, const std::vector<T> &v)
{
	FILE *f = fopen(path.c_str(), "wb");

	if (!f || fwrite(v.data(), sizeof(T), v.size(), f) != v.size()) {
		perror(path.c_str());
		exit(1);
	}
	fclose(f);
}

static long file_size(const std::string &path)
{
	struct stat st;

	return stat(path.c_str(), &st) ? -1 : (long)st.st_size;
}

static double recall_of(const std::vector<uint32_t> &gt, size_t i,
			unsigned k, const uint32_t *got, unsigned ngot)
{
	unsigned f = 0;

	for (unsigned a = 0; a < ngot; a++)
		for (unsigned b = 0; b < k; b++)
			if (got[a] == gt[i * k + b]) {
				f++;
				break;
			}
	return (double)f / k;
}

static std::vector<unsigned> parse_list(const char *s)
{
	std::vector<unsigned> v;

	while (*s) {
		v.push_back((unsigned)strtoul(s, (char **)&s, 10));
		if (*s == ',')
			s++;
	}
	return v;
}

static void emit(const char *lib, const char *label, unsigned ef,
		 double recall, double qps, double build_s, long bytes,
		 const char *extra)
{
	/* the distance kernels the VexFS core ran (VEXFS_SIMD forces) */
	printf("{\"lib\": \"%s\", \"label\": \"%s\", \"ef\": %u, "
	       "\"recall\": %.4f, \"qps\": %.1f, \"build_s\": %.3f, "
	       "\"index_bytes\": %ld, \"simd\": \"%s\"%s}\n",
	       lib, label, ef, recall, qps, build_s, bytes,
	       strcmp(lib, "vexfs") ? "" : vexfs_simd_names[vexfs_simd_active()],
	       extra);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	size_t n = 100000, nq = 1000;
	unsigned dim = 128, k = 10, m = 16, efc = 200, rerank = 0;
	std::vector<unsigned> efs = { 10, 16, 24, 32, 48, 64, 96, 128, 192,
				      256, 384, 512 };
	std::string libs = "vexfs,hnswlib,faiss-flat,faiss-hnsw", dir = ".";
	std::string label = "";

	for (int i = 1; i + 1 < argc; i += 2) {
		std::string a = argv[i];
		const char *v = argv[i + 1];

		if (a == "--n")
			n = strtoul(v, NULL, 10);
		else if (a == "--nq")
			nq = strtoul(v, NULL, 10);
		else if (a == "--dim")
			dim = strtoul(v, NULL, 10);
		else if (a == "--k")
			k = strtoul(v, NULL, 10);
		else if (a == "--m")
			m = strtoul(v, NULL, 10);
		else if (a == "--efc")
			efc = strtoul(v, NULL, 10);
		else if (a == "--rerank")
			rerank = strtoul(v, NULL, 10);
		else if (a == "--ef")
			efs = parse_list(v);
		else if (a == "--libs")
			libs = v;
		else if (a == "--data")
			dir = v;
		else if (a == "--label")
			label = v;
		else {
			fprintf(stderr, "annbench: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	omp_set_num_threads(1);
	libs = "," + libs + ",";
	auto want = [&](const char *l) {
		return libs.find(std::string(",") + l + ",") != std::string::npos;
	};

	/* data and ground truth, cached */
	std::string tag = dir + "/d" + std::to_string(dim) + "-n" +
			  std::to_string(n) + "-q" + std::to_string(nq) + "-k" +
			  std::to_string(k);
	std::vector<float> base, q;
	std::vector<uint32_t> gt;

	if (!load(tag + ".base", base, n * dim) ||
	    !load(tag + ".query", q, nq * dim) ||
	    !load(tag + ".gt", gt, nq * k)) {
		auto t = clk::now();

		generate(base, n, dim, 1);
		generate(q, nq, dim, 2);
		ground_truth(base, q, n, nq, dim, k, gt);
		save(tag + ".base", base);
		save(tag + ".query", q);
		save(tag + ".gt", gt);
		fprintf(stderr, "annbench: data and ground truth in %.1f s\n",
			since(t));
	}

	std::vector<uint32_t> ids(k);

	if (want("vexfs")) {
		struct hnsw_mem hm;
		std::vector<struct hnsw_hit> hits(k);
		unsigned efmax = *std::max_element(efs.begin(), efs.end());
		auto t = clk::now();

		if (hnsw_mem_create(&hm, dim, m, efc, 1, n,
				    (const u32 *)base.data(), efmax)) {
			fprintf(stderr, "annbench: hnsw_mem_create failed\n");
			return 1;
		}
		hnsw_train_begin(&hm.ix);
		for (size_t i = 0; i < n; i++)
			hnsw_train_add(&hm.ix, (const u32 *)&base[i * dim]);
		hnsw_train_end(&hm.ix);
		for (size_t s = 1; s <= n; s++)
			if (hnsw_mem_insert(&hm, s)) {
				fprintf(stderr, "annbench: insert failed\n");
				return 1;
			}
		double build = since(t);
		long disk = (long)hnsw_disk_bytes(dim, m, n,
						  hnsw_mem_upper_lists(&hm),
						  4096);
		u64 build_dist = hm.ix.n_dist;

		for (unsigned ef : efs) {
			double rsum = 0;
			unsigned rr = rerank ? rerank :
				      HNSW_DEFAULT_RERANK_FACTOR * k;
			u64 d0 = hm.ix.n_dist, e0 = hm.ix.n_exact;
			u64 b0 = hm.ix.n_budget;

			t = clk::now();
			for (size_t i = 0; i < nq; i++) {
				u32 nh;

				if (hnsw_mem_search(&hm, (const u32 *)&q[i * dim],
						    k, ef, rr, hits.data(),
						    &nh)) {
					fprintf(stderr, "annbench: search failed\n");
					return 1;
				}
				for (u32 j = 0; j < nh; j++)
					ids[j] = hits[j].slot - 1;
				rsum += recall_of(gt, i, k, ids.data(), nh);
			}
			double el = since(t);
			char extra[256];

			snprintf(extra, sizeof(extra),
				 ", \"rerank\": %u, \"dist_per_query\": %.0f, "
				 "\"exact_per_query\": %.1f, \"budget_hits\": %llu, "
				 "\"mem_bytes\": %zu, \"build_dist\": %llu, "
				 "\"saturated\": %llu",
				 rr, (double)(hm.ix.n_dist - d0) / nq,
				 (double)(hm.ix.n_exact - e0) / nq,
				 (unsigned long long)(hm.ix.n_budget - b0),
				 hnsw_mem_bytes(&hm),
				 (unsigned long long)build_dist,
				 (unsigned long long)hm.ix.n_saturated);
			emit("vexfs", label.c_str(), ef, rsum / nq, nq / el,
			     build, disk, extra);
		}
		hnsw_mem_destroy(&hm);
	}

	if (want("hnswlib")) {
		hnswlib::L2Space space(dim);
		auto t = clk::now();
		auto *h = new hnswlib::HierarchicalNSW<float>(&space, n, m, efc,
							      100);

		for (size_t i = 0; i < n; i++)
			h->addPoint(&base[i * dim], i);
		double build = since(t);
		std::string path = tag + ".hnswlib";

		h->saveIndex(path);
		long bytes = file_size(path);

		remove(path.c_str());
		for (unsigned ef : efs) {
			double rsum = 0;

			h->setEf(ef);
			t = clk::now();
			for (size_t i = 0; i < nq; i++) {
				auto res = h->searchKnn(&q[i * dim], k);
				unsigned nh = res.size();

				while (!res.empty()) {
					ids[res.size() - 1] = res.top().second;
					res.pop();
				}
				rsum += recall_of(gt, i, k, ids.data(), nh);
			}
			emit("hnswlib", label.c_str(), ef, rsum / nq,
			     nq / since(t), build, bytes, "");
		}
		delete h;
	}

	if (want("faiss-flat")) {
		faiss::IndexFlatL2 flat(dim);
		std::vector<float> dist(nq * k);
		std::vector<faiss::Index::idx_t> lab(nq * k);
		auto t = clk::now();

		flat.add(n, base.data());
		double build = since(t);
		double rsum = 0;

		t = clk::now();
		flat.search(nq, q.data(), k, dist.data(), lab.data());
		double el = since(t);

		for (size_t i = 0; i < nq; i++) {
			for (unsigned j = 0; j < k; j++)
				ids[j] = (uint32_t)lab[i * k + j];
			rsum += recall_of(gt, i, k, ids.data(), k);
		}
		emit("faiss-flat", label.c_str(), 0, rsum / nq, nq / el, build,
		     (long)(n * dim * sizeof(float)), ", \"batch\": true");
	}

	if (want("faiss-hnsw")) {
		faiss::IndexHNSWFlat hx(dim, m);
		std::vector<float> dist(k);
		std::vector<faiss::Index::idx_t> lab(k);

		hx.hnsw.efConstruction = efc;
		auto t = clk::now();

		hx.add(n, base.data());
		double build = since(t);
		std::string path = tag + ".faiss";

		faiss::write_index(&hx, path.c_str());
		long bytes = file_size(path);

		remove(path.c_str());
		for (unsigned ef : efs) {
			double rsum = 0;

			hx.hnsw.efSearch = ef;
			t = clk::now();
			for (size_t i = 0; i < nq; i++) {
				hx.search(1, &q[i * dim], k, dist.data(),
					  lab.data());
				for (unsigned j = 0; j < k; j++)
					ids[j] = (uint32_t)lab[j];
				rsum += recall_of(gt, i, k, ids.data(), k);
			}
			emit("faiss-hnsw", label.c_str(), ef, rsum / nq,
			     nq / since(t), build, bytes, "");
		}
	}
	return 0;
}
