#!/usr/bin/env bash
# Run the whole test suite: venv, install test tools, pytest. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh requirements-dev.txt
exec python -m pytest "$@"
