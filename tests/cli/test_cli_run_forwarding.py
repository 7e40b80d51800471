"""`svcgen run`, `svcgen declare` and `svcgen dlq` through the installed command: their arguments reach
the runtime (`python -m svcgen_runtime`) untouched and its exit code and one-line errors are svcgen's.
No broker: each case stops at a settings, target or connection error the runtime reports itself.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_support import svcgen

# No SVCGEN_* of the caller: the embedded bus unless a case sets SVCGEN_AMQP_URL.
CLEAN = {k: "" for k in os.environ if k.startswith("SVCGEN_") and k != "SVCGEN_CACHE_DIR"}
TARGET_ERROR = "svcgen: error: no module named 'svcgen_nowhere' (run from the folder that holds it)\n"
CLOSED = "amqp://guest:guest@127.0.0.1:1/"  # nothing listens on port 1: the connection is refused at once


@pytest.mark.parametrize("role", ["http", "worker", "scheduler", "grpc", "all"])
def test_run_passes_the_role_and_target_to_the_runtime(tmp_path: Path, role: str) -> None:
    r = svcgen("run", role, "svcgen_nowhere:app", cwd=tmp_path, env=CLEAN)
    assert (r.returncode, r.stdout, r.stderr) == (2, "", TARGET_ERROR)


@pytest.mark.parametrize("command", ["declare", "dlq"])
def test_run_takes_only_the_roles(tmp_path: Path, command: str) -> None:
    r = svcgen("run", command, "x", cwd=tmp_path, env=CLEAN)
    assert r.returncode == 2 and r.stderr.startswith("usage: svcgen run [-h] ROLE ...\n"), r.stderr
    assert r.stderr.endswith(
        f"svcgen run: error: argument ROLE: invalid choice: '{command}' (choose from "
        "'http', 'worker', 'scheduler', 'grpc', 'all')\n"
    ), r.stderr


def test_run_settings_errors_are_the_runtimes(tmp_path: Path) -> None:
    r = svcgen("run", "worker", "svcgen_nowhere:app", cwd=tmp_path, env=CLEAN | {"SVCGEN_PREFETCH": "0"})
    assert (r.returncode, r.stderr) == (2, "svcgen: error: SVCGEN_PREFETCH must be between 1 and 65535, got '0'\n")


def test_declare_passes_its_target_and_needs_a_broker_url(tmp_path: Path) -> None:
    r = svcgen("declare", "svcgen_nowhere:app", cwd=tmp_path, env=CLEAN | {"SVCGEN_AMQP_URL": CLOSED})
    assert (r.returncode, r.stdout, r.stderr) == (2, "", TARGET_ERROR)
    r = svcgen("declare", "svcgen_nowhere:app", cwd=tmp_path, env=CLEAN)
    assert r.returncode == 2 and r.stderr.startswith("svcgen: error: declare needs SVCGEN_AMQP_URL: "), r.stderr


def test_dlq_passes_action_queue_and_options_and_its_exit_code_1(tmp_path: Path) -> None:
    queue = "acme.tasks.Tasks.index_task"
    r = svcgen("dlq", "list", queue, "--limit", "3", cwd=tmp_path, env=CLEAN | {"SVCGEN_AMQP_URL": CLOSED})
    assert (r.returncode, r.stdout) == (1, ""), r.stderr
    assert r.stderr.splitlines()[-1].startswith(f"svcgen: error: dlq list {queue}: BrokerUnavailable: "), r.stderr
    r = svcgen("dlq", "count", queue, cwd=tmp_path, env=CLEAN)
    assert r.returncode == 2 and r.stderr.startswith("svcgen: error: dlq needs SVCGEN_AMQP_URL: "), r.stderr
    r = svcgen("dlq", "list", queue, "--limit", "many", cwd=tmp_path, env=CLEAN)
    assert r.returncode == 2 and r.stderr.endswith(
        "svcgen dlq: error: argument --limit: invalid int value: 'many'\n"
    ), r.stderr
