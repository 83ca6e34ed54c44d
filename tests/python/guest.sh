#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh VEXFS_DEV PYROOT_DEV - the vexfs Python package's tests in the
# guest (tests/python/run.sh boots it): mounts the Python runtime image
# (tests/python/pyroot.sh) read-only at /py, makes and mounts VexFS at
# /mnt/docs (where the README example expects it), runs pytest on
# /opt/vexfs-tests as root (test_vexfs.py runs parts of itself as uid
# 1000), then unmounts and checks the filesystem with fsck.vexfs -fn.
# Each test prints one PASS:/FAIL: line (conftest.py).
dev=$1 pyroot=$2
res=/tmp/results

modprobe ext4 || { echo "FAIL: python/setup (modprobe ext4)"; exit 1; }
mkdir -p /py /mnt/docs
mount -t ext4 -o ro "$pyroot" /py || { echo "FAIL: python/setup (mount $pyroot)"; exit 1; }
modprobe vexfs || { echo "FAIL: python/setup (modprobe vexfs)"; exit 1; }
if ! mkfs.vexfs -q "$dev" || ! mount -t vexfs "$dev" /mnt/docs; then
	echo "FAIL: python/setup (mkfs, mount)"
	exit 1
fi

export PYTHONHOME=/py/usr LD_LIBRARY_PATH=/py/lib PYTHONDONTWRITEBYTECODE=1
# The package where an installed one would be on the path.
export PYTHONPATH=/opt/vexfs
export VEXFS_PYTHONPATH=/opt/vexfs VEXFS_MNT=/mnt/docs VEXFS_RESULTS=$res
export HOME=/tmp
: >"$res"
python3 -m pytest -q -p no:cacheprovider --durations=6 \
	/opt/vexfs-tests >/tmp/pytest.log 2>&1
rc=$?
cat "$res"
if [ $rc -ne 0 ]; then
	echo "FAIL: python/pytest (exit $rc)"
	tail -n 60 /tmp/pytest.log
fi
sed -n "/slowest/,\$p" /tmp/pytest.log

umount /mnt/docs
if fsck.vexfs -fn "$dev" >/tmp/fsck.log 2>&1; then
	echo "PASS: python/fsck_clean_after"
else
	echo "FAIL: python/fsck_clean_after"
	cat /tmp/fsck.log
fi
umount /py
[ $rc -eq 0 ]
