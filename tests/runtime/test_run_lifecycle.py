"""`svcgen run` start-up and shutdown as a user meets them, through the installed command:
- a port in use (HTTP or gRPC) is one line and exit 1, before any message is consumed;
- every part of `all` (HTTP, consumers, the scheduler) shares one grace period after SIGTERM: a
  process with a slow request and a slow schedule run in flight exits within it, not within the
  sum of the parts' periods."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from run_support import BIN, ENV, free_port, started, stop, tasks_app, write_build

pytestmark = pytest.mark.slow

SLOW_IDL = """package slowpoke;

message Done { ok: bool; }

service Slow {
  GET /slow slow() -> Done;
  every 1s tick;
}
"""

SLOW_APP = """import asyncio
from gen.slowpoke.models import Done
from gen.slowpoke.service import Slow


class Sleepy(Slow):
    async def slow(self) -> Done:
        print("request started", flush=True)
        await asyncio.sleep(60)
        return Done(ok=True)

    async def tick(self) -> None:
        print("tick started", flush=True)
        await asyncio.sleep(60)


slow = Sleepy()
"""


@pytest.fixture(scope="module")
def tasks_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tasks_app(tmp_path_factory.mktemp("lifecycle_tasks"), ("python-models", "python-server", "python-grpc"))


@pytest.fixture()
def taken_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


@pytest.mark.parametrize("variable, what", [("SVCGEN_PORT", "HTTP"), ("SVCGEN_GRPC_PORT", "gRPC")])
def test_a_port_in_use_is_one_line_and_exit_1_before_consuming(
    tasks_dir: Path, taken_port: int, variable: str, what: str
) -> None:
    env = ENV | {"SVCGEN_PORT": str(free_port()), "SVCGEN_GRPC_PORT": str(free_port()), variable: str(taken_port)}
    r = subprocess.run(
        [str(BIN / "svcgen"), "run", "all", "app:tasks"], cwd=tasks_dir, env=env, capture_output=True, text=True
    )
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stderr == f"svcgen: error: cannot listen on 127.0.0.1:{taken_port} for {what}: address already in use\n"
    assert "consuming" not in r.stdout + r.stderr  # nothing was started


@pytest.fixture(scope="module")
def slow_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("lifecycle_slow")
    (base / "slow.idl").write_text(SLOW_IDL, encoding="utf-8")
    write_build(base, base / "slow.idl", ["python-models", "python-server"], "gen")
    (base / "app.py").write_text(SLOW_APP, encoding="utf-8")
    return base


def test_all_parts_share_one_grace_period_after_sigterm(slow_dir: Path) -> None:
    port, grace = free_port(), 3
    env = ENV | {"SVCGEN_PORT": str(port), "SVCGEN_SHUTDOWN_GRACE": str(grace)}
    with started(slow_dir, [str(BIN / "svcgen"), "run", "all", "app:slow"], env, "tick started") as proc:
        request = threading.Thread(target=lambda: httpx.get(f"http://127.0.0.1:{port}/slow", timeout=30), daemon=True)
        request.start()
        _wait_for(slow_dir, "request started")  # both in flight now: the request and the tick sleep 60 s
        code, took = stop(proc)
    log = proc.log  # type: ignore[attr-defined]
    assert "request started" in log and "tick started" in log, log
    assert code == 0, log
    # each part used to get the whole period after the one before it: grace for uvicorn, then grace
    # again for the scheduler; one shared period ends within it (plus process exit)
    assert took < grace + 1.5, (took, log)


def _wait_for(folder: Path, text: str) -> None:
    """Until the output of the process started in `folder` (test_run_cli.started's log) holds `text`."""
    deadline = time.monotonic() + 10
    while not any(text in log.read_text(errors="replace") for log in folder.glob("run-*.log")):
        assert time.monotonic() < deadline, f"no {text!r} within 10 s"
        time.sleep(0.05)


def test_a_host_that_does_not_resolve_is_one_line_naming_the_setting(tasks_dir: Path) -> None:
    env = ENV | {"SVCGEN_HOST": "no-such-host.invalid", "SVCGEN_PORT": str(free_port())}
    r = subprocess.run(
        [str(BIN / "svcgen"), "run", "http", "app:tasks"], cwd=tasks_dir, env=env, capture_output=True, text=True
    )
    assert (r.returncode, r.stderr) == (
        1,
        f"svcgen: error: cannot listen on no-such-host.invalid:{env['SVCGEN_PORT']} for HTTP: "
        "the host does not resolve to an address (SVCGEN_HOST)\n",
    )
