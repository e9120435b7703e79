#!/usr/bin/env bash
# Run the whole test suite: venv, install test tools, pytest on SQLite, then the
# database tests again on PostgreSQL when it is installed (RE_SYS_TEST_POSTGRES=0
# skips that leg). Arguments go to pytest and run the SQLite leg only.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh requirements-dev.txt
if [ $# -gt 0 ]; then
    exec python -m pytest "$@"
fi
python -m pytest
if [ "${RE_SYS_TEST_POSTGRES:-1}" = 0 ]; then
    exit 0
fi
pg_info=$(mktemp)
stop_postgres() {
    # Stop the server only where this run started it, so nothing is left behind.
    if [ -s "$pg_info.started" ]; then
        read -r version name <"$pg_info.started"
        pg_ctlcluster "$version" "$name" stop </dev/null >/dev/null 2>&1 || true
    fi
    rm -f "$pg_info" "$pg_info.started"
}
trap stop_postgres EXIT
url=""
if timeout 300 scripts/postgres.sh "$pg_info" </dev/null; then
    url=$(grep -E '^postgres://' "$pg_info" | tail -n 1 || true)
fi
if [ -n "$url" ]; then
    echo "== The database tests again, on PostgreSQL"
    DATABASE_URL=$url python -m pytest -q tests/web tests/commands tests/production
elif [ "${RE_SYS_REQUIRE_POSTGRES:-0}" = 1 ]; then
    echo "== PostgreSQL is required (RE_SYS_REQUIRE_POSTGRES=1) but could not be started." >&2
    exit 1
else
    echo "== PostgreSQL leg skipped: no PostgreSQL server could be started."
fi
