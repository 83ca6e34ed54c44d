# SPDX-License-Identifier: GPL-2.0
#
# persist.sh write|verify DEV - what one boot writes, the next boot reads.
#
# "write" makes a filesystem with files, a hard link, a symlink, a FIFO,
# xattrs and odd modes and times, records their checksums and stat data
# on the disk itself (in a file outside the tree under test), and powers
# off after umount.  "verify", in a fresh VM boot, compares everything.
. /tests/lib.sh

mode=$1 dev=$2
mnt=/mnt/persist
mkdir -p $mnt
modprobe vexfs

manifest() {
	cd $mnt/tree || return 1
	find . | sort | while read -r f; do
		if [ -f "$f" ] && [ ! -L "$f" ]; then
			sum=$(md5sum <"$f" | cut -d' ' -f1)
		else
			sum=-
		fi
		printf '%s %s %s\n' "$f" "$(stat -c '%f %u %g %s %h %Y %i' "$f")" "$sum"
		[ -L "$f" ] || xattr list "$f"
	done
	readlink link
	cd /
}

# has_acl FILE: listxattr shows FILE's access ACL (what xattr setacl set)
has_acl() {
	xattr list "$1" | grep -q '^system.posix_acl_access=0x02000000'
}

case $mode in
write)
	check mkfs mkfs.vexfs -q -F "$dev"
	check mount mount -t vexfs "$dev" $mnt
	mkdir -p $mnt/tree/a/b/c
	dd if=/dev/urandom of=$mnt/tree/a/big bs=1k count=5000 2>/dev/null
	echo small >$mnt/tree/a/b/small
	ln $mnt/tree/a/b/small $mnt/tree/hard
	ln -s a/b/small $mnt/tree/link
	mkfifo $mnt/tree/fifo
	chmod 4711 $mnt/tree/a/b/small
	chown 1000:1001 $mnt/tree/a/big
	touch -d '2001-02-03 04:05:06' $mnt/tree/a/b/c
	xattr set $mnt/tree/a/big user.color blue
	xattr set $mnt/tree/a/b user.dir yes
	# An ACL, then an xattr stored after it in the same block: both
	# must come back (an ACL entry once ended the entry list on disk).
	xattr setacl $mnt/tree/a/b/small 1000
	xattr set $mnt/tree/a/b/small user.after_acl yes
	check acl_listed has_acl $mnt/tree/a/b/small
	manifest >$mnt/manifest
	check umount umount $mnt
	;;
verify)
	check mount_after_reboot mount -t vexfs "$dev" $mnt
	manifest >/tmp/now
	check acl_after_reboot has_acl $mnt/tree/a/b/small
	if cmp -s /tmp/now $mnt/manifest; then
		pass persist_everything_after_reboot
	else
		fail persist_everything_after_reboot
		diff $mnt/manifest /tmp/now | head -n 20
	fi
	check umount umount $mnt
	;;
esac
finish
