# SPDX-License-Identifier: GPL-2.0
#
# overlay.sh VEXDEV EXTDEV - VexFS as the upper layer of an overlayfs, the
# way container storage (Docker's and Podman's overlay drivers) uses it,
# with ext4 (EXTDEV, made by mkfs.ext4 on the host) as the control.
#
# On each filesystem, lower, upper and work are directories of one mount
# (redirect_dir=on, index=on).  Through the overlay: a file and a
# directory are created, lower files and a lower directory deleted (the
# upper layer gets whiteouts: 0/0 character devices), lower files renamed
# (overlayfs renames the copied-up file with RENAME_WHITEOUT) in and
# across directories, a lower directory renamed (a redirect and a
# directory renamed with RENAME_WHITEOUT), a name created again over its
# whiteout, and a lower file with xattrs copied up by a write.  Then the
# overlay and the filesystem are unmounted and mounted again: the merged
# view and the upper layer must be as they were, on VexFS as on ext4, and
# fsck.vexfs -fn must find nothing.
. /tests/lib.sh

vexdev=$1 extdev=$2
base=/mnt/ovbase
merged=/mnt/merged
mkdir -p $base $merged

ovl_opts="lowerdir=$base/lower,upperdir=$base/upper,workdir=$base/work,redirect_dir=on,index=on"

# What overlayfs says, at mount, about an upper layer that lacks
# something it needs (RENAME_WHITEOUT, d_type, xattrs, O_TMPFILE, file
# handles for index=on): any of these is a failure.
ovl_complaints='does not support|needs to support|falling back|not supported'

mount_ovl() {
	mount -t overlay overlay -o "$ovl_opts" $merged
}

# A line per name under DIR: path, type, mode, size (or rdev for a
# device) and an md5 of the contents, then the user.* and trusted.*
# xattrs, except overlayfs's origin and uuid, which hold a file handle
# (an inode number) and a filesystem's UUID, and so differ between runs.
manifest() {
	(cd "$1" && find . | sort | while read -r p; do
		t=$(stat -c %F "$p")
		line="$p|$t|$(stat -c %a "$p")"
		case $t in
		"regular file"|"regular empty file")
			line="$line|$(stat -c %s "$p")|$(md5sum <"$p" | cut -c1-32)" ;;
		"character special file")
			line="$line|$(stat -c %t:%T "$p")" ;;
		esac
		x=$(xattr list "$p" | grep -E '^(user|trusted)\.' |
			grep -v -E '^trusted\.overlay\.(origin|uuid)=' | tr '\n' ';')
		echo "$line|$x"
	done)
}

# is_whiteout PATH [LINKS]: a whiteout, with LINKS links if given.
# overlayfs makes the whiteouts of deletions as links to one shared
# whiteout inode; RENAME_WHITEOUT makes a new one each time (1 link).
is_whiteout() {
	got=$(stat -c '%F %a %t:%T' "$1" 2>&1)
	links=$(stat -c %h "$1" 2>&1)
	if [ "$got" != "character special file 0 0:0" ] ||
	   [ "${2:-$links}" != "$links" ]; then
		echo "$1: $got, $links links"
		return 1
	fi
}

# all_whiteouts UPPER: the whiteouts operate left are all there.
all_whiteouts() {
	for w in del del2 gone ren across dir; do
		is_whiteout "$1/$w" || return 1
	done
}

# populate: the lower layer, written directly.
populate() {
	mkdir $base/lower $base/upper $base/work
	l=$base/lower
	echo keep >$l/keep
	echo delete >$l/del
	echo delete2 >$l/del2
	echo rename >$l/ren
	echo across >$l/across
	echo again >$l/again
	mkdir $l/dir $l/gone $l/sub
	echo x >$l/dir/x
	echo y >$l/dir/y
	echo z >$l/gone/z
	echo lower-data >$l/xa
	xattr set $l/xa user.color blue &&
	xattr set $l/xa trusted.note from-lower
}

# operate FS: everything through the overlay; every step must succeed.
operate() {
	m=$merged
	echo new >$m/new &&
	mkdir $m/newdir && echo inner >$m/newdir/inner &&
	rm $m/del && rm $m/del2 &&
	rm -r $m/gone &&
	mv $m/ren $m/ren2 &&
	mv $m/across $m/sub/across &&
	mv $m/dir $m/dir2 &&
	rm $m/again && echo fresh >$m/again &&
	echo appended >>$m/xa &&
	echo upper-only >$m/tmp && rm $m/tmp
}

