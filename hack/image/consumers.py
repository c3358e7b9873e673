"""The image archive's consumers, each real and private to the test: a registry on loopback (skopeo copy), containerd
(the import `kind load image-archive` runs in its node) and Docker's engine (docker load, docker run)."""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from testlib import UID, check, free_port, http, run, stop, wait_until


def check_registry(archive: Path, work: Path, version: str, manifest_digest: str) -> None:
    """`skopeo copy oci-archive:… docker://REGISTRY/…` into a registry (Debian's docker-registry) on loopback."""
    port = free_port()
    config = work / "registry.yml"
    config.write_text(f"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {work / 'registry'}\n"
                      f"http:\n  addr: 127.0.0.1:{port}\n")
    log = work / "registry.log"
    registry = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        status, deadline = 0, time.monotonic() + 60
        while time.monotonic() < deadline and registry.poll() is None and status != 200:
            try:
                status, _ = http("GET", f"http://127.0.0.1:{port}/v2/")
            except OSError:
                time.sleep(0.2)
        if not check("a registry on loopback (docker-registry) answers /v2/", status == 200, log.read_text()[-1000:]):
            return
        target = f"docker://127.0.0.1:{port}/pacer-dev/pacer:{version}"
        proc = run(["skopeo", "copy", "--dest-tls-verify=false", f"oci-archive:{archive}", target])
        check("skopeo copy oci-archive:ARCHIVE docker://REGISTRY/pacer-dev/pacer:VERSION", proc.returncode == 0,
              proc.stderr)
        proc = run(["skopeo", "inspect", "--tls-verify=false", target])
        pushed = json.loads(proc.stdout) if proc.returncode == 0 else {}
        check("the registry serves the same manifest (digest) with the labels",
              pushed.get("Digest") == manifest_digest
              and (pushed.get("Labels") or {}).get("org.opencontainers.image.version") == version,
              f"{pushed.get('Digest')} vs {manifest_digest}: {proc.stderr}")
    finally:
        registry.terminate()
        registry.wait(timeout=30)



def check_engines(archive: Path, version: str, manifest_digest: str) -> None:
    """What `kind load image-archive` runs in its node (containerd's `ctr images import` with kind's flags), and
    `docker load` + `docker run` on Debian's Docker engine; both daemons private to this test (own sockets, state
    under a temporary folder, vfs/native storage, no iptables, no bridge)."""
    name = f"ghcr.io/pacer-dev/pacer:{version}"
    dockerd_exe = shutil.which("dockerd") or "/usr/sbin/dockerd"
    with tempfile.TemporaryDirectory(prefix="pacer-engines-") as tmp:  # short socket paths
        base = Path(tmp)
        sock = base / "containerd.sock"
        (base / "containerd.toml").write_text(
            f'version = 2\nroot = "{base / "containerd"}"\nstate = "{base / "containerd-state"}"\n'
            f'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "{sock}"\n')
        ctr = ["ctr", "--address", str(sock), "--namespace", "k8s.io"]
        containerd = dockerd = None
        try:
            containerd = subprocess.Popen(["containerd", "--config", str(base / "containerd.toml")],
                                          stdout=(base / "containerd.log").open("wb"), stderr=subprocess.STDOUT)
            up = wait_until(lambda: run(ctr + ["version"]).returncode == 0, 60, containerd)
            if not check("containerd (Debian) started for the test", up, (base / "containerd.log").read_text()[-1000:]):
                return
            proc = run(ctr + ["images", "import", "--all-platforms", "--digests", "--snapshotter=native", str(archive)])
            listed = run(ctr + ["images", "ls"]).stdout
            check("kind's import (ctr -n k8s.io images import --all-platforms --digests) names the image",
                  proc.returncode == 0 and any(l.split()[:1] == [name] and manifest_digest in l for l in listed.splitlines()),
                  proc.stdout + proc.stderr + listed)

            docker_sock = f"unix://{base / 'docker.sock'}"
            (base / "daemon.json").write_text("{}\n")  # not the machine's /etc/docker/daemon.json
            dockerd = subprocess.Popen(
                [dockerd_exe, "--config-file", str(base / "daemon.json"), "--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver=vfs",
                 "--data-root", str(base / "docker"), "--exec-root", str(base / "docker-exec"), "--host", docker_sock,
                 "--pidfile", str(base / "docker.pid"), "--containerd", str(sock)],
                stdout=(base / "dockerd.log").open("wb"), stderr=subprocess.STDOUT)
            docker = ["docker", "--host", docker_sock]
            up = wait_until(lambda: run(docker + ["version"]).returncode == 0, 90, dockerd)
            if not check("Docker engine (Debian docker.io) started for the test", up, (base / "dockerd.log").read_text()[-1000:]):
                return
            proc = run(docker + ["load", "--input", str(archive)])
            check("docker load names the image", proc.returncode == 0 and f"Loaded image: {name}" in proc.stdout,
                  proc.stdout + proc.stderr)
            proc = run(docker + ["image", "inspect", "--format", "{{json .Config}}", name])
            config = json.loads(proc.stdout) if proc.returncode == 0 else {}
            check("docker image inspect: user 65532:65532, entrypoint, port 8080/tcp",
                  config.get("User") == f"{UID}:{UID}" and config.get("Entrypoint") == ["/usr/local/bin/pacer"]
                  and set(config.get("ExposedPorts") or {}) == {"8080/tcp"}, proc.stdout + proc.stderr)
            proc = run(docker + ["run", "--rm", "--network", "none", name, "--version"])
            check("docker run IMAGE --version prints VERSION", proc.returncode == 0 and proc.stdout.strip() == version,
                  proc.stdout + proc.stderr)
            proc = run(docker + ["run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", name, "-c", "true"])
            output = (proc.stdout + proc.stderr).lower()
            check("docker run --entrypoint /bin/sh fails: the image has no shell",
                  proc.returncode != 0 and "/bin/sh" in output and ("no such file" in output or "not found" in output),
                  output)
        finally:
            stop(dockerd)
            stop(containerd)
