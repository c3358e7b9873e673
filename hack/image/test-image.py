#!/usr/bin/env python3
"""Tests the image `make image` wrote (`make test`): runs it from its own filesystem in a chroot, and hands the
archive to the tools that consume it (hack/image/consumers.py).

    hack/image/test-image.py [ARCHIVE]        (default .tmp/pacer-image.tar; PACER_TEST_DATABASE_URL required)

1. The archive: skopeo reads it as `oci-archive:` and as `docker-archive:` (what `docker load` reads); the name is in
   index.json (`io.containerd.image.name`, read by containerd and kind) and manifest.json (RepoTags); `skopeo copy`
   pushes it to a registry on loopback (Debian's docker-registry), which then serves the same manifest digest;
   containerd imports it as `kind load image-archive` has it do (the name from index.json), and Debian's Docker
   engine loads it (`docker load`) and runs it (`docker run IMAGE --version`; no /bin/sh to run).
2. The config: user 65532:65532, entrypoint, command, port 8080/tcp, the org.opencontainers.image.* labels (version ==
   the VERSION file, revision == the git commit), and the same as the Dockerfile's final stage.
3. umoci unpacks it; the root filesystem has no shell, exactly the libraries the binary loads, the user 65532.
4. In a chroot of that root, with /proc mounted (Swift reads argv from /proc/self/cmdline) and as the image's user:
   the entrypoint with `--version` prints VERSION; `migrate` applies the schema to a new database of the test
   PostgreSQL; `serve` answers /readyz and accepts a CloudEvent (202), which lands in cloudevents_raw.
Needs root (chroot, mount). Exits non-zero on failure; the last line is `N passed, M failed`.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse
from pathlib import Path

from consumers import check_engines, check_registry
from testlib import UID, check, free_port, http, results, run

ROOT = Path(__file__).resolve().parent.parent.parent


def check_archive(archive: Path, layout: Path, version: str) -> dict:
    """Unpacks the tar into `layout` and returns the image config (the OCI config blob)."""
    with tarfile.open(archive) as tar:
        tar.extractall(layout, filter="data")
    index = json.loads((layout / "index.json").read_text())
    manifests = index["manifests"]
    check("archive: an OCI layout with one image manifest", len(manifests) == 1
          and manifests[0]["mediaType"] == "application/vnd.oci.image.manifest.v1+json", str(manifests))
    annotations = manifests[0].get("annotations", {})
    name = f"ghcr.io/pacer-dev/pacer:{version}"
    check("archive: index.json names the image (io.containerd.image.name, ref.name = tag)",
          annotations == {"io.containerd.image.name": name, "org.opencontainers.image.ref.name": version}, str(annotations))
    blob = lambda d: layout / "blobs" / "sha256" / d["digest"].split(":", 1)[1]  # noqa: E731
    manifest = json.loads(blob(manifests[0]).read_bytes())
    docker = json.loads((layout / "manifest.json").read_text())
    check("archive: manifest.json (docker load) names the image and points at the same config and layers",
          docker == [{"Config": str(blob(manifest["config"]).relative_to(layout)), "RepoTags": [name],
                      "Layers": [str(blob(l).relative_to(layout)) for l in manifest["layers"]]}], str(docker))
    for transport in ("oci-archive", "docker-archive"):
        proc = run(["skopeo", "inspect", "--config", f"{transport}:{archive}"])
        config = json.loads(proc.stdout) if proc.returncode == 0 else {}
        check(f"skopeo reads the archive as {transport}: (user, entrypoint)",
              config.get("config", {}).get("User") == f"{UID}:{UID}"
              and config.get("config", {}).get("Entrypoint") == ["/usr/local/bin/pacer"], proc.stderr.strip())
    return json.loads(blob(manifest["config"]).read_bytes())


def check_config(image: dict, version: str) -> dict:
    config = image["config"]
    check("config: User 65532:65532", config.get("User") == f"{UID}:{UID}", str(config.get("User")))
    check("config: Entrypoint [/usr/local/bin/pacer], Cmd [run]",
          config.get("Entrypoint") == ["/usr/local/bin/pacer"] and config.get("Cmd") == ["run"],
          f"{config.get('Entrypoint')} {config.get('Cmd')}")
    check("config: exposes 8080/tcp only", config.get("ExposedPorts") == {"8080/tcp": {}}, str(config.get("ExposedPorts")))
    check("config: linux/" + {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, "?"),
          image.get("os") == "linux"
          and image.get("architecture") == {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine), str(image.get("architecture")))
    labels = config.get("Labels") or {}
    # hack/image/build.sh writes `unknown` where git cannot tell (a source tarball, a worktree whose git dir is away).
    revision = run(["git", "-C", str(ROOT), "rev-parse", "HEAD"]).stdout.strip() or "unknown"
    check("label org.opencontainers.image.version == VERSION file",
          labels.get("org.opencontainers.image.version") == version, str(labels))
    check("label org.opencontainers.image.revision == git HEAD",
          labels.get("org.opencontainers.image.revision") == revision, f"{labels.get('org.opencontainers.image.revision')} vs {revision}")
    check("labels org.opencontainers.image.source (https URL) and licenses (set)",
          labels.get("org.opencontainers.image.source", "").startswith("https://")
          and bool(labels.get("org.opencontainers.image.licenses")), str(labels))
    spec = importlib.util.spec_from_file_location("check_dockerfile", ROOT / "hack" / "check-dockerfile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.compare_with_image(config, check)
    return config


def check_rootfs(rootfs: Path) -> None:
    shells = [p for p in ("bin/sh", "bin/bash", "bin/dash", "usr/bin/sh", "usr/bin/bash", "usr/bin/dash", "bin/busybox")
              if (rootfs / p).exists()]
    check("rootfs: no shell", not shells, str(shells))
    executables = sorted(str(p.relative_to(rootfs)) for p in rootfs.rglob("*")
                         if p.is_file() and not p.is_symlink() and os.access(p, os.X_OK) and ".so" not in p.name)
    check("rootfs: the only program is /usr/local/bin/pacer", executables == ["usr/local/bin/pacer"], str(executables))
    passwd = (rootfs / "etc/passwd").read_text()
    check("rootfs: /etc/passwd and /etc/group have nonroot 65532",
          f"nonroot:x:{UID}:{UID}:" in passwd and f"nonroot:x:{UID}:" in (rootfs / "etc/group").read_text(), passwd)
    home = (rootfs / "home/nonroot").stat()
    check("rootfs: /home/nonroot owned by 65532, /tmp is 1777",
          (home.st_uid, home.st_gid) == (UID, UID) and (rootfs / "tmp").stat().st_mode & 0o7777 == 0o1777)
    check("rootfs: CA certificates", (rootfs / "etc/ssl/certs/ca-certificates.crt").stat().st_size > 10_000)
    # The loader inside the image lists what the binary loads; the image holds exactly those libraries.
    loader = next(str(p.relative_to(rootfs)) for d in ("usr/lib64", "usr/lib") for p in (rootfs / d).glob("ld-linux*"))
    proc = run(["chroot", str(rootfs), "/" + loader, "--list", "/usr/local/bin/pacer"])
    lines = proc.stdout.splitlines()
    paths = [l.split("=> ")[1] if "=> /" in l else l.strip() for l in lines if "=> /" in l or l.strip().startswith("/")]
    loaded = {os.path.realpath(rootfs / p.split(" (")[0].lstrip("/")) for p in paths}  # the loader included
    present = {os.path.realpath(p) for p in (rootfs / "usr").rglob("*") if p.is_file() and re.search(r"\.so(\.\d+)*$", p.name)}
    check("rootfs: every library the binary needs resolves inside the image",
          proc.returncode == 0 and "not found" not in proc.stdout and len(loaded) >= 10, proc.stdout + proc.stderr)
    check("rootfs: exactly those libraries, nothing else", loaded == present,
          f"unused {sorted(present - loaded)}, missing {sorted(loaded - present)}")


class Chroot:
    """Runs the image's own binary in a chroot of its root filesystem, as the image's user, in its working dir."""

    def __init__(self, rootfs: Path, config: dict):
        self.rootfs = rootfs
        self.config = config
        uid, _, gid = config["User"].partition(":")
        self.uid, self.gid = int(uid), int(gid or uid)

    def _enter(self) -> None:
        os.chroot(self.rootfs)
        os.chdir(self.config.get("WorkingDir") or "/")
        os.setgroups([])
        os.setgid(self.gid)
        os.setuid(self.uid)

    def command(self, *args: str) -> list[str]:
        return list(self.config["Entrypoint"]) + list(args)

    def env(self) -> dict[str, str]:
        return dict(e.split("=", 1) for e in self.config.get("Env") or [])

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*args), env=self.env(), preexec_fn=self._enter, capture_output=True,
                              text=True, timeout=timeout)

    def start(self, *args: str, log: Path) -> subprocess.Popen:
        return subprocess.Popen(self.command(*args), env=self.env(), preexec_fn=self._enter,
                                stdout=log.open("wb"), stderr=subprocess.STDOUT)


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def check_runs(chroot: Chroot, version: str, base_url: str, work: Path) -> None:
    proc = chroot.run("--version")
    check("chroot as 65532: pacer --version prints VERSION", proc.returncode == 0 and proc.stdout.strip() == version,
          f"rc {proc.returncode}: {proc.stdout.strip()!r} {proc.stderr.strip()!r}")
    db = f"pacer_image_{os.getpid()}"
    run(["psql", base_url, "-qAtc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"])
    created = run(["psql", base_url, "-qAtc", f"CREATE DATABASE {db}"])
    if not check("test database created", created.returncode == 0, created.stderr):
        return
    url = with_database(base_url, db)
    server = None
    try:
        proc = chroot.run("migrate", "--database-url", url)
        check("chroot as 65532: pacer migrate applies the migrations",
              proc.returncode == 0 and proc.stdout.startswith("applied migrations: 1, "), proc.stdout + proc.stderr)
        proc = chroot.run("migrate", "--database-url", url)
        check("chroot as 65532: pacer migrate again: up to date",
              proc.returncode == 0 and proc.stdout.strip() == "database schema is up to date", proc.stdout + proc.stderr)

        port = free_port()
        log = work / "serve.log"
        server = chroot.start("serve", "--database-url", url, "--http-host", "127.0.0.1", "--http-port", str(port),
                              log=log)
        base = f"http://127.0.0.1:{port}"
        status, deadline = 0, time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, _ = http("GET", base + "/readyz")
            except OSError:
                status = 0
            if status == 200:
                break
            time.sleep(0.2)
        if not check("chroot as 65532: pacer serve answers /readyz 200", status == 200,
                     f"status {status}, exit {server.poll()}: {log.read_text()[-2000:]}"):
            return
        uids = next(l.split()[1:] for l in Path(f"/proc/{server.pid}/status").read_text().splitlines() if l.startswith("Uid:"))
        check("serve runs as uid 65532 (real, effective, saved)", uids[:3] == [str(UID)] * 3, str(uids))
        headers = {"ce-specversion": "1.0", "ce-id": "image-test-1", "ce-source": "/hack/image/test-image",
                   "ce-type": "dev.pacer.image.tested", "Content-Type": "application/json"}
        status, body = http("POST", base + "/events", b'{"app":"image"}', headers)
        check("POST /events (a binary-mode CloudEvent): 202, stored 1",
              status == 202 and json.loads(body or "{}").get("stored") == 1, f"{status} {body}")
        rows = run(["psql", url, "-qAtc", "SELECT ce_type || ' ' || (content->'data'->>'app') FROM cloudevents_raw "
                                          "WHERE ce_source = '/hack/image/test-image' AND ce_id = 'image-test-1'"])
        check("the event is in cloudevents_raw", rows.stdout.strip() == "dev.pacer.image.tested image",
              rows.stdout + rows.stderr)
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            code = None
        check("pacer serve stops on SIGTERM (the image's stop signal) with exit 0", code == 0,
              f"exit {code}: {log.read_text()[-2000:]}")
    finally:
        if server is not None and server.poll() is None:
            server.kill()
            server.wait(timeout=30)
        run(["psql", base_url, "-qAtc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"])


def main() -> int:
    archive = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / ".tmp" / "pacer-image.tar")
    if not check("running as root (chroot, mount, the daemons)", os.geteuid() == 0, f"euid {os.geteuid()}"):
        return 1
    base_url = os.environ.get("PACER_TEST_DATABASE_URL")
    if not check("PACER_TEST_DATABASE_URL set (make test sets it)", bool(base_url)):
        return 1
    if not check(f"archive {archive} exists (make image)", archive.is_file()):
        return 1
    print(f"archive: {archive.stat().st_size / 1e6:.1f} MB")
    version = (ROOT / "VERSION").read_text().strip()
    (ROOT / ".tmp").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / ".tmp", prefix="image-test-") as tmp:
        work = Path(tmp)
        image = check_archive(archive, work / "layout", version)
        config = check_config(image, version)
        index = json.loads((work / "layout" / "index.json").read_text())
        check_registry(archive, work, version, index["manifests"][0]["digest"])
        check_engines(archive, version, index["manifests"][0]["digest"])
        bundle = work / "bundle"
        proc = run(["umoci", "unpack", "--image", f"{work / 'layout'}:{version}", str(bundle)])
        if not check("umoci unpack", proc.returncode == 0, proc.stderr):
            return 1
        rootfs = bundle / "rootfs"
        check_rootfs(rootfs)
        proc_dir = rootfs / "proc"
        subprocess.run(["mount", "-t", "proc", "proc", str(proc_dir)], check=True)
        try:
            check_runs(Chroot(rootfs, config), version, base_url, work)
        finally:
            subprocess.run(["umount", str(proc_dir)], check=True)
    return 0


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # a crash still counts as a failure with the usual last line
        check("test-image.py ran to the end", False, f"{type(error).__name__}: {error}")
    print(f"{results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)
