#!/usr/bin/env bash
# Set up (scripts/setup.sh), build the example service examples/tasks into examples/tasks/tasks_api
# and serve it (examples/tasks/app.py: the hand-written implementation) on http://127.0.0.1:8000.
# PORT and HOST change where it listens; Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
venv=${SVCGEN_VENV:-.venv}
"$venv/bin/svcgen" build examples/tasks/tasks.idl --out examples/tasks/tasks_api
echo "run: serving examples/tasks on http://${HOST:-127.0.0.1}:${PORT:-8000} (docs at /docs)"
exec "$venv/bin/python" -m uvicorn --app-dir examples/tasks app:app --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
