#!/usr/bin/env bash
# Copies the CRDs (crds/*.yaml) and the default pipeline (examples/*.yaml, top level only) into the Helm chart,
# which cannot read files outside itself. hack/check-chart.py fails when the copies drift.
set -euo pipefail
cd "$(dirname "$0")/.."
chart=charts/pacer
rm -f "$chart"/crds/*.yaml "$chart"/files/default-pipeline/*.yaml
mkdir -p "$chart/crds" "$chart/files/default-pipeline"
cp crds/*.yaml "$chart/crds/"
cp examples/*.yaml "$chart/files/default-pipeline/"
echo "synced $(ls crds/*.yaml | wc -l) CRDs and $(ls examples/*.yaml | wc -l) default-pipeline files into $chart"
