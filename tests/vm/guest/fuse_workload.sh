# SPDX-License-Identifier: GPL-2.0
#
# fuse_workload.sh - the guest half of tests/fuse: /dev/vda is an empty
# VexFS (1 KiB blocks, so that extent and directory trees get deep).
# Through the kernel module, build a tree in /w with renames, hard links,
# short and long symlinks, xattrs (one in a value inode, trusted.*, an
# ACL), a collection with embeddings, a directory of 1500 entries (/big), a
# large sparse file, a file of 320 one-block extents (a depth-2 extent
# tree) and a preallocated file over blocks that held data;
# then write the manifest of /w (roundtrip_manifest.sh) and a few facts
# to /manifest and /facts in the same filesystem, and unmount.  The host
# mounts the image with vexfs-fuse and compares.
. /tests/lib.sh

modprobe vexfs || { fail "fuse/modprobe vexfs"; exit 1; }
mkdir -p /mnt
check "fuse/kernel/mount" mount -t vexfs /dev/vda /mnt || exit 1
cd /mnt || exit 1
mkdir -p w
check "fuse/kernel/tree" sh -c '
	set -e
	cd /mnt/w
	mkdir -p a/b/c empty coll
	echo hello >small
	: >zero
	dd if=/dev/urandom of=multi bs=1000 count=333 2>/dev/null
	# renames: within a directory, across directories, over a file
	echo one >r1 && mv r1 r2
	echo two >a/moved && mv a/moved a/b/c/moved
	echo old >victim && echo new >replacer && mv replacer victim
	# hard links
	ln small a/hard1 && ln small a/b/hard2
	# symlinks: inline (fast) and in a block (slow)
	ln -s small fastlink
	ln -s "$(printf "long/%.0s" $(seq 1 60))target" slowlink
	# special files, modes, owners
	mkfifo fifo
	mknod chr c 1 3
	mknod blk b 7 200
	chmod 4755 multi && chmod 1777 empty && chmod 0640 a/b
	chown 1234:5678 small && chown 42:43 a
	# xattrs: small, a value inode, trusted, an ACL
	xattr set small user.colour blue
	xattr set multi user.big "$(printf "%3000s" "" | tr " " v)"
	xattr set a user.on_dir yes
	xattr set multi trusted.secret shh
	xattr setacl small 1000
	# a big directory (outside /w: a manifest forks per file), a
	# multi-level hashed tree
	mkdir /mnt/big
	i=0
	while [ $i -lt 1500 ]; do : >/mnt/big/entry_number_$i; i=$((i + 1)); done
	# a large sparse file
	echo start | dd of=sparse conv=notrunc 2>/dev/null
	echo middle | dd of=sparse bs=1M seek=40 conv=notrunc 2>/dev/null
	echo end | dd of=sparse bs=1M seek=99 conv=notrunc 2>/dev/null
	# one-block extents, every other block: 320 extents are a depth-2
	# extent tree with 1 KiB blocks (5 in the root, 61 in a block)
	i=0
	while [ $i -lt 320 ]; do
		echo "block $i" | dd of=striped bs=1024 seek=$((i * 2)) conv=notrunc 2>/dev/null
		i=$((i + 1))
	done
	# data in freed blocks, then preallocated over: the kernel writes
	# preallocated blocks as zeros (the format has no unwritten extents)
	dd if=/dev/urandom of=stale bs=1024 count=256 2>/dev/null
	sync && rm stale && sync
	falloc alloc 0 262144 prealloc
	printf tail >>prealloc
	# a collection with embeddings
	vexctl collection create coll --dim 4 --metric l2
	echo a >coll/a && echo b >coll/b && echo c >coll/c
	vexctl embed set coll/a --vector 1,2,3,4
	vexctl embed set coll/b --vector 0.5,-1,1e-3,7
	sync'
check "fuse/kernel/manifest" sh -c \
	'busybox sh /tests/roundtrip_manifest.sh /mnt/w >/mnt/manifest'
check "fuse/kernel/facts" sh -c '
	cd /mnt/w && {
	echo "trusted $(xattr get multi trusted.secret)"
	echo "embedding $(xattr list coll/a | grep user.vexfs.embedding)"
	echo "big $(($(ls /mnt/big | wc -l))) $(ls /mnt/big | sort | md5sum | cut -c1-32)"
	} >/mnt/facts'
cd /
check "fuse/kernel/umount" umount /mnt
check_eq "fuse/kernel/no_vexfs_errors" "$(dmesg_count 'vexfs.*error\|corrupt')" 0
[ "$failures" -eq 0 ]
