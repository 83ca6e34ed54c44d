# SPDX-License-Identifier: GPL-2.0
#
# chattr.sh VEXFS-DEV EXT4-DEV - chattr(1) flags on VexFS, each compared
# with ext4 in the same guest:
#   - lsattr after chattr of each flag (i a A S D d P), on files and
#     directories, and what a new inode inherits from its directory;
#   - every path that could change an immutable or append-only file or
#     directory gives ext4's errno (progs/fattr.c: write, O_TRUNC,
#     truncate, rename, link, unlink, chmod, chown, utimes, setxattr,
#     removexattr, fallocate, shared writable mmap, through files opened
#     before the flag was set too);
#   - what FS_IOC_SETFLAGS and FS_IOC_FSSETXATTR refuse (unknown flags,
#     project ids, CAP_LINUX_IMMUTABLE, non-owners);
#   - chattr +A keeps atime;
# and, VexFS only: the vector ioctls refuse an immutable or append-only
# file, the flags and their enforcement survive a remount, and fsck.vexfs
# accepts them.
. /tests/lib.sh

vdev=$1
edev=$2
vm=/mnt/chattr-vexfs
em=/mnt/chattr-ext4
mkdir -p $vm $em
modprobe vexfs
modprobe ext4

check chattr/mkfs fresh_vexfs "$vdev"
check chattr/mount mount -t vexfs "$vdev" $vm
check chattr/mount_ext4 mount -t ext4 "$edev" $em

# The flags part of lsattr's output, without ext4's own flags (e, the
# extents flag, is the only one a default ext4 sets).
flags_of() {
	lsattr -d "$1" 2>&1 | awk '{ gsub(/e/, "-", $1); print $1 }'
}

# chattr_same NAME TYPE ARG: chattr ARG on a fresh file (TYPE f) or
# directory (TYPE d) on both; the exit status and lsattr must agree.
chattr_same() {
	for m in $vm $em; do
		rm -rf "$m/$1"
		if [ "$2" = d ]; then mkdir "$m/$1"; else echo x >"$m/$1"; fi
	done
	chattr "$3" "$em/$1" >/dev/null 2>&1
	want="rc=$? $(flags_of "$em/$1")"
	chattr "$3" "$vm/$1" >/dev/null 2>&1
	got="rc=$? $(flags_of "$vm/$1")"
	check_eq "chattr/lsattr/$1" "$got" "$want"
	chattr -ia "$em/$1" "$vm/$1" 2>/dev/null
}

for f in i a A S d; do
	chattr_same "file_$f" f "+$f"
	chattr_same "dir_$f" d "+$f"
done
chattr_same file_D f +D
chattr_same dir_D d +D
chattr_same file_P f +P
chattr_same dir_P d +P
chattr_same file_C f +C
chattr_same file_all f +iaASd
chattr_same dir_all d +iaASdDP
# letters FLAGS: the letters of lsattr's flag string, sorted.
letters() {
	echo "$1" | tr -d '-' | fold -w1 | sort | tr -d '\n'
}
chattr +ia $vm/file_all
check_eq chattr/lsattr_file_all_letters "$(letters "$(flags_of $vm/file_all)")" \
	"$(letters ASadi)"
chattr -ia $vm/file_all
check_eq chattr/lsattr_project "$(lsattr -dp $vm/dir_P | awk '{ print $1 }')" \
	"$(lsattr -dp $em/dir_P | awk '{ print $1 }')"

# Inheritance: a directory with every inheritable flag, and +a, which is
# not inherited.
for m in $vm $em; do
	mkdir "$m/inh"
	chattr +SdADP "$m/inh" 2>/dev/null
	chattr +a "$m/inh"
	echo x >"$m/inh/file"
	mkdir "$m/inh/sub"
done
for n in inh inh/file inh/sub; do
	check_eq "chattr/inherit/$n" "$(flags_of "$vm/$n")" "$(flags_of "$em/$n")"
done
check_eq chattr/inherit_sanity_dir "$(letters "$(flags_of $vm/inh/sub)")" \
	"$(letters SdADP)"
check_eq chattr/inherit_sanity_file "$(letters "$(flags_of $vm/inh/file)")" \
	"$(letters SdA)"

# compare_scenario TAG SCENARIO [ARG]: progs/fattr.c's SCENARIO in a
# fresh directory TAG on both; one check per line of ext4's output.
compare_scenario() {
	tag=$1 sc=$2
	shift 2
	mkdir -p "$vm/$tag" "$em/$tag"
	fattr "$sc" "$em/$tag" "$@" >/tmp/ext4.out 2>&1
	fattr "$sc" "$vm/$tag" "$@" >/tmp/vexfs.out 2>&1
	check_eq "chattr/$tag/lines" "$(wc -l </tmp/vexfs.out)" \
		"$(wc -l </tmp/ext4.out)"
	while read -r name want; do
		got=$(awk -v n="$name" '$1 == n { $1 = ""; sub(/^ /, ""); print }' \
			/tmp/vexfs.out)
		case $tag/$name in
		# ext4 ignores the fsxattr fields it has no use for; VexFS
		# refuses them, as btrfs does, rather than drop them silently.
		en_refuse/fsx_extsize | en_refuse/fsx_realtime)
			want=EOPNOTSUPP ;;
		esac
		check_eq "chattr/$tag/$name" "$got" "$want"
	done </tmp/ext4.out
	cp /tmp/vexfs.out "/tmp/$tag.vexfs"
}

