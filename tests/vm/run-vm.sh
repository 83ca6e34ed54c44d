#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-vm.sh - boot a Debian kernel in QEMU (TCG) and run a test script in it.
#
# usage: run-vm.sh -k KVER [-m MODDIR]... [-M MODULE]... [-b SRC[:DEST]]...
#                  [-d DISK]... [-c CACHE] [-t SECS] [-l LOGFILE] [-r MIB] [-p]
#                  SCRIPT [ARGS...]
#
#   -k KVER   kernel: /boot/vmlinuz-KVER with modules from /lib/modules/KVER,
#             or the same under tests/matrix/fetch-kernel.sh's cache
#   -m MODDIR every *.ko / *.ko.xz in MODDIR goes into the guest's
#             /lib/modules/KVER/updates (default: build/KVER/vexfs.ko)
#   -M MODULE a module of the kernel's own tree (with its dependencies)
#             that the script may modprobe, e.g. ext4 or dm-log-writes
#   -b SRC    a file copied into the guest, to DEST or /usr/local/bin/;
#             a dynamically linked program brings its shared libraries
#   -d DISK   a raw image attached as the next virtio disk (vda, vdb, ...)
#   -D DISK   the same, with discard (TRIM) passed through to the image
#             (QEMU discard=unmap: discarded ranges become holes in it)
#   -N DISK   the same, on a disk that has no discard at all (a -d disk
#             says it has, and QEMU drops the discards)
#   -c CACHE  QEMU cache mode of every disk (default unsafe: flushes are
#             dropped, which tests want for speed; durability benchmarks
#             need one that honours them, such as none or writeback)
#   -t SECS   give up after SECS seconds (default 300)
#   -l FILE   keep the kernel console log in FILE
#   -r MIB    guest memory (default 1536)
#   -p        preallocate the guest's memory (benchmarks: under TCG the
#             first touch of each guest page costs the host a page fault,
#             which would slow whichever workload runs first in a guest)
#   -v        print everything the script prints, not only PASS:/FAIL:
#
# VEXFS_VM_APPEND (environment) is added to the kernel command line, e.g.
# "vexfs.simd=avx2" to load the module with that parameter (modprobe
# takes MODULE.PARAM= from the command line).
#
# SCRIPT (relative to tests/vm/guest/, or absolute) runs under busybox sh
# in the guest with ARGS; tests/vm/guest/ is at /tests and the static test
# programs of tests/vm/progs/bin are on the PATH.  Its PASS:/FAIL:/SKIP:
# lines are printed here prefixed with the kernel series ("6.1/", "6.12/").
# The run fails if the script fails or never finishes, or if the kernel
# logs an oops, BUG, WARNING, general protection fault, hung task, call
# trace or panic.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kver= timeout=300 log= verbose=0 memory=1536 prealloc=() cache=unsafe
moddirs=() bins=() disks=() extra_modules=()

usage() {
	sed -n '4,37p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while getopts "k:m:M:b:d:D:N:c:t:l:r:pvh" opt; do
	case $opt in
	k) kver=$OPTARG ;;
	m) moddirs+=("$OPTARG") ;;
	M) extra_modules+=("$OPTARG") ;;
	r) memory=$OPTARG ;;
	p) prealloc=(-mem-prealloc) ;;
	b) bins+=("$OPTARG") ;;
	d) disks+=("$OPTARG") ;;
	D) disks+=("$OPTARG|discard=unmap") ;;
	N) disks+=("$OPTARG|nodiscard") ;;
	c) cache=$OPTARG ;;
	t) timeout=$OPTARG ;;
	l) log=$OPTARG ;;
	v) verbose=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$kver" ] && [ $# -ge 1 ] || usage
script=$1
shift

