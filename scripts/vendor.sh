#!/usr/bin/env bash
# Vendors the pure-Python PostgreSQL driver into the database-user handler's asset, so the Lambda
# needs no bundling step (pinned; pure-Python wheels, the same on every platform). Skipped when present.
# python-dateutil, pg8000's other dependency, is the Lambda runtime's own (boto3 needs it).
set -euo pipefail
cd "$(dirname "$0")/.."
target=assets/postgres-user/vendor
pin="pg8000==1.31.6 scramp==1.5.0 asn1crypto==1.5.1"
if [ -f "$target/.pinned" ] && [ "$(cat "$target/.pinned")" = "$pin" ]; then
  exit 0
fi
rm -rf "$target"
.venv/bin/python -m pip install -q --disable-pip-version-check --no-warn-conflicts --no-compile --only-binary=:all: --no-deps --target "$target" $pin
rm -rf "$target"/bin "$target"/*.dist-info/RECORD
echo "$pin" > "$target/.pinned"
