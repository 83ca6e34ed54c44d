# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - shell helpers of the bench/ann drivers (vm.sh, vm-ab.sh);
# source it with $data set to the data directory (annbench's cache).

# ann_data_image N DIM NQ OUT: print the path of the raw data disk that
# annvm reads in the guest (a 4096-byte "ANNVM n nq dim k" header, then
# the base vectors, the queries and the ground truth, each region starting
# on a 4096-byte boundary), made in OUT from annbench's cached files and
# generated first if missing; remade only when the data is newer.
ann_data_image() {
	local n=$1 dim=$2 nq=$3 out=$4 tag img f

	tag=$data/d$dim-n$n-q$nq-k10
	[ -s "$tag.gt" ] || "$data/annbench-gen" --n "$n" --nq "$nq" \
		--dim "$dim" --data "$data" --libs none >&2 || return 1
	img=$out/data-$dim-$n-$nq.img
	if [ ! -s "$img" ] || [ "$img" -ot "$tag.gt" ]; then
		{ printf 'ANNVM %s %s %s 10\n' "$n" "$nq" "$dim"
		  head -c 4096 /dev/zero; } | head -c 4096 >"$img"
		for f in base query gt; do
			cat "$tag.$f" >>"$img"
			truncate -s %4096 "$img"
		done
	fi
	echo "$img"
}
