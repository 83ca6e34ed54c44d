#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh [--only-case NAME] FIRST COUNT [REGRESSION-SEED...]
#	- the hostile-image run, in the VM.
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
only_case=
if [ "$1" = --only-case ]; then
	only_case=$2	# run just this regression case (proving it fails)
	shift 2
fi
first=$1
count=$2
shift 2

base=/tmp/base.img
img=/tmp/fuzz.img
mnt=/mnt/fuzz
loop=/dev/loop0
mkdir -p $mnt
failed=0

# The VM boots with loglevel=4, which keeps KERN_WARNING (every WARN_ON's
# "WARNING:" line) off the console where run-vm.sh looks for it: let
# warnings through, and also check the kernel log after every image.
dmesg -n 5
dmesg -c >/dev/null
bad_log='WARNING:|BUG:|Oops|general protection|blocked for more than|soft lockup|Call Trace|Busy inodes|free free buffer'

# kernel_clean WHAT: no oops, BUG, WARNING or hang logged since last time
kernel_clean() {
	if dmesg -c | grep -E -A12 "$bad_log" >/tmp/bad.log; then
		echo "FAIL: fuzz-images/$1 (kernel warning or oops; make fuzz-images N=1 SEED=${1#seed-})"
		sed 's/^/  kernel: /' /tmp/bad.log | head -n 30
		return 1
	fi
}

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
	ino_small1=$(stat -c %i $mnt/small1) &&
	ino_small2=$(stat -c %i $mnt/small2) &&
	ino_d1=$(stat -c %i $mnt/d1) &&
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

# --- regression cases ----------------------------------------------------
# case NAME ACTION CORRUPTION...: a copy of the base image with one precise
# corruption (vexfs-fuzz ARGS, the image path inserted), mounted
# errors=continue, ACTION run on it under a timeout (it may fail cleanly),
# then unmounted.  Each case reproduces a bug that once oopsed, warned or
# hung; a new oops or hang fails the run as for a seed.
regression_case() {
	name=$1 action=$2 sub=$3
	shift 3
	[ -z "$only_case" ] || [ "$only_case" = "$name" ] || return 0
	log "case $name"
	cp $base $img && vexfs-fuzz $sub $img "$@" && losetup $loop $img ||
		{ echo "FAIL: fuzz-images/case-$name (setup)"; return 1; }
	dmesg -c >/dev/null
	if timeout 60 mount -t vexfs -o errors=continue $loop $mnt 2>/dev/null; then
		echo "case $name: $(timeout 60 sh -c "cd $mnt && $action" 2>&1 | tail -n 3 | tr '\n' ' ')"
		if ! timeout 60 umount $mnt; then
			echo "FAIL: fuzz-images/case-$name (umount)"
			losetup -d $loop
			return 1
		fi
	else
		echo "case $name: mount refused"
	fi
	losetup -d $loop
	kernel_clean case-$name || return 1
	echo "PASS: fuzz-images/case-$name"
}

# getxattr on an inode whose xattr block number is out of range used the
# ERR_PTR as a buffer.
regression_case getxattr-bad-block "fuzz-walk getxattr small1 user.a" \
	set-inode $ino_small1 0x78 8 999999999 || failed=1
# An xattr value inode naming its owner made the owner's eviction wait for
# itself in iget().
regression_case value-inode-is-owner "rm small2; sync" \
	set-value-ino $ino_small2 $ino_small2 || failed=1
# A directory with 1 link reached 0 when a subdirectory moved out, and
# mkdir in it then hit inc_nlink()'s WARN_ON.
regression_case dir-with-one-link "mv d1/d2 moved; mkdir d1/new; ls d1" \
	set-inode $ino_d1 2 2 1 || failed=1

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
	kernel_clean seed-$seed || rc=1
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
