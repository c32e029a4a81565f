#!/usr/bin/env bash
# The test suite against each aws-cdk-lib the library supports: the floor (.venv, the version
# requirements-dev.txt pins) and the newest on PyPI (.venv-newest). The built wheel is installed into
# each first. Arguments go to pytest; TEST_AGAINST=floor (or newest) runs against one only.
set -euo pipefail
cd "$(dirname "$0")/.."
for variant in ${TEST_AGAINST:-floor newest}; do
  bash scripts/venv.sh "$variant"
  case "$variant" in floor) python=.venv/bin/python ;; newest) python=.venv-newest/bin/python ;; esac
  "$python" -m pip install -q --disable-pip-version-check --no-deps --force-reinstall dist/python/safe_constructs-*.whl
  version="$("$python" -c 'import importlib.metadata as m; print(m.version("aws-cdk-lib"))')"
  printf '\n== pytest against aws-cdk-lib %s (%s)\n' "$version" "$variant"
  "$python" -m pytest test "$@"
done
