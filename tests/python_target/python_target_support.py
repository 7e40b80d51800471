"""Builds shared by the Python target tests: every valid IDL and example, into one tmp folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from svcgen.build import generate
from svcgen.frontend import compile_file

ROOT = Path(__file__).resolve().parents[2]
# The shared IDL contract lies beside the checkout (as in CI); without it the examples still run.
VALID = sorted(p for p in (ROOT.parent / "shared/idl/valid").glob("*.idl") if p.name != "common.idl")
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*/*.idl") if p.stem == p.parent.name)
# Hard cases: names long enough to wrap, and names that are keywords (shared with the client tests).
EXTRA = (
    sorted((Path(__file__).parent / "idl").glob("*.idl"))
    + sorted((ROOT / "tests/clients/idl").glob("*.idl"))
    + [ROOT / "tests/auth/auth.idl"]
)
SOURCES = (
    {f"valid_{p.stem}": p for p in VALID}
    | {f"example_{p.stem}": p for p in EXAMPLES}
    | {f"extra_{p.stem}": p for p in EXTRA}
)
BIN = Path(sys.executable).parent


def python_build(path: Path) -> dict[str, str]:
    result = compile_file(path)
    assert result.model is not None, [d.message for d in result.diagnostics]
    files = generate(result.model, path, ["python-models", "python-server"])
    return {str(rel): text for rel, text in files.items()}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tmp/<name>/... one Python package per source, python-models and python-server only."""
    base = tmp_path_factory.mktemp("pybuild")
    for name, path in SOURCES.items():
        for rel, text in python_build(path).items():
            target = base / name / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return base


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_tree(files: dict[str, str], folder: Path) -> None:
    """Write a build (relative path -> text) under `folder`."""
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")


@contextmanager
def uvicorn_server(app_dir: Path, app: str, ready_path: str = "/openapi.json") -> Iterator[str]:
    """Serve `app` ("module:attr", importable from `app_dir`) under uvicorn on a free port; yields its URL.

    Waits (at most 5 s) until `ready_path` answers. The server's output goes to `app_dir/uvicorn.log`
    (a file, not a pipe nobody reads, which would block the server once full).
    """
    port = free_port()
    log = app_dir / "uvicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir), app]
            + ["--port", str(port), "--log-level", "warning"],
            env={**os.environ, "PYTHONPATH": str(app_dir)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url + ready_path, timeout=0.5)
                break
            except httpx.TransportError:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.05)
        else:
            raise AssertionError(f"{app} did not answer on {url} within 5 s:\n{log.read_text()}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
