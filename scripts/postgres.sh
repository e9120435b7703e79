#!/usr/bin/env bash
# Start Debian's PostgreSQL if it is installed and print a DATABASE_URL for a
# role that may create databases (pytest-django makes test_re_sys with it).
# Exits 1, saying why on stderr, where no PostgreSQL can be used.
set -euo pipefail
# Only the URL goes to standard output (callers capture it); anything the
# PostgreSQL tools print goes to standard error.
exec 3>&1 1>&2
if ! command -v pg_lsclusters >/dev/null; then
    echo "PostgreSQL is not installed (apt-get install postgresql)." >&2
    exit 1
fi
as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -n -u postgres "$@"; fi
}
cluster=$(pg_lsclusters --no-header | head -1)
if [ -z "$cluster" ]; then
    version=$(ls /usr/lib/postgresql | sort -n | tail -1)
    pg_createcluster "$version" main >/dev/null
    cluster=$(pg_lsclusters --no-header | head -1)
fi
read -r version name port status _ <<<"$cluster"
if [ "$status" != "online" ]; then
    pg_ctlcluster "$version" "$name" start
fi
psql_as_postgres() { as_postgres psql -p "$port" -qtAX "$@"; }
if [ "$(psql_as_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 're_sys'")" != 1 ]; then
    psql_as_postgres -c "CREATE ROLE re_sys LOGIN CREATEDB PASSWORD 're_sys'" >/dev/null
fi
if [ "$(psql_as_postgres -c "SELECT 1 FROM pg_database WHERE datname = 're_sys'")" != 1 ]; then
    psql_as_postgres -c "CREATE DATABASE re_sys OWNER re_sys" >/dev/null
fi
echo "postgres://re_sys:re_sys@localhost:$port/re_sys" >&3
