#!/usr/bin/env bash
# Mutation testing (not run in CI: it takes tens of minutes). mutmut changes one thing at a time in
# the modules users' builds depend on and runs the fast suite; a mutant the suite does not notice
# (a "survivor") is behaviour no test guards.
#
#   bash scripts/mutate.sh                      # the generator's CLI, build, writer and stamp
#   bash scripts/mutate.sh runtime/svcgen_runtime
#   bash scripts/mutate.sh generator/svcgen/writer.py generator/svcgen/stamp.py
#
# It works on a scratch copy of the committed tree (git archive HEAD), never on the checkout that
# others may be running, and points both in-process imports and the installed `svcgen` command
# (through PYTHONPATH, ahead of the editable install) at that copy. mutmut itself lives in its own
# virtualenv ($MUTMUT_VENV, default ~/.cache/svcgen-mutmut). Prints the score and the survivors;
# `KEEP=1` leaves the copy (with mutmut's cache, for `mutmut show ID`) and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/setup.sh >/dev/null
venv=$(cd "${SVCGEN_VENV:-.venv}" && pwd)

paths=("$@")
if [ ${#paths[@]} -eq 0 ]; then
  paths=(generator/svcgen/cli.py generator/svcgen/commands.py generator/svcgen/build.py
    generator/svcgen/writer.py generator/svcgen/stamp.py)
fi
# The fast suite of these modules: the command line, the stamp, the writer, the golden builds.
# Cheapest and most telling first; -x stops at the first failure, which is all mutmut needs.
tests=${MUTATE_TESTS:-"tests/test_stamp.py tests/cli/test_cli_build.py tests/cli/test_cli_stamp.py tests/frontend/test_cli_check.py tests/fmt/test_fmt_cli.py tests/test_golden.py"}
if [[ " ${paths[*]} " == *runtime* ]]; then
  tests=${MUTATE_TESTS:-"tests/python_target tests/clients/test_python_client_http.py $(ls tests/runtime 2>/dev/null | sed 's|^|tests/runtime/|' | tr '\n' ' ')"}
fi

mutmut_venv=${MUTMUT_VENV:-$HOME/.cache/svcgen-mutmut}
if [ ! -x "$mutmut_venv/bin/mutmut" ]; then
  python3 -m venv "$mutmut_venv"
  "$mutmut_venv/bin/pip" install --quiet --disable-pip-version-check 'mutmut==2.5.1' 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/svcgen-mutate.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; fi
copy="$work/main"
mkdir "$copy"
git archive HEAD | tar -x -C "$copy"
[ -d "$root/../shared" ] && ln -s "$(cd "$root/../shared" && pwd)" "$work/shared"
[ -d tests/clients/ts/node_modules ] && ln -s "$root/tests/clients/ts/node_modules" "$copy/tests/clients/ts/node_modules"

cd "$copy"
# No .pyc: two mutants of the same size written within a second would otherwise share a stale one.
runner="env PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$copy/generator:$copy/runtime $venv/bin/python -m pytest -x -q -p no:cacheprovider $tests"
echo "mutate: ${paths[*]}"
echo "mutate: runner: $runner"
started=$(date +%s)
status=0
"$mutmut_venv/bin/mutmut" run --paths-to-mutate "$(IFS=,; echo "${paths[*]}")" --runner "$runner" \
  --tests-dir tests --no-progress --simple-output >"$work/mutmut.log" 2>&1 || status=$?
if [ $((status & 1)) -ne 0 ]; then
  tail -30 "$work/mutmut.log" >&2
  echo "mutate: mutmut failed" >&2
  exit 1
fi
"$mutmut_venv/bin/mutmut" results | tee "$work/results.txt"
echo
"$mutmut_venv/bin/python" - "$copy" <<'EOF'
import sqlite3, sys
from collections import Counter
db = sqlite3.connect(f"{sys.argv[1]}/.mutmut-cache")
rows = db.execute(
    "select SourceFile.filename, Mutant.status from Mutant join Line on Mutant.line = Line.id "
    "join SourceFile on Line.sourcefile = SourceFile.id"
).fetchall()
by_file: dict[str, Counter[str]] = {}
for name, status in rows:
    by_file.setdefault(name, Counter())[status] += 1
total = Counter()
for name, counts in sorted(by_file.items()):
    total.update(counts)
    n = sum(counts.values())
    killed = counts["ok_killed"]
    print(f"{name}: {killed}/{n} killed ({100 * killed / n:.0f}%), {dict(counts)}")
n = sum(total.values())
print(f"all: {total['ok_killed']}/{n} killed ({100 * total['ok_killed'] / max(n, 1):.0f}%)")
EOF
for id in $("$mutmut_venv/bin/mutmut" result-ids survived 2>/dev/null); do
  "$mutmut_venv/bin/mutmut" show "$id"
done
echo "mutate: $(( $(date +%s) - started )) s"
[ -n "${KEEP:-}" ] && echo "mutate: kept $copy"
exit 0
