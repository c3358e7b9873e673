#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for development and tests, under .tmp/ (never a system cluster).
#   hack/postgres.sh start   initialise (first time) and start; prints the database URL
#   hack/postgres.sh stop    stop it
#   hack/postgres.sh url     print the URL
#   hack/postgres.sh status  exit 0 when running
# Environment: PACER_PG_DIR (default .tmp/postgres), PACER_PG_PORT (default 55432).
# PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` system user.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${PACER_PG_DIR:-$root/.tmp/postgres}
port=${PACER_PG_PORT:-55432}
bindir=${PACER_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
url="postgres://pacer@127.0.0.1:$port/pacer?sslmode=disable"

if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "hack/postgres.sh: PostgreSQL server binaries not found (install Debian's postgresql package: hack/deps.sh)" >&2
  exit 1
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() { [ -f "$dir/data/postmaster.pid" ] && as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

case "${1:-}" in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      chown postgres:postgres "$dir"
      # The postgres user must be able to reach the folder.
      p="$dir"; while [ "$p" != / ]; do p=$(dirname "$p"); chmod o+x "$p" 2>/dev/null || true; done
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_pg "$bindir/initdb" -D "$dir/data" -U pacer -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if ! running; then
      as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB" start >/dev/null \
        || { tail -n 30 "$dir/server.log" >&2; exit 1; }
    fi
    if ! as_pg "$bindir/psql" -h 127.0.0.1 -p "$port" -U pacer -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='pacer'" | grep -q 1; then
      as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U pacer pacer
    fi
    echo "$url"
    ;;
  stop)
    if running; then as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; fi
    ;;
  url) echo "$url" ;;
  status) running ;;
  *) echo "usage: hack/postgres.sh start|stop|url|status" >&2; exit 2 ;;
esac
