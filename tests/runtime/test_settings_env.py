"""The `SVCGEN_*` settings as a user gives them: environment variables of `python -m svcgen_runtime`
(what `svcgen run`, `declare` and `dlq` run). What `--help` documents is what an empty environment
gets; a value out of its range or not a number is one line naming the variable and exit 2, a value at
the edge of the range is taken; the http role listens and stops where and how the settings say.

A TARGET that cannot be imported shows which happened without starting anything: the settings are
read first, so a refused setting is reported instead of the target, an accepted one before it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from run_support import free_port, tasks_app
from svcgen_runtime.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
ENV = {k: v for k, v in os.environ.items() if not k.startswith("SVCGEN_")}
NOWHERE = "svcgen_no_such_module:app"
TARGET_ERROR = "svcgen: error: no module named 'svcgen_no_such_module' (run from the folder that holds it)\n"
# Each documented variable and the Settings field it sets, in the order --help lists them.
FIELDS = {
    "SVCGEN_AMQP_URL": "amqp_url",
    "SVCGEN_PREFETCH": "prefetch",
    "SVCGEN_CONCURRENCY": "concurrency",
    "SVCGEN_SHUTDOWN_GRACE": "shutdown_grace_s",
    "SVCGEN_HOST": "host",
    "SVCGEN_PORT": "port",
    "SVCGEN_GRPC_PORT": "grpc_port",
}
# The roles that listen where each address setting says (runner.serve).
LISTENING = {
    "SVCGEN_HOST": ("http", "grpc", "all"),
    "SVCGEN_PORT": ("http", "all"),
    "SVCGEN_GRPC_PORT": ("grpc", "all"),
}


def runtime(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "svcgen_runtime", *args]
    return subprocess.run(command, cwd=cwd, env=ENV | (env or {}), capture_output=True, text=True, timeout=timeout)


def test_help_documents_every_setting_with_the_default_an_empty_environment_gets(tmp_path: Path) -> None:
    r = runtime(tmp_path, "--help")
    assert r.returncode == 0, r.stderr
    section = r.stdout.split("settings (environment variables):\n", 1)[1].strip("\n").splitlines()
    lines = [re.fullmatch(r"  (SVCGEN_[A-Z_]+) +(\S.*\S) \(default: ([^()]+)\)", line) for line in section]
    assert all(lines), section  # one line per variable: name, what it sets, (default: ...)
    documented = {m.group(1): m.group(3) for m in lines if m}
    assert list(documented) == list(FIELDS)
    what = {m.group(1): m.group(2) for m in lines if m}
    for name, roles in LISTENING.items():  # `all` listens too, not only the role of that name
        assert all(re.search(rf"\b{role}\b", what[name]) for role in roles), (name, what[name])
    empty = Settings.from_env({})
    for name, field in FIELDS.items():
        value, default = getattr(empty, field), documented[name]
        if value is None:
            assert default == "unset", name
        elif isinstance(value, str):
            assert value == default, name
        else:
            assert value == float(default), name
    assert Settings() == empty  # a Settings made in code has the same defaults as an empty environment


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("SVCGEN_PREFETCH", "0", "SVCGEN_PREFETCH must be between 1 and 65535, got '0'"),
        ("SVCGEN_PREFETCH", "65536", "SVCGEN_PREFETCH must be between 1 and 65535, got '65536'"),
        ("SVCGEN_PREFETCH", "1.5", "SVCGEN_PREFETCH must be a number, got '1.5'"),
        ("SVCGEN_CONCURRENCY", "0", "SVCGEN_CONCURRENCY must be between 1 and 10000, got '0'"),
        ("SVCGEN_CONCURRENCY", "10001", "SVCGEN_CONCURRENCY must be between 1 and 10000, got '10001'"),
        ("SVCGEN_SHUTDOWN_GRACE", "-0.5", "SVCGEN_SHUTDOWN_GRACE must be between 0.0 and 86400.0, got '-0.5'"),
        ("SVCGEN_SHUTDOWN_GRACE", "86401", "SVCGEN_SHUTDOWN_GRACE must be between 0.0 and 86400.0, got '86401'"),
        ("SVCGEN_SHUTDOWN_GRACE", "soon", "SVCGEN_SHUTDOWN_GRACE must be a number, got 'soon'"),
        ("SVCGEN_PORT", "-1", "SVCGEN_PORT must be between 0 and 65535, got '-1'"),
        ("SVCGEN_PORT", "65536", "SVCGEN_PORT must be between 0 and 65535, got '65536'"),
        ("SVCGEN_GRPC_PORT", "-1", "SVCGEN_GRPC_PORT must be between 0 and 65535, got '-1'"),
        ("SVCGEN_GRPC_PORT", "65536", "SVCGEN_GRPC_PORT must be between 0 and 65535, got '65536'"),
        (
            "SVCGEN_AMQP_URL",
            "localhost:5672",
            "SVCGEN_AMQP_URL must start with amqp:// or amqps://, got 'localhost:5672'",
        ),
        ("SVCGEN_AMQP_URL", "http://x/", "SVCGEN_AMQP_URL must start with amqp:// or amqps://, got 'http://x/'"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable_and_exit_2(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    r = runtime(tmp_path, "worker", NOWHERE, env={name: value})
    assert (r.returncode, r.stderr) == (2, f"svcgen: error: {message}\n")


@pytest.mark.parametrize(
    "name, value",
    [
        ("SVCGEN_PREFETCH", "1"),
        ("SVCGEN_PREFETCH", "65535"),
        ("SVCGEN_CONCURRENCY", "1"),
        ("SVCGEN_CONCURRENCY", " 10000 "),
        ("SVCGEN_SHUTDOWN_GRACE", "0"),
        ("SVCGEN_SHUTDOWN_GRACE", "86400"),
        ("SVCGEN_PORT", "0"),
        ("SVCGEN_PORT", "65535"),
        ("SVCGEN_GRPC_PORT", "0"),
        ("SVCGEN_GRPC_PORT", "65535"),
        ("SVCGEN_PORT", ""),  # empty is unset: the default
        ("SVCGEN_AMQP_URL", ""),  # the embedded bus
        ("SVCGEN_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
        ("SVCGEN_AMQP_URL", "amqps://broker.invalid/"),
    ],
)
def test_a_value_at_the_edge_of_its_range_is_taken(tmp_path: Path, name: str, value: str) -> None:
    r = runtime(tmp_path, "worker", NOWHERE, env={name: value})
    assert (r.returncode, r.stderr) == (2, TARGET_ERROR)


@pytest.mark.parametrize("url", ["amqp://guest:guest@127.0.0.1:5672/", "amqps://broker.invalid/"])
def test_declare_takes_an_amqp_or_amqps_url(tmp_path: Path, url: str) -> None:
    """Past the "declare needs SVCGEN_AMQP_URL" check to the target (nothing connects: it fails first)."""
    r = runtime(tmp_path, "declare", NOWHERE, env={"SVCGEN_AMQP_URL": url})
    assert (r.returncode, r.stderr) == (2, TARGET_ERROR)


def test_an_empty_amqp_url_is_unset_for_declare_too(tmp_path: Path) -> None:
    r = runtime(tmp_path, "declare", NOWHERE, env={"SVCGEN_AMQP_URL": ""})
    assert r.returncode == 2 and r.stderr.startswith("svcgen: error: declare needs SVCGEN_AMQP_URL"), r.stderr


@pytest.fixture(scope="module", name="tasks_app")
def tasks_app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/tasks built as `tasks_api` beside a copy of its app.py."""
    return tasks_app(tmp_path_factory.mktemp("settings_tasks"))


