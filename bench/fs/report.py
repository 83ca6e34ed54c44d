#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""report.py - turn bench/fs/guest.sh output into VexFS/ext4 ratios.

Every row is oriented so that a ratio above 1 means VexFS did better:
rates are VexFS/ext4, times and latencies are ext4/VexFS.  Each workload
ran several rounds, the filesystems taking turns to go first; a row shows
each filesystem's median, the ratio of the medians and the spread of the
ratios of the single rounds (min-max).  The headline rows have the
issue's target (0.95 for throughput, 1.0 for metadata and for fsync
latency) and the table says which are met; the rows over preallocated
files, and the time their preallocation took, are shown for what they
are, without a target.  Writes a markdown table and a bar chart; prints
the table.
"""
import argparse
import json
import statistics
import sys

# workload -> (what is measured, kind); kind picks the target
ROWS = [
    ("seq_write_buffered", "MiB/s", "throughput"),
    ("seq_read_buffered", "MiB/s", "throughput"),
    ("seq_write_direct", "MiB/s", "throughput"),
    ("seq_read_direct", "MiB/s", "throughput"),
    ("seq_write_direct_prealloc", "MiB/s", "info"),
    ("seq_write_direct_prealloc_layout", "s", "info"),
    ("rand_read_4k", "IOPS", "throughput"),
    ("rand_write_4k", "IOPS", "throughput"),
    ("wal_fdatasync", "IOPS", "throughput"),
    ("wal_fdatasync_lat_mean", "us", "latency"),
    ("wal_fdatasync_lat_p99", "us", "latency"),
    ("wal_fdatasync_prealloc", "IOPS", "info"),
    ("wal_fdatasync_prealloc_lat_mean", "us", "info"),
    ("wal_fdatasync_prealloc_layout", "s", "info"),
    ("create_flat", "files/s", "metadata"),
    ("stat_flat", "files/s", "metadata"),
    ("unlink_flat", "files/s", "metadata"),
    ("create_tree", "files/s", "metadata"),
    ("stat_tree", "files/s", "metadata"),
    ("unlink_tree", "files/s", "metadata"),
    ("untar", "s", "metadata"),
    ("find", "s", "metadata"),
    ("du", "s", "metadata"),
    ("tar_c", "s", "throughput"),
]
TARGET = {"throughput": 0.95, "metadata": 1.0, "latency": 1.0,
          "info": None}
LOWER_IS_BETTER = {"s", "us"}


def fio_values(name, doc):
    """The numbers one fio job reports, keyed like ROWS."""
    job = doc["jobs"][0]
    if job.get("error"):
        return {}
    rw = "read" if "read" in name else "write"
    side = job[rw]
    if name.startswith("seq"):
        return {name: side["bw_bytes"] / 2**20}
    values = {name: side["iops"]}
    if name.startswith("wal_fdatasync"):
        lat = job["sync"]["lat_ns"]
        values[name + "_lat_mean"] = lat["mean"] / 1000
        pct = lat.get("percentile", {})
        p99 = [v for k, v in pct.items() if k.startswith("99.0")]
        if p99:
            values[name + "_lat_p99"] = p99[0] / 1000
    return values


def parse(raw):
    """{fs: {workload: [value of each round]}} and the failed workloads."""
    res = {"vexfs": {}, "ext4": {}}
    errors = []
    lines = open(raw, encoding="utf-8", errors="replace").read().splitlines()

    def add(fs, name, value):
        res[fs].setdefault(name, []).append(value)

    i = 0
    while i < len(lines):
        words = lines[i].split()
        if words[:1] == ["BEGIN-FIO"] and len(words) >= 3:
            fs, name = words[1], words[2]
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith("END-FIO"):
                body.append(lines[i])
                i += 1
            text = "\n".join(body)
            try:
                doc = json.loads(text[text.index("{"):text.rindex("}") + 1])
                for key, value in fio_values(name, doc).items():
                    add(fs, key, value)
            except (ValueError, KeyError, IndexError):
                errors.append(f"{fs} {name}")
        elif words[:1] == ["RESULT"] and len(words) == 5:
            add(words[1], words[2], float(words[4]))
        elif words[:1] == ["ERROR"]:
            errors.append(" ".join(words[1:]))
        i += 1
    return res, errors


def oriented(v, e, unit):
    """The ratio with > 1 meaning VexFS did better."""
    return e / v if unit in LOWER_IS_BETTER else v / e


def table(res):
    """(name, unit, kind, VexFS median, ext4 median, ratio, spread, n)."""
    rows = []
    for name, unit, kind in ROWS:
        vs, es = res["vexfs"].get(name, []), res["ext4"].get(name, [])
        v = statistics.median(vs) if vs else None
        e = statistics.median(es) if es else None
        ratio = spread = None
        if v and e:
            ratio = oriented(v, e, unit)
            per_round = [oriented(a, b, unit) for a, b in zip(vs, es) if a and b]
            if per_round:
                spread = (min(per_round), max(per_round))
        rows.append((name, unit, kind, v, e, ratio, spread, min(len(vs), len(es))))
    return rows


def fmt(x):
    return "n/a" if x is None else f"{x:.3g}" if x < 100 else f"{x:.0f}"


def markdown(rows, kernel, sizes, provenance, errors, judge):
    out = [f"# VexFS vs ext4 (Linux {kernel}, same VM, same run)", "",
           sizes, "", provenance, "",
           "Ratio > 1 means VexFS did better (rates: VexFS/ext4; times "
           "and latencies: ext4/VexFS).  VexFS and ext4 columns are "
           "medians over the rounds; the ratio is theirs, and the spread "
           "is the lowest and highest ratio of a single round.  Rows "
           "marked _prealloc_ overwrite a file preallocated first (their "
           "_layout_ rows time the preallocation); they have no target.", "",
           "| workload | unit | VexFS | ext4 | ratio | spread | rounds "
           "| target | met |",
           "|---|---|---:|---:|---:|---|---:|---:|---|"]
    for name, unit, kind, v, e, r, spread, n in rows:
        target = TARGET[kind]
        if not judge and r is not None and target is not None:
            met = "not judged"
        elif r is None or target is None:
            met = "n/a" if r is None else "-"
        else:
            met = "yes" if r >= target else "**no**"
        sp = "n/a" if spread is None else f"{fmt(spread[0])}-{fmt(spread[1])}"
        out.append(f"| {name} | {unit} | {fmt(v)} | {fmt(e)} | {fmt(r)} | "
                   f"{sp} | {n} | {'-' if target is None else target} | {met} |")
    if errors:
        out += ["", "Failed workloads: " + ", ".join(errors)]
    if not judge:
        out += ["", "Targets are not judged on this run: it used smoke-test "
                "sizes or ran on a loaded host (see above)."]
    return "\n".join(out) + "\n"


def chart(rows, kernel, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [r for r in rows if r[5] is not None]
    names = [r[0] for r in shown]
    ratios = [r[5] for r in shown]
    colors = ["tab:gray" if TARGET[r[2]] is None else
              "tab:green" if r[5] >= TARGET[r[2]] else "tab:red"
              for r in shown]
    lo = [r[5] - r[6][0] if r[6] else 0 for r in shown]
    hi = [r[6][1] - r[5] if r[6] else 0 for r in shown]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(shown) + 1.5))
    ax.barh(names, ratios, color=colors, xerr=[lo, hi], capsize=2)
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.axvline(0.95, color="gray", linestyle="--", linewidth=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("VexFS relative to ext4 (> 1: VexFS better)")
    ax.set_title(f"VexFS vs ext4, Linux {kernel}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--md", required=True)
    ap.add_argument("--png", required=True)
    ap.add_argument("--kernel", default="?")
    ap.add_argument("--sizes", default="", help="what the run measured")
    ap.add_argument("--provenance", default="",
                    help="commit, QEMU, cache mode, rounds, host load")
    ap.add_argument("--no-judge", dest="judge", action="store_false",
                    help="a quick or noisy run: show the ratios, judge no "
                    "target")
    ap.add_argument("--notes", help="markdown appended to the report: "
                    "what was done about each shortfall")
    args = ap.parse_args()

    res, errors = parse(args.raw)
    rows = table(res)
    text = markdown(rows, args.kernel, args.sizes, args.provenance, errors,
                    args.judge)
    if args.notes:
        with open(args.notes, encoding="utf-8") as f:
            text += "\n" + f.read()
    with open(args.md, "w", encoding="utf-8") as f:
        f.write(text)
    chart(rows, args.kernel, args.png)
    print(text)
    judged = [r for r in rows if r[5] is not None and TARGET[r[2]]]
    missed = [r[0] for r in judged if r[5] < TARGET[r[2]]]
    if not args.judge:
        print("targets: not judged (smoke-test sizes or a loaded host)")
        return 0
    print(f"targets: {len(judged) - len(missed)} met, {len(missed)} missed"
          + (f" ({', '.join(missed)})" if missed else "")
          + (f"; {len(errors)} workloads failed" if errors else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
