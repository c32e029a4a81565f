#!/usr/bin/env bash
# Creates a Python environment for the tests from requirements-dev.txt; does nothing when it is up to date.
#   floor  (.venv):        aws-cdk-lib exactly as pinned there, the oldest release the library supports
#   newest (.venv-newest): the newest aws-cdk-lib on PyPI; re-resolved when older than a day
set -euo pipefail
cd "$(dirname "$0")/.."
variant="${1:-floor}"
case "$variant" in
  floor) venv=.venv ;;
  newest) venv=.venv-newest ;;
  *) echo "venv.sh: unknown variant '$variant' (floor or newest)" >&2; exit 2 ;;
esac
stamp="$venv/.installed"
if [ "$stamp" -nt requirements-dev.txt ] && [ -x "$venv/bin/python" ] \
   && { [ "$variant" = floor ] || [ -n "$(find "$stamp" -mmin -1440)" ]; }; then
  exit 0
fi
python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check)
if [ "$variant" = floor ]; then
  "${pip[@]}" -r requirements-dev.txt
else
  "${pip[@]}" --upgrade -r <(grep -v '^aws-cdk-lib==' requirements-dev.txt) aws-cdk-lib
fi
echo "$venv: aws-cdk-lib $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("aws-cdk-lib"))')"
touch "$stamp"
