#!/usr/bin/env bash
# Mutation testing (not run in CI). mutmut changes one thing at a time in the modules users' builds
# depend on and runs that module's fast suite; a mutant the suite does not notice (a "survivor") is
# behaviour no test guards.
#
#   bash scripts/mutate.sh                      # commands, writer, stamp, build, cli (in that order)
#   bash scripts/mutate.sh generator/svcgen/writer.py generator/svcgen/stamp.py
#   bash scripts/mutate.sh runtime/svcgen_runtime/embedded.py runtime/svcgen_runtime/context.py
#   nice -n 15 bash scripts/mutate.sh ...       # on a shared machine
#
# Each module runs on its own scratch copy of the committed tree (git archive HEAD), never on the
# checkout others may be running, with its own mutmut cache; both in-process imports and the
# installed `svcgen` command are pointed at the copy (PYTHONPATH, ahead of the editable install).
# Each module has a fast suite (suite() below; MUTATE_TESTS overrides it): the tests that exercise
# it, cheapest and most telling first, run with `pytest -x -q -p no:cacheprovider` (no -n: two
# cores; no plugin autoload: hypothesis and schemathesis cost 10 s of start-up), so a killed mutant
# costs only the tests up to its first failure (6-9 s a mutant on average here) and a survivor the
# whole suite (11-30 s alone; 60-85 s for stamp, build and cli with two other runs on this machine).
# Any failure exit of pytest is a kill (mutmut 2 itself counts only exit code 1). mutmut times the
# unmutated suite: a mutant running 10 times as long is a timeout; one killed after more than
# MUTATE_TIME_BASE (default 30) s + twice the baseline is "suspicious". Known blind spot of mutmut 2:
# it names a mutant by its line's text, so the mutants of a line repeated verbatim later in the file
# (writer.py's `target = out / rel`) stay "untested". mutmut lives in its own virtualenv
# ($MUTMUT_VENV, default ~/.cache/svcgen-mutmut). Prints per module the score and every survivor's
# diff; MUTATE_WORK=DIR keeps the copies there. While a run is going, read DIR/<module>/main/.mutmut-cache
# with sqlite only: `mutmut show` rewrites the cache's line table from the file being mutated and can
# crash the run; `cd DIR/<module>/main && mutmut results` / `mutmut show ID` are fine afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/setup.sh >/dev/null
venv=$(cd "${SVCGEN_VENV:-.venv}" && pwd)

