# SPDX-License-Identifier: GPL-2.0
#
# punch.sh VEXFS-DEV EXT4-4K-DEV EXT4-1K-DEV - fallocate PUNCH_HOLE and
# ZERO_RANGE, compared with ext4 in the same guest (the ext4 disks are
# made on the host, with 4 KiB and 1 KiB blocks: the guest has no
# mkfs.ext4).
#
# Each case does the same operations on a file on VexFS and on ext4 and
# checks that the contents (md5) and sizes agree; st_blocks must drop by
# exactly the punched blocks where the range was allocated.  After every
# group the filesystem is unmounted, fsck.vexfs -n must find it clean,
# and the files are compared again as read back from the disk.  The whole
# run is done with 4 KiB blocks and again with 1 KiB blocks (blocks
# smaller than a page: partial pages at the edges of the range).
. /tests/lib.sh

vdev=$1
edev4096=$2
edev1024=$3
v=/mnt/punch-vexfs
e=/mnt/punch-ext4
mkdir -p $v $e
modprobe vexfs
modprobe ext4

# both OP ARGS... FILE: run "falloc OP ARGS... DIR/FILE" on both sides.
both() {
	op=$1 a=$2 b=$3 f=$4
	falloc "$op" "$a" "$b" $v/"$f" >/tmp/falloc.v 2>&1
	rv=$?
	falloc "$op" "$a" "$b" $e/"$f" >/tmp/falloc.e 2>&1
	re=$?
	if [ $rv -ne 0 ] || [ $re -ne 0 ]; then
		fail "$bs/$f/${op}_${a}_${b}: vexfs $rv ($(cat /tmp/falloc.v)) ext4 $re ($(cat /tmp/falloc.e))"
		return 1
	fi
	return 0
}

# same NAME FILE: contents and size equal on both sides
same() {
	check_eq "$bs/$1/md5" "$(md5sum <$v/"$2")" "$(md5sum <$e/"$2")"
	check_eq "$bs/$1/size" "$(stat -c %s $v/"$2")" "$(stat -c %s $e/"$2")"
}

blocks() { falloc blocks $v/"$1"; }

# put FILE SIZE: the same random file on both sides
put() {
	dd if=/dev/urandom of=/tmp/base bs=4096 count=$(($2 / 4096)) 2>/dev/null
	cp /tmp/base $v/"$1" && cp /tmp/base $e/"$1"
}

# remount NAME: unmount, fsck, mount, and compare every file again
remount() {
	check "$bs/$1/umount" umount $v
	check "$bs/$1/fsck_clean" fsck.vexfs -n "$vdev"
	check "$bs/$1/mount" mount -t vexfs "$vdev" $v
	for f in $(ls $e); do
		[ -f $e/"$f" ] || continue
		check_eq "$bs/$1/$f/md5_from_disk" "$(md5sum <$v/"$f")" \
			"$(md5sum <$e/"$f")"
	done
}

# punch FILE OFF LEN WANT-BLOCK-DROP: punch on both sides, compare
punch() {
	b0=$(blocks "$1")
	both punch "$2" "$3" "$1" || return
	same "punch_$1_$2_$3" "$1"
	if [ -n "$4" ]; then
		check_eq "$bs/punch_$1_$2_$3/blocks_freed" \
			$((b0 - $(blocks "$1"))) "$4"
	fi
}

zero() {
	b0=$(blocks "$2")
	both "$1" "$3" "$4" "$2" || return
	same "$1_$2_$3_$4" "$2"
	b1=$(blocks "$2")
	check "$bs/$1_$2_$3_$4/blocks_kept" test "$b1" -ge "$b0"
}

