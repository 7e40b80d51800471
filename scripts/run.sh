#!/usr/bin/env bash
# Set up (scripts/setup.sh), build the example service examples/tasks with every available target
# into generated/tasks, and run it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
venv=${SVCGEN_VENV:-.venv}
"$venv/bin/svcgen" build examples/tasks/tasks.idl --out generated/tasks
echo "run: generated code is in generated/tasks"
