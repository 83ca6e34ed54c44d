# SPDX-License-Identifier: GPL-2.0
#
# vectors.sh run|verify DEV - vector collections, in a VM guest.
#
# "run" makes a filesystem on DEV and checks every rule of collections,
# embeddings, queries, permissions, EXDEV, the xattr and vexctl, then
# leaves a known state for "verify", which runs in a second, fresh boot.
# Data files made on the host are in /data; vectest and the GNU copy tools
# (gnucp, gnutar) come in through run-vm.sh -b.
. /tests/lib.sh

mode=$1 dev=$2
mnt=/mnt/vec
mkdir -p $mnt
modprobe vexfs

# An existing tree becomes a collection: everything in it joins, at any
# depth and of any type; what cannot join is refused before any change.
adopt_tests() {
	mkdir -p $mnt/tree/a/b/c $mnt/tree/d
	for f in $mnt/tree/top $mnt/tree/a/f $mnt/tree/a/b/c/deep $mnt/tree/d/x; do
		echo "$f" >$f
	done
	ln -s a/f $mnt/tree/link
	mkfifo $mnt/tree/d/fifo
	check_out "adopt: a tree with entries becomes a collection" \
		"10 existing entries joined" \
		vexctl collection create $mnt/tree --dim 4 --metric l2
	# (a FIFO or a symlink cannot be asked: fsck -fn at the end checks them)
	for p in a a/b/c d/x; do
		check_out "adopt: $p joined" "dimension:  4" \
			vexctl collection info $mnt/tree/$p
	done
	check "adopt: a deep file takes an embedding" \
		vexctl embed set $mnt/tree/a/b/c/deep --vector "1,0,0,0"
	check_out "adopt: and a query finds it by path" "a/b/c/deep" \
		vexctl query $mnt/tree --vector "1,0,0,0" -k 1
	check_rc "adopt: a member cannot be renamed out" 18 \
		vectest rename $mnt/tree/top $mnt/plain/top
	check "adopt: the same create again is a no-op" \
		vexctl collection create $mnt/tree --dim 4 --metric l2

	mkdir -p $mnt/linked/sub $mnt/nested
	echo x >$mnt/linked/sub/f
	ln $mnt/linked/sub/f $mnt/plain/f-link
	check_err "adopt: a file with outside links is refused by path" 1 \
		"linked/sub/f: has several hard links" \
		vexctl collection create $mnt/linked --dim 4 --metric l2
	check_rc "adopt: and nothing joined" 3 vexctl collection info $mnt/linked
	vexctl collection create $mnt/nested/inner --dim 2 --metric ip >/dev/null
	check_err "adopt: a tree holding a collection is refused" 1 \
		"in a collection already" \
		vexctl collection create $mnt/nested --dim 4 --metric l2
	check_rc "adopt: and the outer directory stays plain" 3 \
		vexctl collection info $mnt/nested
	vectest adopt-race $mnt/race-tree || failures=$((failures + 1))
}