. "$top/tests/vm/kernel-lib.sh"
kroot=$(kernel_root "$kver") || {
	echo "run-vm.sh: kernel $kver: neither installed nor unpacked (tests/matrix/fetch-kernel.sh $kver)" >&2
	exit 1
}
kernel=$kroot/boot/vmlinuz-$kver
kmods=$kroot/lib/modules/$kver
series=$(kernel_series "$kver")
[ ${#moddirs[@]} -gt 0 ] || moddirs=("$top/build/$kver")

work=$(mktemp -d /tmp/vexfs-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,proc,sys,dev,tmp,mnt,run,etc}
mkdir -p "$root/lib/modules/$kver/kernel" "$root/lib/modules/$kver/updates"

# --- modules -----------------------------------------------------------
# add_module FILE DESTDIR: copy a module, decompressing .ko.xz (the guest's
# busybox modprobe cannot read compressed modules).
add_module() {
	local name
	name=$(basename "$1")
	case $1 in
	*.ko.xz) xz -dc "$1" >"$2/${name%.xz}" ;;
	*.ko) cp "$1" "$2/" ;;
	esac
}

# Resolve a module name of the running kernel tree to its file; module
# names treat "-" and "_" alike (dm-log-writes is dm_log_writes).
find_module() {
	local u=${1//-/_} h=${1//_/-}
	find "$kmods/kernel" \( -name "$u.ko" -o -name "$u.ko.xz" \
		-o -name "$h.ko" -o -name "$h.ko.xz" \) | head -n 1
}

# add_with_deps NAME: a kernel module and, recursively, what it depends on.
declare -A seen=()
add_with_deps() {
	local name=$1 file dep
	[ -z "${seen[$name]:-}" ] || return 0
	seen[$name]=1
	file=$(find_module "$name")
	[ -n "$file" ] || return 0	# built into this kernel
	add_module "$file" "$root/lib/modules/$kver/kernel"
	for dep in $(modinfo -F depends "$file" | tr ',' ' '); do
		add_with_deps "$dep"
	done
}

for m in virtio_pci virtio_blk crc32c_generic libcrc32c loop; do
	add_with_deps "$m"
done
# crc32c_generic, which ext4 and jbd2 reach through the crypto API, is
# added above when the kernel has it (7.x has crc32c built in, as a
# library).  Other soft dependencies are not in "depends", so callers
# name them; a module asked for by name must exist.
for m in ${extra_modules[@]+"${extra_modules[@]}"}; do
	[ -n "$(find_module "$m")" ] ||
		grep -Eq "/(${m//-/_}|${m//_/-})\.ko" "$kmods/modules.builtin" ||
		{ echo "FAIL: $series/$(basename "$script") (run-vm.sh: module $m: not found for $kver)"; exit 1; }
	add_with_deps "$m"
done
for dir in "${moddirs[@]}"; do
	found=0
	for f in "$dir"/*.ko "$dir"/*.ko.xz; do
		[ -e "$f" ] || continue
		add_module "$f" "$root/lib/modules/$kver/updates"
		for dep in $(modinfo -F depends "$f" | tr ',' ' '); do
			add_with_deps "$dep"
		done
		found=1
	done
	[ $found = 1 ] || { echo "run-vm.sh: no modules in $dir" >&2; exit 1; }
done
cp "$kmods"/modules.builtin* "$kmods/modules.order" "$root/lib/modules/$kver/" 2>/dev/null || true
depmod -b "$root" "$kver"

# --- programs ----------------------------------------------------------
cp /bin/busybox "$root/bin/busybox"

# add_file SRC DEST: copy a file; for a dynamic ELF program also its
# interpreter and libraries, at their own paths.
add_file() {
	local src=$1 dest=$2 lib
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$src" "$root$dest"
	if file -L "$src" | grep -q 'dynamically linked'; then
		for lib in $(ldd "$src" | awk '/=> \// { print $3 } /^\t\// { print $1 }'); do
			[ -e "$root$lib" ] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
	fi
}

for b in "${bins[@]}"; do
	src=${b%%:*}
	dest=${b#*:}
	[ "$dest" != "$b" ] || dest=/usr/local/bin/$(basename "$src")
	add_file "$src" "$dest"
done
if [ -d "$top/tests/vm/progs/bin" ]; then
	cp "$top"/tests/vm/progs/bin/* "$root/usr/local/bin/" 2>/dev/null || true
fi
if [ -d "$top/userspace/static" ]; then
	cp "$top"/userspace/static/* "$root/usr/local/sbin/" 2>/dev/null ||
		{ mkdir -p "$root/usr/local/sbin"; cp "$top"/userspace/static/* "$root/usr/local/sbin/"; }
fi
mkdir -p "$root/tests"
cp -a "$top/tests/vm/guest/." "$root/tests/"
case $script in
/*) cp "$script" "$root/run-test.sh" ;;
*) cp "$top/tests/vm/guest/$script" "$root/run-test.sh" ;;
esac
printf '%q ' "$@" >"$root/run-args"
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"

cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mkdir -p /usr/sbin /usr/bin /sbin /bin
/bin/busybox --install -s
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
echo 30 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
for m in virtio_pci virtio_blk crc32c_generic loop; do
	modprobe "$m" 2>/dev/null
done
n=0
while [ ! -e /sys/block/vda ] && [ -e /run/want-disk ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
cd /tests
eval "set -- $(cat /run-args)"
# Test output goes to the second serial port, kernel messages to the first.
sh /run-test.sh "$@" >/dev/ttyS1 2>&1
echo "VEXFS-GUEST-DONE rc=$?" >/dev/ttyS1
sync
poweroff -f
INIT
chmod +x "$root/init"
[ ${#disks[@]} -eq 0 ] || touch "$root/run/want-disk"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

# --- boot --------------------------------------------------------------
qemu_disks=()
# Each disk is a -drive and a -device, so that they stay in this order
# (vda, vdb, ...) whatever their options.
n=0
for d in "${disks[@]}"; do
	drive="if=none,id=disk$n,format=raw,cache=$cache" device=
	case $d in
	*\|nodiscard) device=,discard=off ;;
	*\|*) drive+=,${d#*|} ;;
	esac
	qemu_disks+=(-drive "file=${d%%|*},$drive"
		     -device "virtio-blk-pci,drive=disk$n$device")
	n=$((n + 1))
done
console=${log:-$work/console.log}
results=$work/results.txt
start=$(date +%s%N)
set +e
timeout --kill-after=10 "$timeout" qemu-system-x86_64 -accel tcg,thread=single -cpu max \
	-m "$memory" "${prealloc[@]}" -smp 2 -nographic -no-reboot -nodefaults \
	-kernel "$kernel" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 panic=-1 oops=panic loglevel=5 no_timer_check rdinit=/init${VEXFS_VM_APPEND:+ $VEXFS_VM_APPEND}" \
	-serial "file:$console" -serial "file:$results" \
	"${qemu_disks[@]}" </dev/null >"$work/qemu.out" 2>&1
qemu_rc=$?
set -e
elapsed_ms=$((($(date +%s%N) - start) / 1000000))

failed=0
if [ $verbose = 1 ]; then
	grep -v '^VEXFS-GUEST-DONE' "$results" || true
else
	awk -v s="$series" '/^(PASS|FAIL|SKIP): / { sub(/: /, ": " s "/"); print }' "$results"
fi
if grep -q '^FAIL: ' "$results"; then
	failed=1
	# The lines around a failure say what went wrong.
	grep -v -E '^(PASS|SKIP): ' "$results" | head -n 80 | sed 's/^/  guest: /' >&2
fi
if ! grep -q '^VEXFS-GUEST-DONE rc=0' "$results"; then
	if grep -q '^VEXFS-GUEST-DONE' "$results"; then
		echo "FAIL: $series/$(basename "$script") (script exited $(sed -n 's/^VEXFS-GUEST-DONE rc=//p' "$results"))"
	else
		echo "FAIL: $series/$(basename "$script") (guest did not finish in ${timeout}s; qemu exit $qemu_rc)"
	fi
	failed=1
	grep -q '^FAIL: ' "$results" ||
		tail -n 30 "$results" | sed 's/^/  guest: /' >&2
fi
bad='Oops|BUG:|WARNING:|general protection fault|hung task|blocked for more than|Call Trace|Kernel panic'
if grep -Eq "$bad" "$console"; then
	echo "FAIL: $series/kernel-log (oops, BUG or WARNING; see below)"
	grep -E -A20 "$bad" "$console" | head -n 60 | sed 's/^/  console: /' >&2
	failed=1
fi
printf 'run-vm.sh: %s %s: %d.%03d s\n' "$kver" "$(basename "$script")" \
	$((elapsed_ms / 1000)) $((elapsed_ms % 1000)) >&2
exit $failed