compare_scenario en_file_i file i
compare_scenario en_file_a file a
compare_scenario en_dir_i dir i
compare_scenario en_dir_a dir a
compare_scenario en_refuse refuse

# The comparison alone would pass if both were wrong: the key answers.
res() { awk -v n="$2" '$1 == n { print $2 }' "/tmp/$1.vexfs"; }
check_eq chattr/sanity/i_write_preopened "$(res en_file_i write_preopened)" EPERM
check_eq chattr/sanity/i_mmap_preopened "$(res en_file_i mmap_shared_preopened)" SIGBUS
check_eq chattr/sanity/i_ftruncate "$(res en_file_i ftruncate_preopened)" EPERM
check_eq chattr/sanity/a_unlink "$(res en_file_a unlink)" EPERM
check_eq chattr/sanity/a_append "$(res en_file_a open_append_write)" ok
check_eq chattr/sanity/a_chmod "$(res en_file_a chmod)" EPERM
check_eq chattr/sanity/dir_a_create "$(res en_dir_a create)" ok
check_eq chattr/sanity/dir_a_unlink "$(res en_dir_a unlink_old)" EPERM
check_eq chattr/sanity/unknown_flag "$(res en_refuse nocow_file)" EOPNOTSUPP
check_eq chattr/sanity/projid "$(res en_refuse fsx_projid)" EOPNOTSUPP
check_eq chattr/sanity/nocap_i "$(res en_refuse nocap_set_i)" EPERM

# chattr +A: reading leaves atime alone, even when relatime would move it.
for m in $vm $em; do
	echo data >"$m/noatime"
	touch -a -d '2001-01-01 00:00:00' "$m/noatime"
	chattr +A "$m/noatime"
	cat "$m/noatime" >/dev/null
done
check_eq chattr/noatime_kept "$(stat -c %X $vm/noatime)" "$(stat -c %X $em/noatime)"
check_eq chattr/noatime_sanity "$(stat -c %X $vm/noatime)" \
	"$(date -d '2001-01-01 00:00:00' +%s)"

# Vector ioctls (VexFS only): immutable and append-only files keep their
# embedding as it is.
coll=$vm/coll
mkdir $coll
check chattr/vec/create vexctl collection create $coll --dim 2 --metric l2
echo x >$coll/imm
echo x >$coll/app
check chattr/vec/set_imm vexctl embed set $coll/imm --vector 1,2
check chattr/vec/set_app vexctl embed set $coll/app --vector 1,2
chattr +i $coll/imm
chattr +a $coll/app
check_err chattr/vec/imm_set_eperm 1 "Operation not permitted" \
	vexctl embed set $coll/imm --vector 3,4
check_err chattr/vec/imm_rm_eperm 1 "Operation not permitted" \
	vexctl embed rm $coll/imm
check_err chattr/vec/app_set_eperm 1 "Operation not permitted" \
	vexctl embed set $coll/app --vector 3,4
check_err chattr/vec/app_rm_eperm 1 "Operation not permitted" \
	vexctl embed rm $coll/app
check_fails chattr/vec/imm_xattr xattr set $coll/imm user.vexfs.embedding AAAABBBB
check_eq chattr/vec/imm_kept "$(vexctl embed get $coll/imm)" "1,2"
check_eq chattr/vec/app_kept "$(vexctl embed get $coll/app)" "1,2"
mkdir $vm/frozen
chattr +i $vm/frozen
check_err chattr/vec/create_on_immutable_dir 1 "Operation not permitted" \
	vexctl collection create $vm/frozen --dim 2 --metric l2
chattr -i $vm/frozen
chattr -i $coll/imm
chattr -a $coll/app
check chattr/vec/set_after_clear vexctl embed set $coll/imm --vector 3,4
check chattr/vec/rm_after_clear vexctl embed rm $coll/app

# Persistence: the flags, and what they forbid, after a remount.
echo x >$vm/p_i
echo x >$vm/p_a
echo x >$vm/p_misc
mkdir $vm/p_dir
chattr +i $vm/p_i
chattr +a $vm/p_a
chattr +ASd $vm/p_misc
chattr +DP $vm/p_dir
before=$(lsattr -d $vm/p_i $vm/p_a $vm/p_misc $vm/p_dir)
check chattr/umount umount $vm
check chattr/fsck_accepts_flags fsck.vexfs -fn "$vdev"
check chattr/remount mount -t vexfs "$vdev" $vm
check_eq chattr/persist_lsattr "$(lsattr -d $vm/p_i $vm/p_a $vm/p_misc $vm/p_dir)" "$before"
check_fails chattr/persist_i_write sh -c "echo y >>$vm/p_i"
check_fails chattr/persist_i_unlink rm -f $vm/p_i
check chattr/persist_a_append sh -c "echo y >>$vm/p_a"
check_fails chattr/persist_a_overwrite sh -c "echo y >$vm/p_a"
check_fails chattr/persist_a_unlink rm -f $vm/p_a
check chattr/clear chattr -ia $vm/p_i $vm/p_a
check chattr/unlink_after_clear rm -f $vm/p_i $vm/p_a
check chattr/umount_end umount $vm
check chattr/fsck_end fsck.vexfs -fn "$vdev"
umount $em
finish
