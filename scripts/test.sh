#!/usr/bin/env bash
# Runs every test: the Swift suites, then the end-to-end suite (official SDKs against the real binary).
set -euo pipefail
cd "$(dirname "$0")/.."

# From Debian when missing: python3-venv, the servers the fleet tests start throwaway instances
# of (on 127.0.0.1, in temporary directories — never the system services), and Chromium.
missing=()
python3 -m venv --help >/dev/null 2>&1 || missing+=(python3-venv)
command -v redis-server >/dev/null || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
command -v psql >/dev/null || missing+=(postgresql-client)
# The dashboard's browser suite: headless Chromium driven through chromedriver (selenium).
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
# Speech for the transcription test's real WAV file.
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # The packages' own services are not wanted (tests start their own): keep them from starting.
  own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null && $sudo chmod +x /usr/sbin/policy-rc.d && own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  [ "$own_policy" -eq 0 ] || $sudo rm -f /usr/sbin/policy-rc.d
fi

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
