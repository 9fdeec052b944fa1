#!/usr/bin/env bash
# The response cache on a release build: latency of a hit against a miss through the gateway (the
# paced mock answering after 50 ms), and the gateway's memory per 10,000 cached answers. Appends to
# docs/benchmarks.md. ~2 min after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product switchyard && swift build -c release --product switchyard-fake-upstream
exec python3 bench/cache.py "$@"
