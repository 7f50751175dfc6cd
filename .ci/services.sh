#!/usr/bin/env bash
# Starts PostgreSQL and Redis when they are not already answering, and makes sure
# the tracker's database exists. Idempotent: safe to run on a machine that has them.
set -euo pipefail

PGHOST=127.0.0.1
PGPORT=5432

if ! pg_isready -h "$PGHOST" -p "$PGPORT" -q 2>/dev/null; then
  echo "Starting PostgreSQL"
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -h "$PGHOST" -p "$PGPORT" -q && break; sleep 1; done
fi
pg_isready -h "$PGHOST" -p "$PGPORT" || { echo "PostgreSQL did not start"; exit 1; }

if ! psql -h "$PGHOST" -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='tracker'" | grep -q 1; then
  createdb -h "$PGHOST" -p "$PGPORT" -U postgres tracker
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 20); do redis-cli -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis did not start"; exit 1; }

# The browser tests drive Debian's chromium.
bash "$(dirname "$0")/chromium.sh"
