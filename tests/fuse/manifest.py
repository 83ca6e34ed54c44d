#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""manifest.py DIR - describe every file under DIR, one line each, sorted:

  path|type|mode|uid:gid|nlink|mtime_ns|size|sha256 or target or rdev|xattrs

xattrs are name=hex(value) joined by ';', every namespace the caller may
list (trusted.* too, for root).  One process, so that a tree of thousands
of files is described in a second or two (roundtrip_manifest.sh forks
several programs per file: that is for the guest, which has no Python).
"""
import hashlib
import os
import stat
import sys


def describe(top, rel):
    path = os.path.join(top, rel)
    st = os.lstat(path)
    kind = stat.S_IFMT(st.st_mode)
    fields = [rel, "%o" % kind, "%o" % stat.S_IMODE(st.st_mode),
              "%d:%d" % (st.st_uid, st.st_gid), str(st.st_nlink),
              str(st.st_mtime_ns)]
    if stat.S_ISREG(kind):
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 17), b""):
                h.update(chunk)
        fields += [str(st.st_size), h.hexdigest()]
    elif stat.S_ISLNK(kind):
        fields += [str(st.st_size), os.readlink(path)]
    elif stat.S_ISCHR(kind) or stat.S_ISBLK(kind):
        fields += ["", "%d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))]
    else:
        fields += ["", ""]
    names = sorted(os.listxattr(path, follow_symlinks=False))
    fields.append(";".join("%s=%s" % (n, os.getxattr(path, n, follow_symlinks=False).hex())
                           for n in names))
    return "|".join(fields)


def main(top):
    rels = ["."]
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            rels.append(os.path.relpath(os.path.join(root, name), top))
    for rel in sorted(rels):
        print(describe(top, rel))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