case $mode in
run)
	check mkfs mkfs.vexfs -q -F "$dev"
	check mount mount -t vexfs "$dev" $mnt

	# --- collections ---------------------------------------------------
	check "create: vexctl collection create" \
		vexctl collection create $mnt/c4 --dim 4 --metric l2
	check_out "create: the same collection again is a no-op" "finished collection" \
		vexctl collection create $mnt/c4 --dim 4 --metric l2
	check_rc "create: another dimension on the same directory fails" 1 \
		vexctl collection create $mnt/c4 --dim 8 --metric l2
	mkdir $mnt/plain
	echo data >$mnt/plain/f
	adopt_tests
	check_rc "create: --dim 0 is a usage error" 2 \
		vexctl collection create $mnt/x --dim 0 --metric l2
	check_rc "create: --dim 4097 is a usage error" 2 \
		vexctl collection create $mnt/x --dim 4097 --metric l2
	check_rc "create: an unknown metric is a usage error" 2 \
		vexctl collection create $mnt/x --dim 3 --metric manhattan
	check_rc "info: a directory outside collections exits 3" 3 \
		vexctl collection info $mnt/plain
	check_out "info: shows the dimension" "dimension:  4" \
		vexctl collection info $mnt/c4
	check "create: cosine and ip collections" sh -c \
		"vexctl collection create $mnt/ccos --dim 16 --metric cosine &&
		 vexctl collection create $mnt/cip --dim 16 --metric ip"
	for sub in collection embed import export query stats; do
		check "help: vexctl $sub --help" vexctl $sub --help
	done
	check "help: vexctl collection create --help" vexctl collection create --help

	# --- embeddings ----------------------------------------------------
	echo hello >$mnt/c4/f1
	check "embed: set" vexctl embed set $mnt/c4/f1 --vector "1,2,3,4"
	check_eq "embed: get returns it" "$(vexctl embed get $mnt/c4/f1)" "1,2,3,4"
	check_err "embed: a short vector is refused precisely" 2 \
		"expected 4 values, got 3" vexctl embed set $mnt/c4/f1 --vector "1,2,3"
	check_err "embed: a non-number is named" 2 "value 2 ('x')" \
		vexctl embed set $mnt/c4/f1 --vector "1,x,3,4"
	check_rc "embed: nan is refused" 2 vexctl embed set $mnt/c4/f1 --vector "1,nan,3,4"
	check_rc "embed: a file outside collections exits 3" 3 \
		vexctl embed set $mnt/plain/f --vector "1,2,3,4"
	check_eq "embed: data untouched" "$(cat $mnt/c4/f1)" "hello"
	mkdir -p $mnt/c4/sub/deeper
	echo two >$mnt/c4/sub/deeper/f2
	check "inherit: a new subdirectory's file takes an embedding" \
		vexctl embed set $mnt/c4/sub/deeper/f2 --vector "0,0,0,1"
	check_out "inherit: subdirectories are in the collection" "collection 1:" \
		vexctl collection info $mnt/c4/sub/deeper
	touch $mnt/c4/f3
	check "embed: set then rm" sh -c \
		"vexctl embed set $mnt/c4/f3 --vector '9,9,9,9' && vexctl embed rm $mnt/c4/f3"
	check_rc "embed: get after rm exits 3" 3 vexctl embed get $mnt/c4/f3
	check_out "query: nearest first, relative paths" "1	0	f1" \
		vexctl query $mnt/c4 --vector "1,2,3,4" -k 2
	check_out "query: second hit in a subdirectory" "sub/deeper/f2" \
		vexctl query $mnt/c4 --vector "1,2,3,4" -k 2
	check_out "query: --like" "f1" vexctl query $mnt/c4 --like $mnt/c4/f1 -k 1
	check_out "query: --json" '"path": "sub/deeper/f2"' \
		vexctl query $mnt/c4 --vector "0,0,0,1" -k 1 --json
	check_out "query: relative to a subdirectory" "1	0	deeper/f2" \
		vexctl query $mnt/c4/sub --vector "0,0,0,1" -k 5
	check_err "query: wrong length named" 2 "expected 4 values, got 5" \
		vexctl query $mnt/c4 --vector "1,2,3,4,5"
	check_rc "query: -k 0 is a usage error" 2 vexctl query $mnt/c4 --vector "1,2,3,4" -k 0
	check_rc "query: outside collections exits 3" 3 \
		vexctl query $mnt/plain --vector "1,2,3,4"

	# --- xattr ---------------------------------------------------------
	check_eq "xattr: listed" "$(xattr list $mnt/c4/f1 | cut -d= -f1)" "user.vexfs.embedding"
	check "xattr: GNU cp -a copies the embedding" \
		gnucp -a $mnt/c4/f1 $mnt/c4/sub/f1copy
	check_eq "xattr: the copy has the same embedding" \
		"$(vexctl embed get $mnt/c4/sub/f1copy)" "1,2,3,4"
	check "xattr: GNU tar --xattrs round trip" sh -c \
		"gnutar --xattrs -cf /tmp/t.tar -C $mnt/c4 f1 &&
		 mkdir $mnt/c4/untar && gnutar --xattrs --xattrs-include='user.*' -xf /tmp/t.tar -C $mnt/c4/untar"
	check_eq "xattr: the untarred file has the embedding" \
		"$(vexctl embed get $mnt/c4/untar/f1)" "1,2,3,4"
	if command -v rsync >/dev/null; then
		check "xattr: rsync -aX copies the embedding" \
			rsync -aX $mnt/c4/f1 $mnt/c4/sub/rsynced
		check_eq "xattr: the rsynced file has the embedding" \
			"$(vexctl embed get $mnt/c4/sub/rsynced)" "1,2,3,4"
	else
		echo "SKIP: xattr: rsync -aX copies the embedding (rsync is not installed on the host)"
	fi
	gnucp -a $mnt/c4/f1 $mnt/plain/outside 2>/tmp/cp.err
	check_eq "xattr: cp -a out of the collection copies the data" \
		"$(cat $mnt/plain/outside)" "hello"

	# --- EXDEV, rename, unlink ------------------------------------------
	check_rc "exdev: link out of a collection" 18 vectest link $mnt/c4/f1 $mnt/plain/l
	check_rc "exdev: link into a collection" 18 vectest link $mnt/plain/f $mnt/c4/l
	check_rc "exdev: rename out of a collection" 18 vectest rename $mnt/c4/f1 $mnt/plain/f1
	check_rc "exdev: rename into a collection" 18 vectest rename $mnt/plain/f $mnt/c4/f
	check_rc "exdev: rename between collections" 18 vectest rename $mnt/c4/f1 $mnt/ccos/f1
	check_rc "exdev: rename a directory between collections" 18 \
		vectest rename $mnt/c4/sub $mnt/ccos/sub
	check_rc "rename: within a collection works" 0 \
		vectest rename $mnt/c4/sub/deeper/f2 $mnt/c4/f2moved
	check_eq "rename: keeps the embedding" "$(vexctl embed get $mnt/c4/f2moved)" "0,0,0,1"
	check_out "rename: the query names the new path" "f2moved" \
		vexctl query $mnt/c4 --vector "0,0,0,1" -k 1
	check_rc "rename: the collection root itself may move" 0 \
		vectest rename $mnt/c4 $mnt/c4moved
	check_rc "rename: and back" 0 vectest rename $mnt/c4moved $mnt/c4
	check_rc "link: within a collection works" 0 vectest link $mnt/c4/f1 $mnt/c4/sub/f1link
	count() { vexctl stats --json "$1" | sed 's/.*"count": \([0-9]*\).*/\1/'; }
	before=$(count $mnt/c4)
	rm $mnt/c4/f1
	check_eq "unlink: one of two links keeps the embedding" "$(count $mnt/c4)" "$before"
	rm $mnt/c4/sub/f1link
	check_eq "unlink: the last link frees the slot" "$(count $mnt/c4)" "$((before - 1))"
	echo 9 >$mnt/c4/reuse
	vexctl embed set $mnt/c4/reuse --vector "5,5,5,5"
	check_out "unlink: the freed slot is reused" '"free_slots": 0' vexctl stats --json $mnt/c4

	# --- import / export ------------------------------------------------
	check "import: create a dim-8 collection" \
		vexctl collection create $mnt/imp --dim 8 --metric l2
	for f in fvecs npy csv jsonl; do
		mkdir -p $mnt/imp/$f
		check_out "import: .$f" "imported 100 vectors (0 failed)" \
			vexctl import --prefix "$f-" $mnt/imp/$f /data/d8.$f
	done
	check_eq "import: .fvecs and .npy agree" \
		"$(vexctl embed get $mnt/imp/fvecs/fvecs-000000042)" \
		"$(vexctl embed get $mnt/imp/npy/npy-000000042)"
	check_eq "import: .csv keeps the names" \
		"$(vexctl embed get $mnt/imp/csv/item42)" \
		"$(vexctl embed get $mnt/imp/fvecs/fvecs-000000042)"
	check_eq "import: .jsonl keeps the names" \
		"$(vexctl embed get $mnt/imp/jsonl/item42)" \
		"$(vexctl embed get $mnt/imp/csv/item42)"
	check_err "import: a wrong dimension names the record" 2 \
		"/data/bad.csv:3: expected 8 values, got 7" \
		vexctl import $mnt/imp/csv /data/bad.csv
	check "export: jsonl" sh -c "vexctl export $mnt/imp/jsonl >/tmp/exp.jsonl"
	check_eq "export: every vector" "$(wc -l </tmp/exp.jsonl)" "100"
	mkdir $mnt/imp/again
	check "export: imports back" vexctl import --quiet $mnt/imp/again /tmp/exp.jsonl
	check_eq "export: round trip is exact" \
		"$(vexctl embed get $mnt/imp/again/item42)" \
		"$(vexctl embed get $mnt/imp/jsonl/item42)"
	check_eq "query: a stored vector is its own nearest" \
		"$(vexctl query $mnt/imp/csv --like $mnt/imp/csv/item17 -k 1 | cut -f3)" "item17"
	check_out "list: every collection" "imp" vexctl collection list $mnt
	check_out "list: --json" '"path": "/mnt/vec/ccos"' vexctl collection list --json $mnt

	# --- ioctl abuse, exact search, permissions, races -------------------
	vexctl collection create $mnt/abuse --dim 4 --metric l2 >/dev/null
	vexctl collection create $mnt/notempty --dim 4 --metric l2 >/dev/null
	for i in 1 2 3; do
		touch $mnt/abuse/e$i
		vexctl embed set $mnt/abuse/e$i --vector "$i,0,0,0"
	done
	vectest abuse $mnt/abuse $mnt/plain || failures=$((failures + 1))
	for spec in "l2 1 1 500" "l2 1 128 2000" "cosine 2 128 1000" "ip 3 64 1000" \
		"l2 1 1500 60" "cosine 2 4096 20"; do
		set -- $spec
		vexctl collection create $mnt/ref-$1-$3 --dim $3 --metric $1 >/dev/null
		vectest ref $mnt/ref-$1-$3 $4 $3 $2 $3 8 10 || failures=$((failures + 1))
	done
	vexctl collection create $mnt/perm --dim 4 --metric l2 >/dev/null
	chmod 755 $mnt/perm
	vectest perm $mnt/perm || failures=$((failures + 1))
	vexctl collection create $mnt/race --dim 32 --metric l2 >/dev/null
	vectest race $mnt/race 3000 || failures=$((failures + 1))

	# --- deleting a collection --------------------------------------------
	vexctl collection create $mnt/gone --dim 2 --metric ip >/dev/null
	touch $mnt/gone/a
	vexctl embed set $mnt/gone/a --vector "1,1"
	rm $mnt/gone/a
	rmdir $mnt/gone
	check_out "rmdir: the other collections are still listed" "c4" \
		vexctl collection list $mnt
	case $(vexctl collection list $mnt) in
	*gone*) fail "rmdir: collection still listed" ;;
	*) pass "rmdir: collection no longer listed" ;;
	esac

	# --- remount: nothing cached ------------------------------------------
	check "remount: umount" umount $mnt
	check "remount" mount -t vexfs "$dev" $mnt
	check_eq "remount: embedding" "$(vexctl embed get $mnt/c4/f2moved)" "0,0,0,1"
	check_out "remount: query names uncached files" "sub/f1copy" \
		vexctl query $mnt/c4 --vector '1,2,3,4' -k 10
	check_out "remount: deep path rebuilt from parent pointers" "item42" \
		vexctl query $mnt/imp/jsonl --like $mnt/imp/jsonl/item42 -k 1
	vexctl stats --json $mnt/imp/csv >/tmp/stats
	check_out "remount: counts persisted (5 directories of 100)" \
		'"count": 500' cat /tmp/stats
	vexctl query $mnt/imp/csv --like $mnt/imp/csv/item17 -k 3 >$mnt/expected-query
	check "final umount" umount $mnt
	# fsck knows the collections table and the vector stores are owned.
	check "run: fsck clean with collections" fsck.vexfs -fn "$dev"
	dmesg | grep -i "vexfs.*error" && fail "run: no vexfs errors logged" || pass "run: no vexfs errors logged"
	;;
