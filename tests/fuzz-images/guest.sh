#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh FIRST COUNT [REGRESSION-SEED...] - the hostile-image run, in the VM.
#
# Builds the base image with this kernel (mkfs, constant identity, then
# fuzz-walk populate), then for every regression seed and for seeds
# FIRST .. FIRST+COUNT-1: vexfs-fuzz writes the corrupted image to tmpfs,
# it is attached to /dev/loop0 and mounted (even seeds errors=continue, odd
# seeds the default errors=remount-ro), walked and changed by fuzz-walk,
# and unmounted, each step under a timeout.  Every seed is announced in
# the kernel log first, so that an oops names the seed that caused it.
#
# Output: "FAIL: fuzz-images/seed-N (...)" for a seed that did not end in
# success or a clean error, one "PASS: fuzz-images/images" when all did,
# and one "outcome N mounted-ok|mount-refused|walk-errors" line per seed,
# which run.sh turns into the histogram.
first=$1
count=$2
shift 2

base=/tmp/base.img
img=/tmp/fuzz.img
mnt=/mnt/fuzz
loop=/dev/loop0
mkdir -p $mnt
failed=0

log() {
	# KERN_CRIT, so that it reaches the console next to any oops
	echo "<2>fuzz-images: $*" >/dev/kmsg
}

# --- the errors= policy -------------------------------------------------
sh /fuzz/errors.sh || failed=1

# --- the base image ---------------------------------------------------
dd if=/dev/zero of=$base bs=1M count=0 seek=8 2>/dev/null
mkfs.vexfs -q -F -b 1024 -N 2048 -U 76657866-732d-6675-7a7a-2d696d616765 $base &&
	vexfs-fuzz fix-ids $base &&
	losetup $loop $base &&
	mount -t vexfs $loop $mnt &&
	fuzz-walk populate $mnt &&
	umount $mnt &&
	losetup -d $loop &&
	fsck.vexfs -n $base >/tmp/fsck.out 2>&1
if [ $? -ne 0 ]; then
	echo "FAIL: fuzz-images/base-image (could not build a clean base image)"
	cat /tmp/fsck.out 2>/dev/null | head -20
	exit 1
fi
echo "PASS: fuzz-images/base-image"
echo "base image ready at $(cut -d' ' -f1 /proc/uptime) s"

# The uncorrupted image must walk and change without a single error, or
# the counts below mean nothing.
cp $base $img && losetup $loop $img && mount -t vexfs $loop $mnt
out=$(timeout 120 fuzz-walk $mnt)
echo "$out" | tail -n 4
umount $mnt
losetup -d $loop
case $out in
*", 0 errors; 0 failed changes") echo "PASS: fuzz-images/clean-image-walks-without-errors" ;;
*) echo "FAIL: fuzz-images/clean-image-walks-without-errors"; failed=1 ;;
esac
echo "clean walk done at $(cut -d' ' -f1 /proc/uptime) s"

# --- one seed -----------------------------------------------------------
run_seed() {
	seed=$1
	log "seed $seed"
	if ! desc=$(vexfs-fuzz gen $base $img "$seed"); then
		echo "FAIL: fuzz-images/seed-$seed (generator failed)"
		return 1
	fi
	echo "image $desc"
	if ! losetup $loop $img; then
		echo "FAIL: fuzz-images/seed-$seed (losetup)"
		return 1
	fi
	opts=
	[ $((seed % 2)) -eq 0 ] && opts="-o errors=continue"
	rc=0
	if timeout 60 mount -t vexfs $opts $loop $mnt 2>/dev/null; then
		out=$(timeout 120 fuzz-walk $mnt)
		wrc=$?
		echo "$out" | tail -n 4
		if [ $wrc -ge 124 ]; then
			echo "FAIL: fuzz-images/seed-$seed (walk did not finish; make fuzz-images N=1 SEED=$seed)"
			rc=1
		elif [ $wrc -ne 0 ]; then
			echo "FAIL: fuzz-images/seed-$seed (walk misbehaved; make fuzz-images N=1 SEED=$seed)"
			rc=1
		fi
		case $out in
		*", 0 errors"*) echo "outcome $seed mounted-ok" ;;
		*) echo "outcome $seed walk-errors" ;;
		esac
		if ! timeout 60 umount $mnt; then
			echo "FAIL: fuzz-images/seed-$seed (umount failed; make fuzz-images N=1 SEED=$seed)"
			umount -l $mnt 2>/dev/null
			rc=1
		fi
	else
		echo "outcome $seed mount-refused"
	fi
	losetup -d $loop || rc=1
	return $rc
}

for seed in "$@"; do
	run_seed "$seed" || failed=1
done
seed=$first
end=$((first + count))
while [ $seed -lt $end ]; do
	run_seed $seed || failed=1
	seed=$((seed + 1))
done
log "done"
echo "all seeds done at $(cut -d' ' -f1 /proc/uptime) s"
[ $failed -eq 0 ] && echo "PASS: fuzz-images/images (every image: success or a clean error)"
exit $failed
