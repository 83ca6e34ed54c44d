# SPDX-License-Identifier: GPL-2.0
#
# vm-guest.sh VEXFS_DEV DATA_DEV INODES ANNVM-ARGS... - the guest half of
# bench/ann/vm.sh: make a VexFS on VEXFS_DEV (INODES inodes), then run
# annvm on it with the packed data on DATA_DEV.  INODES "-" keeps the
# filesystem VEXFS_DEV holds (annvm --existing: a collection made by
# mkfs.vexfs -d on the host).  annvm prints one JSON object per line;
# everything else here is context for the log.
vexdev=$1 datadev=$2 inodes=$3
shift 3

modprobe vexfs || exit 1
if [ "$inodes" != - ]; then
	mkfs.vexfs -q -F -N "$inodes" "$vexdev" || exit 1
fi
mkdir -p /mnt/ann
echo "guest: $(grep -m1 'model name' /proc/cpuinfo), $(grep -c '^processor' /proc/cpuinfo) vCPUs, $(grep MemTotal /proc/meminfo)"
echo "guest: vexfs distance kernels: $(cat /sys/module/vexfs/parameters/simd) (chosen at load; under TCG the emulated SIMD is slow)"
echo "guest: kernel $(uname -r)"
annvm --data "$datadev" --dev "$vexdev" --mnt /mnt/ann "$@" || exit 1
dmesg | grep -i vexfs | tail -n 20
