#!/usr/bin/env bash
# Runs every test: the Swift suites, then the end-to-end suite (official SDKs against the real binary).
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --build-tests
swift test --skip-build

if [ ! -x .e2e-venv/bin/python ]; then
  python3 -m venv .e2e-venv
fi
.e2e-venv/bin/pip install --quiet --disable-pip-version-check -r Tests/e2e/requirements.txt
.e2e-venv/bin/python -m pytest Tests/e2e -q
