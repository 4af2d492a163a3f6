#!/usr/bin/env bash
# Start a real PostgreSQL for the tests and print its URL. Installs Debian's package where it is missing.
# PostgreSQL refuses to run as root, so the cluster runs as the `postgres` user that the package makes.
set -euo pipefail
if ! command -v pg_lsclusters >/dev/null; then
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
read -r version cluster port _ < <(pg_lsclusters -h | head -n 1)
pg_ctlcluster "$version" "$cluster" status >/dev/null 2>&1 || pg_ctlcluster "$version" "$cluster" start >&2
for _ in $(seq 50); do runuser -u postgres -- pg_isready -q -p "$port" && break; sleep 0.2; done
as_postgres() { runuser -u postgres -- psql -p "$port" -qtAX -v ON_ERROR_STOP=1 "$@"; }
if [ "$(as_postgres -c "select 1 from pg_roles where rolname = 'peercoach_test'")" != "1" ]; then
  as_postgres -c "create role peercoach_test login createdb password 'peercoach_test'" >&2
fi
if [ "$(as_postgres -c "select 1 from pg_database where datname = 'peercoach_test'")" != "1" ]; then
  as_postgres -c "create database peercoach_test owner peercoach_test" >&2
fi
echo "postgresql://peercoach_test:peercoach_test@127.0.0.1:${port}/peercoach_test"
