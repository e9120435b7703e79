#!/usr/bin/env bash
# Serve the site as production serves it, on this machine: DEBUG off (the site's own
# 404/400/500 pages, never a traceback), a secret key made once and kept in the data
# folder, static files through WhiteNoise, gunicorn on 127.0.0.1. `scripts/run.sh`
# ends here; DJANGO_DEBUG=1 serves Django's debug pages with runserver instead.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${RE_SYS_PYTHON:-python}          # the venv's, on PATH after scripts/_venv.sh
DATA_DIR=${RE_SYS_DATA_DIR:-data}
addr=${RE_SYS_ADDR:-127.0.0.1:8000}
# Demo mode ("browse as MovieLens user #N") by default on this machine, never by default in production.
if [ "${DJANGO_ENV:-}" != "production" ]; then export RE_SYS_DEMO=${RE_SYS_DEMO:-1}; fi

if [ "${DJANGO_DEBUG:-0}" = "1" ]; then
    echo "Serving with DEBUG on (Django's development server) on http://$addr/ (Ctrl+C to stop)"
    exec "$PYTHON" manage.py runserver "$addr"
fi

export DJANGO_DEBUG=0
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
    key_file="$DATA_DIR/secret_key"
    if [ ! -s "$key_file" ]; then
        mkdir -p "$DATA_DIR"
        (umask 077 && "$PYTHON" -c "import secrets; print(secrets.token_urlsafe(50))" > "$key_file.tmp")
        mv "$key_file.tmp" "$key_file"
    fi
    DJANGO_SECRET_KEY=$(cat "$key_file")
    export DJANGO_SECRET_KEY
fi
"$PYTHON" manage.py collectstatic --noinput --verbosity 0
echo "Serving on http://$addr/ (Ctrl+C to stop; DJANGO_DEBUG=1 for Django's debug pages)"
exec "$PYTHON" -m gunicorn --bind "$addr" dl_re_web.wsgi
