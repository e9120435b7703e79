#!/usr/bin/env bash
# Run the site: venv, install, fetch a dataset, migrate, import, train, then serve it as
# production does on 127.0.0.1:8000 (scripts/serve.sh; DJANGO_DEBUG=1 for Django's debug pages).
# A second run skips every step that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh requirements.txt

DATA_DIR=${RE_SYS_DATA_DIR:-data}
mkdir -p "$DATA_DIR"
python manage.py migrate --noinput --verbosity 0

has_dataset() {
    python manage.py shell --no-imports -v 0 -c \
        "import sys; from re_sys.models import DatasetImport; sys.exit(0 if DatasetImport.objects.exists() else 1)"
}

if ! has_dataset; then
    dataset=${RE_SYS_DATASET:-}
    if [ -z "$dataset" ]; then
        if [ -d "$DATA_DIR/ml-1m" ]; then dataset=ml-1m
        elif [ -d "$DATA_DIR/ml-100k" ]; then dataset=ml-100k
        # ML-1M is the reference; without GroupLens, ML-100K comes from the offline mirror.
        elif python manage.py fetch_movielens ml-1m --dest "$DATA_DIR"; then dataset=ml-1m
        else
            echo "GroupLens is unreachable: using MovieLens 100K instead."
            python manage.py fetch_movielens ml-100k --dest "$DATA_DIR"
            dataset=ml-100k
        fi
    elif [ ! -d "$DATA_DIR/$dataset" ]; then
        python manage.py fetch_movielens "$dataset" --dest "$DATA_DIR"
    fi
    python manage.py import_movielens "$DATA_DIR/$dataset"
fi

if [ ! -e "${RE_SYS_MODEL_DIR:-model}/current" ]; then
    python manage.py train
fi

exec scripts/serve.sh
