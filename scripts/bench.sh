#!/usr/bin/env bash
# The benchmarks, on the newest aws-cdk-lib (.venv-newest, with the wheel just built): they measure synth with
# aws-cdk-lib's built-in CloudFormation validation off and on, and the floor's App (2.263.0) has no switch for it
# (no builtin_cloud_formation_validation). Arguments go to benchmarks/bench.py (--quick for a short run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh newest
.venv-newest/bin/python -m pip install -q --disable-pip-version-check --no-deps --force-reinstall dist/python/safe_constructs-*.whl
exec .venv-newest/bin/python benchmarks/bench.py "$@"
