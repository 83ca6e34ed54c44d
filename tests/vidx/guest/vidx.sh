# SPDX-License-Identifier: GPL-2.0
#
# vidx.sh kernel DEV | offline DEV MKFSDEV - the ANN index between the
# kernel and the offline tools (tests/vidx/run.sh), in a guest.
#
# kernel:  the kernel builds an index and churns it, then unmounts
#          cleanly, for the host's fsck to check;
# offline: DEV holds an index fsck rebuilt, MKFSDEV one mkfs -d built:
#          the kernel must use each at once, find every embedding in it
#          once, answer by it, and keep it right through changes.
. /tests/lib.sh

mode=$1 dev=$2
mnt=/mnt/vidx
mkdir -p $mnt
modprobe vexfs

# offline_checks DIR WHAT DIM N: the kernel uses an index it did not
# build (files f0..f(N-1) at most, DIM elements)
offline_checks() {
	check_out "$2: the index is ready at mount, not rebuilt" "ready" \
		anntest state $1
	check "$2: every embedding is in the index once" anntest census $1
	check "$2: queries by the index, recall@10 >= 0.9, exact distances" \
		anntest recall $1 10 64 100 31 0.90
	check "$2: inserts, updates, removals keep it right" \
		anntest churn $1 $4 $3 32 40
	check "$2: census after the changes" anntest census $1
}

case $mode in
kernel)
	fresh_vexfs $dev
	mount -t vexfs $dev $mnt || exit 1
	mkdir $mnt/c
	check "a collection" vexctl collection create $mnt/c --dim 32 --metric l2
	check "3000 vectors go in" anntest load $mnt/c 0 3000 32 7
	check_out "the kernel builds the index" "ready" anntest wait $mnt/c
	check "churn leaves tombstones and repaired lists" \
		anntest churn $mnt/c 3000 32 21 60
	check "census" anntest census $mnt/c
	umount $mnt
	;;
offline)
	mount -t vexfs $dev $mnt || exit 1
	offline_checks $mnt/c "fsck's rebuild" 32 5000
	umount $mnt
	check "fsck finds it clean after the kernel changed it" \
		fsck.vexfs -fn $dev
	mount -t vexfs $3 $mnt || exit 1
	offline_checks $mnt/v "mkfs -d" 16 1500
	umount $mnt
	check "fsck finds the mkfs -d image clean after use" fsck.vexfs -fn $3
	;;
esac
[ $failures = 0 ]
