"""Helpers of the client tests: where the IDLs are, building clients, running the CLI."""

from __future__ import annotations

import json
import os
import shutil
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
from svcgen.writer import apply, plan

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TS_WORKSPACE = HERE / "ts"
EXAMPLES = sorted(ROOT.glob("examples/*/*.idl"))
SHARED_VALID = sorted((ROOT.parent / "shared/idl/valid").glob("*.idl"))
# Each example's root file is the one named after its folder; the others are imported by it.
EXAMPLE_ROOTS = [p for p in EXAMPLES if p.stem == p.parent.name]
KEYWORDS = HERE / "idl/keywords.idl"


def build(idl: Path, out: Path, targets: list[str]) -> None:
    """`svcgen build IDL --target ... --out OUT`, in process."""
    result = compile_file(idl)
    assert result.model is not None, [d.message for d in result.diagnostics]
    files = generate(result.model, idl, targets)
    apply(out, files, plan(out, files))


def svcgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI, as a consumer's CI would run it."""
    return subprocess.run([sys.executable, "-m", "svcgen", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def uvicorn_server(folder: Path, app: str, ready_path: str, what: str) -> Iterator[str]:
    """`uvicorn APP` from `folder` on a free loopback port, its base URL once `ready_path` answers."""
    port = free_port()
    log = (folder / "server.log").open("w")  # a file, not a pipe: a chatty server never blocks
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(folder), app, "--port", str(port)]
        + ["--log-level", "warning"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + ready_path, timeout=1)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{what} did not start:\n{(folder / 'server.log').read_text()}")
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def compile_e2e_script(tsc: list[str], work: Path, build: Path, script: str) -> Path:
    """tests/clients/ts/SCRIPT (with e2e_support.ts) compiled by tsc in WORK next to the TypeScript
    client of the build folder BUILD (copied to WORK/<its name>/typescript); the compiled .js."""
    shutil.copytree(build / "typescript", work / build.name / "typescript")
    for name in (script, "e2e_support.ts"):
        shutil.copy(TS_WORKSPACE / name, work / name)
    (work / "package.json").write_text('{"type": "module"}\n')
    options = {"strict": True, "target": "es2022", "module": "es2022", "moduleResolution": "bundler"}
    config = {"compilerOptions": {**options, "lib": ["es2022", "dom"], "outDir": "js"}, "include": ["**/*.ts"]}
    (work / "tsconfig.json").write_text(json.dumps(config))
    compiled = subprocess.run([*tsc, "-p", str(work)], capture_output=True, text=True, timeout=300)
    assert compiled.returncode == 0, compiled.stdout
    (work / "js/package.json").write_text('{"type": "module"}\n')
    return work / "js" / Path(script).with_suffix(".js").name


def run_node(node: str, flags: list[str], script: Path, *args: str) -> str:
    """The compiled script under Node; its output, which must end in exit 0."""
    env = {**os.environ, "NODE_NO_WARNINGS": "1"}
    ran = subprocess.run([node, *flags, str(script), *args], capture_output=True, text=True, timeout=60, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return ran.stdout


def websocket_flags(node: str) -> list[str]:
    """Node 22 has a global WebSocket; 20 needs the flag, and 18 has neither (skip)."""
    probe = subprocess.run([node, "-e", "process.exit(typeof WebSocket === 'function' ? 0 : 1)"], timeout=30)
    if probe.returncode == 0:
        return []
    flagged = subprocess.run(
        [node, "--experimental-websocket", "-e", "process.exit(typeof WebSocket === 'function' ? 0 : 1)"], timeout=30
    )
    if flagged.returncode != 0:
        pytest.skip("this Node has no WebSocket (Node >= 20.10 or 22 needed for the socket test)")
    return ["--experimental-websocket"]


# Node toolchain fixtures, shared by tests/clients (its conftest) and tests/auth (imported by name).
def _missing_tool(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required when CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        _missing_tool("node is not installed: TypeScript client tests need Node.js >= 18")
    return str(path)


@pytest.fixture(scope="session")
def tsc(node: str) -> list[str]:
    """The workspace's TypeScript compiler, installed with `npm ci` on first use."""
    script = TS_WORKSPACE / "node_modules/typescript/bin/tsc"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            _missing_tool("npm is not installed: cannot install the TypeScript compiler (npm ci in tests/clients/ts)")
        done = subprocess.run(
            [str(npm), "ci", "--no-audit", "--no-fund"], cwd=TS_WORKSPACE, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            _missing_tool(f"npm ci in tests/clients/ts failed:\n{done.stderr[-2000:]}")
    return [node, str(script)]
