# SPDX-License-Identifier: GPL-2.0
#
# pkg_install.sh DEV VERSION - the packaged VexFS works (tests/pkg/run.sh).
#
# The module is the one DKMS built and installed from vexfs-dkms (run-vm.sh
# -m /lib/modules/KVER/updates/dkms); the tools are the dynamically linked
# ones vexfs-tools installed, at their installed paths (run-vm.sh -b), and
# are called by those paths so that the harness's static copies in
# /usr/local/sbin cannot stand in for them.
. /tests/lib.sh

dev=$1 version=$2
mnt=/mnt/pkg
mkfs=/usr/sbin/mkfs.vexfs
fsck=/usr/sbin/fsck.vexfs
vexctl=/usr/bin/vexctl
mkdir -p $mnt

check modprobe_packaged_module modprobe vexfs
check_eq module_version "$(modinfo -F version vexfs 2>/dev/null)" "$version"
check_eq filesystem_registered "$(grep -c 'vexfs$' /proc/filesystems)" 1
check installed_mkfs $mkfs -q -F -L pkgtest "$dev"
check_eq installed_vexctl_info "$($vexctl info "$dev" 2>&1 | grep -c pkgtest)" 1
check mount mount -t vexfs "$dev" $mnt
check df df -k $mnt

# The packaged module writes: a failed write is a FAIL, never a SKIP.
if out=$(echo "packaged vexfs" 2>&1 >$mnt/hello); then
	pass write
else
	fail write
	echo "    $out"
fi
check_eq write_read "$(cat $mnt/hello 2>&1)" "packaged vexfs"
check mkdir_and_copy sh -c "mkdir $mnt/dir && cp $mkfs $mnt/dir/ && cmp $mkfs $mnt/dir/mkfs.vexfs"
sync

check umount umount $mnt
check installed_fsck_clean $fsck -n "$dev"
check remount mount -t vexfs "$dev" $mnt
check_eq data_survives_remount "$(cat $mnt/hello 2>&1)" "packaged vexfs"
check umount_again umount $mnt
check rmmod rmmod vexfs
finish
