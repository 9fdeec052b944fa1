#!/usr/bin/env bash
# The fleet benchmark: installs wrk, nginx, redis-server and PostgreSQL (Debian) when missing, builds
# release, runs bench/fleet.py (appends to docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v redis-server >/dev/null || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}"; fi
swift build -c release --product switchyard
exec python3 bench/fleet.py "$@"
