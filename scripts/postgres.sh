#!/usr/bin/env bash
# A local PostgreSQL server for the database-user handler's tests: installs Debian's package when it
# is missing, starts the first cluster, and creates the role the tests log in with (a superuser on
# 127.0.0.1 only, password known to the tests). Needs root, as CI and the developers' machines have.
set -euo pipefail
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi
cluster=$(pg_lsclusters -h | head -n 1)
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  pg_createcluster "$version" main >/dev/null
  cluster=$(pg_lsclusters -h | head -n 1)
fi
read -r version name port status _ <<<"$cluster"
if [ "$status" != "online" ]; then
  pg_ctlcluster "$version" "$name" start
fi
runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -q <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'safe_constructs_test') THEN
    CREATE ROLE safe_constructs_test LOGIN SUPERUSER PASSWORD 'safe-constructs-test';
  END IF;
END $$;
SQL
echo "PostgreSQL $version ($name) on port $port; tests log in as safe_constructs_test"
