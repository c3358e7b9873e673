#!/usr/bin/env bash
# Builds the Pacer container image without a container engine or daemon, with buildah, and writes it as an OCI
# archive (`make image`; docs/image.md). Runs as root.
#
#   hack/image/build.sh BINARY ARCHIVE
#
# Environment (the Makefile sets them): IMAGE (name, default ghcr.io/pacer-dev/pacer), VERSION (default: the VERSION
# file), REVISION (git commit), SOURCE (repository URL), LICENSES (SPDX expression), SOURCE_DATE_EPOCH (image and
# file times; default: the commit's time, so the same commit and binary give the same image).
# buildah keeps its working storage under .tmp/buildah (vfs driver: no overlay mounts, no fuse, no daemon) and
# removes its working container afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

if [ $# -ne 2 ]; then
  echo "usage: hack/image/build.sh BINARY ARCHIVE" >&2
  exit 2
fi
binary=$1
archive=$2
image=${IMAGE:-ghcr.io/pacer-dev/pacer}
version=${VERSION:-$(tr -d '[:space:]' <"$root/VERSION")}
revision=${REVISION:-$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)}
source=${SOURCE:-https://github.com/pacer-dev/pacer}
licenses=${LICENSES:-NOASSERTION}
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)

command -v buildah >/dev/null 2>&1 || { echo "hack/image/build.sh: buildah not found (hack/deps.sh installs it)" >&2; exit 1; }

work=$root/.tmp/image
storage=$root/.tmp/buildah
mkdir -p "$work" "$(dirname "$archive")"
buildah_() { buildah --root "$storage/root" --runroot "$storage/run" --storage-driver vfs "$@"; }

"$root/hack/image/rootfs.sh" "$binary" "$work/rootfs"

container=$(buildah_ from --name "pacer-image-$$" scratch)
trap 'buildah_ rm "$container" >/dev/null 2>&1 || true' EXIT
mountpoint=$(buildah_ mount "$container")
cp -a "$work/rootfs/." "$mountpoint/"
buildah_ umount "$container" >/dev/null

# The same user, entrypoint, command and port as the Dockerfile's last stage (hack/check-dockerfile.py compares them).
buildah_ config \
  --user 65532:65532 \
  --workingdir /home/nonroot \
  --entrypoint '["/usr/local/bin/pacer"]' \
  --cmd '["run"]' \
  --port 8080/tcp \
  --stop-signal SIGTERM \
  --label "org.opencontainers.image.title=pacer" \
  --label "org.opencontainers.image.description=DORA metrics for Kubernetes, from CloudEvents and CDEvents" \
  --label "org.opencontainers.image.source=$source" \
  --label "org.opencontainers.image.url=$source" \
  --label "org.opencontainers.image.version=$version" \
  --label "org.opencontainers.image.revision=$revision" \
  --label "org.opencontainers.image.licenses=$licenses" \
  --label "org.opencontainers.image.created=$created" \
  --created-by "hack/image/build.sh (buildah)" \
  "$container"

layout=$work/oci
rm -rf "$layout"
buildah_ commit --quiet --format oci --disable-compression=false --identity-label=false --timestamp "$epoch" \
  "$container" "oci:$layout:$version" >/dev/null

python3 "$root/hack/image/archive.py" "$layout" "$image:$version" "$archive" "$epoch"
echo "hack/image/build.sh: $archive ($image:$version, $(du -h "$archive" | cut -f1))" >&2
