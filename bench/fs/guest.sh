# SPDX-License-Identifier: GPL-2.0
#
# guest.sh VEXFS_DEV EXT4_DEV TAR_DEV SEQ_MB NFILES RUNTIME - the bench/fs
# workloads, run in the guest on a VexFS disk and an ext4 disk of equal
# size, one workload at a time on each filesystem in turn so that both see
# the same machine state.  TAR_DEV is a raw tar archive of a source tree.
#
# Every result is one line, "RESULT FS WORKLOAD METRIC VALUE", or fio's
# JSON between "BEGIN-FIO FS WORKLOAD" and "END-FIO" lines, which the host
# parses (report.py).  A workload that fails prints "ERROR FS WORKLOAD"
# and the run goes on.
vexdev=$1 extdev=$2 tardev=$3 seq_mb=$4 nfiles=$5 runtime=$6
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

# fio_job FS NAME FIO-ARGS...: one fio run, its JSON between markers
fio_job() {
	fs=$1 name=$2
	shift 2
	cold
	echo "BEGIN-FIO $fs $name"
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
for fs in vexfs ext4; do
	fio_job $fs seq_write_buffered --rw=write --bs=1M --size=$size \
		--filename=seq --end_fsync=1
done
for fs in vexfs ext4; do
	fio_job $fs seq_read_buffered --rw=read --bs=1M --size=$size \
		--filename=seq
done
for fs in vexfs ext4; do
	fio_job $fs rand_read_4k --rw=randread --bs=4k --size=$size \
		--filename=seq --time_based --runtime="$runtime"
done
for fs in vexfs ext4; do
	fio_job $fs rand_write_4k --rw=randwrite --bs=4k --size=$size \
		--filename=seq --time_based --runtime="$runtime" --end_fsync=1
done
for fs in vexfs ext4; do
	rm -f $base/$fs/seq
	fio_job $fs seq_write_direct --rw=write --bs=1M --size=$size \
		--filename=seqd --direct=1
done
for fs in vexfs ext4; do
	fio_job $fs seq_read_direct --rw=read --bs=1M --size=$size \
		--filename=seqd --direct=1
	rm -f $base/$fs/seqd
done
# A database write-ahead log: small appends, each made durable.
for fs in vexfs ext4; do
	fio_job $fs wal_fdatasync --rw=write --bs=4k --size=16M \
		--filename=wal --fdatasync=1
	rm -f $base/$fs/wal
done

for layout in flat tree; do
	per_dir=0
	[ $layout = tree ] && per_dir=1000
	for op in create stat unlink; do
		for fs in vexfs ext4; do
			[ $op = create ] && mkdir -p $base/$fs/meta
			[ $op = stat ] && cold
			meta $fs "${op}_${layout}" $op "$nfiles" $per_dir
			[ $op = unlink ] && rmdir $base/$fs/meta
		done
	done
done

for fs in vexfs ext4; do
	mkdir $base/$fs/src
	cold
	timed $fs untar tar -xf "$tardev" -C src
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

# A walk takes a second or less (tar c a few): one burst of load on the
# shared host would decide its ratio.  So each runs three times, with the
# filesystems in turn first, and report.py keeps each one's best time.
for order in "vexfs ext4" "ext4 vexfs" "vexfs ext4"; do
	for w in find du tar_c; do
		for fs in $order; do
			walk $fs $w
		done
	done
done

for fs in vexfs ext4; do
	df -k $base/$fs | tail -n 1 | sed "s|^|DF $fs |"
	umount $base/$fs || echo "ERROR $fs umount"
done
echo "BENCH-DONE"
