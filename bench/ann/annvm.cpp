// SPDX-License-Identifier: GPL-2.0
/*
 * annvm.cpp - the in-VM half of `make bench-ann`: the VexFS kernel's
 * queries (ANN index and exact) next to hnswlib and FAISS, in the same
 * guest, on the same data, one thread, so that the emulated CPU slows
 * every contender down.  bench/ann/vm.sh builds it statically on the
 * host, packs the data and boots the VM; bench/ann/vm-guest.sh runs it.
 *
 * usage: annvm --data FILE --dev DEV --mnt DIR [--libs vexfs,hnswlib,...]
 *        [--ef 10,16,...] [--nq-exact N] [--m 16] [--efc 200]
 *        [--nq Q] [--reps 3] [--mounts 3] [--label NAME] [--skip-import 1]
 *        [--existing]
 *
 * FILE (a raw virtio disk in the guest) holds a 4096-byte text header
 * "ANNVM n nq dim k\n", then the base vectors (float32), the queries
 * (float32) and the ground truth (uint32 ids, k per query, from an exact
 * float64 search on the host by annbench), each region starting on a
 * 4096-byte boundary.  A header "ANNVM n nq dim k nobase\n" says the
 * base vectors are left out (the queries follow the header): enough for
 * --existing, where the vectors are already on DEV.
 *
 * --existing: DEV already holds the collection DIR/c, n files named
 * v0000000 ... for the base vectors in order, made offline by mkfs.vexfs
 * -d (bench/ann/vm.sh --mount-1m).  Nothing is imported; annvm mounts DEV
 * cold --mounts times (timed, with the index state, the first and second
 * query and kernel memory after each), maps the files' inode numbers to
 * vector ids by reading the directory (timed), then sweeps ef over the
 * kernel's index only.  No reference library runs (the base vectors are
 * not loaded).
 *
 * DEV must hold a freshly made, unmounted VexFS; annvm mounts it on DIR,
 * creates the collection DIR/c, imports every base vector as a file with
 * VEXFS_IOC_BATCH_SET, waits for the index build (VEXFS_INDEX_OP_WAIT),
 * then unmounts and mounts again (timed) and times the first query.
 * Kernel memory comes from /proc/meminfo (Slab, SUnreclaim, VmallocUsed,
 * Cached), sampled between batches, while the index builds and between
 * query rounds.
 *
 * With --skip-import 1, DEV already holds DIR/c with a ready index (an
 * earlier run of annvm): the import is skipped, the rest runs as usual
 * (bench/ann/vm-ab.sh times two module builds that way in one guest).
 *
 * Output: one JSON object per line.  Query points look like annbench's
 * ({"lib", "ef", "recall", "qps", "build_s", "index_bytes"}, "qps" the
 * best of --reps sweeps, all of them in "qps_runs"); the kernel's
 * import, mount and memory figures are one {"lib": "vexfs-kernel-info"}
 * line.  Times are wall clock (CLOCK_MONOTONIC) in the guest: a query is
 * mostly system time, which the guest's CPU-time accounting only samples
 * at ticks.
 */
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <string>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

#include <hnswlib/hnswlib.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/index_io.h>
#include <omp.h>

#include "vexfs_uapi.h"

static double now()
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double since(double t)
{
	return now() - t;
}

static void die(const char *what)
{
	fprintf(stderr, "annvm: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ---- kernel memory, from /proc/meminfo ---------------------------- */

static const char *const mem_keys[] = {
	"MemFree", "Buffers", "Cached", "Slab", "SUnreclaim", "VmallocUsed",
};
#define NMEM (sizeof(mem_keys) / sizeof(mem_keys[0]))

struct meminfo {
	long kb[NMEM];
};

static meminfo mem_read()
{
	meminfo m = {};
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		for (size_t i = 0; i < NMEM; i++) {
			size_t l = strlen(mem_keys[i]);

			if (!strncmp(line, mem_keys[i], l) && line[l] == ':')
				m.kb[i] = strtol(line + l + 1, NULL, 10);
		}
	fclose(f);
	return m;
}

/*
 * The largest value of each counter seen since the last reset (the
 * smallest, for MemFree, the first key).
 */
struct mempeak {
	meminfo peak;
	void reset(const meminfo &m) { peak = m; }
	void sample()
	{
		meminfo m = mem_read();

		peak.kb[0] = std::min(peak.kb[0], m.kb[0]);
		for (size_t i = 1; i < NMEM; i++)
			peak.kb[i] = std::max(peak.kb[i], m.kb[i]);
	}
};

static std::string mem_json(const char *name, const meminfo &m)
{
	std::string s = std::string("\"") + name + "\": {";
	char buf[64];

	for (size_t i = 0; i < NMEM; i++) {
		snprintf(buf, sizeof(buf), "%s\"%s\": %ld", i ? ", " : "",
			 mem_keys[i], m.kb[i]);
		s += buf;
	}
	return s + "}";
}

/* The module's own slab caches (name: KiB in use), from /proc/slabinfo. */
static std::string slab_json()
{
	std::string s = "\"slab_vexfs_kb\": {";
	char line[512], name[64];
	unsigned long active, num, objsize;
	FILE *f = fopen("/proc/slabinfo", "r");
	bool first = true;

	if (!f)
		return s + "}";
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lu %lu %lu", name, &active, &num,
			   &objsize) != 4 || !strstr(name, "vexfs"))
			continue;
		snprintf(line, sizeof(line), "%s\"%s\": %lu", first ? "" : ", ",
			 name, active * objsize / 1024);
		s += line;
		first = false;
	}
	fclose(f);
	return s + "}";
}

