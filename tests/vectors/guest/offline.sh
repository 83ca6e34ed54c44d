# SPDX-License-Identifier: GPL-2.0
#
# offline.sh DEV - collections made offline by mkfs.vexfs -d, in a guest.
#
# DEV was made on the host (tests/vectors/run.sh, mkoffline) from a tree
# whose directories docs (dim 4, l2) and pics (dim 3, cosine) carry
# user.vexfs.collection and whose files carry user.vexfs.embedding.  The
# kernel must find the collections and the embeddings mkfs wrote, answer
# queries from them, change them, and leave a filesystem fsck finds
# clean.
. /tests/lib.sh

dev=$1
mnt=/mnt/off
mkdir -p $mnt
modprobe vexfs

check "offline: fsck clean before mounting" fsck.vexfs -fn "$dev"
check "offline: mount" mount -t vexfs "$dev" $mnt
list=$(vexctl collection list $mnt 2>&1)
case $list in
*docs*pics*|*pics*docs*) pass "offline: both collections listed" ;;
*) fail "offline: both collections listed"; echo "$list" | sed 's/^/    /' ;;
esac
check_out "offline: docs has dim 4, l2" "l2" vexctl collection info $mnt/docs
check_out "offline: pics is cosine" "cosine" vexctl collection info $mnt/pics
check_eq "offline: embedding a" "$(vexctl embed get $mnt/docs/a)" "1,0,0,0"
check_eq "offline: embedding sub/e" "$(vexctl embed get $mnt/docs/sub/e)" "0.5,0.5,0,0"
check_eq "offline: embedding pics/x" "$(vexctl embed get $mnt/pics/x)" "1,2,3"
check_eq "offline: no embedding on c" "$(vexctl embed get $mnt/docs/c 2>/dev/null)" ""
check_eq "offline: query finds sub/d" \
	"$(vexctl query $mnt/docs --vector 0,0,1,0 -k 1 | cut -f3)" "sub/d"
check_eq "offline: query over the generated vectors" \
	"$(vexctl query $mnt/docs --vector 7,0,0,0 -k 1 | cut -f3)" "gen/v7"
check_eq "offline: query ranks every embedding" \
	"$(vexctl query $mnt/docs --vector 0,0,0,0 -k 100 | wc -l)" "24"
check_out "offline: stats count" '"count": 24' vexctl stats --json $mnt/docs

# The kernel changes what mkfs made.
echo new >$mnt/docs/new
check "offline: set an embedding on a new file" \
	vexctl embed set $mnt/docs/new --vector 9,9,9,9
check "offline: set one on c" vexctl embed set $mnt/docs/c --vector 0,0,0,2
check "offline: replace a's" vexctl embed set $mnt/docs/a --vector 2,0,0,0
check "offline: remove b's" vexctl embed rm $mnt/docs/b
rm $mnt/docs/sub/d
mv $mnt/docs/sub/e $mnt/docs/e
mkdir $mnt/docs/sub2
echo z >$mnt/docs/sub2/z
check "offline: embedding in a new directory" \
	vexctl embed set $mnt/docs/sub2/z --vector 0,3,0,0
check "offline: a new collection beside" \
	vexctl collection create $mnt/plain/more --dim 2 --metric ip
check_eq "offline: query after the changes" \
	"$(vexctl query $mnt/docs --vector 0,0,0,2 -k 1 | cut -f3)" "c"
check_eq "offline: renamed file keeps its embedding" \
	"$(vexctl embed get $mnt/docs/e)" "0.5,0.5,0,0"
check "offline: umount" umount $mnt
check "offline: fsck clean after the kernel's changes" fsck.vexfs -fn "$dev"
check "offline: mount again" mount -t vexfs "$dev" $mnt
check_eq "offline: count after remount" \
	"$(vexctl query $mnt/docs --vector 0,0,0,0 -k 100 | wc -l)" "25"
check_eq "offline: query after remount" \
	"$(vexctl query $mnt/docs --vector 0,3,0,0 -k 1 | cut -f3)" "sub2/z"
check "offline: final umount" umount $mnt
dmesg | grep -i "vexfs.*error" && fail "offline: no vexfs errors logged" ||
	pass "offline: no vexfs errors logged"
[ $failures = 0 ]
