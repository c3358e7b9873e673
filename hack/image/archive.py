#!/usr/bin/env python3
"""Packs an OCI image layout (one image) into the archive that `make image` ships.

    hack/image/archive.py LAYOUT_DIR NAME:TAG ARCHIVE EPOCH

The archive is an OCI image layout in a tar (`oci-archive:` for skopeo, `ctr images import` and so
`kind load image-archive`), with what `docker save` (Docker 25 and later) also writes, so every reader finds the name:
- index.json's manifest annotated with `io.containerd.image.name` (the full name, read by containerd and kind) and
  `org.opencontainers.image.ref.name` (the tag, as the OCI layout defines it);
- a Docker `manifest.json` (Config, RepoTags, Layers pointing at the same blobs), read by `docker load` and by
  skopeo's `docker-archive:` transport.
Entries are sorted, owned by 0:0 and dated EPOCH, so the same layout gives the same archive byte for byte.
"""
from __future__ import annotations

import io
import json
import sys
import tarfile
from pathlib import Path


def main(layout: Path, name: str, archive: Path, epoch: int) -> None:
    index = json.loads((layout / "index.json").read_text())
    manifests = index.get("manifests", [])
    if len(manifests) != 1:
        sys.exit(f"hack/image/archive.py: {layout} holds {len(manifests)} manifests, expected 1")
    tag = name.rsplit(":", 1)[1]
    descriptor = manifests[0]
    descriptor["annotations"] = {
        "io.containerd.image.name": name,
        "org.opencontainers.image.ref.name": tag,
    }
    digest = descriptor["digest"].split(":", 1)[1]
    manifest = json.loads((layout / "blobs" / "sha256" / digest).read_bytes())
    blob = lambda d: "blobs/sha256/" + d["digest"].split(":", 1)[1]  # noqa: E731
    docker_manifest = [{
        "Config": blob(manifest["config"]),
        "RepoTags": [name],
        "Layers": [blob(layer) for layer in manifest["layers"]],
    }]

    files: dict[str, bytes] = {
        "oci-layout": (layout / "oci-layout").read_bytes(),
        "index.json": json.dumps(index, separators=(",", ":")).encode(),
        "manifest.json": json.dumps(docker_manifest, separators=(",", ":")).encode(),
    }
    for path in sorted((layout / "blobs" / "sha256").iterdir()):
        files[f"blobs/sha256/{path.name}"] = path.read_bytes()

    tmp = archive.with_name(archive.name + ".partial")
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
        for directory in ("blobs", "blobs/sha256"):
            info = tarfile.TarInfo(directory)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, epoch
            tar.addfile(info)
        for path in sorted(files):
            info = tarfile.TarInfo(path)
            info.size, info.mode, info.mtime = len(files[path]), 0o644, epoch
            tar.addfile(info, io.BytesIO(files[path]))
    tmp.replace(archive)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit("usage: hack/image/archive.py LAYOUT_DIR NAME:TAG ARCHIVE EPOCH")
    main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]))