static void drop_caches()
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd < 0 || write(fd, "3\n", 2) != 2)
		die("drop_caches");
	close(fd);
}

/* ---- data --------------------------------------------------------- */

struct dataset {
	size_t n, nq, dim, k;
	bool has_base;
	std::vector<float> base, q;
	std::vector<uint32_t> gt;
};

static void read_at(int fd, void *buf, size_t len, off_t off)
{
	char *p = (char *)buf;

	while (len) {
		ssize_t r = pread(fd, p, len > (1 << 24) ? (1 << 24) : len, off);

		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			errno = r ? errno : EIO;
			die("reading the data");
		}
		p += r;
		off += r;
		len -= r;
	}
}

static off_t align4k(off_t v)
{
	return (v + 4095) & ~(off_t)4095;
}

static void load(const char *path, dataset &d)
{
	char hdr[4096];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die(path);
	read_at(fd, hdr, sizeof(hdr), 0);
	char opt[16] = "";
	int got;

	hdr[sizeof(hdr) - 1] = 0;
	got = sscanf(hdr, "ANNVM %zu %zu %zu %zu %15s", &d.n, &d.nq, &d.dim,
		     &d.k, opt);
	if (got < 4 || (got == 5 && strcmp(opt, "nobase")) ||
	    !d.n || !d.nq || !d.dim || d.dim > VEXFS_UAPI_MAX_DIM || !d.k ||
	    d.k > 100) {
		fprintf(stderr, "annvm: %s: not an ANNVM data file\n", path);
		exit(1);
	}
	d.has_base = got == 4;
	if (d.has_base)
		d.base.resize(d.n * d.dim);
	d.q.resize(d.nq * d.dim);
	d.gt.resize(d.nq * d.k);
	off_t off = 4096;

	if (d.has_base) {
		read_at(fd, d.base.data(), d.base.size() * 4, off);
		off = align4k(off + d.base.size() * 4);
	}
	read_at(fd, d.q.data(), d.q.size() * 4, off);
	off = align4k(off + d.q.size() * 4);
	read_at(fd, d.gt.data(), d.gt.size() * 4, off);
	close(fd);
}

static double recall_of(const dataset &d, size_t i, const uint32_t *got,
			unsigned ngot)
{
	unsigned f = 0;

	for (unsigned a = 0; a < ngot; a++)
		for (size_t b = 0; b < d.k; b++)
			if (got[a] == d.gt[i * d.k + b]) {
				f++;
				break;
			}
	return (double)f / d.k;
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
		 const std::string &extra)
{
	printf("{\"lib\": \"%s\", \"label\": \"%s\", \"ef\": %u, "
	       "\"recall\": %.4f, \"qps\": %.2f, \"build_s\": %.3f, "
	       "\"index_bytes\": %ld%s}\n",
	       lib, label, ef, recall, qps, build_s, bytes, extra.c_str());
	fflush(stdout);
}

/* ---- the kernel --------------------------------------------------- */

struct kernel {
	std::string dev, mnt, dir;
	int dfd = -1;
	bool has_index = true;	/* the module knows VEXFS_IOC_INDEX_CTL */
	std::unordered_map<uint64_t, uint32_t> id_of;	/* ino -> vector id */
	std::vector<vexfs_query_hit> hits;

