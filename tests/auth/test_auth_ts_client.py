"""The generated TypeScript client of tests/auth/auth.idl, compiled with tsc --strict and run under
Node against the uvicorn server: see e2e_auth.ts for what it checks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "python_target"))
sys.path.insert(0, str(HERE.parent / "clients"))
from clienthelp import TS_WORKSPACE, build, run_node, websocket_flags  # noqa: E402
from python_target_support import python_build, uvicorn_server, write_tree  # noqa: E402

pytestmark = pytest.mark.slow
IDL = HERE / "auth.idl"


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required when CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        _missing("node is not installed")
    return str(path)


@pytest.fixture(scope="module")
def tsc(node: str) -> list[str]:
    script = TS_WORKSPACE / "node_modules/typescript/bin/tsc"
    if not script.is_file():
        _missing("the TypeScript compiler is not installed (bash scripts/setup.sh: npm ci in tests/clients/ts)")
    return [node, str(script)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("auth_ts_server")
    write_tree(python_build(IDL), base / "authdemo_api")
    shutil.copy(HERE / "auth_app.py", base / "auth_app.py")
    with uvicorn_server(base, "auth_app:app") as url:
        yield url


@pytest.fixture(scope="module")
def script(tsc: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("auth_ts")
    build(IDL, work / "authgen", ["typescript"])
    shutil.copy(HERE / "e2e_auth.ts", work / "e2e_auth.ts")
    (work / "package.json").write_text('{"type": "module"}\n')
    options = {"strict": True, "target": "es2022", "module": "es2022", "moduleResolution": "bundler"}
    config = {"compilerOptions": {**options, "lib": ["es2022", "dom"], "outDir": "js"}, "include": ["**/*.ts"]}
    (work / "tsconfig.json").write_text(json.dumps(config))
    compiled = subprocess.run([*tsc, "-p", str(work)], capture_output=True, text=True, timeout=300)
    assert compiled.returncode == 0, compiled.stdout
    (work / "js/package.json").write_text('{"type": "module"}\n')
    return work / "js/e2e_auth.js"


def test_typescript_client_sends_credentials_and_headers(node: str, script: Path, server: str) -> None:
    out = run_node(node, [], script, server)
    assert "ok: token function refreshed on 401" in out and "ok: API key in the query" in out, out


def test_typescript_socket_passes_the_token_on_connect(node: str, script: Path, server: str) -> None:
    out = run_node(node, websocket_flags(node), script, server, "sockets")
    assert "ok: socket token on connect" in out, out
