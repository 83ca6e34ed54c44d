# SPDX-License-Identifier: GPL-2.0
#
# guest.sh VEXFS_DEV EXT4_DEV TAR_DEV SEQ_MB NFILES RUNTIME ROUNDS - the
# bench/fs workloads, run in the guest on a VexFS disk and an ext4 disk of
# equal size, one workload at a time on each filesystem in turn so that
# both see the same machine state.  TAR_DEV is a raw tar archive of a
# source tree.  Every workload runs ROUNDS times, and which filesystem
# goes first alternates from round to round.
#
# Every result is one line, "RESULT FS WORKLOAD METRIC VALUE", or fio's
# JSON between "BEGIN-FIO FS WORKLOAD ROUND" and "END-FIO" lines, which
# the host parses (report.py).  A workload that fails prints "ERROR FS
# WORKLOAD" and the run goes on.
vexdev=$1 extdev=$2 tardev=$3 seq_mb=$4 nfiles=$5 runtime=$6 rounds=$7
base=/mnt/bench

modprobe vexfs || exit 1
modprobe ext4 || exit 1
mkdir -p $base/vexfs $base/ext4
mount -t vexfs "$vexdev" $base/vexfs || exit 1
mount -t ext4 "$extdev" $base/ext4 || exit 1

cold() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

# fio_job FS NAME ROUND FIO-ARGS...: one fio run, its JSON between markers
fio_job() {
	fs=$1 name=$2 rnd=$3
	shift 3
	cold
	echo "BEGIN-FIO $fs $name $rnd"
	if ! fio --output-format=json --directory=$base/$fs "$@" \
		--name="$name"; then
		echo "ERROR $fs $name"
	fi
	echo "END-FIO $fs $name"
}

# timed FS NAME CMD...: wall time of a command run in the filesystem
timed() {
	fs=$1 name=$2
	shift 2
	out=$(cd $base/$fs && metabench time "$@" 2>&1) ||
		{ echo "ERROR $fs $name"; echo "$out" | tail -n 3; return; }
	echo "RESULT $fs $name seconds ${out##*seconds }"
}

# meta FS NAME OP N PER_DIR: a metabench rate
meta() {
	out=$(metabench "$3" "$base/$1/meta" "$4" "$5" 2>&1) ||
		{ echo "ERROR $1 $2"; echo "$out" | tail -n 3; return; }
	echo "RESULT $1 $2 ops_per_sec ${out##*ops_per_sec }"
}

size=${seq_mb}M

# in_turn ROUND: the two filesystems, the first of them alternating from
# round to round, so that neither always meets the guest's state first.
in_turn() {
	if [ $(($1 % 2)) = 1 ]; then echo "vexfs ext4"; else echo "ext4 vexfs"; fi
}

# layout FS NAME FILE SIZE: preallocate FILE (fallocate mode 0) and say how
# long it took: the preallocated rows below must not hide that cost.
layout() {
	timed $1 "${2}_layout" fio --name=layout --directory=$base/$1 \
		--filename=$3 --size=$4 --fallocate=native --create_only=1 \
		--output=/dev/null
}

# Each fio workload runs $rounds times, the filesystems in turn first.
round=1
while [ $round -le $rounds ]; do
	for fs in $(in_turn $round); do
		fio_job $fs seq_write_buffered $round --rw=write --bs=1M \
			--size=$size --filename=seq --end_fsync=1 --fallocate=none
	done
	for fs in $(in_turn $round); do
		fio_job $fs seq_read_buffered $round --rw=read --bs=1M --size=$size \
			--filename=seq
	done
	for fs in $(in_turn $round); do
		fio_job $fs rand_read_4k $round --rw=randread --bs=4k --size=$size \
			--filename=seq --time_based --runtime="$runtime"
	done
	for fs in $(in_turn $round); do
		fio_job $fs rand_write_4k $round --rw=randwrite --bs=4k \
			--size=$size --filename=seq --time_based \
			--runtime="$runtime" --end_fsync=1
		rm -f $base/$fs/seq
	done
	# Direct writes that extend the file: every block is allocated by the
	# write itself (--fallocate=none), as a program that writes a new
	# file with O_DIRECT does.
	for fs in $(in_turn $round); do
		fio_job $fs seq_write_direct $round --rw=write --bs=1M \
			--size=$size --filename=seqd --direct=1 --fallocate=none
	done
	for fs in $(in_turn $round); do
		fio_job $fs seq_read_direct $round --rw=read --bs=1M --size=$size \
			--filename=seqd --direct=1
		rm -f $base/$fs/seqd
	done
	# The same direct writes over a file preallocated first (a database's
	# data file): a different workload, labelled as such, with the
	# preallocation timed on its own row.
	for fs in $(in_turn $round); do
		layout $fs seq_write_direct_prealloc seqp $size
		fio_job $fs seq_write_direct_prealloc $round --rw=write --bs=1M \
			--size=$size --filename=seqp --direct=1 --fallocate=none
		rm -f $base/$fs/seqp
	done
	# A database write-ahead log: 4 KiB appends to a new file, each made
	# durable with fdatasync before the next, so every write allocates
	# and every fdatasync commits the new size.
	for fs in $(in_turn $round); do
		fio_job $fs wal_fdatasync $round --rw=write --bs=4k --size=16M \
			--filename=wal --fdatasync=1 --fallocate=none
		rm -f $base/$fs/wal
	done
	# A log whose file was preallocated first (what fio does by default,
	# and some databases do): each fdatasync then flushes data only.
	for fs in $(in_turn $round); do
		layout $fs wal_fdatasync_prealloc walp 16M
		fio_job $fs wal_fdatasync_prealloc $round --rw=write --bs=4k \
			--size=16M --filename=walp --fdatasync=1 --fallocate=none
		rm -f $base/$fs/walp
	done
	round=$((round + 1))
done

# walk FS NAME: one cold walk of the unpacked tree
walk() {
	cold
	case $2 in
	find) timed $1 find sh -c 'find src -type f | wc -l >/dev/null' ;;
	du) timed $1 du sh -c 'du -s src >/dev/null' ;;
	tar_c) timed $1 tar_c sh -c 'tar -cf - src | wc -c >/dev/null' ;;
	esac
}

# Metadata, the tree's unpacking and its walks, $rounds times as well.
round=1
while [ $round -le $rounds ]; do
	for layout in flat tree; do
		per_dir=0
		[ $layout = tree ] && per_dir=1000
		for op in create stat unlink; do
			for fs in $(in_turn $round); do
				[ $op = create ] && mkdir -p $base/$fs/meta
				[ $op = stat ] && cold
				meta $fs "${op}_${layout}" $op "$nfiles" $per_dir
				[ $op = unlink ] && rmdir $base/$fs/meta
			done
		done
	done
	for fs in $(in_turn $round); do
		mkdir $base/$fs/src
		cold
		timed $fs untar tar -xf "$tardev" -C src
	done
	for w in find du tar_c; do
		for fs in $(in_turn $round); do
			walk $fs $w
		done
	done
	for fs in vexfs ext4; do
		rm -rf $base/$fs/src
	done
	round=$((round + 1))
done

for fs in vexfs ext4; do
	df -k $base/$fs | tail -n 1 | sed "s|^|DF $fs |"
	umount $base/$fs || echo "ERROR $fs umount"
done
echo "BENCH-DONE"