	void do_mount()
	{
		if (mount(dev.c_str(), mnt.c_str(), "vexfs", 0, NULL))
			die("mount");
	}
	void open_dir()
	{
		dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
		if (dfd < 0)
			die(dir.c_str());
	}
	void do_umount()
	{
		if (dfd >= 0)
			close(dfd);
		dfd = -1;
		if (umount2(mnt.c_str(), 0))
			die("umount");
	}
	vexfs_collection_info info()
	{
		vexfs_collection_info ci = {};

		ci.version = VEXFS_UAPI_VERSION;
		if (ioctl(dfd, VEXFS_IOC_COLLECTION_INFO, &ci))
			die("VEXFS_IOC_COLLECTION_INFO");
		return ci;
	}
	vexfs_collection_stats stats()
	{
		vexfs_collection_stats st = {};

		st.version = VEXFS_UAPI_VERSION;
		if (ioctl(dfd, VEXFS_IOC_COLLECTION_STATS, &st))
			die("VEXFS_IOC_COLLECTION_STATS");
		return st;
	}
	/* Wait for the index build; -1 if the module has no index ioctl. */
	int wait_index()
	{
		vexfs_index_ctl c = {};

		if (!has_index)
			return -1;
		c.version = VEXFS_UAPI_VERSION;
		c.op = VEXFS_INDEX_OP_WAIT;
		if (ioctl(dfd, VEXFS_IOC_INDEX_CTL, &c)) {
			if (errno == ENOTTY || errno == EINVAL) {
				has_index = false;
				return -1;
			}
			die("VEXFS_INDEX_OP_WAIT");
		}
		return (int)c.state;
	}
	/* One query; returns its method (0: a module without the field). */
	unsigned query(const float *v, unsigned dim, unsigned k, unsigned ef,
		       bool exact, uint32_t *ids, unsigned *nids)
	{
		vexfs_query q = {};

		hits.resize(k);
		q.version = VEXFS_UAPI_VERSION;
		q.flags = exact ? VEXFS_QUERY_EXACT : 0;
		q.k = k;
		q.dim = dim;
		q.vector = (uintptr_t)v;
		q.hits = (uintptr_t)hits.data();
		q.ef = exact ? 0 : ef;
		if (ioctl(dfd, VEXFS_IOC_QUERY, &q))
			die("VEXFS_IOC_QUERY");
		for (unsigned j = 0; j < q.nhits; j++) {
			auto it = id_of.find(hits[j].ino);

			ids[j] = it == id_of.end() ? UINT32_MAX : it->second;
		}
		*nids = q.nhits;
		return q.method;
	}
};

static void map_inodes(kernel &kn)
{
	DIR *d = opendir(kn.dir.c_str());
	struct dirent *e;

	if (!d)
		die(kn.dir.c_str());
	kn.id_of.clear();
	/* d_ino from the directory itself: no inode gets read in. */
	while ((e = readdir(d)))
		if (e->d_name[0] == 'v')
			kn.id_of[e->d_ino] = (uint32_t)strtoul(e->d_name + 1,
							       NULL, 10);
	closedir(d);
}

static void json_list(std::string &s, const char *name,
		      const std::vector<double> &v, const char *fmt)
{
	char buf[64];

	s += std::string(", \"") + name + "\": [";
	for (size_t i = 0; i < v.size(); i++) {
		snprintf(buf, sizeof(buf), fmt, v[i]);
		s += (i ? ", " : "") + std::string(buf);
	}
	s += "]";
}

/* KiB read from block device @dev so far (/sys/block/NAME/stat), or -1. */
static double dev_read_kib(const std::string &dev)
{
	std::string path = "/sys/block/" + dev.substr(dev.rfind('/') + 1) +
			   "/stat";
	unsigned long long rios, rmerges, rsect;
	FILE *f = fopen(path.c_str(), "r");
	int got;

	if (!f)
		return -1;
	got = fscanf(f, "%llu %llu %llu", &rios, &rmerges, &rsect);
	fclose(f);
	return got == 3 ? rsect / 2.0 : -1;
}

/*
 * --existing: the collection DIR/c is already on the device (mkfs.vexfs
 * -d).  Mount it cold @mounts times, then map inodes to vector ids and
 * sweep ef over @nq queries; see the comment at the top.
 */
