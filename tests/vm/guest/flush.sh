# SPDX-License-Identifier: GPL-2.0
#
# flush.sh DEV - syncfs(2) and fsync(2) flush the disk's write cache, with
# and without a journal.
#
# QEMU's virtio disk has a volatile write cache, so the guest sends it
# cache flushes, and the block layer counts them (field 16 of
# /sys/block/DEV/stat).  A sync that waited for its writes but left them
# in that cache has lost them at a power cut: each sync below must add at
# least one flush.  The journaled sync is the control: it proves the
# counter sees the flushes vexfs sends.
. /tests/lib.sh

dev=${1:-/dev/vda}
mnt=/mnt/flush
blk=${dev#/dev/}
mkdir -p $mnt

flushes() {
	awk '{ print $16 }' /sys/block/$blk/stat
}

# flushed NAME CMD...: CMD must send the disk at least one cache flush.
flushed() {
	name=$1
	shift
	before=$(flushes)
	if ! out=$("$@" 2>&1); then
		fail "$name (the command failed)"
		echo "$out" | sed 's/^/    /'
		return
	fi
	after=$(flushes)
	if [ "$after" -gt "$before" ]; then
		pass "$name ($((after - before)) flushes)"
	else
		fail "$name (no cache flush: $before before, $after after)"
	fi
}

# one_fs WHAT MKFS-OPTIONS...: a filesystem, a write, then each sync.
one_fs() {
	what=$1
	shift
	check "$what: mkfs" fresh_vexfs $dev "$@"
	check "$what: mount" mount -t vexfs $dev $mnt
	echo data >$mnt/a
	sync -f $mnt
	echo more >$mnt/b
	flushed "$what: syncfs flushes the write cache" sync -f $mnt
	flushed "$what: syncfs with nothing dirty still flushes" sync -f $mnt
	echo again >>$mnt/b
	flushed "$what: fsync flushes the write cache" sync $mnt/b
	# Only the data and the times change: no commit is due, so the
	# flush must come from fdatasync itself.
	printf AGAIN | dd of=$mnt/b conv=notrunc 2>/dev/null
	flushed "$what: fdatasync of an overwrite flushes the write cache" \
		sync -d $mnt/b
	check "$what: umount" umount $mnt
}

modprobe vexfs
wc=$(cat /sys/block/$blk/queue/write_cache)
if [ "$wc" = "write back" ]; then
	pass "flush: the disk has a volatile write cache"
else
	fail "flush: the disk has a volatile write cache (write_cache: $wc): no flush would be counted"
fi
one_fs journaled
one_fs journal-less -J size=0
finish
