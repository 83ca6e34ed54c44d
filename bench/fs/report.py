#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""report.py - turn bench/fs/guest.sh output into VexFS/ext4 ratios.

Every row is oriented so that a ratio above 1 means VexFS did better:
rates are VexFS/ext4, times and latencies are ext4/VexFS.  Each row has
the issue's target (0.95 for throughput, 1.0 for metadata and for fsync
latency); the table says which are met.  Writes a markdown table and a
bar chart; prints the table.
"""
import argparse
import json
import sys

# workload -> (what is measured, kind); kind picks the target
ROWS = [
    ("seq_write_buffered", "MiB/s", "throughput"),
    ("seq_read_buffered", "MiB/s", "throughput"),
    ("seq_write_direct", "MiB/s", "throughput"),
    ("seq_read_direct", "MiB/s", "throughput"),
    ("rand_read_4k", "IOPS", "throughput"),
    ("rand_write_4k", "IOPS", "throughput"),
    ("wal_fdatasync", "IOPS", "throughput"),
    ("wal_fdatasync_lat_mean", "us", "latency"),
    ("wal_fdatasync_lat_p99", "us", "latency"),
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
TARGET = {"throughput": 0.95, "metadata": 1.0, "latency": 1.0}
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
    if name == "wal_fdatasync":
        lat = job["sync"]["lat_ns"]
        values[name + "_lat_mean"] = lat["mean"] / 1000
        pct = lat.get("percentile", {})
        p99 = [v for k, v in pct.items() if k.startswith("99.0")]
        if p99:
            values[name + "_lat_p99"] = p99[0] / 1000
    return values


def parse(raw):
    """{fs: {workload: value}} and the list of failed workloads."""
    res = {"vexfs": {}, "ext4": {}}
    errors = []
    lines = open(raw, encoding="utf-8", errors="replace").read().splitlines()
    i = 0
    while i < len(lines):
        words = lines[i].split()
        if words[:1] == ["BEGIN-FIO"] and len(words) == 3:
            fs, name = words[1], words[2]
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith("END-FIO"):
                body.append(lines[i])
                i += 1
            text = "\n".join(body)
            try:
                doc = json.loads(text[text.index("{"):text.rindex("}") + 1])
                res[fs].update(fio_values(name, doc))
            except (ValueError, KeyError, IndexError):
                errors.append(f"{fs} {name}")
        elif words[:1] == ["RESULT"] and len(words) == 5:
            # A workload run more than once keeps its best result.
            fs, name, value = words[1], words[2], float(words[4])
            best = min if words[3] == "seconds" else max
            old = res[fs].get(name)
            res[fs][name] = value if old is None else best(old, value)
        elif words[:1] == ["ERROR"]:
            errors.append(" ".join(words[1:]))
        i += 1
    return res, errors


def table(res):
    rows = []
    for name, unit, kind in ROWS:
        v, e = res["vexfs"].get(name), res["ext4"].get(name)
        ratio = None
        if v and e:
            ratio = e / v if unit in LOWER_IS_BETTER else v / e
        rows.append((name, unit, kind, v, e, ratio))
    return rows


def fmt(x):
    return "n/a" if x is None else f"{x:.3g}" if x < 100 else f"{x:.0f}"


def markdown(rows, kernel, sizes, errors):
    out = [f"# VexFS vs ext4 (Linux {kernel}, same VM, same run)", "",
           sizes, "",
           "Ratio > 1 means VexFS did better (rates: VexFS/ext4; times "
           "and latencies: ext4/VexFS).", "",
           "| workload | unit | VexFS | ext4 | ratio | target | met |",
           "|---|---|---:|---:|---:|---:|---|"]
    for name, unit, kind, v, e, r in rows:
        met = "n/a" if r is None else "yes" if r >= TARGET[kind] else "**no**"
        out.append(f"| {name} | {unit} | {fmt(v)} | {fmt(e)} | "
                   f"{fmt(r)} | {TARGET[kind]} | {met} |")
    if errors:
        out += ["", "Failed workloads: " + ", ".join(errors)]
    return "\n".join(out) + "\n"


def chart(rows, kernel, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [r for r in rows if r[5] is not None]
    names = [r[0] for r in shown]
    ratios = [r[5] for r in shown]
    colors = ["tab:green" if r[5] >= TARGET[r[2]] else "tab:red"
              for r in shown]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(shown) + 1.5))
    ax.barh(names, ratios, color=colors)
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
    ap.add_argument("--notes", help="markdown appended to the report: "
                    "what was done about each shortfall")
    args = ap.parse_args()

    res, errors = parse(args.raw)
    rows = table(res)
    text = markdown(rows, args.kernel, args.sizes, errors)
    if args.notes:
        with open(args.notes, encoding="utf-8") as f:
            text += "\n" + f.read()
    with open(args.md, "w", encoding="utf-8") as f:
        f.write(text)
    chart(rows, args.kernel, args.png)
    print(text)
    judged = [r for r in rows if r[5] is not None]
    missed = [r[0] for r in judged if r[5] < TARGET[r[2]]]
    print(f"targets: {len(judged) - len(missed)} met, {len(missed)} missed"
          + (f" ({', '.join(missed)})" if missed else "")
          + (f"; {len(errors)} workloads failed" if errors else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
