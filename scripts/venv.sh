#!/usr/bin/env bash
# Creates .venv from requirements-dev.txt; does nothing when it is already up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ .venv/.installed -nt requirements-dev.txt ] && [ -x .venv/bin/python ]; then
  exit 0
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
touch .venv/.installed
