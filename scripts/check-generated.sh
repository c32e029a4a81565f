#!/usr/bin/env bash
# In CI, fails when the build changed a committed file or made a new one: a generated file
# (API.md, package.json, .projen/...) is out of date. Outside CI it only reports.
set -euo pipefail
cd "$(dirname "$0")/.."
changed=$(git status --porcelain --untracked-files=all)
if [ -z "$changed" ]; then
  exit 0
fi
echo "files changed by the build (regenerate with 'npx projen build' and commit them):"
echo "$changed"
if [ -n "${CI:-}" ]; then
  git --no-pager diff --stat
  exit 1
fi
