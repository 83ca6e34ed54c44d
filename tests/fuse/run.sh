#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - vexfs-fuse against the source of truth, on the host (FUSE):
#   1. mkfs.vexfs -d of a rich tree (contents, modes, owners, times, user
#      and trusted xattrs, a value inode, short and long symlinks, hard
#      links, device nodes, a fifo, a directory of 2000 entries, a
#      collection with embeddings), with 1, 2 and 4 KiB blocks: mounted
#      with vexfs-fuse, the tree must equal the source (manifest.py on
#      both: types, modes, owners, link counts, times in ns, sizes,
#      SHA-256 of contents, symlink targets, every xattr), reads at random
#      offsets must equal the source's, writes must be refused, and the
#      image must be unchanged afterwards and pass fsck.vexfs -fn;
#   2. refusals: -o rw, an unknown incompat feature, a journal that needs
#      replaying (and -o replay, which replays it);
#   3. damaged images (the tests/fsck fixtures that damage what it reads,
#      and 20 seeds of tests/fuzz-images' generator) under an ASan/UBSan
#      build: each is refused or read to the end, with EIO for what is
#      corrupt, and the daemon never crashes;
#   4. an image the kernel module wrote in a VM, on the first kernel of
#      tests/vm/kernels.sh (renames, hard links, ACLs, an embedding, a
#      large sparse file, a depth-2 extent tree, a preallocated file,
#      tests/vm/guest/fuse_workload.sh): vexfs-fuse must show what the
#      kernel showed.
# Prints PASS:/FAIL: lines.  Needs /dev/fuse and fusermount3 (fuse3).
# VEXFS_FUSE_PARTS="refusals damaged kernel" (the default) names the parts
# after the first to run, for a quicker look while developing.

# The check functions run through check(), which shellcheck cannot see;
# the variables suite.sh sets are used in subshells and functions alike.
# shellcheck disable=SC2317,SC2031
# shellcheck source=tests/vm/suite.sh
. "$(dirname "$0")/../vm/suite.sh" fuse
suite_kernels "$@"
suite_build_tools
mkfs=$top/userspace/mkfs/mkfs.vexfs
fsck=$top/userspace/fsck/fsck.vexfs
vexctl=$top/userspace/vexctl/vexctl
fuse=$top/userspace/fuse/vexfs-fuse
xattr=$vm/progs/bin/xattr
walk=$here/walk.py
manifest=$vm/guest/roundtrip_manifest.sh
parts=" ${VEXFS_FUSE_PARTS-refusals damaged kernel} "
want() {
	[[ $parts == *" $1 "* ]]
}

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	fail_setup "no /dev/fuse or fusermount3 (apt-get install fuse3)"
fi
mnt=$work/mnt
mkdir -p "$mnt"
# Whatever happens, leave nothing mounted.
trap 'fusermount3 -u -z "$mnt" 2>/dev/null' EXIT
fusermount3 -u -z "$mnt" 2>/dev/null

check() {
	local name=$1
	shift
	if "$@" >"$work/check.out" 2>&1; then
		echo "PASS: fuse/$name"
	else
		echo "FAIL: fuse/$name"
		sed 's/^/    /' "$work/check.out" | head -n 30
		failed=1
	fi
}

manifest_of() {
	PATH=$vm/progs/bin:$PATH busybox sh "$manifest" "$1"
}

# ---------------------------------------------------------------------
# 1. mkfs -d trees, at each block size
# ---------------------------------------------------------------------
src=$work/src
rm -rf "$src"
mkdir -p "$src"
(
	set -e
	cd "$src"
	mkdir -p deep/a/b/c big empty coll
	echo hello >small
	: >emptyfile
	head -c 300000 /dev/urandom >multi
	head -c 5000000 /dev/urandom >large
	printf 'tail' | dd of=sparse bs=1 seek=3000000 2>/dev/null
	ln small deep/a/hardlink
	ln small big/another_link
	ln -s small shortlink
	ln -s "$(printf 'long/%.0s' $(seq 1 60))target" longlink
	mkfifo fifo
	mknod chr c 1 3
	mknod blk b 7 200
	chown 1234:5678 small multi
	chown 42:43 deep/a
	chmod 4755 multi
	chmod 1777 empty
	chmod 0640 deep/a/b/c
	for i in $(seq 1 2000); do echo "$i" >"big/file_with_a_long_name_$i"; done
	"$xattr" set small user.colour blue
	"$xattr" set deep/a user.on_a_directory yes
	"$xattr" set multi user.big "$(head -c 3000 /dev/zero | tr '\0' v)"
	"$xattr" set multi trusted.secret shh
	touch -d '2001-02-03 04:05:06.789' small
	touch -h -d '1999-12-31 23:59:59' shortlink
	touch -d '@0' emptyfile
	python3 - <<-'EOF'
	import os, struct
	os.setxattr("coll", "user.vexfs.collection", b"dim=4,metric=l2")
	for name, vec in (("x", (1, 2, 3, 4)), ("y", (0.5, -1, 1e-3, 7))):
	    with open("coll/" + name, "w") as f:
	        f.write(name + "\n")
	    os.setxattr("coll/" + name, "user.vexfs.embedding",
	                struct.pack("<4f", *vec))
	with open("coll/none", "w") as f:
	    f.write("no embedding\n")
	EOF
) || fail_setup "source tree"
python3 "$here/manifest.py" "$src" >"$work/manifest.src" || fail_setup "manifest"
# mkfs -d turns the collection mark into a collection: it is no xattr.
sed -i 's/user\.vexfs\.collection=[0-9a-f]*;\?//' "$work/manifest.src"
if ! grep -q 'user.vexfs.embedding=0000803f' "$work/manifest.src" ||
	! grep -q 'trusted.secret=736868' "$work/manifest.src"; then
	fail_setup "manifest without embeddings or trusted xattrs"
