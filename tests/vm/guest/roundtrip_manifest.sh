# SPDX-License-Identifier: GPL-2.0
#
# roundtrip_manifest.sh DIR - describe every file under DIR, one line each:
#   path type mode uid:gid nlink mtime size-or-rdev md5|target xattrs
# Run with busybox sh on the host and in the guest, so that both sides
# format it with the same tools.  The xattrs come from the static xattr
# program (tests/vm/progs).
cd "$1" || exit 1
busybox find . | busybox sort | while read -r p; do
	t=$(busybox stat -c %F "$p")
	line="$p|$t|$(busybox stat -c '%a|%u:%g|%h|%Y' "$p")"
	case $t in
	"regular file"|"regular empty file")
		line="$line|$(busybox stat -c %s "$p")|$(busybox md5sum <"$p" | busybox cut -c1-32)" ;;
	"symbolic link")
		line="$line|$(busybox readlink "$p")" ;;
	"character special file"|"block special file")
		line="$line|$(busybox stat -c '%t:%T' "$p")" ;;
	esac
	[ "$t" = "symbolic link" ] || line="$line|$(xattr list "$p" | busybox grep -E '^(user\.|system\.posix_acl)' | busybox tr '\n' ';')"
	echo "$line"
done
