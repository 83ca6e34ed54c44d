# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# common.sh - helpers for the fsck fixture scripts (sourced by run.sh
# before each tests/fsck/<case>/script, in the case's work directory).
#
#   basic_tree DIR   a small tree: files, a hard link, symlinks, a fifo,
#                    subdirectories and an xattr
#   make_image [MKFS-OPTIONS...]
#                    test.img: 4 MiB, 1 KiB blocks, fixed UUID and hash
#                    seed (so that hashes and layouts are the same on
#                    every run), populated from ./src when it exists
#   damage ARGS...   tests/fsck/tools/vexfs-damage on test.img
#   collection DIR DIM METRIC
#                    mark source directory DIR as a collection for mkfs -d
#                    (the xattr user.vexfs.collection)
#   embed FILE V...  give source file FILE the embedding V... (the xattr
#                    user.vexfs.embedding, little-endian float32)
#   coll_tree DIR    a tree with two collections: DIR/docs (dim 4, l2:
#                    a, b, sub/d and sub/e with embeddings, c without)
#                    and DIR/pics (dim 3, cosine: x with one), and
#                    DIR/plain/f outside them
#   vidx_tree DIR [N]
#                    DIR/vec, a collection (dim 4, l2) of N files (default
#                    1024, VEXFS_INDEX_MIN_VECTORS: mkfs -d builds its
#                    ANN index) f0000... with fixed pseudo-random
#                    embeddings, and DIR/small (dim 3, l2: 3 files, no
#                    index); make the image with make_image -N 2048
#   ino PATH         the inode number of PATH in test.img
#   jlog ARGS...     tests/fsck/tools/vexfs-journal on test.img: write
#                    transactions into its journal, as a crash leaves them
#   iblock INO       the inode table block holding inode INO

basic_tree() {
	mkdir -p "$1"/dir/sub "$1"/empty
	echo hello >"$1"/file
	head -c 5000 /dev/zero | tr '\0' x >"$1"/dir/five_blocks
	: >"$1"/dir/emptyfile
	ln "$1"/file "$1"/dir/hardlink
	ln -s file "$1"/symlink
	mkfifo "$1"/dir/fifo
	echo sub >"$1"/dir/sub/f
	"$XATTR" set "$1"/file user.colour blue
	chmod -R u+rwX,go+rX "$1"
}

make_image() {
	rm -f test.img
	truncate -s 4M test.img
	local src=()
	[ -d src ] && src=(-d src)
	"$MKFS" -q -b 1024 -U 5ee7c0de-0000-4000-8000-000000000001 \
		-E hash_seed=00112233-4455-6677-8899-aabbccddeeff \
		"${src[@]}" "$@" test.img
}

damage() {
	"$DAMAGE" test.img "$@"
}

ino() {
	"$DAMAGE" test.img --lookup "$1"
}

jlog() {
	"$JOURNAL" test.img "$@"
}

iblock() {
	local start
	start=$("$VEXCTL" info test.img | sed -n 's/^Inode table:[^0-9]*\([0-9]*\).*/\1/p')
	echo $(( start + $1 * 256 / 1024 ))
}

collection() {
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.vexfs.collection", ("dim=%s,metric=%s" % (sys.argv[2], sys.argv[3])).encode())' "$@"
}

embed() {
	python3 -c 'import os, struct, sys; v = [float(x) for x in sys.argv[2:]]; os.setxattr(sys.argv[1], "user.vexfs.embedding", struct.pack("<%df" % len(v), *v))' "$@"
}

coll_tree() {
	mkdir -p "$1"/docs/sub "$1"/pics "$1"/plain
	echo f >"$1"/plain/f
	collection "$1"/docs 4 l2
	for f in a b c sub/d sub/e; do echo "$f" >"$1/docs/$f"; done
	embed "$1"/docs/a 1 0 0 0
	embed "$1"/docs/b 0 1 0 0
	embed "$1"/docs/sub/d 0 0 1 0
	embed "$1"/docs/sub/e 0.5 0.5 0 0
	collection "$1"/pics 3 cosine
	echo x >"$1"/pics/x
	embed "$1"/pics/x 1 2 3
	chmod -R u+rwX,go+rX "$1"
}

# coll_of PATH, slot_of PATH: the collection and the vector slot of PATH
coll_of() {
	"$DAMAGE" test.img --vec "$1" | cut -d' ' -f1
}

slot_of() {
	"$DAMAGE" test.img --vec "$1" | cut -d' ' -f2
}

vidx_tree() {
	mkdir -p "$1"/vec "$1"/small
	collection "$1"/vec 4 l2
	python3 - "$1"/vec "${2:-1024}" <<'EOF2'
import os, random, struct, sys
random.seed(7)
for i in range(int(sys.argv[2])):
    p = "%s/f%04d" % (sys.argv[1], i)
    with open(p, "w") as f:
        f.write("%d\n" % i)
    v = [random.random() * 2 - 1 for _ in range(4)]
    os.setxattr(p, "user.vexfs.embedding", struct.pack("<4f", *v))
EOF2
	collection "$1"/small 3 l2
	for f in a b c; do echo "$f" >"$1/small/$f"; done
	embed "$1"/small/a 1 0 0
	embed "$1"/small/b 0 1 0
	embed "$1"/small/c 0 0 1
	chmod -R u+rwX,go+rX "$1"
}
