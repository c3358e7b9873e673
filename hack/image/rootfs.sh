#!/usr/bin/env bash
# Assembles the root filesystem of the Pacer image from a built `pacer` binary, with nothing else in it:
#   - /usr/local/bin/pacer (debug sections stripped; symbols kept for backtraces)
#   - exactly the shared libraries `ldd` lists for it: the Swift runtime under /usr/lib/swift/linux (found through
#     /etc/ld.so.cache, written by ldconfig), the system libraries and the dynamic loader at their Debian paths
#   - CA certificates (/etc/ssl/certs/ca-certificates.crt), /etc/passwd and /etc/group with the non-root user
#     65532 (nonroot), /etc/nsswitch.conf, /tmp (1777) and the user's home
#   - no shell, no package manager, no other program.
# Used by `make image` (hack/image/build.sh) and by the Dockerfile's build stage, so both images hold the same files.
#
#   hack/image/rootfs.sh BINARY ROOTFS_DIR
# Runs as root (ownership of /home/nonroot, ldconfig -r chroots). Needs ldd, ldconfig and the host's CA bundle.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: hack/image/rootfs.sh BINARY ROOTFS_DIR" >&2
  exit 2
fi
binary=$1
root=$2
uid=65532
ca_bundle=${PACER_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

fail() { echo "hack/image/rootfs.sh: $*" >&2; exit 1; }
[ -x "$binary" ] || fail "$binary is not an executable file"
[ -s "$ca_bundle" ] || fail "no CA bundle at $ca_bundle (install Debian's ca-certificates)"
[ "$(id -u)" = 0 ] || fail "must run as root (file ownership, ldconfig -r)"

rm -rf "$root"
mkdir -p "$root"/usr/local/bin "$root"/usr/lib/swift/linux "$root"/etc/ssl/certs "$root"/etc/ld.so.conf.d \
  "$root"/tmp "$root"/home/nonroot "$root"/proc "$root"/dev "$root"/sys

install -m 0755 "$binary" "$root/usr/local/bin/pacer"
if command -v strip >/dev/null 2>&1; then
  strip --strip-debug "$root/usr/local/bin/pacer"
fi

# Debian's merged /usr: /lib and /lib64 are links into /usr, so libraries keep the paths ldd printed.
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
mkdir -p "$root/usr/lib64"

# One library: copy the file behind `path` (symlinks resolved) to the name the loader asks for.
copy_library() {
  local path=$1 dest
  case "$path" in
    */lib/swift/linux/*) dest=/usr/lib/swift/linux/$(basename "$path") ;;
    /usr/*) dest=$path ;;
    /*) dest=/usr$path ;;
    *) fail "ldd printed a relative path: $path" ;;
  esac
  mkdir -p "$root$(dirname "$dest")"
  install -m 0755 "$(readlink -f "$path")" "$root$dest"
  echo "$dest"
}

libraries=0
while read -r line; do
  case "$line" in
    *"=> not found"*) fail "$binary needs a library that is not installed: $line" ;;
    linux-vdso.so.*) ;;   # provided by the kernel
    *"=> /"*) path=${line#*=> }; copy_library "${path%% (*}" >/dev/null; libraries=$((libraries + 1)) ;;
    /*) copy_library "${line%% (*}" >/dev/null; libraries=$((libraries + 1)) ;;   # the dynamic loader
    *) fail "unexpected ldd line: $line" ;;
  esac
done < <(ldd "$binary")
[ "$libraries" -gt 0 ] || fail "ldd listed no libraries for $binary (a static binary needs no rootfs script)"

echo /usr/lib/swift/linux >"$root/etc/ld.so.conf.d/swift.conf"
echo "include /etc/ld.so.conf.d/*.conf" >"$root/etc/ld.so.conf"
ldconfig -X -r "$root"
[ -s "$root/etc/ld.so.cache" ] || fail "ldconfig wrote no cache"

install -m 0644 "$ca_bundle" "$root/etc/ssl/certs/ca-certificates.crt"
cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:$uid:$uid:nonroot:/home/nonroot:/sbin/nologin
EOF
cat >"$root/etc/group" <<EOF
root:x:0:
nonroot:x:$uid:
EOF
cat >"$root/etc/nsswitch.conf" <<EOF
passwd: files
group: files
hosts: files dns
EOF
chmod 0644 "$root/etc/passwd" "$root/etc/group" "$root/etc/nsswitch.conf"
chmod 1777 "$root/tmp"
chown "$uid:$uid" "$root/home/nonroot"
chmod 0750 "$root/home/nonroot"
echo "hack/image/rootfs.sh: $root: pacer, $libraries libraries, CA certificates, user $uid" >&2