verify)
	check "mount after reboot" mount -t vexfs "$dev" $mnt
	check_eq "reboot: embedding" "$(vexctl embed get $mnt/c4/f2moved)" "0,0,0,1"
	check_eq "reboot: copied embedding" "$(vexctl embed get $mnt/c4/sub/f1copy)" "1,2,3,4"
	check_eq "reboot: same query answer" \
		"$(vexctl query $mnt/imp/csv --like $mnt/imp/csv/item17 -k 3)" \
		"$(cat $mnt/expected-query)"
	check_out "reboot: collections listed" "ref-cosine-4096" vexctl collection list $mnt
	check "reboot: new embedding after reboot" \
		sh -c "touch $mnt/c4/new && vexctl embed set $mnt/c4/new --vector '7,7,7,7'"
	check_eq "reboot: and it reads back" "$(vexctl embed get $mnt/c4/new)" "7,7,7,7"
	check_out "reboot: query sees it" "new" vexctl query $mnt/c4 --vector "7,7,7,7" -k 1
	check_out "reboot: an adopted tree is still a collection" "dimension:  4" \
		vexctl collection info $mnt/tree/a/b/c/deep
	check_eq "reboot: its embedding" "$(vexctl embed get $mnt/tree/a/b/c/deep)" "1,0,0,0"
	check "reboot: umount" umount $mnt
	check "reboot: fsck clean with collections" fsck.vexfs -fn "$dev"
	dmesg | grep -i "vexfs.*error" && fail "reboot: no vexfs errors logged" || pass "reboot: no vexfs errors logged"
	;;
esac
[ $failures = 0 ]
