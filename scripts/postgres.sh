#!/usr/bin/env bash
# A local PostgreSQL server for the database-user handler's tests: installs Debian's package when it
# is missing, starts the first cluster with logical decoding on (wal_level=logical, as
# rds.logical_replication=1 sets it on RDS), and creates the role the tests log in with (a superuser on
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
psql_admin=(runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -q)
# The tests read changes through a logical replication slot, as DMS does: wal_level must be logical
# (a restart applies it).
if [ "$("${psql_admin[@]}" -tAc 'SHOW wal_level')" != "logical" ]; then
  "${psql_admin[@]}" -c "ALTER SYSTEM SET wal_level = logical"
  pg_ctlcluster "$version" "$name" restart
fi
"${psql_admin[@]}" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'safe_constructs_test') THEN
    CREATE ROLE safe_constructs_test LOGIN SUPERUSER PASSWORD 'safe-constructs-test';
  END IF;
END $$;
SQL
echo "PostgreSQL $version ($name) on port $port; tests log in as safe_constructs_test"
