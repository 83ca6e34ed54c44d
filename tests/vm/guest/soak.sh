# SPDX-License-Identifier: GPL-2.0
#
# soak.sh DEV ROUNDS - files.sh's fsx -> fsstress sequence, ROUNDS times
# on one filesystem with fresh seeds (not part of the suites: a soak for
# rare races).
. /tests/lib.sh

dev=$1
rounds=${2:-5}
mnt=/mnt/soak
mkdir -p $mnt
modprobe vexfs
check mkfs mkfs.vexfs -q -F "$dev"
r=0
while [ $r -lt "$rounds" ]; do
	r=$((r + 1))
	seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	check "r${r}_mount" mount -t vexfs "$dev" $mnt
	check "r${r}_fsx_$seed" fsx -s "$seed" -n 20000 -R -P $mnt/fsx.file
	check "r${r}_fsx_large_$seed" fsx -s "$seed" -n 3000 -l 100000000 -F 250 $mnt/fsx.large
	rm -f $mnt/fsx.file $mnt/fsx.large
	rm -rf $mnt/stress
	mkdir $mnt/stress
	check "r${r}_fsstress_$seed" fsstress run $mnt/stress 8 1500 "$seed" /tmp/model
	check "r${r}_umount" umount $mnt
	check "r${r}_mount2" mount -t vexfs "$dev" $mnt
	check "r${r}_verify" fsstress verify $mnt/stress /tmp/model
	check "r${r}_umount2" umount $mnt
	check "r${r}_fsck" fsck.vexfs -fn "$dev"
	dmesg | grep -q "vexfs.*error\|WARNING" && { echo "FAIL: r${r}_dmesg"; dmesg | tail -40; break; }
done
finish
