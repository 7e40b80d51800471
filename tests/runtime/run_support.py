"""What the tests of `svcgen run` as a process share: examples/tasks built beside a copy of its
app.py, a free port, a started process waited for by its output, and SIGTERM with its timing."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from svcgen.build import generate
from svcgen.frontend import compile_file

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if not k.startswith("SVCGEN_")}  # no broker: the embedded bus


def write_build(folder: Path, idl: Path, targets: list[str], into: str) -> None:
    """Generate `targets` of `idl` into folder/into (an importable package)."""
    result = compile_file(idl)
    assert result.model is not None, [d.message for d in result.diagnostics]
    for rel, text in generate(result.model, idl, targets).items():
        (folder / into / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / into / rel).write_text(text, encoding="utf-8")


def tasks_app(folder: Path, targets: tuple[str, ...] = ("python-models", "python-server")) -> Path:
    """examples/tasks built as `tasks_api` in `folder`, beside a copy of its app.py; the folder."""
    write_build(folder, ROOT / "examples/tasks/tasks.idl", list(targets), "tasks_api")
    shutil.copy(ROOT / "examples/tasks/app.py", folder / "app.py")
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def started(cwd: Path, args: list[str], env: dict[str, str], ready: str) -> Iterator[subprocess.Popen[bytes]]:
    """Start the command; wait (at most 10 s) until its output holds `ready`. Killed if still running after."""
    log = cwd / f"run-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while ready not in log.read_text(errors="replace"):
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.log = log.read_text(errors="replace")  # type: ignore[attr-defined]


def stop(proc: subprocess.Popen[bytes]) -> tuple[int, float]:
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=15)
    return code, time.monotonic() - start
