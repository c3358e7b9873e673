#!/usr/bin/env python3
"""Checks the Dockerfile's structure (it cannot be built here: no container engine).

Multi-stage swift:6.3-bookworm -> debian:bookworm-slim, base images pinned by tag (no `latest`), a release
--static-swift-stdlib build, non-root USER 65532:65532, ca-certificates, EXPOSE 8080, the binary at
/usr/local/bin/pacer as ENTRYPOINT with CMD ["run"], and (given the chart's container command) that they match.
hack/check-chart.py imports this and passes the rendered Deployment's command; run alone it checks the
command the chart is expected to use. Exits non-zero on failure; the last line is `N passed, M failed`.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent

def check_dockerfile(chart_command: list[str] | None, check: Callable[..., bool]) -> None:
    text = (ROOT / "Dockerfile").read_text()
    lines = [l.strip() for l in re.sub(r"\\\n", " ", text).splitlines() if l.strip() and not l.strip().startswith("#")]
    froms = [l.split()[1] for l in lines if l.upper().startswith("FROM ")]
    stage_names = {l.split()[3] for l in lines if l.upper().startswith("FROM ") and len(l.split()) >= 4}
    images = [f for f in froms if f not in stage_names]
    check("Dockerfile: multi-stage build (2+ FROM)", len(froms) >= 2, str(froms))
    check("Dockerfile: base images pinned by tag, none `latest`",
          bool(images) and all(":" in i and not i.endswith(":latest") for i in images), str(images))
    check("Dockerfile: builds on swift:6.3-bookworm, runs on debian:bookworm-slim",
          froms[0] == "swift:6.3-bookworm" and froms[-1] == "debian:bookworm-slim", str(froms))
    check("Dockerfile: release build of pacer with --static-swift-stdlib",
          any("swift build -c release --product pacer --static-swift-stdlib" in l for l in lines))
    last_stage = lines[max(i for i, l in enumerate(lines) if l.upper().startswith("FROM ")):]
    users = [l.split()[1] for l in last_stage if l.upper().startswith("USER ")]
    check("Dockerfile: runtime runs as non-root USER 65532:65532", users[-1:] == ["65532:65532"], str(users))
    check("Dockerfile: runtime installs ca-certificates", any("ca-certificates" in l for l in last_stage))
    check("Dockerfile: EXPOSE 8080", "EXPOSE 8080" in last_stage)
    entry = [json.loads(l[len("ENTRYPOINT "):]) for l in last_stage if l.startswith("ENTRYPOINT ")]
    cmd = [json.loads(l[len("CMD "):]) for l in last_stage if l.startswith("CMD ")]
    check("Dockerfile: ENTRYPOINT [/usr/local/bin/pacer], CMD [run]",
          entry == [["/usr/local/bin/pacer"]] and cmd == [["run"]], f"{entry} {cmd}")
    check("Dockerfile: binary copied to /usr/local/bin/pacer",
          any(l.startswith("COPY --from=") and l.endswith(" /usr/local/bin/pacer") for l in last_stage))
    check("Dockerfile: chart container command == image ENTRYPOINT",
          chart_command is not None and entry and chart_command == entry[0], f"chart {chart_command}, image {entry}")
    ignore = (ROOT / ".dockerignore").read_text().split()
    check(".dockerignore: excludes .build and .git", ".build" in ignore and ".git" in ignore)



if __name__ == "__main__":
    results = {"passed": 0, "failed": 0}

    def check(name: str, ok: bool, detail: str = "") -> bool:
        results["passed" if ok else "failed"] += 1
        print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else f": {detail}"))
        return ok

    check_dockerfile(["/usr/local/bin/pacer"], check)
    print(f"{results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)
