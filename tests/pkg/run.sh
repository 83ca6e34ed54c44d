#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/pkg/run.sh - the packages build, install, work and go away cleanly.
#
#  1. `make deb` and `make rpm` build; lintian and rpmlint are clean
#     (their overrides and filters are in debian/ and rpm/); the release
#     tarball carries a dkms.conf of this version
#  2. the headers of every kernel of tests/vm/kernels.sh are installed, and
#     a DKMS build of a module that fails the kernel-safety check fails
#  3. apt-get installs vexfs-dkms, vexfs-tools, vexfs-fuse and python3-vexfs
#     from build/pkg (python3 imports vexfs from /usr/lib/python3/dist-packages,
#     architecture all: no compiled extension); DKMS
#     builds and installs vexfs.ko for every one of those kernels, though
#     the running kernel has no headers
#  4. each kernel boots in QEMU with the DKMS-installed module and the
#     installed (dynamic) tools, and tests/vm/guest/pkg_install.sh makes,
#     mounts, writes, unmounts and checks a filesystem with them
#  5. apt-get purge removes the packages, DKMS forgets vexfs, and the
#     module files are gone
#  6. the RPMs hold the right files and DKMS scriptlets, and installing
#     them with Debian's rpm builds the module for every kernel, and
#     erasing them removes it
#
# One PASS:/FAIL: line per step (the guest adds its own).  Needs root; it
# purges what an interrupted earlier run left installed first.
set -uo pipefail
# The check functions below run through step(), which shellcheck cannot see.
# shellcheck disable=SC2317

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
version=$(cat VERSION)
pkg=$top/build/pkg
log=$top/build/test-logs/pkg
mkdir -p "$log"
failed=0
t_start=$(date +%s)

pass() { echo "PASS: $1"; }
fail() {
	echo "FAIL: $1"
	failed=1
}
# step NAME CMD...: PASS if CMD succeeds; its output goes to $log/NAME.log
# and, on failure, the end of it to stderr.
step() {
	local name=$1 t0
	t0=$(date +%s)
	shift
	if "$@" >"$log/$name.log" 2>&1; then
		pass "$name"
	else
		fail "$name"
		tail -n 25 "$log/$name.log" | sed 's/^/    /' >&2
	fi
	echo "    ($name: $(($(date +%s) - t0)) s)" >&2
}

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: pkg (installing packages needs root)"
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -q -y -o DPkg::Lock::Timeout=300)

purge_leftovers() {
	local d
	if dpkg-query -W vexfs-dkms vexfs-tools vexfs-fuse python3-vexfs >/dev/null 2>&1; then
		"${apt[@]}" purge vexfs-dkms vexfs-tools vexfs-fuse python3-vexfs
	fi
	for d in /var/lib/dkms/vexfs/*; do
		[ -d "$d" ] && [ ! -L "$d" ] || continue
		dkms remove -m vexfs -v "${d##*/}" --all || true
	done
	rm -rf /var/lib/dkms/vexfs /usr/src/vexfs-*
	# Files of an interrupted RPM step (its database was temporary).
	rm -rf /usr/sbin/mkfs.vexfs /usr/sbin/fsck.vexfs /usr/bin/vexctl \
		/usr/bin/vexfs-fuse \
		/usr/include/vexfs /usr/share/bash-completion/completions/vexctl \
		/usr/share/man/man8/{mkfs.vexfs,fsck.vexfs,vexctl,vexfs-fuse}.8* \
		/usr/share/doc/vexfs-*-"$version" /usr/share/licenses/vexfs-*-"$version"
}

# modules_of KVER: the vexfs module files DKMS installed for KVER.
modules_of() {
	ls /lib/modules/"$1"/updates/dkms/vexfs.ko* 2>/dev/null
}