paths=("$@")
if [ ${#paths[@]} -eq 0 ]; then
  paths=(generator/svcgen/commands.py generator/svcgen/writer.py generator/svcgen/stamp.py
    generator/svcgen/build.py generator/svcgen/cli.py)
fi

# The fast suite of one module: the tests that reach it, cheapest and most telling first.
suite() {
  local b=tests/cli/test_cli_build.py s=tests/cli/test_cli_stamp.py o=tests/cli/test_cli_output.py
  case "$1" in
    generator/svcgen/commands.py)
      echo "tests/frontend/test_cli_check.py tests/cli/test_cli_check_report.py $b::test_build_of_an_invalid_idl_writes_nothing $b::test_build_format_json_prints_json_and_only_status_lines_on_stderr
        tests/fmt/test_fmt_cli.py" ;;
    generator/svcgen/writer.py)
      echo "tests/test_writer_apply.py tests/test_golden.py::test_golden[minimal] $o::test_a_folder_where_a_generated_file_goes_is_refused
        $o::test_a_smaller_rebuild_deletes_what_it_no_longer_writes_and_the_folders_it_emptied
        $b::test_refuses_to_overwrite_a_file_it_did_not_generate
        $b::test_rebuild_overwrites_its_own_files_and_deletes_the_ones_no_longer_produced
        $b::test_a_file_with_the_generated_header_is_ours_even_without_a_manifest
        $s::test_check_up_to_date[no-stamp] $s::test_check_names_extra_files_a_smaller_build_would_delete[no-stamp]
        tests/test_writer_modes.py::test_new_files_follow_the_umask" ;;
    generator/svcgen/stamp.py)
      echo "tests/test_stamp_cache.py tests/test_manifest_sources.py tests/test_stamp.py
        $s::test_a_stamp_hit_answers_without_comparing $s::test_no_stamp_is_written_or_read_with_svcgen_no_stamp
        $s::test_stamp_miss_after_an_idl_edit $s::test_stamp_miss_for_another_output_folder_or_target" ;;
    generator/svcgen/build.py)
      echo "tests/test_golden.py::test_golden[minimal] $o::test_every_unknown_target_is_named_with_the_choices
        $o::test_a_foreign_file_is_refused_with_one_line_naming_it $o::test_sources_may_name_one_file
        $o::test_an_import_outside_the_root_folder_is_named_by_its_file_name
        $o::test_a_build_of_several_files_names_them_all_in_its_status_and_check_lines
        $b::test_build_format_json_prints_json_and_only_status_lines_on_stderr
        $b::test_unknown_target_exits_2_and_writes_nothing $b::test_each_target_writes_exactly_its_files[all]
        $b::test_pyproject_out_and_targets_are_used_relative_to_the_pyproject
        $b::test_pyproject_targets_alone_and_the_default_folder
        $b::test_default_output_folder_is_generated_in_the_working_folder
        $s::test_check_after_an_idl_edit[no-stamp] $s::test_check_names_extra_files_a_smaller_build_would_delete[no-stamp]
        $s::test_check_up_to_date[no-stamp] tests/test_multi_build.py" ;;
    generator/svcgen/cli.py)
      # the scaffold tests (new, upgrade: copier and a build each) last: they only kill new/upgrade mutants
      local c=tests/cli/test_cli_commands.py
      echo "$b::test_help_names_the_commands_and_only_the_documented_options
        $b::test_version_is_the_installed_distributions $c::test_no_arguments_prints_the_help_and_exits_2
        $c::test_help_documents_every_argument_and_option $c::test_forwarded_commands_show_the_runtimes_usage_under_svcgens_name
        $c::test_build_without_files_or_sources_is_one_line_on_stderr tests/frontend/test_cli_check.py
        $b::test_usage_and_input_errors $b::test_unexpected_exceptions_exit_cleanly_without_a_traceback
        $b::test_build_of_an_invalid_idl_writes_nothing $b::test_build_format_json_prints_json_and_only_status_lines_on_stderr
        $b::test_default_output_folder_is_generated_in_the_working_folder
        tests/test_stamp.py::test_untouched_output_is_up_to_date_and_rebuild_is_silent
        $c::test_the_no_op_shortcut_is_taken_with_targets_and_only_for_text_output
        tests/test_multi_build.py::test_sources_of_tool_svcgen_are_one_build
        $c::test_breaking_against_a_folder_with_allow_severity_and_json $c::test_graph_formats
        $c::test_fmt_check_through_the_command tests/cli/test_cli_interrupt.py tests/cli/test_cli_run_forwarding.py
        tests/runtime/test_run_cli.py::test_help_lists_roles_and_settings
        $c::test_new_and_upgrade_errors_are_one_line_on_stderr
        $c::test_new_takes_every_part_flag_and_a_fresh_project_is_up_to_date
        $c::test_new_whose_first_build_fails_keeps_the_project_and_says_so
        $c::test_upgrade_reports_each_changed_file_and_the_conflicts tests/cli/test_cli_upgrade_conflicts.py" ;;
    runtime/svcgen_runtime/embedded.py)
      # the embedded bus only: `amqp]` deselects the RabbitMQ variants (they do not run this code and need
      # a broker), not test_topic_matching_is_amqps nor the SVCGEN_AMQP_URL usage errors
      echo "tests/runtime/test_embedded_bus.py tests/runtime/test_unit_of_work.py
        tests/runtime/test_messaging_behaviour.py tests/runtime/test_run_cli.py -k 'not amqp]'" ;;
    runtime/svcgen_runtime/settings.py)
      echo "tests/runtime/test_settings_readme.py tests/runtime/test_settings_env.py" ;;
    runtime/svcgen_runtime/delivery.py)
      echo "tests/runtime/test_delivery_adapter.py tests/runtime/test_unit_of_work.py tests/runtime/test_messaging_behaviour.py
        -k 'not amqp]'" ;;
    runtime/svcgen_runtime/context.py)
      echo "tests/runtime/test_context_hooks.py tests/runtime/test_unit_of_work.py tests/runtime/test_messaging_behaviour.py
        tests/runtime/test_scheduler.py -k 'not amqp]'" ;;
    runtime/*)
      echo "tests/runtime/test_unit_of_work.py tests/runtime/test_messaging_behaviour.py tests/runtime/test_scheduler.py
        tests/runtime/test_run_cli.py -k 'not amqp]'" ;;
    *) echo "tests/cli tests/test_stamp.py tests/test_golden.py" ;;
  esac
}

mutmut_venv=${MUTMUT_VENV:-$HOME/.cache/svcgen-mutmut}
mutmut=$mutmut_venv/bin/mutmut
if [ ! -x "$mutmut" ]; then
  python3 -m venv "$mutmut_venv"
  "$mutmut_venv/bin/python" -m pip install --quiet --disable-pip-version-check 'mutmut==2.5.1' 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
fi

if [ -n "${MUTATE_WORK:-}" ]; then
  mkdir -p "$MUTATE_WORK"
  work=$(cd "$MUTATE_WORK" && pwd)
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/svcgen-mutate.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi

started=$(date +%s)
for path in "${paths[@]}"; do
  name=$(basename "$path" .py)
  copy="$work/$name/main"
  rm -rf "$work/$name"
  mkdir -p "$copy"
  git archive HEAD | tar -x -C "$copy"
  [ -d "$root/../shared" ] && ln -s "$(cd "$root/../shared" && pwd)" "$work/$name/shared"
  [ -d tests/clients/ts/node_modules ] && ln -s "$root/tests/clients/ts/node_modules" "$copy/tests/clients/ts/node_modules"
  # Byte-compile the copy once, then write no more .pyc: every mutant is newer than these, so its
  # module is always compiled from its source (never a stale .pyc of another mutant of equal size).
  "$venv/bin/python" -m compileall -q "$copy/generator" "$copy/runtime" >/dev/null || true
  tests=${MUTATE_TESTS:-$(suite "$path" | tr -s ' \n' ' ')}
  # mutmut 2 counts only exit code 1 as a kill, but pytest exits 2 when a mutant breaks an import
  # during collection (and 3-5 for other breakage): any failure of the suite is a kill.
  cat >"$work/$name/tests.sh" <<EOF
#!/bin/sh
set -f
cd "$copy" || exit 1
env PYTHONDONTWRITEBYTECODE=1 PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 PYTHONPATH=$copy/generator:$copy/runtime \\
  $venv/bin/python -m pytest -x -q -p no:cacheprovider $tests || exit 1
EOF
  runner="sh $work/$name/tests.sh"
  echo "mutate: $path"
  echo "mutate: runner: $runner:"; tail -2 "$work/$name/tests.sh"
  module_started=$(date +%s)
  status=0
  (cd "$copy" && "$mutmut" run --paths-to-mutate "$path" --runner "$runner" --tests-dir tests \
    --test-time-base "${MUTATE_TIME_BASE:-30}" --no-progress --simple-output >"$work/$name/mutmut.log" 2>&1) || status=$?
  if [ $((status & 1)) -ne 0 ]; then
    tail -30 "$work/$name/mutmut.log" >&2
    echo "mutate: mutmut failed on $path" >&2
    continue
  fi
  (
    cd "$copy"
    "$mutmut_venv/bin/python" - <<'PY'
import sqlite3
from collections import Counter
db = sqlite3.connect(".mutmut-cache")
rows = db.execute(
    "select SourceFile.filename, Mutant.status from Mutant join Line on Mutant.line = Line.id "
    "join SourceFile on Line.sourcefile = SourceFile.id"
).fetchall()
by_file: dict[str, Counter[str]] = {}
for name, status in rows:
    by_file.setdefault(name, Counter())[status] += 1
for name, counts in sorted(by_file.items()):
    n = sum(counts.values())
    killed = counts["ok_killed"] + counts["ok_suspicious"]
    print(f"mutate: {name}: {killed}/{n} killed ({100 * killed / n:.0f}%), {dict(counts)}")
PY
    for id in $("$mutmut" result-ids survived 2>/dev/null); do "$mutmut" show "$id"; done
    for id in $("$mutmut" result-ids timeout 2>/dev/null); do echo "(timeout)"; "$mutmut" show "$id"; done
  ) | tee "$work/$name/results.txt"
  echo "mutate: $path: $(( $(date +%s) - module_started )) s"
done
echo "mutate: $(( $(date +%s) - started )) s"
