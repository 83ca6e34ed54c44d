# SPDX-License-Identifier: GPL-2.0
#
# cost.sh - the price of journaling: the same metadata-heavy workload on
# /dev/vda (journaled) and /dev/vdb (made with mkfs.vexfs -J size=0), in
# one boot, timed from /proc/uptime.  Not part of make check; run by hand:
#   tests/vm/run-vm.sh -v -k KVER -d j.img -d nj.img tests/crash/cost.sh
. /tests/lib.sh

now() { awk '{ printf "%d", $1 * 100 }' /proc/uptime; }

workload() {
	m=$1
	for d in 0 1 2 3 4 5 6 7; do
		mkdir $m/d$d
		for f in $(seq 1 150); do
			echo "$d $f" >$m/d$d/f$f
		done
	done
	for d in 0 1 2 3 4 5 6 7; do
		for f in $(seq 1 150); do
			mv $m/d$d/f$f $m/d$d/g$f
		done
	done
	ls -lR $m >/dev/null
	rm -rf $m/d0 $m/d1 $m/d2 $m/d3
	sync
}

modprobe vexfs
mkdir -p /mnt/cost
# ABBA order, so that neither disk always runs first.
round=0
for dev in /dev/vda /dev/vdb /dev/vdb /dev/vda; do
	round=$((round + 1))
	mount -t vexfs $dev /mnt/cost || { echo "FAIL: mount $dev"; exit 1; }
	mkdir /mnt/cost/r$round
	t0=$(now)
	workload /mnt/cost/r$round
	t1=$(now)
	umount /mnt/cost
	echo "cost: round $round $dev: $(( (t1 - t0) / 100 )).$(( (t1 - t0) % 100 )) s"
	fsck.vexfs -n $dev >/dev/null && echo "PASS: fsck_after_round_$round" ||
		echo "FAIL: fsck_after_round_$round"
done
