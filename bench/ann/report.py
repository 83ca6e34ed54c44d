#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""report.py RAW.jsonl OUT.md OUT.png - tables and a plot from annbench.

Groups annbench's lines by data set (n, dim), then prints for each: the
build time and index size of every implementation, the recall@10/QPS
sweep over ef, and the issue's targets: the best QPS at recall@10 >= 0.95
of the VexFS core against hnswlib's, and its build time against
hnswlib's.
"""
import json
import math
import re
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TARGET = 0.95


def name(r):
    if r["lib"] == "vexfs":
        build = r["label"].split()[0]
        simd = r.get("simd", "scalar")
        if build == "kflags-scalar":
            return "vexfs core (kernel flags, scalar distances)"
        if build == "kflags":
            return "vexfs core (kernel flags, %s islands)" % simd
        return "vexfs core (-O3 -march=native, %s islands)" % simd
    return r["lib"]


def size_name(n):
    return "%dM" % (n // 10**6) if n % 10**6 == 0 else \
        "%dk" % (n // 1000) if n % 1000 == 0 else "%d" % n


def dataset(r):
    m = re.search(r"n=(\d+) d=(\d+)", r["label"])
    return (int(m.group(1)), int(m.group(2)))


def best_at(rows, target):
    ok = [r for r in rows if r["recall"] >= target]
    return max(ok, key=lambda r: r["qps"]) if ok else None


def qps_at(rows, target):
    """QPS at exactly @target recall, log-linear between the sweep points."""
    rs = sorted(rows, key=lambda r: r["ef"])
    for a, b in zip(rs, rs[1:]):
        if a["recall"] < target <= b["recall"]:
            t = (target - a["recall"]) / (b["recall"] - a["recall"])
            return math.exp(math.log(a["qps"]) +
                            t * (math.log(b["qps"]) - math.log(a["qps"])))
    if rs and rs[0]["recall"] >= target:
        return rs[0]["qps"]
    return None


def main():
    raw, md, png = sys.argv[1:4]
    rows = [json.loads(line) for line in open(raw) if line.startswith("{")]
    info = [r for r in rows if "info" in r]
    rows = [r for r in rows if "lib" in r]
    sets = {}
    for r in rows:
        sets.setdefault(dataset(r), {}).setdefault(name(r), []).append(r)

    out = ["# ANN: the VexFS HNSW core against hnswlib and FAISS (native)",
           "",
           "Written by `make bench-ann` (bench/ann/run.sh, report.py).  Native "
           "runs on the build machine, one thread each; the VexFS core is "
           "the userspace build of common/hnsw.c over in-memory storage, once "
           "with the kernel's constraints (-O2, no SIMD/FP registers) and "
           "once with -O3 -march=native like hnswlib.  **No kernel query is "
           "measured here**: the kernel's index, mount time and kernel "
           "memory are measured in a VM (bench/results/ann-vm.md, including "
           "the mount of a 1M-vector collection).  Index "
           "size: for hnswlib and FAISS the saved index file (it holds the "
           "float vectors); for VexFS the size of the kernel's index inode "
           "(codes and links; the floats stay in the vector store), "
           "computed by hnsw_disk_bytes().  FAISS is Debian's build, whose "
           "distance code uses SSE only (no AVX), and its HNSW is searched "
           "one query per call; its flat index is searched in one batched "
           "(BLAS) call.  The machine was shared with other jobs: timings "
           "vary by 20-40% between runs (see the load averages).",
           ""]
    for i in info:
        out.append("- %s: %s, %d cores, load average at start %s" %
                   (i["info"], i["cpu"], i["nproc"], i["load"]))
    out.append("")
    fig, axes = plt.subplots(1, len(sets), figsize=(7 * len(sets), 5),
                             squeeze=False)
    for ax, (ds, libs) in zip(axes[0], sorted(sets.items())):
        n, dim = ds
        out.append("### %s vectors, %d dimensions\n" % (size_name(n), dim))
        out.append("| implementation | build (s) | index size (MiB) |")
        out.append("|---|---|---|")
        for lib, rs in libs.items():
            out.append("| %s | %.1f | %.1f |" % (lib, rs[0]["build_s"],
                                             rs[0]["index_bytes"] / 2**20))
        out.append("")
        out.append("recall@10 / QPS (queries per second, one thread) by ef:\n")
        efs = sorted({r["ef"] for rs in libs.values() for r in rs if r["ef"]})
        sweep = [lib for lib in libs if libs[lib][0]["ef"]]
        out.append("| ef | " + " | ".join(sweep) + " |")
        out.append("|---|" + "---|" * len(sweep))
        for ef in efs:
            cells = []
            for lib in sweep:
                r = [x for x in libs[lib] if x["ef"] == ef]
                cells.append("%.4f / %.0f" % (r[0]["recall"], r[0]["qps"])
                             if r else "")
            out.append("| %d | %s |" % (ef, " | ".join(cells)))
        for lib, rs in libs.items():
            if not rs[0]["ef"]:
                out.append("\n%s (exact, batched BLAS search of all queries): "
                           "recall %.4f at %.0f QPS" % (lib, rs[0]["recall"],
                                                        rs[0]["qps"]))
        ref = best_at(libs.get("hnswlib", []), TARGET)
        out.append("")
        out.append("Target: best QPS at recall@10 >= %.2f, against hnswlib's"
                   " (%s):\n" % (TARGET, "%.0f at ef %d" % (ref["qps"], ref["ef"])
                                 if ref else "not reached"))
        out.append("| implementation | best point: ef | recall@10 | QPS |"
                   " QPS at recall %.2f (interpolated) | / hnswlib | met |"
                   % TARGET)
        out.append("|---|---|---|---|---|---|---|")
        refi = qps_at(libs.get("hnswlib", []), TARGET)
        for lib in sweep:
            b = best_at(libs[lib], TARGET)
            qi = qps_at(libs[lib], TARGET)
            if not b or not qi or not refi:
                out.append("| %s | - | - | - | - | - | no |" % lib)
                continue
            ratio = qi / refi
            out.append("| %s | %d | %.4f | %.0f | %.0f | %.2f | %s |" % (
                lib, b["ef"], b["recall"], b["qps"], qi, ratio,
                "yes" if ratio >= 1 else "no"))
        out.append("")
        href = libs.get("hnswlib")
        if href:
            out.append("Target: build no slower than hnswlib's (%.1f s):\n"
                       % href[0]["build_s"])
            out.append("| implementation | build (s) | / hnswlib | met |")
            out.append("|---|---|---|---|")
            for lib in sweep:
                b = libs[lib][0]["build_s"]
                out.append("| %s | %.1f | %.2f | %s |" % (
                    lib, b, b / href[0]["build_s"],
                    "yes" if b <= href[0]["build_s"] else "no"))
            out.append("")
        for lib in sweep:
            rs = sorted(libs[lib], key=lambda r: r["ef"])
            ax.plot([r["recall"] for r in rs], [r["qps"] for r in rs],
                    marker="o", markersize=3, label=lib)
        ax.axvline(TARGET, color="grey", linestyle=":", linewidth=1)
        ax.set_yscale("log")
        ax.set_xlabel("recall@10")
        ax.set_ylabel("queries per second (1 thread)")
        ax.set_title("%s vectors, %d-d, native" % (size_name(n), dim))
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    with open(md, "w") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()
