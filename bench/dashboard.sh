#!/usr/bin/env bash
# Dashboard pages at scale: installs PostgreSQL (Debian) when missing, builds release, runs bench/dashboard.py.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then apt-get update -qq && apt-get install -y -qq postgresql; fi
swift build -c release --product switchyard
exec python3 bench/dashboard.py "$@"
