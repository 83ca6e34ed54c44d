# SPDX-License-Identifier: GPL-2.0
#
# vm-ab-guest.sh VEXFS_DEV DATA_DEV INODES ROUNDS ANNVM-ARGS... - the guest
# half of bench/ann/vm-ab.sh: module A (/root/a.ko, also the one modprobe
# loads, with its dependencies) imports and is timed, then B
# (/root/b.ko) and A again, ROUNDS times, on the same disk.
vexdev=$1 datadev=$2 inodes=$3 rounds=$4
shift 4

modprobe vexfs || exit 1
mkfs.vexfs -q -F -N "$inodes" "$vexdev" || exit 1
mkdir -p /mnt/ann
echo "guest: $(grep -c '^processor' /proc/cpuinfo) vCPUs, $(grep MemTotal /proc/meminfo), clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
dmesg -c >/dev/null
annvm --data "$datadev" --dev "$vexdev" --mnt /mnt/ann --label A0 "$@" || exit 1
dmesg -c | grep -i vexfs | tail -n 20
r=1
while [ $r -le "$rounds" ]; do
	for m in b a; do
		rmmod vexfs || exit 1
		insmod /root/$m.ko || exit 1
		L=$(echo $m | tr ab AB)$r
		annvm --data "$datadev" --dev "$vexdev" --mnt /mnt/ann --label "$L" \
			--skip-import 1 "$@" || exit 1
		dmesg -c | grep -i vexfs | tail -n 20
	done
	r=$((r + 1))
done
