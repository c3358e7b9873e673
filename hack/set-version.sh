#!/usr/bin/env bash
# Sets Pacer's version: the VERSION file (the one place the Makefile, `make image` and the release workflow read)
# and its copies that tools read directly: Sources/pacer/Version.swift (`pacer --version`), Chart.yaml `version` and
# `appVersion` (the chart's default image tag), the Dockerfile's `ARG VERSION` default. hack/check-version.py (part
# of `make test`) fails when a copy differs.
#   hack/set-version.sh 0.2.0
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=${1:-}
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "usage: hack/set-version.sh MAJOR.MINOR.PATCH[-PRERELEASE]" >&2
  exit 2
fi
echo "$version" >"$root/VERSION"
sed -i -E "s/^(    static let string = )\"[^\"]*\"/\\1\"$version\"/" "$root/Sources/pacer/Version.swift"
sed -i -E "s/^version: .*/version: $version/; s/^appVersion: .*/appVersion: \"$version\"/" "$root/charts/pacer/Chart.yaml"
sed -i -E "s/^ARG VERSION=.*/ARG VERSION=$version/" "$root/Dockerfile"
python3 "$root/hack/check-version.py" >/dev/null || { echo "hack/set-version.sh: copies still differ" >&2; exit 1; }
echo "version $version: VERSION, Sources/pacer/Version.swift, charts/pacer/Chart.yaml, Dockerfile"
