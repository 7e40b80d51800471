"""Fixtures of the client tests: the Node toolchain.

The TypeScript compiler comes from npm through the workspace in tests/clients/ts (`npm ci`
there; the fixture runs it when node_modules is missing). Without node or npm the tests that
need them are skipped with the reason shown, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from clienthelp import TS_WORKSPACE


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