def test_the_http_role_listens_on_svcgen_port_and_stops_within_svcgen_shutdown_grace(tasks_app: Path) -> None:
    port = free_port()
    log = tasks_app / f"http-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "svcgen_runtime", "http", "app:tasks"],
            cwd=tasks_app,
            env=ENV | {"SVCGEN_PORT": str(port), "SVCGEN_SHUTDOWN_GRACE": "2.5"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 15
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    grace = re.search(r"stopping: in-flight work gets ([0-9.e+-]+)s", log.read_text())
    assert grace is not None and 0 < float(grace.group(1)) <= 2.5, log.read_text()


def test_the_http_role_listens_at_svcgen_host_and_an_address_this_machine_lacks_is_an_error(tasks_app: Path) -> None:
    """192.0.2.1 (TEST-NET-1) is nobody's address: listening there fails, naming it, instead of
    serving somewhere else."""
    env = {"SVCGEN_HOST": "192.0.2.1", "SVCGEN_PORT": str(free_port())}
    r = runtime(tasks_app, "http", "app:tasks", env=env, timeout=30)  # a server that started would run on
    assert r.returncode not in (0, 2), (r.returncode, r.stdout, r.stderr)
    assert "192.0.2.1" in r.stdout + r.stderr and "Traceback" not in r.stderr, r.stderr
