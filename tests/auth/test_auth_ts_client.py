"""The generated TypeScript client of tests/auth/auth.idl, compiled with tsc --strict and run under
Node against the uvicorn server: see e2e_auth.ts for what it checks."""

from __future__ import annotations

# ruff: noqa: F811  (pytest injects the imported node/tsc fixtures by parameter name)
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "python_target"))
sys.path.insert(0, str(HERE.parent / "clients"))
from clienthelp import TS_WORKSPACE, build, node, run_node, tsc, websocket_flags  # noqa: E402, F401
from python_target_support import python_build, uvicorn_server, write_tree  # noqa: E402

pytestmark = pytest.mark.slow
IDL = HERE / "auth.idl"


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
