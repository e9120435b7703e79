#!/usr/bin/env bash
# Start Debian's PostgreSQL if it is installed and write a DATABASE_URL for a
# role that may create databases (pytest-django makes test_re_sys with it).
#
#   scripts/postgres.sh URL_FILE
#
# writes the URL as URL_FILE's only line and, when this script had to start
# the server, "VERSION NAME" of the cluster to URL_FILE.started so the caller
# can stop it again. Exits 1, saying why on stderr, where no PostgreSQL can be
# used.
#
# Why a file and not standard output: the server daemon inherits every open
# descriptor of whoever starts it, so a caller's `$(scripts/postgres.sh)` pipe
# would stay open as long as PostgreSQL runs and the caller would wait forever.
set -euo pipefail
out=${1:?usage: scripts/postgres.sh URL_FILE}
rm -f "$out" "$out.started"
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
    # Nothing of ours may leak into the daemon: no terminal, no pipes.
    pg_ctlcluster "$version" "$name" start </dev/null >/dev/null 2>&1 || {
        echo "PostgreSQL $version/$name did not start; see its log under /var/log/postgresql." >&2
        exit 1
    }
    echo "$version $name" >"$out.started"
fi
psql_as_postgres() { as_postgres psql -p "$port" -qtAX "$@" </dev/null; }
if [ "$(psql_as_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 're_sys'")" != 1 ]; then
    psql_as_postgres -c "CREATE ROLE re_sys LOGIN CREATEDB PASSWORD 're_sys'" >/dev/null
fi
if [ "$(psql_as_postgres -c "SELECT 1 FROM pg_database WHERE datname = 're_sys'")" != 1 ]; then
    psql_as_postgres -c "CREATE DATABASE re_sys OWNER re_sys" >/dev/null
fi
echo "postgres://re_sys:re_sys@localhost:$port/re_sys" >"$out"
