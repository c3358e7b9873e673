#!/usr/bin/env bash
# Installs what the README's commands need on a fresh Debian machine: PostgreSQL 15 (server), Chromium (the
# dashboard's browser test), Prometheus Alertmanager (the webhook tests) and the Python packages the tests use (JSON Schema validation of emitted CDEvents). Quick when everything is there already.
set -euo pipefail
need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# The dashboard test loads the page in a real browser (headless Chromium).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# The webhook tests run the real Prometheus Alertmanager against Pacer's /webhooks/alertmanager.
command -v prometheus-alertmanager >/dev/null 2>&1 || need_apt+=(prometheus-alertmanager)
command -v kubectl >/dev/null 2>&1 || echo "hack/deps.sh: kubectl not found: the kube-sim tests drive the real kubectl" >&2
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "hack/deps.sh: please install: ${need_apt[*]} (sudo apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
fi
python3 - <<'PY' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check jsonschema referencing rfc3339-validator rfc3987
import jsonschema, referencing, rfc3339_validator, rfc3987
PY
# Helm chart checks (hack/check-chart.py): Helm's own engine (Helm v4 Go SDK) and Kubernetes schemas.
python3 -c 'import helm_python, kubernetes_validate, yaml' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check helm-python-sdk kubernetes-validate pyyaml
