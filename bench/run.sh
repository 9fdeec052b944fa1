#!/usr/bin/env bash
# One command: installs the load tools (Debian) and LiteLLM (PyPI, pinned), builds release, runs bench/run.py.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null || ! [ -x /usr/sbin/nginx ]; then
  apt-get update -qq && apt-get install -y -qq wrk nginx-light
fi
if [[ " $* " != *" --no-litellm "* ]] && [ ! -x .bench-venv/bin/litellm ]; then
  python3 -m venv .bench-venv
  # Never a later version: a release after 1.79.3 was compromised on the registry.
  .bench-venv/bin/pip install --quiet --disable-pip-version-check 'litellm[proxy]==1.79.3'
fi
swift build -c release --product switchyard && swift build -c release --product switchyard-fake-upstream
swift build -c release --package-path Benchmarks --product hummingbird-floor  # the server framework's floor
exec python3 bench/run.py "$@"
