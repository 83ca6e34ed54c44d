# SPDX-License-Identifier: GPL-2.0
#
# roundtrip.sh - the guest half of tests/fsck-roundtrip: /dev/vda was made
# by mkfs.vexfs -d from a tree whose manifest is /tests/manifest.host.
# Mount it, compare every file with the manifest, modify the tree, unmount.
. /tests/lib.sh

modprobe vexfs || { fail "modprobe vexfs"; exit 1; }
mkdir -p /mnt
check "roundtrip/mount" mount -t vexfs /dev/vda /mnt
busybox sh /tests/roundtrip_manifest.sh /mnt >/tmp/manifest.guest
if busybox diff /tests/manifest.host /tmp/manifest.guest >/tmp/diff; then
	pass "roundtrip/every_file_matches_the_source ($(busybox wc -l </tmp/manifest.guest) files)"
else
	fail "roundtrip/every_file_matches_the_source"
	busybox head -n 40 /tmp/diff | sed 's/^/    /'
fi
# Change the tree through the kernel: every kind of directory update.
check "roundtrip/modify" sh -c '
	cd /mnt &&
	echo new >new_file && mkdir -p new_dir/sub && echo x >new_dir/sub/f &&
	mv big/f100 big/renamed && rm -f big/f1* && rm -rf deep/a/b &&
	ln new_file new_dir/hard && ln -s new_file new_sym &&
	dd if=/dev/zero of=grow bs=4096 count=64 2>/dev/null &&
	xattr set new_file user.k v && for i in $(seq 1 200); do touch many_$i; done &&
	rm -f many_1* && sync'
check "roundtrip/umount" umount /mnt

# /dev/vdb: the same tree, damaged, then repaired by fsck.vexfs -fy.
mkdir -p /mnt2
check "repaired/mount" mount -t vexfs /dev/vdb /mnt2
n=$(busybox find /mnt2 2>/tmp/find.err | busybox wc -l)
# every file of the source, plus /lost+found itself
check_eq "repaired/every_file_reachable" "$n" \
	"$(($(busybox wc -l </tests/manifest.host) + 1))"
check "repaired/no_read_errors" busybox test ! -s /tmp/find.err
check "repaired/lost_found_holds_the_reconnected_directory" \
	sh -c 'ls /mnt2/lost+found | grep -q "^#"'
check "repaired/big_directory_lookup" test -f /mnt2/big/f400
check "repaired/modify" sh -c '
	cd /mnt2 && for i in $(seq 1 300); do touch big/new_$i; done &&
	rm -f big/f2* && mv lost+found/#* recovered && mkdir lost+found/x &&
	echo y >lost+found/x/y && sync'
check "repaired/umount" umount /mnt2
check_eq "repaired/no_vexfs_errors" "$(dmesg_count 'vexfs.*error\|corrupt')" 0
[ "$failures" -eq 0 ]
