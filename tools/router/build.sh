#!/usr/bin/env bash
# Rebuilds the learned router's weights, test fixtures and metrics (see tools/router/README.md).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/python build.py "$@"
