# Sourced by run.sh and test.sh: make .venv and install what a requirements file asks for,
# only when that file changed since the last install (so a second run starts in seconds).
set -euo pipefail
REQUIREMENTS=${1:-requirements.txt}
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
    echo "Creating the virtual environment in .venv (with $PYTHON)…"
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(basename "$REQUIREMENTS" .txt)
want=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing $REQUIREMENTS into .venv…"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r "$REQUIREMENTS"
    echo "$want" > "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