# one_fs FS DEV: the whole sequence on one filesystem; leaves the merged
# view's manifest in /tmp/merged.FS and the upper layer's in /tmp/upper.FS.
one_fs() {
	fs=$1 dev=$2 n=overlay/$1
	if [ "$fs" = vexfs ] && ! fresh_vexfs "$dev"; then
		fail "$n/mkfs"
		return
	fi
	mount -t "$fs" "$dev" $base || { fail "$n/mount"; return; }
	# The ext4 disk is made once, on the host: start from an empty tree.
	rm -rf $base/lower $base/upper $base/work
	check $n/populate populate
	before=$(dmesg_count overlayfs)
	if ! mount_ovl; then
		fail "$n/overlay_mounts"
		dmesg | tail -5
		umount $base
		return
	fi
	pass "$n/overlay_mounts"
	dmesg | grep overlayfs | tail -n +$((before + 1)) >/tmp/ovl.dmesg
	check_eq "$n/upper_has_all_overlay_needs" \
		"$(grep -E "$ovl_complaints" /tmp/ovl.dmesg)" ""

	check $n/operations operate

	m=$merged u=$base/upper
	# The merged view.
	check_eq $n/created "$(cat $m/new $m/newdir/inner 2>&1)" "new
inner"
	check_fails $n/deleted_file_gone ls $m/del
	check_fails $n/deleted_dir_gone ls $m/gone
	check_eq $n/renamed_file "$(cat $m/ren2 2>&1)" rename
	check_fails $n/renamed_file_old_name_gone ls $m/ren
	check_eq $n/moved_file "$(cat $m/sub/across 2>&1)" across
	check_eq $n/renamed_dir_shows_lower "$(cat $m/dir2/x $m/dir2/y 2>&1)" "x
y"
	check_fails $n/renamed_dir_old_name_gone ls $m/dir
	check_eq $n/recreated_over_whiteout "$(cat $m/again 2>&1)" fresh
	check_eq $n/copied_up_data "$(cat $m/xa 2>&1)" "lower-data
appended"
	check_eq $n/copied_up_user_xattr "$(xattr get $m/xa user.color 2>&1)" blue
	# The upper layer: whiteouts are 0/0 character devices.
	check $n/whiteout_deleted_file is_whiteout $u/del
	check $n/whiteout_deleted_file2 is_whiteout $u/del2
	check $n/whiteout_deleted_dir is_whiteout $u/gone
	check $n/whiteout_renamed_file is_whiteout $u/ren 1
	check $n/whiteout_moved_file is_whiteout $u/across 1
	check $n/whiteout_renamed_dir is_whiteout $u/dir 1
	check_eq $n/redirect_set "$(xattr get $u/dir2 trusted.overlay.redirect 2>&1)" dir
	check_eq $n/copy_up_user_xattr "$(xattr get $u/xa user.color 2>&1)" blue
	check_eq $n/copy_up_trusted_xattr "$(xattr get $u/xa trusted.note 2>&1)" from-lower
	check_eq $n/lower_untouched "$(cat $base/lower/xa $base/lower/ren 2>&1)" "lower-data
rename"
	check_fails $n/upper_only_file_leaves_nothing ls $u/tmp
	manifest $m >/tmp/merged.$fs.1
	manifest $u >/tmp/upper.$fs.1

	# Unmount and mount both again: nothing lived only in a cache.
	check $n/overlay_umount umount $merged
	check $n/umount umount $base
	if [ "$fs" = vexfs ]; then
		check $n/fsck_clean fsck.vexfs -fn "$dev"
	fi
	check $n/remount mount -t "$fs" "$dev" $base
	check $n/overlay_remount mount_ovl
	manifest $m >/tmp/merged.$fs
	manifest $u >/tmp/upper.$fs
	check $n/merged_view_survives_remount cmp /tmp/merged.$fs.1 /tmp/merged.$fs
	check $n/upper_layer_survives_remount cmp /tmp/upper.$fs.1 /tmp/upper.$fs
	check $n/whiteouts_survive_remount all_whiteouts $u
	# Deleting what the overlay created leaves no whiteout behind.
	check $n/delete_after_remount rm -r $m/newdir $m/ren2
	check_fails $n/no_whiteout_for_upper_dir ls $u/newdir
	check $n/whiteout_for_renamed_lower_file is_whiteout $u/ren 1
	check $n/overlay_umount_again umount $merged
	check $n/umount_again umount $base
	if [ "$fs" = vexfs ]; then
		check $n/fsck_clean_again fsck.vexfs -fn "$dev"
	fi
}

modprobe vexfs
check overlay/modules_load sh -c 'modprobe overlay && modprobe ext4'
t0=$(date +%s)
one_fs vexfs "$vexdev"
one_fs ext4 "$extdev"
# The control: ext4 as the upper layer gives the very same trees.
check overlay/merged_view_as_on_ext4 cmp /tmp/merged.ext4 /tmp/merged.vexfs
check overlay/upper_layer_as_on_ext4 cmp /tmp/upper.ext4 /tmp/upper.vexfs
if ! cmp -s /tmp/upper.ext4 /tmp/upper.vexfs; then
	diff /tmp/upper.ext4 /tmp/upper.vexfs | head -20 | sed 's/^/    /'
fi
echo "overlay: took $(($(date +%s) - t0)) s"
finish