fi

# mounted_tree_matches: the tree through vexfs-fuse is the source's
mounted_tree_matches() {
	python3 "$here/manifest.py" "$mnt" >"$work/manifest.fuse" &&
		diff -u "$work/manifest.src" "$work/manifest.fuse"
}

trusted_visible() {
	[ "$("$xattr" get "$mnt/multi" trusted.secret)" = shh ]
}

writes_refused() {
	local out
	if out=$(touch "$mnt/new" 2>&1) || [[ $out != *"Read-only file system"* ]]; then
		echo "touch: $out"
		return 1
	fi
	if out=$(sh -c "echo x >>'$mnt/small'" 2>&1) ||
		[[ $out != *"Read-only file system"* ]]; then
		echo "append: $out"
		return 1
	fi
}

statfs_sane() {
	python3 - "$mnt" "$1" <<-'EOF'
	import os, sys
	st = os.statvfs(sys.argv[1])
	assert st.f_bsize == int(sys.argv[2]), st
	assert st.f_flag & os.ST_RDONLY, st
	assert 0 < st.f_bfree < st.f_blocks and 0 < st.f_ffree < st.f_files, st
	assert st.f_namemax == 255, st
	EOF
}

for bs in 1024 2048 4096; do
	img=$work/tree-$bs.img
	suite_image "$img" 64M
	check "mkfs_d/$bs/mkfs" "$mkfs" -q -b "$bs" -d "$src" "$img"
	sum=$(sha256sum <"$img")
	if ! check "mkfs_d/$bs/mount" "$fuse" "$img" "$mnt"; then
		continue
	fi
	check "mkfs_d/$bs/tree_matches_source" mounted_tree_matches
	check "mkfs_d/$bs/random_reads_match_source" python3 "$walk" --cmp \
		"$src" "$mnt" large multi sparse small emptyfile
	check "mkfs_d/$bs/trusted_xattr_visible_to_root" trusted_visible
	check "mkfs_d/$bs/writes_refused" writes_refused
	check "mkfs_d/$bs/statfs" statfs_sane "$bs"
	check "mkfs_d/$bs/unmount" fusermount3 -u "$mnt"
	check "mkfs_d/$bs/image_unchanged" test "$(sha256sum <"$img")" = "$sum"
	check "mkfs_d/$bs/fsck_clean" "$fsck" -fn "$img"
done

# fixture_image DIR CASE: DIR/test.img, as tests/fsck/CASE/script makes it
suite_tool vexfs-damage "$top/tests/fsck/tools/vexfs-damage.c"
suite_tool vexfs-journal "$top/tests/fsck/tools/vexfs-journal.c"
fixture_image() {
	local dir=$1 case=$2
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$dir" && MKFS=$mkfs FSCK=$fsck DAMAGE=$work/vexfs-damage \
		JOURNAL=$work/vexfs-journal XATTR=$xattr VEXCTL=$vexctl &&
		export MKFS FSCK DAMAGE JOURNAL XATTR VEXCTL &&
		. "$top/tests/fsck/tools/common.sh" &&
		. "$top/tests/fsck/$case/script") >"$dir/script.log" 2>&1
}