run() {
	bs=$1
	check "$bs/mkfs" mkfs.vexfs -q -F -b "$bs" "$vdev"
	eval edev=\$edev$bs
	check "$bs/mount" mount -t vexfs "$vdev" $v
	check "$bs/mount_ext4" mount -t ext4 "$edev" $e
	s=$((bs / 512))		# st_blocks per block

	# Aligned, unaligned, inside one block, at and past EOF.
	put a 1048576
	punch a 65536 131072 $((131072 / bs * s))
	punch a 1000 10000 $(((11000 / bs - (1000 + bs - 1) / bs) * s))
	punch a 300000 100 0
	punch a 1040000 8576 $(((1048576 / bs - (1040000 + bs - 1) / bs) * s))
	both keep 1048576 1048576 a
	punch a 1044480 2000000 $(((2097152 - 1048576) / bs * s))
	punch a 1048576 4096 0		# past EOF, nothing there
	check_eq "$bs/punch_needs_keep_size" \
		"$(falloc punchsize 0 4096 $v/a)" EOPNOTSUPP
	check_eq "$bs/collapse_unsupported" \
		"$(falloc collapse 0 65536 $v/a)" EOPNOTSUPP
	same punch_a_final a
	remount punch_edges

	# Over holes: a sparse file with islands of data.
	truncate -s 8388608 $v/h && truncate -s 8388608 $e/h
	for off in 0 3 700 1500 2043; do
		dd if=/tmp/base of=$v/h bs=4096 seek=$off count=5 conv=notrunc 2>/dev/null
		dd if=/tmp/base of=$e/h bs=4096 seek=$off count=5 conv=notrunc 2>/dev/null
	done
	punch h 5000 3000000
	punch h 0 8388608
	check_eq "$bs/punch_all/no_blocks_left" "$(blocks h)" 0
	remount punch_holes

	# A huge extent: holes in its middle split it (tail inserted, head
	# kept), many holes split its leaf and grow the tree; one punch over
	# all of it then empties and frees whole tree blocks.
	both alloc 0 33554432 x
	dd if=/tmp/base of=$v/x bs=4096 seek=100 count=256 conv=notrunc 2>/dev/null
	dd if=/tmp/base of=$e/x bs=4096 seek=100 count=256 conv=notrunc 2>/dev/null
	punch x 524288 4096 8
	punch x 1000000 333333
	i=0
	n=$((bs == 4096 ? 300 : 120))	# more than a leaf holds
	while [ $i -lt $n ]; do
		falloc punch $((2097152 + i * 2 * bs)) $bs $v/x &&
			falloc punch $((2097152 + i * 2 * bs)) $bs $e/x ||
			fail "$bs/punch_many_$i"
		i=$((i + 1))
	done
	same punch_many x
	remount punch_many
	punch x 400000 $((2097152 + 2 * n * bs))
	punch x 0 33554432
	check_eq "$bs/punch_huge_all/no_blocks_left" "$(blocks x)" 0
	remount punch_huge

	# Zero range: allocated, unaligned, over holes, past EOF.
	put z 1048576
	zero zerokeep z 65536 131072
	zero zerokeep z 1000 10000
	zero zerokeep z 300000 100
	truncate -s 3000000 $v/z && truncate -s 3000000 $e/z
	zero zerokeep z 900000 1000000		# data then hole
	zero zero z 2999000 500000		# across EOF: grows
	zero zerokeep z 4000000 100000		# past EOF: size kept
	check_eq "$bs/zero_keep_past_eof/size" "$(stat -c %s $v/z)" 3499000
	both alloc 0 33554432 y
	dd if=/tmp/base of=$v/y bs=4096 seek=9000 count=256 conv=notrunc 2>/dev/null
	dd if=/tmp/base of=$e/y bs=4096 seek=9000 count=256 conv=notrunc 2>/dev/null
	zero zerokeep y 20000000 10000000	# inside a huge extent
	remount zero_range

	# Punched then written again: the new blocks read back right.
	dd if=/tmp/base of=$v/x bs=1000 seek=3 count=100 conv=notrunc 2>/dev/null
	dd if=/tmp/base of=$e/x bs=1000 seek=3 count=100 conv=notrunc 2>/dev/null
	same rewrite x
	remount rewrite

	check "$bs/umount" umount $v
	check "$bs/umount_ext4" umount $e
	check "$bs/fsck_final" fsck.vexfs -n "$vdev"
}

run 4096
run 1024
finish
