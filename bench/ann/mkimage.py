#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mkimage.py BASE N DIM TREE IMAGE BLOCKS INODES MKFS - a VexFS image
holding one N-vector collection, made offline by `mkfs.vexfs -d`.

bench/ann/vm.sh --mount-1m uses it.  BASE is annbench's float32 vectors
(N x DIM).  The source tree TREE (best on a tmpfs: a million small files)
gets a directory c marked user.vexfs.collection="dim=DIM,metric=l2" and in
it one empty file v0000000, v0000001, ... per vector carrying the vector
as user.vexfs.embedding, as mkfs.vexfs(8) documents; then

    mkfs.vexfs -q -F -N INODES -d TREE IMAGE BLOCKS

lays out the store and builds the collection's HNSW index (userspace/lib/
vindex.c), timed with GNU time (elapsed, user, system, peak RSS).  The tree
is removed afterwards.  Prints one JSON line: what it took and how big the
image is.
"""
import json
import os
import shutil
import subprocess
import sys
import time


def main():
    base, n, dim, tree, image, blocks, inodes, mkfs = sys.argv[1:9]
    n, dim = int(n), int(dim)
    row = dim * 4
    if os.path.getsize(base) < n * row:
        sys.exit("mkimage.py: %s holds fewer than %d vectors" % (base, n))
    load0 = open("/proc/loadavg").read().split()[:3]
    if os.path.exists(tree):
        shutil.rmtree(tree)
    coll = os.path.join(tree, "c")
    os.makedirs(coll)
    os.setxattr(coll, "user.vexfs.collection",
                ("dim=%d,metric=l2" % dim).encode())
    t = time.monotonic()
    try:
        with open(base, "rb") as f:
            for i in range(n):
                v = f.read(row)
                fd = os.open(os.path.join(coll, "v%07d" % i),
                             os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                try:
                    os.setxattr(fd, "user.vexfs.embedding", v)
                finally:
                    os.close(fd)
        tree_s = time.monotonic() - t
        with open(image, "wb") as f:
            f.truncate(int(blocks) * 4096)
        t = time.monotonic()
        p = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", mkfs, "-q",
                            "-F", "-N", inodes, "-d", tree, image, blocks],
                           stderr=subprocess.PIPE, text=True)
        mkfs_wall = time.monotonic() - t
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    err = p.stderr.strip().splitlines()
    if p.returncode:
        sys.stderr.write("\n".join(err) + "\n")
        sys.exit("mkimage.py: mkfs.vexfs failed (exit %d)" % p.returncode)
    el, user, sys_s, rss = err[-1].split()
    st = os.stat(image)
    print(json.dumps({
        "lib": "vexfs-mkfs", "n": n, "dim": dim, "tree_s": round(tree_s, 1),
        "mkfs_s": float(el), "mkfs_user_s": float(user),
        "mkfs_sys_s": float(sys_s), "mkfs_maxrss_kb": int(rss),
        "mkfs_wall_s": round(mkfs_wall, 1), "image_bytes": st.st_size,
        "image_used_bytes": st.st_blocks * 512, "inodes": int(inodes),
        "load_before": " ".join(load0),
        "load_after": " ".join(open("/proc/loadavg").read().split()[:3]),
    }))


if __name__ == "__main__":
    main()
