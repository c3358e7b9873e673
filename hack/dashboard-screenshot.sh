#!/usr/bin/env bash
# A screenshot of the built-in dashboard during `pacer-demo`, with Debian's headless Chromium.
#   hack/dashboard-screenshot.sh [OUTPUT.png]     (default .tmp/artifacts/dashboard.png)
# Environment: PACER_DEMO_PORT (default 18480), PACER_SCREENSHOT_SIZE (default 1400,1000).
# Needs a built .build/debug/pacer-demo (make build-demo), PostgreSQL's server binaries and chromium (hack/deps.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/.tmp/artifacts/dashboard.png}
port=${PACER_DEMO_PORT:-18480}
size=${PACER_SCREENSHOT_SIZE:-1400,1000}
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "chromium not found: apt-get install chromium (or hack/deps.sh)" >&2; exit 1; }
[ -x "$root/.build/debug/pacer-demo" ] || { echo "build first: make build-demo" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
log=$(mktemp)
profile=$(mktemp -d)
cd "$root"
.build/debug/pacer-demo --http-port "$port" >"$log" 2>&1 &
demo=$!
cleanup() {
  if kill -0 "$demo" 2>/dev/null; then
    kill -INT "$demo"
    for _ in $(seq 1 60); do kill -0 "$demo" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -rf "$log" "$profile"
}
trap cleanup EXIT
for _ in $(seq 1 240); do
  grep -q "Dashboard and API" "$log" && break
  kill -0 "$demo" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.5
done
grep -q "Dashboard and API" "$log" || { cat "$log" >&2; echo "the demo did not start serving within 120 s" >&2; exit 1; }
"$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir="$profile" --hide-scrollbars \
  --virtual-time-budget=5000 --window-size="$size" --screenshot="$out" "http://127.0.0.1:$port/" >/dev/null 2>&1
echo "$out"