static int run_existing(kernel &kn, const dataset &d, size_t nq,
			const std::vector<unsigned> &efs, unsigned mounts,
			unsigned reps, const std::string &label)
{
	std::vector<double> mount_s, q1_s, q2_s, state, q1_recall;
	std::vector<double> mount_kib, q1_kib, q2_kib;
	std::vector<std::vector<uint64_t>> q1_inos;
	std::vector<uint32_t> ids(d.k);
	std::string info, mems;
	unsigned method = 0;
	meminfo m;
	double t;
	char buf[512];

	mounts = std::max(1U, mounts);
	for (unsigned r = 0; r < mounts; r++) {
		unsigned nh;

		if (r)
			kn.do_umount();
		drop_caches();
		if (!r)
			mems += mem_json("mem_unmounted", mem_read());
		double kib = dev_read_kib(kn.dev);

		t = now();
		kn.do_mount();
		mount_s.push_back(since(t));
		mount_kib.push_back(dev_read_kib(kn.dev) - kib);
		if (!r)
			mems += ", " + mem_json("mem_after_mount", mem_read());
		kn.open_dir();
		state.push_back(kn.info().index_state);
		kib = dev_read_kib(kn.dev);
		t = now();
		method = kn.query(&d.q[0], d.dim, d.k, 0, false, ids.data(), &nh);
		q1_s.push_back(since(t));
		q1_kib.push_back(dev_read_kib(kn.dev) - kib);
		q1_inos.emplace_back();
		for (unsigned j = 0; j < nh; j++)
			q1_inos.back().push_back(kn.hits[j].ino);
		kib = dev_read_kib(kn.dev);
		t = now();
		kn.query(&d.q[d.dim], d.dim, d.k, 0, false, ids.data(), &nh);
		q2_s.push_back(since(t));
		q2_kib.push_back(dev_read_kib(kn.dev) - kib);
		if (!r)
			mems += ", " + mem_json("mem_after_first_queries",
						mem_read());
		fprintf(stderr, "annvm: mount %.3f s, state %u, first query %.3f s "
			"(method %u), second %.4f s\n", mount_s.back(),
			(unsigned)state.back(), q1_s.back(), method, q2_s.back());
	}

	/* the vector id of every file, from the directory alone */
	t = now();
	map_inodes(kn);
	double map_s = since(t);

	m = mem_read();
	mems += ", " + mem_json("mem_after_readdir", m);
	fprintf(stderr, "annvm: %zu files mapped in %.1f s\n", kn.id_of.size(),
		map_s);
	if (kn.id_of.size() != d.n) {
		fprintf(stderr, "annvm: %zu files in %s, not %zu\n",
			kn.id_of.size(), kn.dir.c_str(), d.n);
		return 1;
	}
	for (auto &inos : q1_inos) {
		for (size_t j = 0; j < inos.size(); j++) {
			auto it = kn.id_of.find(inos[j]);

			ids[j] = it == kn.id_of.end() ? UINT32_MAX : it->second;
		}
		q1_recall.push_back(recall_of(d, 0, ids.data(), inos.size()));
	}

	vexfs_collection_stats st = kn.stats();

	info += mems;
	json_list(info, "mount_s", mount_s, "%.4f");
	json_list(info, "index_state_after_mount", state, "%.0f");
	json_list(info, "first_query_s", q1_s, "%.4f");
	json_list(info, "first_query_recall", q1_recall, "%.2f");
	json_list(info, "second_query_s", q2_s, "%.4f");
	/* what each read from the device (KiB; -1: no /sys/block stat) */
	json_list(info, "mount_read_kib", mount_kib, "%.0f");
	json_list(info, "first_query_read_kib", q1_kib, "%.0f");
	json_list(info, "second_query_read_kib", q2_kib, "%.0f");
	snprintf(buf, sizeof(buf),
		 ", \"mode\": \"existing\", \"n\": %zu, \"dim\": %zu, "
		 "\"first_query_method\": %u, \"readdir_s\": %.3f, "
		 "\"index_live\": %llu, \"index_bytes\": %llu, "
		 "\"store_bytes\": %llu, \"count\": %llu, \"hnsw_m\": %u, "
		 "\"hnsw_efc\": %u",
		 d.n, d.dim, method, map_s,
		 (unsigned long long)st.index_live,
		 (unsigned long long)st.index_bytes,
		 (unsigned long long)st.store_bytes,
		 (unsigned long long)st.info.count, st.info.hnsw_m,
		 st.info.hnsw_ef_construction);
	info += buf;
	printf("{\"lib\": \"vexfs-kernel-info\", \"label\": \"%s\", %s}\n",
	       label.c_str(), info.c_str());
	fflush(stdout);

	/* the sweep, the kernel's index only; the first repetition is cold */
	std::map<unsigned, std::vector<double>> qps;
	std::map<unsigned, double> rec;
	std::map<unsigned, unsigned> meth;
	mempeak pk;
	const meminfo m0 = m;

	pk.reset(m);
	for (unsigned rep = 0; rep < reps; rep++) {
		for (unsigned ef : efs) {
			double rsum = 0;
			unsigned nh;

			t = now();
			for (size_t i = 0; i < nq; i++) {
				meth[ef] = kn.query(&d.q[i * d.dim], d.dim, d.k,
						    ef, false, ids.data(), &nh);
				rsum += recall_of(d, i, ids.data(), nh);
			}
			qps[ef].push_back(nq / since(t));
			rec[ef] = rsum / nq;
			pk.sample();
		}
		fprintf(stderr, "annvm: sweep %u of %u done\n", rep + 1, reps);
	}
	for (unsigned ef : efs) {
		std::string extra = ", \"nq\": " + std::to_string(nq);
		std::vector<double> &v = qps[ef];

		json_list(extra, "qps_runs", v, "%.2f");
		extra += ", \"method\": " + std::to_string(meth[ef]);
		emit("vexfs-kernel", label.c_str(), ef, rec[ef],
		     *std::max_element(v.begin(), v.end()), 0,
		     (long)st.index_bytes, extra);
	}
	st = kn.stats();
	m = mem_read();
	printf("{\"lib\": \"vexfs-kernel-mem\", \"label\": \"%s\", %s, %s, %s, "
	       "%s, \"queries\": %llu, \"index_queries\": %llu}\n",
	       label.c_str(), mem_json("mem_queries_start", m0).c_str(),
	       mem_json("mem_peak_queries", pk.peak).c_str(),
	       mem_json("mem_after_queries", m).c_str(), slab_json().c_str(),
	       (unsigned long long)st.queries,
	       (unsigned long long)st.index_queries);
	fflush(stdout);
	t = now();
	kn.do_umount();
	fprintf(stderr, "annvm: umount %.3f s\n", since(t));
	return 0;
}