# ---------------------------------------------------------------------
# 2. What must be refused
# ---------------------------------------------------------------------
if want refusals; then
	img=$work/tree-4096.img
	# refused IMG PATTERN [OPTIONS...]: no mount, and a message with PATTERN
	refused() {
		local img=$1 pattern=$2 out rc
		shift 2
		out=$("$fuse" "$@" "$img" "$mnt" 2>&1)
		rc=$?
		echo "$out"
		if mountpoint -q "$mnt"; then
			fusermount3 -u "$mnt"
			echo "mounted"
			return 1
		fi
		[ "$rc" -ne 0 ] && grep -q -- "$pattern" <<<"$out"
	}
	check "refuses/rw" refused "$img" "read-write is not supported yet" -o rw
	check "refuses/rw_among_options" refused "$img" "read-write is not supported yet" \
		-o allow_other,rw
	suite_tool vexfs-patch "$top/tests/tools/vexfs-patch.c"
	cp "$img" "$work/incompat.img"
	"$work/vexfs-patch" "$work/incompat.img" sb:0x38:4=^0x100 >/dev/null ||
		fail_setup "vexfs-patch"
	check "refuses/unknown_incompat_feature" refused "$work/incompat.img" \
		"unsupported incompatible features"

	# A journal holding a committed transaction, as a crash leaves it: the
	# fsck fixture f_journal_replay's image (its log restores two blocks).
	jdir=$work/journal
	if fixture_image "$jdir" f_journal_replay; then
		jimg=$jdir/test.img
		sum=$(sha256sum <"$jimg")
		check "refuses/journal_needing_replay" refused "$jimg" "Run fsck.vexfs"
		check "refuses/journal_needing_replay_writes_nothing" \
			test "$(sha256sum <"$jimg")" = "$sum"
		check "journal/replay_mounts" "$fuse" -o replay "$jimg" "$mnt"
		check "journal/replayed_file_reads" \
			test "$(cat "$mnt/file" 2>&1)" = hello
		check "journal/replayed_tree_walks_without_errors" sh -c \
			"python3 '$walk' '$mnt' | grep -q ', 0 errors'"
		fusermount3 -u "$mnt" 2>/dev/null
		# The flag stays for the kernel or fsck to finish the recovery.
		"$fsck" -fy "$jimg" >"$work/journal-fsck.out" 2>&1
		check "journal/fsck_clean_after_replay" "$fsck" -fn "$jimg"
	else
		echo "FAIL: fuse/journal/setup"
		sed 's/^/    /' "$jdir/script.log"
		failed=1
	fi
fi

# ---------------------------------------------------------------------
# 3. Damaged images, under ASan and UBSan
# ---------------------------------------------------------------------
if want damaged; then
	asan=$work/vexfs-fuse-asan
	# One compiler run, at -O1: the sanitizers want no more.
	# shellcheck disable=SC2046 # pkg-config's flags, split on purpose
	if gcc -O1 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
		-fsanitize=address,undefined -fno-omit-frame-pointer \
		-DVEXFS_VERSION="\"$(cat "$top/VERSION")\"" \
		-I"$top/include" -I"$top/common" -I"$top/userspace/lib" \
		$(pkg-config --cflags fuse3) -o "$asan" \
		"$top"/userspace/fuse/*.c "$top"/userspace/lib/*.c "$top"/common/*.c \
		$(pkg-config --libs fuse3) -lm 2>"$work/asan-build.log"; then
		echo "PASS: fuse/damaged/asan_build"
	else
		echo "FAIL: fuse/damaged/asan_build"
		sed 's/^/    /' "$work/asan-build.log" | head -n 20
		failed=1
		asan=$fuse
	fi

	# survives IMG: refused with a message, or walked to the end with only
	# the errors corruption explains, the daemon alive and silent to ASan.
	survives() {
		local img=$1 log=$work/damaged.log pid rc
		: >"$log"
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
			"$asan" -f "$img" "$mnt" 2>"$log" &
		pid=$!
		for _ in $(seq 1 300); do
			mountpoint -q "$mnt" && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if ! mountpoint -q "$mnt"; then
			if kill -0 "$pid" 2>/dev/null; then
				echo "neither mounted nor refused in 30 s"
				kill "$pid"
				wait "$pid"
				return 1
			fi
			wait "$pid"
			rc=$?
			cat "$log"
			# refused: exit 1 with a message, and no sanitizer report
			[ "$rc" -eq 1 ] && [ -s "$log" ] && ! grep -q 'Sanitizer\|runtime error' "$log"
			return
		fi
		python3 "$walk" "$mnt"
		rc=$?
		fusermount3 -u "$mnt" || rc=1
		# A mount namespace made meanwhile (unshare, as tests/matrix/chroot.sh
		# run does) keeps a copy of the mount, and the connection with it:
		# then only a signal ends the daemon (which it handles).
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill "$pid"
		wait "$pid" || rc=1
		if grep -q 'Sanitizer\|runtime error' "$log"; then
			head -n 20 "$log"
			rc=1
		fi
		return "$rc"
	}

	# The fixtures that damage what vexfs-fuse reads (not the bitmaps,
	# counts, orphans or the ANN index, which it never reads): directory
	# trees and entries, extent trees, inodes, symlinks, xattrs, the
	# superblock, the journal superblock, collection descriptors and slots.
	for dir in "$top"/tests/fsck/f_{dir,extent,inode,xattr}_*/ \
		"$top"/tests/fsck/f_{bad_parent,symlink_bad,root_extent_bad}/ \
		"$top"/tests/fsck/f_{sb_csum,sb_errors,sb_features_missing}/ \
		"$top"/tests/fsck/f_{journal_bad_super,recover_no_journal}/ \
		"$top"/tests/fsck/f_vec_{desc_bad,desc_csum,slot_csum,table_bad,wide}/; do
		case=$(basename "$dir")
		if ! fixture_image "$work/fixture" "$case"; then
			echo "FAIL: fuse/damaged/$case (script)"
			failed=1
			continue
		fi
		check "damaged/$case" survives "$work/fixture/test.img"
	done

	# Seeds of tests/fuzz-images' generator over a small copy of the tree
	# (100 entries in big/, still a tree of several blocks, and no large
	# files: each image is read whole).
	suite_tool vexfs-fuzz "$top/tests/fuzz-images/vexfs-fuzz.c"
	rm -rf "$work/src-small"
	mkdir -p "$work/src-small"
	cp -a "$src"/. "$work/src-small"/
	find "$work/src-small/big" -name 'file_with_a_long_name_???*' -delete
	rm "$work/src-small/large" "$work/src-small/sparse"
	suite_image "$work/base.img" 8M
	"$mkfs" -q -b 1024 -U 5ee7c0de-0000-4000-8000-000000000020 \
		-E hash_seed=00112233-4455-6677-8899-aabbccddeeff \
		-d "$work/src-small" "$work/base.img" || fail_setup "fuzz base image"
	for seed in $(seq 1 20); do
		"$work/vexfs-fuzz" gen "$work/base.img" "$work/fuzz.img" "$seed" \
			>"$work/fuzz.what" 2>&1 || { echo "FAIL: fuse/fuzz/$seed (gen)"; failed=1; continue; }
		check "fuzz/$seed ($(cat "$work/fuzz.what"))" survives "$work/fuzz.img"
	done
