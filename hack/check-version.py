#!/usr/bin/env python3
"""One version for the binary, the image and the chart: the VERSION file (change it with hack/set-version.sh).

Checks (make test) that its copies agree with it: `PacerVersion.string` (Sources/pacer/Version.swift, printed by
`pacer --version`), Chart.yaml `version` and `appVersion`, the Dockerfile's `ARG VERSION` default; that values.yaml
leaves image.tag empty and the rendered chart (Helm's engine) then runs `<repository>:<appVersion>`, while an explicit
image.tag still wins. `make image` labels the image with VERSION and tags it `<repository>:VERSION`
(hack/image/test-image.py checks the archive). Exits non-zero on failure; the last line is `N passed, M failed`.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "charts" / "pacer"
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


def rendered_image(values: dict | None) -> str | None:
    import helm_python as h
    chart = h.Chart.load(str(CHART))
    manifests = chart.render(values, name="pacer", namespace="pacer-system", is_install=True)
    for path, text in manifests.items():
        for doc in yaml.safe_load_all(text) if path.endswith(".yaml") else []:
            if doc and doc.get("kind") == "Deployment" and doc["metadata"]["name"] == "pacer":
                return doc["spec"]["template"]["spec"]["containers"][0]["image"]
    return None


def main() -> None:
    version = (ROOT / "VERSION").read_text()
    check("VERSION: one line, semantic version", re.fullmatch(r"\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?\n", version) is not None,
          repr(version))
    version = version.strip()
    swift = re.findall(r'static let string = "([^"]*)"', (ROOT / "Sources" / "pacer" / "Version.swift").read_text())
    check("Sources/pacer/Version.swift: PacerVersion.string == VERSION", swift == [version], f"{swift} vs {version}")
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    check("Chart.yaml: version == appVersion == VERSION", chart.get("version") == chart.get("appVersion") == version,
          f"version {chart.get('version')!r}, appVersion {chart.get('appVersion')!r}, VERSION {version!r}")
    args = re.findall(r"^ARG VERSION=(\S+)$", (ROOT / "Dockerfile").read_text(), re.M)
    check("Dockerfile: ARG VERSION default == VERSION", args == [version], str(args))
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    check("values.yaml: image.tag empty (the chart's appVersion)", values["image"].get("tag") == "", str(values["image"]))
    repository = values["image"]["repository"]
    image = rendered_image(None)
    check("chart default image == repository:appVersion", image == f"{repository}:{chart.get('appVersion')}", str(image))
    image = rendered_image({"image": {"tag": "9.9.9-test"}})
    check("chart: an explicit image.tag wins", image == f"{repository}:9.9.9-test", str(image))


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # a crash still counts as a failure with the usual last line
        check("check-version.py ran to the end", False, f"{type(error).__name__}: {error}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