mapfile -t kernels < <(tests/vm/kernels.sh)
[ ${#kernels[@]} -gt 0 ] || { fail "kernels (tests/vm/kernels.sh listed none)"; exit 1; }

purge_leftovers >"$log/purge-leftovers.log" 2>&1

# --- 1. build --------------------------------------------------------
step build_deb scripts/package.sh deb
step build_rpm scripts/package.sh rpm
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
step lintian_clean scripts/package.sh lintian
step rpmlint_clean scripts/package.sh rpmlint
dist_dkms_conf() {
	tar -xzOf "build/dist/vexfs-$version.tar.gz" "vexfs-$version/dkms.conf" |
		grep -x "PACKAGE_VERSION=\"$version\""
}
step dist_tarball_dkms_conf dist_dkms_conf

# --- 2. headers ------------------------------------------------------
for k in "${kernels[@]}"; do
	step "kernel_headers_$k" test -e "/lib/modules/$k/build/Makefile"
done

# DKMS's build is `make module`, so the kernel-safety check fails it: a
# copy of the DKMS source with one SSE instruction added must not build
# (in a private DKMS tree, for the first kernel only).
unsafe_refused() {
	local t v=0.0.0unsafe rc
	t=$(mktemp -d)
	scripts/package.sh install-dkms "$t/src/vexfs-$v"
	sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$v\"/" "$t/src/vexfs-$v/dkms.conf"
	printf '\nvoid vexfs_pkgtest_unsafe(void);\nvoid vexfs_pkgtest_unsafe(void)\n{\n\tasm volatile("xorps %%xmm0, %%xmm0");\n}\n' \
		>>"$t/src/vexfs-$v/src/super.c"
	mkdir "$t/dkms"
	dkms add -m vexfs -v "$v" --sourcetree "$t/src" --dkmstree "$t/dkms" &&
		! dkms build -m vexfs -v "$v" -k "${kernels[0]}" --sourcetree "$t/src" \
			--dkmstree "$t/dkms" &&
		cat "$t/dkms/vexfs/$v/build/make.log" &&
		grep -q 'check-kernel-safe: .*FP/SIMD' "$t/dkms/vexfs/$v/build/make.log"
	rc=$?
	rm -rf "$t"
	return "$rc"
}
step dkms_build_refuses_unsafe_module unsafe_refused

# --- 3. install ------------------------------------------------------
debs=("$pkg/vexfs-dkms_${version}_all.deb" "$pkg/vexfs-tools_${version}_$arch.deb"
	"$pkg/python3-vexfs_${version}_all.deb" "$pkg/vexfs-fuse_${version}_$arch.deb")
installed=0
if [ -e "${debs[0]}" ] && [ -e "${debs[1]}" ] && [ -e "${debs[2]}" ] &&
	[ -e "${debs[3]}" ]; then
	# No recommends: on a machine without dkms yet, dkms's would pull in
	# linux-headers-amd64, a third kernel.
	step apt_install "${apt[@]}" install --no-install-recommends "${debs[@]}"
	dpkg-query -W vexfs-dkms vexfs-tools vexfs-fuse python3-vexfs >/dev/null 2>&1 &&
		installed=1
else
	fail "apt_install (no packages were built)"
fi

if [ $installed = 1 ]; then
	dkms status vexfs >"$log/dkms-status.log" 2>&1
	for k in "${kernels[@]}"; do
		step "dkms_installed_$k" grep -q "^vexfs/$version, $k, [^:]*: installed" "$log/dkms-status.log"
		step "dkms_build_checked_safety_$k" grep -q 'check-kernel-safe: .* OK' \
			"/var/lib/dkms/vexfs/$version/$k/x86_64/log/make.log"
		ko=$(modules_of "$k" | head -n 1)
		if [ -n "$ko" ] && [ "$(modinfo -F version "$ko")" = "$version" ]; then
			pass "module_file_$k"
		else
			fail "module_file_$k (${ko:-no /lib/modules/$k/updates/dkms/vexfs.ko*})"
		fi
	done
	# The install succeeded although this machine's own kernel has no
	# headers: DKMS skipped it rather than failing.
	running=$(uname -r)
	if [ -e "/lib/modules/$running/build" ]; then
		echo "SKIP: running_kernel_without_headers (the running kernel $running has headers)"
	elif grep -F ", $running," "$log/dkms-status.log" >/dev/null; then
		fail "running_kernel_without_headers (dkms lists $running)"
	else
		pass "running_kernel_without_headers"
	fi
	files_installed() {
		local f
		for f in /usr/sbin/mkfs.vexfs /usr/sbin/fsck.vexfs /usr/bin/vexctl \
			/usr/share/bash-completion/completions/vexctl \
			/usr/include/vexfs/vexfs_format.h \
			/usr/include/vexfs/vexfs_uapi.h \
			/usr/share/man/man8/mkfs.vexfs.8.gz \
			/usr/share/man/man8/fsck.vexfs.8.gz \
			/usr/share/man/man8/vexctl.8.gz \
			"/usr/src/vexfs-$version/dkms.conf"; do
			[ -e "$f" ] || { echo "missing: $f"; return 1; }
		done
		/usr/bin/vexctl --version | grep -x "vexctl $version" >/dev/null
	}
	step tools_installed files_installed
	# The installed UAPI header is usable on its own by a program.
	uapi_compiles() {
		printf '#include <vexfs/vexfs_uapi.h>\nint main(void) { return VEXFS_IOC_QUERY == 0; }\n' |
			gcc -Wall -Werror -x c -o /dev/null -
	}
	step uapi_header_compiles uapi_compiles
	# The Python package: where Debian's python3 finds it, the same
	# version, no compiled file, and usable without the module loaded.
	python_installed() {
		local d=/usr/lib/python3/dist-packages/vexfs
		[ -e "$d/__init__.py" ] && [ -e "$d/_uapi.py" ] &&
			ls /usr/share/doc/python3-vexfs/python.md* || return 1
		[ "$(dpkg-query -W -f='${Architecture}' python3-vexfs)" = all ] || return 1
		! dpkg -L python3-vexfs | grep -E '\.so$' || return 1
		(cd / && /usr/bin/python3 -c 'import vexfs, vexfs.langchain, sys
print(vexfs.__file__, vexfs.__version__)
sys.exit(vexfs.__version__ != sys.argv[1])' "$version")
	}
	step python3_vexfs_installed python_installed
	# vexfs-fuse: its own package, which brought fuse3 (fusermount3).
	fuse_installed() {
		[ -e /usr/share/man/man8/vexfs-fuse.8.gz ] &&
			! dpkg -L vexfs-tools | grep -q vexfs-fuse &&
			command -v fusermount3 &&
			/usr/bin/vexfs-fuse --version | grep "^vexfs-fuse $version "
	}
	step vexfs_fuse_installed fuse_installed
fi

# --- 4. boot each kernel with the installed module and tools ------------
if [ $installed = 1 ]; then
	img=$(mktemp /tmp/vexfs-pkg.XXXXXX.img)
	for k in "${kernels[@]}"; do
		t0=$(date +%s)
		truncate -s 0 "$img"
		truncate -s 64M "$img"
		tests/vm/run-vm.sh -k "$k" -m "/lib/modules/$k/updates/dkms" \
			-b /usr/sbin/mkfs.vexfs:/usr/sbin/mkfs.vexfs \
			-b /usr/sbin/fsck.vexfs:/usr/sbin/fsck.vexfs \
			-b /usr/bin/vexctl:/usr/bin/vexctl \
			-d "$img" -t 300 -l "$log/console-$k.log" \
			pkg_install.sh /dev/vda "$version" >"$log/vm-$k.out" 2>"$log/vm-$k.err"
		rc=$?
		cat "$log/vm-$k.out"
		if [ $rc -ne 0 ]; then
			failed=1
			grep -q '^FAIL: ' "$log/vm-$k.out" || echo "FAIL: vm_$k (run-vm.sh exit $rc)"
			tail -n 30 "$log/vm-$k.err" | sed 's/^/    /' >&2
		fi
		echo "    (vm $k: $(($(date +%s) - t0)) s)" >&2
	done
	rm -f "$img"
fi

# --- 5. purge ----------------------------------------------------------
if [ $installed = 1 ]; then
	step apt_purge "${apt[@]}" purge vexfs-dkms vexfs-tools vexfs-fuse python3-vexfs
	purged_clean() {
		local k left=0
		if dkms status vexfs 2>&1 | grep . >/dev/null; then
			dkms status vexfs
			left=1
		fi
		for k in "${kernels[@]}"; do
			modules_of "$k" && left=1
			grep -q vexfs "/lib/modules/$k/modules.dep" && {
				echo "vexfs still in /lib/modules/$k/modules.dep"
				left=1
			}
		done
		ls -d /usr/src/vexfs-* /var/lib/dkms/vexfs /usr/sbin/mkfs.vexfs \
			/usr/sbin/fsck.vexfs /usr/bin/vexctl /usr/include/vexfs \
			/usr/share/bash-completion/completions/vexctl \
			/usr/bin/vexfs-fuse \
			/usr/lib/python3/dist-packages/vexfs 2>/dev/null && left=1
		dpkg-query -W vexfs-dkms vexfs-tools vexfs-fuse python3-vexfs 2>/dev/null &&
			left=1
		[ $left = 0 ]
	}
	step purge_removes_everything purged_clean
fi

# --- 6. the RPMs ---------------------------------------------------------
rpm_dkms=$pkg/vexfs-dkms-$version-1.noarch.rpm
rpm_tools=$pkg/vexfs-tools-$version-1.$(uname -m).rpm
rpm_python=$pkg/python3-vexfs-$version-1.noarch.rpm
rpm_fuse=$pkg/vexfs-fuse-$version-1.$(uname -m).rpm
rpm_files() {
	local want f
	rpm -qlp "$rpm_dkms" >"$log/rpm-dkms.files" &&
		rpm -qlp "$rpm_tools" >"$log/rpm-tools.files" || return 1
	for want in "/usr/src/vexfs-$version/dkms.conf" "/usr/src/vexfs-$version/Makefile" \
		"/usr/src/vexfs-$version/VERSION" "/usr/src/vexfs-$version/src/Kbuild" \
		"/usr/src/vexfs-$version/src/super.c" "/usr/src/vexfs-$version/include/vexfs_format.h" \
		"/usr/src/vexfs-$version/scripts/check-kernel-safe.sh"; do
		grep -qx "$want" "$log/rpm-dkms.files" || { echo "vexfs-dkms lacks $want"; return 1; }
	done
	for want in /usr/sbin/mkfs.vexfs /usr/sbin/fsck.vexfs /usr/bin/vexctl \
		/usr/share/bash-completion/completions/vexctl /usr/include/vexfs/vexfs_format.h \
		/usr/share/man/man8/mkfs.vexfs.8 /usr/share/man/man8/fsck.vexfs.8 \
		/usr/share/man/man8/vexctl.8; do
		grep -q "^$want" "$log/rpm-tools.files" || { echo "vexfs-tools lacks $want"; return 1; }
	done
	[ "$(rpm -qp --qf '%{ARCH}' "$rpm_dkms")" = noarch ] || return 1
	rpm -qlp "$rpm_python" >"$log/rpm-python.files" || return 1
	grep -q '/site-packages/vexfs/__init__\.py$' "$log/rpm-python.files" &&
		grep -q '/site-packages/vexfs/collection\.py$' "$log/rpm-python.files" ||
		{ echo "python3-vexfs lacks the vexfs package"; return 1; }
	[ "$(rpm -qp --qf '%{ARCH}' "$rpm_python")" = noarch ] &&
		rpm -qp --requires "$rpm_python" | grep -qx python3-numpy || return 1
	rpm -qlp "$rpm_fuse" >"$log/rpm-fuse.files" || return 1
	grep -qx /usr/bin/vexfs-fuse "$log/rpm-fuse.files" &&
		grep -q '^/usr/share/man/man8/vexfs-fuse\.8' "$log/rpm-fuse.files" &&
		! grep -q vexfs-fuse "$log/rpm-tools.files" &&
		rpm -qp --requires "$rpm_fuse" | grep -qx fuse3 ||
		{ echo "vexfs-fuse: wrong files or requirements"; return 1; }
}
rpm_scripts() {
	rpm -qp --scripts "$rpm_dkms" >"$log/rpm-dkms.scripts" || return 1
	cat "$log/rpm-dkms.scripts"
	awk '/^postinstall/ { s = "post" } /^preuninstall/ { s = "preun" }
	     s == "post" && /dkms add -m vexfs/ { a = 1 }
	     s == "post" && /scripts\/dkms-kernels.sh/ { i = 1 }
	     s == "preun" && /dkms remove -m vexfs .*--all/ { r = 1 }
	     END { exit !(a && i && r) }' "$log/rpm-dkms.scripts"
}
# Debian's rpm installs them too (--nodeps: its database holds nothing
# else), into a private database: %post must build and install the module
# for every kernel, and erasing (%preun) must remove it.
rpmdb=$(mktemp -d)
rpm_cmd=(rpm --dbpath "$rpmdb" --nodeps --force-debian)
rpm_install() {
	local k
	"${rpm_cmd[@]}" -i "$rpm_dkms" "$rpm_tools" || return 1
	dkms status vexfs
	for k in "${kernels[@]}"; do
		dkms status vexfs | grep "^vexfs/$version, $k, [^:]*: installed" >/dev/null || return 1
		[ -n "$(modules_of "$k")" ] || return 1
	done
	/usr/sbin/mkfs.vexfs -V && /usr/bin/vexctl --version
}
rpm_erase() {
	local k
	"${rpm_cmd[@]}" -e vexfs-dkms vexfs-tools || return 1
	dkms status vexfs | grep . && return 1
	for k in "${kernels[@]}"; do
		modules_of "$k" && return 1
	done
	! ls -d /usr/src/vexfs-* /var/lib/dkms/vexfs /usr/sbin/mkfs.vexfs /usr/bin/vexctl 2>/dev/null
}
if [ -e "$rpm_dkms" ] && [ -e "$rpm_tools" ]; then
	step rpm_contents rpm_files
	step rpm_dkms_scripts rpm_scripts
	# Not over a leftover of the Debian packages.
	if dpkg-query -W vexfs-dkms vexfs-tools >/dev/null 2>&1; then
		fail "rpm_install (the Debian packages are still installed)"
	else
		step rpm_install_builds_module rpm_install
		step rpm_erase_removes_module rpm_erase
		# Whatever failed above, leave nothing behind.
		"${rpm_cmd[@]}" -e vexfs-dkms vexfs-tools >/dev/null 2>&1
		purge_leftovers >/dev/null 2>&1
	fi
else
	fail "rpm_contents (no RPMs were built)"
fi

rm -rf "$rpmdb"
echo "    (pkg total: $(($(date +%s) - t_start)) s)" >&2
exit $failed
