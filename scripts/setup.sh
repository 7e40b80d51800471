#!/usr/bin/env bash
# Set up a development environment from nothing: a Python 3.11+ virtualenv with svcgen installed
# editable with its dev extra, and the node modules of the TypeScript client tests.
# The venv is ./.venv unless SVCGEN_VENV names another folder (CI uses a fresh one).
# A re-run skips pip when pyproject.toml has not changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${SVCGEN_VENV:-.venv}
python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      python=$candidate
      break
    fi
  done
fi
if [ -z "$python" ]; then
  echo "setup: need Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv with $("$python" --version)"
  "$python" -m venv "$venv"
fi

# pip as is, less the warnings about package index folders that this machine's pip configuration
# names but does not have (one line per package, drowning everything else).
pip_quiet() {
  "$@" 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
}

stamp="$venv/.svcgen-install"
wanted=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$wanted" ]; then
  echo "setup: installing svcgen[dev] into $venv"
  pip_quiet "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  pip_quiet "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
  echo "$wanted" >"$stamp"
fi

# npm ci in FOLDER when its package.json or lock changed since the last install (a stamp in node_modules).
npm_install() {
  local folder=$1 nstamp nwanted
  if [ ! -f "$folder/package.json" ]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup: $folder needs node and npm" >&2
    exit 1
  fi
  nstamp=$folder/node_modules/.svcgen-install
  nwanted=$(cat "$folder/package.json" "$folder/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$nstamp" 2>/dev/null || true)" != "$nwanted" ]; then
    echo "setup: npm ci in $folder"
    (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$nwanted" >"$nstamp"
  fi
}

# The TypeScript client tests compile with tsc from their own node_modules.
npm_install tests/clients/ts
# The documents tests (tests/docs) validate asyncapi.yaml with the official parser, @asyncapi/parser.
npm_install tests/docs/js