fi

# ---------------------------------------------------------------------
# 4. An image the kernel wrote
# ---------------------------------------------------------------------
if want kernel; then
	kver=$("$vm/kernels.sh" | head -n 1) || fail_setup "kernels.sh"
	series=$(kernel_series "$kver")
	kimg=$work/kernel.img
	kernel_tree_matches() {
		manifest_of "$mnt/w" >"$work/manifest.kfuse" &&
			diff -u "$mnt/manifest" "$work/manifest.kfuse"
	}
	# what the guest wrote to /facts, seen through vexfs-fuse
	kernel_facts_match() {
		diff -u "$mnt/facts" <(
			echo "trusted $("$xattr" get "$mnt/w/multi" trusted.secret)"
			echo "embedding $("$xattr" list "$mnt/w/coll/a" | grep user.vexfs.embedding)"
			echo "big $(($(ls "$mnt/big" | wc -l))) $(ls "$mnt/big" | LC_ALL=C sort | md5sum | cut -c1-32)")
	}
	# The depth in the extent root of an inode (i_data + 6), from the image.
	extent_depth() {
		local ino=$1 table
		table=$("$vexctl" info "$kimg" | sed -n 's/^Inode table:[^0-9]*\([0-9]*\).*/\1/p')
		od -An -tu2 -j $((table * 1024 + ino * 256 + 0xa0 + 6)) -N2 "$kimg" | tr -d ' '
	}
	if suite_module "$kver" "fuse/$series/module_builds"; then
		suite_image "$kimg" 160M
		"$mkfs" -q -b 1024 "$kimg" || fail_setup "mkfs"
		if "$vm/run-vm.sh" -k "$kver" -t 600 -l "$work/console-$series.log" \
			-d "$kimg" fuse_workload.sh; then
			sum=$(sha256sum <"$kimg")
			check "$series/kernel_image_fsck_clean" "$fsck" -fn "$kimg"
			if check "$series/mount" "$fuse" "$kimg" "$mnt"; then
				check "$series/tree_matches_kernel" kernel_tree_matches
				check "$series/trusted_and_embedding_match_kernel" kernel_facts_match
				check "$series/acl_visible" grep -q \
					'system.posix_acl_access=0x02000000' "$work/manifest.kfuse"
				ino=$(stat -c %i "$mnt/w/striped")
				check "$series/striped_file_has_depth_2_extent_tree" \
					test "$(extent_depth "$ino")" = 2
				check "$series/unmount" fusermount3 -u "$mnt"
			fi
			check "$series/image_unchanged" test "$(sha256sum <"$kimg")" = "$sum"
		else
			failed=1
		fi
	else
		failed=1
	fi
fi

exit $failed
