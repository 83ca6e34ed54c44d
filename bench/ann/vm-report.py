#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""vm-report.py RAW.jsonl OUT.md OUT.png - the in-VM ANN tables and plot.

Reads what bench/ann/vm.sh collected from annvm (bench/ann/annvm.cpp) and
writes, per data set: the kernel's import/build time, index size, mount
time and memory next to hnswlib's and FAISS's builds; the recall@10/QPS
sweep over ef; and the QPS at recall@10 = 0.95 (log-linear between sweep
points, as report.py does natively) of the kernel against hnswlib's.
Then the mount runs (vm.sh --mount-1m): the collection made by mkfs -d,
its mount time, first query, memory and sweep in each kernel.
"""
import json
import os
import re
import statistics
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import TARGET, best_at, qps_at  # noqa: E402

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NAMES = {
    "vexfs-kernel": "VexFS kernel (ANN index)",
    "vexfs-kernel-exact": "VexFS kernel, VEXFS_QUERY_EXACT",
    "hnswlib": "hnswlib",
    "faiss-hnsw": "FAISS IndexHNSWFlat",
    "faiss-flat": "FAISS IndexFlatL2 (batched)",
}
STATES = {-1: "no index ioctl (module predates the index)", 0: "NONE",
          1: "READY", 2: "BUILDING", 3: "STALE", 4: "FAILED",
          5: "UNSUPPORTED"}
METHODS = {0: "exact (module without the field)", 1: "exact", 2: "index"}


def dataset(r):
    m = re.search(r"n=(\d+) d=(\d+)", r["label"])
    return (int(m.group(1)), int(m.group(2)))


def mib(b):
    return "%.1f" % (b / 2**20)


def kb_delta(a, b, key):
    return "%+.1f" % ((b[key] - a[key]) / 1024.0)


def mount_sections(mrows):
    """The 1M-vector collection made by mkfs -d, mounted in each kernel."""
    groups = {}
    for r in mrows:
        m = re.search(r"n=(\d+) d(?:im)?=(\d+)(?: (\S+))?",
                      r.get("info") or r["label"])
        g = groups.setdefault((int(m.group(1)), int(m.group(2))), {})
        g.setdefault(m.group(3), []).append(r)
    out = []
    for (n, dim), g in sorted(groups.items()):
        mk = [r for r in g.get(None, []) if r.get("lib") == "vexfs-mkfs"]
        kernels = sorted((k for k in g if k), key=lambda k: [int(x) for x in
                                                            k.split(".")])
        out.append("## Mount of a %s-vector, %d-d collection made by "
                   "`mkfs.vexfs -d`\n" % ("%dM" % (n // 10**6)
                                          if n % 10**6 == 0 else n, dim))
        out.append("Written by `make bench-ann-vm BENCH_ARGS=--mount-1m` "
                   "(also part of `BENCH_ARGS=--long`; bench/ann/vm.sh "
                   "mount_vm, mkimage.py, annvm --existing).  The collection "
                   "is made on the host, offline (at 1M, an import through "
                   "the emulated kernel would take hours): a source "
                   "tree of %d empty files carrying user.vexfs.embedding (on "
                   "a tmpfs), then `mkfs.vexfs -d`, which lays out the store "
                   "and builds the HNSW index (M = 16, ef_construction = "
                   "200) in userspace.  Each kernel then boots on a copy of "
                   "the image and mounts it cold (umount, drop_caches, "
                   "mount) three times, with the first and second query "
                   "(default ef) after each mount; reads the directory to "
                   "map inodes to vector ids (the first mount's index is "
                   "mkfs's, never rebuilt: READY means the kernel took it as "
                   "it was); and sweeps ef over the first "
                   "300 of annbench's 1000 queries against the float64 "
                   "ground truth, several times (the first sweep starts cold; "
                   "QPS is the best of them, the cold one in brackets).  "
                   "Times are the guest's wall clock under QEMU/TCG.\n"
                   % n)
        if mk:
            r = mk[0]
            out.append("- mkfs.vexfs -d: %.1f s (user %.1f s, system %.1f "
                       "s), peak RSS %.0f MiB; the source tree took %.1f s "
                       "to write; image %.2f GiB (%.2f GiB allocated); host "
                       "load average %s before, %s after" % (
                           r["mkfs_s"], r["mkfs_user_s"], r["mkfs_sys_s"],
                           r["mkfs_maxrss_kb"] / 1024.0, r["tree_s"],
                           r["image_bytes"] / 2**30,
                           r["image_used_bytes"] / 2**30, r["load_before"],
                           r["load_after"]))
        for k in kernels:
            i = [r for r in g[k] if "info" in r]
            le = [r for r in g[k] if r.get("lib") == "vexfs-load"]
            if i:
                out.append("- %s: kernel %s, host load average %s at boot%s; "
                           "guest memory %d MiB; %s" % (
                               k, i[0]["kernel"], i[0]["load"],
                               ", %s at the end" % le[0]["load_end"]
                               if le else "", i[0]["guest_mem_mib"],
                               i[0]["date"]))
        out.append("")
        info = {k: next((r for r in g[k] if r.get("lib") ==
                         "vexfs-kernel-info"), None) for k in kernels}
        mem = {k: next((r for r in g[k] if r.get("lib") ==
                        "vexfs-kernel-mem"), None) for k in kernels}
        ks = [k for k in kernels if info[k]]
        if not ks:
            out.append("No guest result (see the console logs in "
                       "build/bench-ann-vm).\n")
            continue

        def cell(k, f):
            try:
                return f(info[k])
            except (KeyError, TypeError, ValueError):
                return "-"
        ms = lambda v: ", ".join("%.1f" % (x * 1e3) for x in v)  # noqa: E731
        out.append("| | " + " | ".join(ks) + " |")
        out.append("|---|" + "---|" * len(ks))
        lines = [
            ("mount, cold (ms, 3 rounds)", lambda r: ms(r["mount_s"])),
            ("target: mount < 1 s", lambda r: "met (max %.0f ms)" % (
                max(r["mount_s"]) * 1e3) if max(r["mount_s"]) < 1 else
                "missed (max %.0f ms)" % (max(r["mount_s"]) * 1e3)),
            ("index state after mount", lambda r: ", ".join(
                STATES.get(int(x), str(x))
                for x in r["index_state_after_mount"])),
            ("first query after mount (ms)", lambda r: ms(r["first_query_s"])),
            ("its recall@10", lambda r: ", ".join(
                "%.2f" % x for x in r["first_query_recall"])),
            ("answered by", lambda r: METHODS.get(r["first_query_method"],
                                                  "?")),
            ("second query (ms)", lambda r: ms(r["second_query_s"])),
            ("read from the disk: mount / first / second query (KiB)",
             lambda r: "; ".join("%.0f / %.0f / %.0f" % x for x in zip(
                 r["mount_read_kib"], r["first_query_read_kib"],
                 r["second_query_read_kib"]))),
            ("readdir of the collection (s)", lambda r: "%.1f" %
             r["readdir_s"]),
            ("vectors / in the index", lambda r: "%d / %d" % (
                r["count"], r["index_live"])),
            ("index / vector store (MiB)", lambda r: "%s / %s" % (
                mib(r["index_bytes"]), mib(r["store_bytes"]))),
        ]
        for name, f in lines:
            out.append("| %s | %s |" % (name, " | ".join(cell(k, f)
                                                         for k in ks)))
        out.append("")

        out.append("Kernel memory, MiB, change from the unmounted state "
                   "after drop_caches (Slab / SUnreclaim / Buffers / Cached "
                   "/ VmallocUsed):\n")
        keys = ["Slab", "SUnreclaim", "Buffers", "Cached", "VmallocUsed"]
        pts = [("after the first mount", "info", "mem_after_mount"),
               ("after its first two queries", "info",
                "mem_after_first_queries"),
               ("after the 3 mounts and the readdir", "info",
                "mem_after_readdir"),
               ("peak during the sweeps", "mem", "mem_peak_queries"),
               ("after the sweeps", "mem", "mem_after_queries")]
        out.append("| point | " + " | ".join(ks) + " |")
        out.append("|---|" + "---|" * len(ks))
        for name, src, key in pts:
            cells = []
            for k in ks:
                base = info[k]["mem_unmounted"]
                r = info[k] if src == "info" else mem[k]
                if not r or key not in r:
                    cells.append("-")
                    continue
                cells.append(" / ".join(kb_delta(base, r[key], x)
                                        for x in keys))
            out.append("| %s | %s |" % (name, " | ".join(cells)))
        for k in ks:
            if mem[k] and mem[k].get("slab_vexfs_kb"):
                out.append("\n%s: the module's slab caches after the sweeps: "
                           "%s." % (k, ", ".join(
                               "%s %d KiB" % kv for kv in
                               sorted(mem[k]["slab_vexfs_kb"].items()))))
        out.append("")

        sw = {k: sorted((r for r in g[k] if r.get("lib") == "vexfs-kernel"),
                        key=lambda r: r["ef"]) for k in ks}
        efs = sorted({r["ef"] for k in ks for r in sw[k]})
        if efs:
            nq = next(r["nq"] for k in ks for r in sw[k])
            out.append("The kernel's index, recall@10 / QPS (cold sweep's "
                       "QPS in brackets), %d queries per point:\n" % nq)
            out.append("| ef | " + " | ".join(ks) + " |")
            out.append("|---|" + "---|" * len(ks))
            for ef in efs:
                cells = []
                for k in ks:
                    r = [x for x in sw[k] if x["ef"] == ef]
                    cells.append("%.4f / %.0f (%.0f)" % (
                        r[0]["recall"], r[0]["qps"], r[0]["qps_runs"][0])
                        if r else "")
                out.append("| %d | %s |" % (ef, " | ".join(cells)))
            out.append("")
            for k in ks:
                b = best_at(sw[k], TARGET)
                out.append("- %s: %s" % (k, "best QPS at recall@10 >= %.2f: "
                                         "%.0f at ef %d (recall %.4f)" % (
                                             TARGET, b["qps"], b["ef"],
                                             b["recall"]) if b else
                                         "recall@10 %.2f not reached" %
                                         TARGET))
            out.append("")
    return out


def main():
    raw, md, png = sys.argv[1:4]
    rows = [json.loads(line) for line in open(raw) if line.startswith("{")]
    ismount = [bool(re.match(r"mount ", r.get("info") or r.get("label", "")))
               for r in rows]
    mrows = [r for r, m in zip(rows, ismount) if m]
    rows = [r for r, m in zip(rows, ismount) if not m]
    info = {}
    for r in rows:
        if "info" in r:
            m = re.search(r"n=(\d+) dim=(\d+)", r["info"])
            info[(int(m.group(1)), int(m.group(2)))] = r
    sets = {}
    for r in (r for r in rows if "lib" in r):
        sets.setdefault(dataset(r), {}).setdefault(r["lib"], []).append(r)

    out = ["# ANN in the VM: the VexFS kernel index against hnswlib and FAISS",
           "",
           "Written by `make bench-ann-vm` (part of `make bench-ann`; "
           "bench/ann/vm.sh, annvm.cpp, vm-report.py).  Everything runs in "
           "one QEMU/TCG guest (2 vCPUs, one thread used), on the same "
           "clustered-Gaussian data as the native benchmark (annbench's "
           "generator; ground truth by exact float64 search on the host): "
           "the kernel imports the vectors with VEXFS_IOC_BATCH_SET and "
           "builds its index, then hnswlib 0.6.2 and FAISS 1.7.3 (statically "
           "linked, -O3 -march=x86-64-v3: AVX2/FMA, which TCG emulates) "
           "build theirs in the same guest; the ef sweep then runs every "
           "library in turn for each ef.  Same M = 16, ef_construction = "
           "200, k = 10.  Times are the guest's wall clock.",
           "",
           "**How to read the ratios.**  The emulation does not slow "
           "every contender alike: TCG emulates SSE/AVX floating point "
           "through helpers, and makes atomics, page-cache lookups and "
           "other memory-bound kernel paths dearer too, so an in-VM ratio "
           "is not the native ratio (bench/results/ann.md compares the "
           "same core natively).  The host is shared with other jobs: "
           "each point is the best of the sweep's repetitions, and runs "
           "still differ by up to 2x (docs/ann.md lists several).  What "
           "the VM run measures that the native one cannot: the real "
           "kernel path (ioctl, buffer cache, locking, the on-disk "
           "index), import and build through the filesystem, mount "
           "time, and kernel memory.",
           ""]
    for ds in sorted(info):
        i = info[ds]
        out.append("- n=%d dim=%d: kernel %s; host %s, %d cores shared with "
                   "other jobs, load average at start %s; guest memory %d MiB;"
                   " %s" % (ds[0], ds[1], i["kernel"], i["cpu"], i["nproc"],
                            i["load"], i["guest_mem_mib"], i["date"]))
    out.append("")

    fig, axes = plt.subplots(1, max(1, len(sets)),
                             figsize=(7 * max(1, len(sets)), 5), squeeze=False)
    for ax, (ds, libs) in zip(axes[0], sorted(sets.items())):
        n, dim = ds
        kinfo = libs.get("vexfs-kernel-info", [None])[0]
        kmem = libs.get("vexfs-kernel-mem", [None])[0]
        out.append("## %d vectors, %d dimensions\n" % (n, dim))

        # build and size
        out.append("| implementation | build (s) | index size (MiB) | notes |")
        out.append("|---|---|---|---|")
        if kinfo:
            out.append("| VexFS kernel | %.1f | %s | import (BATCH_SET) %.1f s"
                       " + index wait %.1f s; then syncfs %.1f s; vector "
                       "store %s MiB; index state %s, %d vectors indexed |" % (
                           kinfo["import_s"] + kinfo["wait_s"],
                           mib(kinfo["index_bytes"]), kinfo["import_s"],
                           kinfo["wait_s"], kinfo["sync_s"],
                           mib(kinfo["store_bytes"]),
                           STATES.get(kinfo["index_state"],
                                      str(kinfo["index_state"])),
                           kinfo["index_live"]))
        for lib in ("hnswlib", "faiss-hnsw"):
            if lib in libs:
                r = libs[lib][0]
                out.append("| %s | %.1f | %s | saved index file (holds the "
                           "float vectors) |" % (NAMES[lib], r["build_s"],
                                                mib(r["index_bytes"])))
        out.append("")

        # mount
        if kinfo:
            ms = kinfo["mount_s"]
            out.append("Mount with the collection present (umount, "
                       "drop_caches, mount; %d rounds): mount %s ms "
                       "(median %.1f); first query after mount %s ms "
                       "(median %.1f; %s, default ef), the next query %s ms; "
                       "index state after mount: %s.\n" % (
                           len(ms), ", ".join("%.1f" % (x * 1e3) for x in ms),
                           statistics.median(ms) * 1e3,
                           ", ".join("%.1f" % (x * 1e3)
                                     for x in kinfo["first_query_s"]),
                           statistics.median(kinfo["first_query_s"]) * 1e3,
                           METHODS.get(kinfo["first_query_method"], "?"),
                           ", ".join("%.1f" % (x * 1e3)
                                     for x in kinfo["second_query_s"]),
                           STATES.get(kinfo["index_state_after_mount"], "?")))

        # memory
        if kinfo:
            b = kinfo["mem_before"]
            out.append("Kernel memory, MiB, change from just before the "
                       "import (Buffers: block-device page cache; Cached: "
                       "file page cache, including the index inode's pages; "
                       "peaks sampled between import batches, every 0.2 s "
                       "while the index builds, and after each ef round of "
                       "kernel queries):\n")
            keys = ["Slab", "SUnreclaim", "VmallocUsed", "Buffers", "Cached"]
            out.append("| point | " + " | ".join(keys) + " | MemFree |")
            out.append("|---|" + "---|" * (len(keys) + 1))
            pts = [("after import + index build + syncfs",
                    kinfo["mem_after_import"]),
                   ("peak during import and build", kinfo["mem_peak_import"]),
                   ("after umount + drop_caches", kinfo["mem_unmounted"])]
            if kmem:
                pts += [("kernel queries start (after mounts)",
                         kmem["mem_queries_start"]),
                        ("peak during kernel queries",
                         kmem["mem_peak_queries"]),
                        ("after all queries", kmem["mem_after_queries"])]
            for label, m in pts:
                out.append("| %s | %s | %s |" % (
                    label, " | ".join(kb_delta(b, m, k) for k in keys),
                    kb_delta(b, m, "MemFree")))
            out.append("\n(MemFree in the query rows also moves with "
                       "hnswlib's and FAISS's own memory, which the guest "
                       "holds at the same time.)")
            if kmem and kmem.get("slab_vexfs_kb"):
                out.append("\nThe module's slab caches after the queries: " +
                           ", ".join("%s %d KiB" % kv for kv in
                                     sorted(kmem["slab_vexfs_kb"].items())) +
                           ".")
            out.append("")

        # sweep
        sweep = [lib for lib in ("vexfs-kernel", "hnswlib", "faiss-hnsw")
                 if lib in libs]
        if "vexfs-kernel" not in libs:
            out.append("**No kernel ANN query was measured**: the module "
                       "in this run has no index (VEXFS_IOC_INDEX_CTL "
                       "unknown), so only its exact search is reported.\n")
        efs = sorted({r["ef"] for lib in sweep for r in libs[lib]})
        nq = libs[sweep[0]][0].get("nq") if sweep else 0
        out.append("recall@10 / QPS (one thread, %s queries per point) by ef:"
                   "\n" % nq)
        out.append("| ef | " + " | ".join(NAMES[lib] for lib in sweep) + " |")
        out.append("|---|" + "---|" * len(sweep))
        for ef in efs:
            cells = []
            for lib in sweep:
                r = [x for x in libs[lib] if x["ef"] == ef]
                cells.append("%.4f / %.0f" % (r[0]["recall"], r[0]["qps"])
                             if r else "")
            out.append("| %d | %s |" % (ef, " | ".join(cells)))
        out.append("")
        for lib in ("vexfs-kernel-exact", "faiss-flat"):
            if lib in libs:
                r = libs[lib][0]
                out.append("- %s: recall %.4f at %.1f QPS (%d queries%s)" % (
                    NAMES[lib], r["recall"], r["qps"], r["nq"],
                    ", method %s" % METHODS.get(r["method"], "?")
                    if "method" in r else ", one call"))
        if "vexfs-kernel" in libs:
            ms = {r.get("method") for r in libs["vexfs-kernel"]}
            out.append("- kernel sweep answered by: %s" %
                       ", ".join(METHODS.get(x, str(x)) for x in sorted(ms)))
        out.append("")

        # what a kernel query costs besides the search
        if "vexfs-kernel-probe" in libs or "hnswlib-probe" in libs:
            out.append("k = 1 against k = 10 at the same ef, back to back "
                       "(QPS, recall@1 or @10 in brackets): the kernel "
                       "resolves every hit it returns (inode, generation, "
                       "permissions up to the queried directory) and "
                       "reranks 2k candidates exactly, so what k = 1 saves "
                       "is that per-hit work:\n")
            out.append("| ef | VexFS kernel k=1 | VexFS kernel k=10 | "
                       "hnswlib k=1 | hnswlib k=10 |")
            out.append("|---|---|---|---|---|")
            probes = libs.get("vexfs-kernel-probe", []) + \
                libs.get("hnswlib-probe", [])
            for ef in sorted({r["ef"] for r in probes}):
                cells = []
                for lib in ("vexfs-kernel-probe", "hnswlib-probe"):
                    for kq in (1, 10):
                        r = [x for x in libs.get(lib, [])
                             if x["ef"] == ef and x["k"] == kq]
                        cells.append("-" if not r else "%.0f (%.3f)" % (
                            r[0]["qps"], r[0]["recall"]))
                out.append("| %d | %s |" % (ef, " | ".join(cells)))
            if "vexfs-kernel-info-ioctl" in libs:
                r = libs["vexfs-kernel-info-ioctl"][0]
                out.append("\nA trivial ioctl (VEXFS_IOC_COLLECTION_INFO) "
                           "takes %.0f us in this guest (%d calls, best of "
                           "the repetitions)." % (1e6 / r["qps"], r["calls"]))
            out.append("")

        # matching recall
        levels = (0.90, TARGET, 0.99)
        out.append("QPS at matching recall@10 (log-linear between sweep "
                   "points; - where the sweep does not reach it), and the "
                   "ratio to hnswlib's:\n")
        out.append("| implementation | " + " | ".join(
            "recall %.2f" % x for x in levels) + " |")
        out.append("|---|" + "---|" * len(levels))
        for lib in sweep:
            cells = []
            for x in levels:
                q = qps_at(libs[lib], x)
                ref = qps_at(libs.get("hnswlib", []), x)
                cells.append("-" if not q else "%.0f (%.2fx)" % (q, q / ref)
                             if ref else "%.0f" % q)
            out.append("| %s | %s |" % (NAMES[lib], " | ".join(cells)))
        out.append("")

        # target
        refi = qps_at(libs.get("hnswlib", []), TARGET)
        out.append("QPS at recall@10 = %.2f (interpolated), against hnswlib's"
                   " in the same VM:\n" % TARGET)
        out.append("| implementation | best point >= %.2f: ef | recall@10 | "
                   "QPS | QPS at %.2f | / hnswlib |" % (TARGET, TARGET))
        out.append("|---|---|---|---|---|---|")
        for lib in sweep:
            bp = best_at(libs[lib], TARGET)
            qi = qps_at(libs[lib], TARGET)
            if not bp or not qi:
                out.append("| %s | not reached | - | - | - | - |" % NAMES[lib])
                continue
            out.append("| %s | %d | %.4f | %.0f | %.0f | %s |" % (
                NAMES[lib], bp["ef"], bp["recall"], bp["qps"], qi,
                "%.2f" % (qi / refi) if refi else "-"))
        out.append("")

        for lib in sweep:
            rs = sorted(libs[lib], key=lambda r: r["ef"])
            ax.plot([r["recall"] for r in rs], [r["qps"] for r in rs],
                    marker="o", markersize=3, label=NAMES[lib])
        for lib, style in (("vexfs-kernel-exact", "--"), ("faiss-flat", ":")):
            if lib in libs:
                r = libs[lib][0]
                ax.axhline(r["qps"], linestyle=style, linewidth=1,
                           color="black" if lib == "faiss-flat" else "red",
                           label="%s (recall %.2f)" % (NAMES[lib],
                                                       r["recall"]))
        ax.axvline(TARGET, color="grey", linestyle=":", linewidth=1)
        ax.set_yscale("log")
        ax.set_xlabel("recall@10")
        ax.set_ylabel("queries per second (1 thread, in the VM)")
        ax.set_title("%s vectors, %d-d, QEMU/TCG guest" % (
            "%dk" % (n // 1000) if n < 10**6 else "%dM" % (n // 10**6), dim))
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    out += mount_sections(mrows)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    with open(md, "w") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()
