#!/usr/bin/env bash
# Runs every test: the Swift suites, then the end-to-end suite (official SDKs against the real binary).
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --build-tests
swift test --skip-build

# A short pass of every libFuzzer target over its seed corpus (Fuzz/run.sh; the recorded 10⁶-run
# passes are in docs/fuzzing.md). SWITCHYARD_SKIP_FUZZ=1 skips it in a quick local loop.
if [ "${SWITCHYARD_SKIP_FUZZ:-0}" != "1" ]; then
  Fuzz/run.sh "${SWITCHYARD_FUZZ_RUNS:-3000}"
fi

if [ ! -x .e2e-venv/bin/python ]; then
  python3 -m venv .e2e-venv
fi
.e2e-venv/bin/pip install --quiet --disable-pip-version-check -r Tests/e2e/requirements.txt
.e2e-venv/bin/python -m pytest Tests/e2e -q