int main(int argc, char **argv)
{
	std::string data, libs = "vexfs,hnswlib,faiss-flat,faiss-hnsw";
	std::string label, dev, mnt;
	std::vector<unsigned> efs = { 10, 16, 24, 32, 48, 64, 96, 128, 200 };
	unsigned m = 16, efc = 200, nq_exact = 50, mounts = 3, reps = 3;
	size_t nq_ann = 0;
	bool skip_import = false;
	bool existing = false;

	for (int i = 1; i < argc; i += 2) {
		std::string a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : "";

		if (a == "--existing") {
			existing = true;
			i--;
		} else if (a == "--data")
			data = v;
		else if (a == "--dev")
			dev = v;
		else if (a == "--mnt")
			mnt = v;
		else if (a == "--libs")
			libs = v;
		else if (a == "--ef")
			efs = parse_list(v);
		else if (a == "--nq")
			nq_ann = strtoul(v, NULL, 10);
		else if (a == "--nq-exact")
			nq_exact = strtoul(v, NULL, 10);
		else if (a == "--m")
			m = strtoul(v, NULL, 10);
		else if (a == "--efc")
			efc = strtoul(v, NULL, 10);
		else if (a == "--mounts")
			mounts = strtoul(v, NULL, 10);
		else if (a == "--reps")
			reps = std::max(1UL, strtoul(v, NULL, 10));
		else if (a == "--label")
			label = v;
		else if (a == "--skip-import")
			skip_import = strtoul(v, NULL, 10) != 0;
		else {
			fprintf(stderr, "annvm: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (data.empty()) {
		fprintf(stderr, "usage: annvm --data FILE --dev DEV --mnt DIR ...\n");
		return 2;
	}
	omp_set_num_threads(1);
	libs = "," + libs + ",";
	auto want = [&](const char *l) {
		return libs.find(std::string(",") + l + ",") != std::string::npos;
	};

	dataset d;
	double t = now();

	load(data.c_str(), d);
	fprintf(stderr, "annvm: %zu x %zu vectors, %zu queries, loaded in %.1f s\n",
		d.n, d.dim, d.nq, since(t));
	size_t nq = nq_ann && nq_ann < d.nq ? nq_ann : d.nq;
	unsigned k = d.k;

	if (existing) {
		kernel ke;

		ke.dev = dev;
		ke.mnt = mnt;
		ke.dir = mnt + "/c";
		return run_existing(ke, d, nq, efs, mounts, reps, label);
	}
	if (!d.has_base) {
		fprintf(stderr, "annvm: %s has no base vectors (for --existing only)\n",
			data.c_str());
		return 2;
	}
	std::vector<uint32_t> ids(k);
	kernel kn;
	hnswlib::L2Space space(d.dim);
	hnswlib::HierarchicalNSW<float> *h = NULL;
	faiss::IndexHNSWFlat *fh = NULL;
	double h_build = 0, fh_build = 0;
	long h_bytes = 0, fh_bytes = 0, k_bytes = 0;
	double k_build = 0;

	/*
	 * The kernel first, while nothing else holds memory, so that the
	 * meminfo deltas are the module's.
	 */
	if (want("vexfs")) {
		mempeak pk;
		std::string info;
		char buf[512];

		kn.dev = dev;
		kn.mnt = mnt;
		kn.dir = mnt + "/c";
		drop_caches();
		kn.do_mount();
		if (skip_import) {
			/* DEV already holds the collection (an A/B run) */
			info = "\"skip_import\": true";
			kn.open_dir();
			if (kn.wait_index() != VEXFS_INDEX_READY) {
				fprintf(stderr, "annvm: %s: no ready index\n",
					kn.dir.c_str());
				return 1;
			}
		} else {
			if (mkdir(kn.dir.c_str(), 0755))
				die("mkdir");
			kn.open_dir();

			vexfs_collection_info ci = {};

			ci.version = VEXFS_UAPI_VERSION;
			ci.dim = d.dim;
			ci.metric = VEXFS_UAPI_METRIC_L2;
			/* 0 asks for the defaults (and suits a module without them) */
			ci.hnsw_m = m == VEXFS_HNSW_DEFAULT_M ? 0 : m;
			ci.hnsw_ef_construction =
				efc == VEXFS_HNSW_DEFAULT_EF_CONSTRUCTION ? 0 : efc;
			if (ioctl(kn.dfd, VEXFS_IOC_COLLECTION_CREATE, &ci))
				die("VEXFS_IOC_COLLECTION_CREATE");
			sync();
			meminfo m0 = mem_read();

			pk.reset(m0);
			info += mem_json("mem_before", m0);

			/* import, VEXFS_BATCH_MAX files per call */
			std::vector<vexfs_batch_item> items(VEXFS_BATCH_MAX);
			std::vector<char> names((size_t)VEXFS_BATCH_MAX * 16);
			double ti = now();

			for (size_t done = 0; done < d.n;) {
				unsigned c = d.n - done > VEXFS_BATCH_MAX ?
					     VEXFS_BATCH_MAX : d.n - done;
				vexfs_batch b = {};

				for (unsigned j = 0; j < c; j++) {
					char *nm = &names[(size_t)j * 16];

					items[j].name = (uintptr_t)nm;
					items[j].name_len = snprintf(nm, 16, "v%07zu",
								     done + j);
					items[j].result = 0;
				}
				b.version = VEXFS_UAPI_VERSION;
				b.flags = VEXFS_BATCH_CREATE;
				b.count = c;
				b.dim = d.dim;
				b.mode = 0644;
				b.items = (uintptr_t)items.data();
				b.vectors = (uintptr_t)&d.base[done * d.dim];
				if (ioctl(kn.dfd, VEXFS_IOC_BATCH_SET, &b))
					die("VEXFS_IOC_BATCH_SET");
				if (b.done != c) {
					for (unsigned j = 0; j < c; j++)
						if (items[j].result) {
							fprintf(stderr, "annvm: import of v%07zu: %s\n",
								done + j,
								strerror(-items[j].result));
							break;
						}
					exit(1);
				}
				done += c;
				pk.sample();
			}
			double import_s = since(ti);

			/* the index build: sample memory while it runs, then wait */
			double tw = now();
			int polls = 0;

			for (;;) {
				vexfs_collection_info c2 = kn.info();

				if (c2.index_state != VEXFS_INDEX_BUILDING)
					break;
				pk.sample();
				usleep(200000);
				polls++;
			}
			int state = kn.wait_index();
			double wait_s = since(tw);

			pk.sample();
			double ts = now();

			if (syncfs(kn.dfd))
				die("syncfs");
			double sync_s = since(ts);

			pk.sample();
			meminfo m1 = mem_read();

			info += ", " + mem_json("mem_after_import", m1);
			info += ", " + mem_json("mem_peak_import", pk.peak);
			k_build = import_s + wait_s;

			vexfs_collection_stats st = kn.stats();

			k_bytes = (long)st.index_bytes;
			snprintf(buf, sizeof(buf),
				 ", \"n\": %zu, \"dim\": %zu, \"import_s\": %.3f, "
				 "\"wait_s\": %.3f, \"wait_polls\": %d, \"sync_s\": %.3f, "
				 "\"index_ctl\": %s, \"index_state\": %d, "
				 "\"index_live\": %llu, \"index_bytes\": %llu, "
				 "\"store_bytes\": %llu, \"hnsw_m\": %u, \"hnsw_efc\": %u",
				 d.n, d.dim, import_s, wait_s, polls, sync_s,
				 kn.has_index ? "true" : "false", state,
				 (unsigned long long)st.index_live,
				 (unsigned long long)st.index_bytes,
				 (unsigned long long)st.store_bytes,
				 st.info.hnsw_m, st.info.hnsw_ef_construction);
			info += buf;
			fprintf(stderr, "annvm: kernel import %.1f s, index wait %.1f s, "
				"sync %.1f s, index %llu bytes, state %d\n",
				import_s, wait_s, sync_s,
				(unsigned long long)st.index_bytes, state);
		}
		/* umount, drop caches, mount: timed, cold */
		std::string mt = ", \"mount_s\": [", fq = ", \"first_query_s\": [";
		std::string sq = ", \"second_query_s\": [";
		unsigned method = 0;

		for (unsigned r = 0; r < mounts; r++) {
			unsigned nh;

			kn.do_umount();
			drop_caches();
			if (!r) {
				meminfo mu = mem_read();

				info += ", " + mem_json("mem_unmounted", mu);
			}
			double t0 = now();

			kn.do_mount();
			double ms = since(t0);

			kn.open_dir();
			t0 = now();
			method = kn.query(&d.q[0], d.dim, k, 0, false,
					  ids.data(), &nh);
			double q1 = since(t0);

			t0 = now();
			kn.query(&d.q[d.dim], d.dim, k, 0, false, ids.data(),
				 &nh);
			double q2 = since(t0);

			snprintf(buf, sizeof(buf), "%s%.4f", r ? ", " : "", ms);
			mt += buf;
			snprintf(buf, sizeof(buf), "%s%.4f", r ? ", " : "", q1);
			fq += buf;
			snprintf(buf, sizeof(buf), "%s%.4f", r ? ", " : "", q2);
			sq += buf;
			fprintf(stderr, "annvm: mount %.3f s, first query %.3f s "
				"(method %u), second %.4f s\n", ms, q1, method, q2);
		}
		info += mt + "]" + fq + "]" + sq + "]";
		snprintf(buf, sizeof(buf),
			 ", \"index_state_after_mount\": %u, "
			 "\"first_query_method\": %u",
			 kn.info().index_state, method);
		info += buf;
		map_inodes(kn);
		if (kn.id_of.size() != d.n) {
			fprintf(stderr, "annvm: %zu files in %s, not %zu\n",
				kn.id_of.size(), kn.dir.c_str(), d.n);
			return 1;
		}
		printf("{\"lib\": \"vexfs-kernel-info\", \"label\": \"%s\", %s}\n",
		       label.c_str(), info.c_str());
		fflush(stdout);
	}

	/* the references, built in this same VM */
	if (want("hnswlib")) {
		t = now();
		h = new hnswlib::HierarchicalNSW<float>(&space, d.n, m, efc, 100);
		for (size_t i = 0; i < d.n; i++)
			h->addPoint(&d.base[i * d.dim], i);
		h_build = since(t);
		std::string path = "/tmp/annvm.hnswlib";

		h->saveIndex(path);
		struct stat sb;

		h_bytes = stat(path.c_str(), &sb) ? -1 : (long)sb.st_size;
		remove(path.c_str());
		fprintf(stderr, "annvm: hnswlib built in %.1f s\n", h_build);
	}
	if (want("faiss-hnsw")) {
		fh = new faiss::IndexHNSWFlat(d.dim, m);
		fh->hnsw.efConstruction = efc;
		t = now();
		fh->add(d.n, d.base.data());
		fh_build = since(t);
		/* the saved file's size, computed: vectors + links + levels */
		std::string path = "/tmp/annvm.faiss";

		faiss::write_index(fh, path.c_str());
		struct stat sb;

		fh_bytes = stat(path.c_str(), &sb) ? -1 : (long)sb.st_size;
		remove(path.c_str());
		fprintf(stderr, "annvm: faiss-hnsw built in %.1f s\n", fh_build);
	}

	/*
	 * The sweep, one ef at a time for every library in turn, so that a
	 * change of load on the host during the run hits all of them alike;
	 * the whole sweep is repeated and each point reports its best rate
	 * (the host is shared: a slower repetition measures the other jobs).
	 */
	struct point {
		double recall = 0;
		std::vector<double> qps;
		unsigned method = 0;
	};
	std::map<std::pair<int, unsigned>, point> pts;
	mempeak qpk;
	meminfo mq0 = mem_read();

	qpk.reset(mq0);
	for (unsigned rep = 0; rep < reps; rep++) {
		for (unsigned ef : efs) {
			if (want("vexfs") && kn.has_index) {
				point &p = pts[{ 0, ef }];
				double rsum = 0;
				unsigned nh;

				t = now();
				for (size_t i = 0; i < nq; i++) {
					p.method = kn.query(&d.q[i * d.dim], d.dim,
							    k, ef, false,
							    ids.data(), &nh);
					rsum += recall_of(d, i, ids.data(), nh);
				}
				p.qps.push_back(nq / since(t));
				p.recall = rsum / nq;
				qpk.sample();
			}
			if (h) {
				point &p = pts[{ 1, ef }];
				double rsum = 0;

				h->setEf(ef);
				t = now();
				for (size_t i = 0; i < nq; i++) {
					auto res = h->searchKnn(&d.q[i * d.dim], k);
					unsigned nh = res.size();

					while (!res.empty()) {
						ids[res.size() - 1] =
							res.top().second;
						res.pop();
					}
					rsum += recall_of(d, i, ids.data(), nh);
				}
				p.qps.push_back(nq / since(t));
				p.recall = rsum / nq;
			}
			if (fh) {
				point &p = pts[{ 2, ef }];
				std::vector<float> dist(k);
				std::vector<faiss::Index::idx_t> lab(k);
				double rsum = 0;

				fh->hnsw.efSearch = ef;
				t = now();
				for (size_t i = 0; i < nq; i++) {
					fh->search(1, &d.q[i * d.dim], k,
						   dist.data(), lab.data());
					for (unsigned j = 0; j < k; j++)
						ids[j] = (uint32_t)lab[j];
					rsum += recall_of(d, i, ids.data(), k);
				}
				p.qps.push_back(nq / since(t));
				p.recall = rsum / nq;
			}
		}
		fprintf(stderr, "annvm: sweep %u of %u done\n", rep + 1, reps);
	}
	for (auto &e : pts) {
		static const char *const lib[] = {
			"vexfs-kernel", "hnswlib", "faiss-hnsw" };
		const double build[] = { k_build, h_build, fh_build };
		const long bytes[] = { k_bytes, h_bytes, fh_bytes };
		const point &p = e.second;
		int l = e.first.first;
		std::string extra = ", \"nq\": " + std::to_string(nq) +
				    ", \"qps_runs\": [";
		char buf[64];

		for (size_t i = 0; i < p.qps.size(); i++) {
			snprintf(buf, sizeof(buf), "%s%.2f", i ? ", " : "",
				 p.qps[i]);
			extra += buf;
		}
		extra += "]";
		if (!l)
			extra += ", \"method\": " + std::to_string(p.method);
		emit(lib[l], label.c_str(), e.first.second, p.recall,
		     *std::max_element(p.qps.begin(), p.qps.end()), build[l],
		     bytes[l], extra);
	}
	/*
	 * What a kernel query costs besides the graph search.  k = 1
	 * against k = 10 at the same ef, back to back in each repetition:
	 * the kernel checks every hit it returns (inode, generation,
	 * permissions up to the queried directory) and reranks 2k
	 * candidates, so k = 1 saves that per-hit work.  And the round trip
	 * of a trivial ioctl (VEXFS_IOC_COLLECTION_INFO) under this
	 * emulation.  Recall is recall@1 for k = 1, recall@10 for k = 10.
	 */
	if (want("vexfs") && kn.has_index) {
		double best = 0;

		for (unsigned rep = 0; rep < reps; rep++) {
			t = now();
			for (unsigned i = 0; i < 2000; i++)
				kn.info();
			best = std::max(best, 2000 / since(t));
		}
		emit("vexfs-kernel-info-ioctl", label.c_str(), 0, 0, best, 0,
		     0, ", \"calls\": 2000");
	}
	for (unsigned ef : { 10U, 64U }) {
		for (int l = 0; l < 2; l++) {
			double best[2] = { 0, 0 }, rec[2] = { 0, 0 };
			unsigned method = 0;

			if (l == 0 && !(want("vexfs") && kn.has_index))
				continue;
			if (l == 1 && !h)
				continue;
			if (l == 1)
				h->setEf(ef);
			for (unsigned rep = 0; rep < reps; rep++) {
				for (int kk = 0; kk < 2; kk++) {
					unsigned kq = kk ? k : 1;
					double rsum = 0;

					t = now();
					for (size_t i = 0; i < nq; i++) {
						unsigned nh = 0;

						if (!l) {
							method = kn.query(
								&d.q[i * d.dim],
								d.dim, kq, ef,
								false,
								ids.data(), &nh);
						} else {
							auto res = h->searchKnn(
								&d.q[i * d.dim],
								kq);
							nh = res.size();
							while (!res.empty()) {
								ids[res.size() - 1] =
									res.top().second;
								res.pop();
							}
						}
						if (kk)
							rsum += recall_of(d, i,
								ids.data(), nh);
						else
							rsum += nh &&
								ids[0] == d.gt[i * d.k];
					}
					best[kk] = std::max(best[kk],
							    nq / since(t));
					rec[kk] = rsum / nq;
				}
			}
			for (int kk = 0; kk < 2; kk++) {
				std::string extra = ", \"k\": " +
					std::to_string(kk ? k : 1) +
					", \"nq\": " + std::to_string(nq);

				if (!l)
					extra += ", \"method\": " +
						 std::to_string(method);
				emit(l ? "hnswlib-probe" : "vexfs-kernel-probe",
				     label.c_str(), ef, rec[kk], best[kk], 0, 0,
				     extra);
			}
		}
	}
	delete h;
	delete fh;

	/* exact references: the kernel's brute force, FAISS's flat index */
	size_t nqe = std::min(nq, (size_t)nq_exact);

	if (want("vexfs") && nqe) {
		double rsum = 0;
		unsigned method = 0, nh;
		char extra[256];

		t = now();
		for (size_t i = 0; i < nqe; i++) {
			method = kn.query(&d.q[i * d.dim], d.dim, k, 0, true,
					  ids.data(), &nh);
			rsum += recall_of(d, i, ids.data(), nh);
		}
		double el = since(t);

		qpk.sample();
		snprintf(extra, sizeof(extra), ", \"method\": %u, \"nq\": %zu",
			 method, nqe);
		emit("vexfs-kernel-exact", label.c_str(), 0, rsum / nqe,
		     nqe / el, 0, 0, extra);
	}
	if (want("faiss-flat")) {
		faiss::IndexFlatL2 flat(d.dim);
		std::vector<float> dist(nq * k);
		std::vector<faiss::Index::idx_t> lab(nq * k);
		double rsum = 0;

		flat.add(d.n, d.base.data());
		t = now();
		flat.search(nq, d.q.data(), k, dist.data(), lab.data());
		double el = since(t);

		for (size_t i = 0; i < nq; i++) {
			for (unsigned j = 0; j < k; j++)
				ids[j] = (uint32_t)lab[i * k + j];
			rsum += recall_of(d, i, ids.data(), k);
		}
		emit("faiss-flat", label.c_str(), 0, rsum / nq, nq / el, 0,
		     (long)(d.n * d.dim * sizeof(float)),
		     ", \"batch\": true, \"nq\": " + std::to_string(nq));
	}
	if (want("vexfs")) {
		vexfs_collection_stats st = kn.stats();
		meminfo m2 = mem_read();

		printf("{\"lib\": \"vexfs-kernel-mem\", \"label\": \"%s\", %s, %s, "
		       "%s, \"queries\": %llu, \"index_queries\": %llu}\n",
		       label.c_str(), mem_json("mem_queries_start", mq0).c_str(),
		       (mem_json("mem_peak_queries", qpk.peak) + ", " +
			mem_json("mem_after_queries", m2)).c_str(),
		       slab_json().c_str(),
		       (unsigned long long)st.queries,
		       (unsigned long long)st.index_queries);
		kn.do_umount();
	}
	return 0;
}
