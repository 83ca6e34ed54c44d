#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""walk.py - read everything under a vexfs-fuse mount, tolerating errors.

  walk.py MOUNT            stat, list, read, readlink and read the xattrs of
                           every file; print one summary line; exit 0 if
                           every failure was an errno a corrupt image may
                           give (EIO, ENOENT, ENODATA, ENOTDIR, ...), 1 if
                           anything else happened (the mount went away:
                           ENOTCONN, a crashed daemon)
  walk.py --cmp SRC MNT REL...
                           read files REL of SRC and MNT at seeded random
                           offsets and lengths (and across their ends);
                           exit 1 at the first difference
"""
import errno
import os
import random
import stat
import sys

# What a corrupt image may make an operation fail with.
EXPECTED = {errno.EIO, errno.ENOENT, errno.ENODATA, errno.ENOTDIR,
            errno.EINVAL, errno.ERANGE, errno.E2BIG, errno.EOPNOTSUPP,
            errno.ENAMETOOLONG, errno.ELOOP}


def walk(top):
    counts = {"files": 0, "errors": 0}
    bad = []

    def attempt(what, fn, *args):
        try:
            return fn(*args)
        except OSError as e:
            counts["errors"] += 1
            if e.errno not in EXPECTED:
                bad.append("%s %s: %s" % (what, args[0], e))
            return None

    def read_all(path):
        with open(path, "rb") as f:
            while f.read(1 << 17):
                pass

    def visit(path):
        counts["files"] += 1
        st = attempt("lstat", os.lstat, path)
        if st is None:
            return
        names = attempt("listxattr", lambda p: os.listxattr(p, follow_symlinks=False), path)
        for name in names or []:
            attempt("getxattr", lambda p, n=name: os.getxattr(p, n, follow_symlinks=False), path)
        if stat.S_ISLNK(st.st_mode):
            attempt("readlink", os.readlink, path)
        elif stat.S_ISREG(st.st_mode):
            attempt("read", read_all, path)
        elif stat.S_ISDIR(st.st_mode):
            for name in attempt("listdir", os.listdir, path) or []:
                visit(os.path.join(path, name))

    visit(top)
    attempt("statvfs", os.statvfs, top)
    print("walked %d files, %d errors%s" % (counts["files"], counts["errors"],
          "; unexpected: " + "; ".join(bad[:5]) if bad else ""))
    return 1 if bad else 0


def cmp(src, mnt, rels):
    rng = random.Random(20)
    for rel in rels:
        a, b = os.path.join(src, rel), os.path.join(mnt, rel)
        size = os.path.getsize(a)
        fa, fb = os.open(a, os.O_RDONLY), os.open(b, os.O_RDONLY)
        try:
            tries = [(0, size + 10), (max(size - 1, 0), 10), (size, 10)]
            for _ in range(300):
                off = rng.randrange(0, size + 2)
                tries.append((off, rng.choice([1, 7, 511, 1023, 1024, 1025,
                                               4095, 4097, 65537, 200000])))
            for off, length in tries:
                x, y = os.pread(fa, length, off), os.pread(fb, length, off)
                if x != y:
                    print("%s: %d bytes at %d differ (%d vs %d bytes read)" %
                          (rel, length, off, len(x), len(y)))
                    return 1
        finally:
            os.close(fa)
            os.close(fb)
    print("%d files read at %d offsets each: equal" % (len(rels), 303))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--cmp":
        sys.exit(cmp(sys.argv[2], sys.argv[3], sys.argv[4:]))
    if len(sys.argv) == 2:
        sys.exit(walk(sys.argv[1]))
    sys.exit(__doc__)
