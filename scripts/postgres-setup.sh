#!/usr/bin/env bash
# Starts Debian's PostgreSQL 15 cluster and creates the farm's role and database (idempotent).
# The role may create databases: the multi-node tests make one per test.
set -euo pipefail
command -v pg_ctlcluster >/dev/null || { echo "install postgresql first (scripts/install-deps.sh)" >&2; exit 1; }
pg_lsclusters -h | grep -q '^15 *main' || pg_createcluster 15 main
pg_ctlcluster 15 main start 2>/dev/null || true
for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 && break; sleep 0.2; done
pg_isready -h 127.0.0.1
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kernelfarm') THEN
    CREATE ROLE kernelfarm LOGIN CREATEDB PASSWORD 'kernelfarm';
  END IF;
END $$;
SQL
runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'kernelfarm'" | grep -q 1 \
  || runuser -u postgres -- createdb -O kernelfarm kernelfarm
echo "postgres ready: Host=127.0.0.1;Database=kernelfarm;Username=kernelfarm;Password=kernelfarm"
