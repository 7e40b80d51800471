"""Generated Python clients: strict typing, lint, black layout, and no dependency on svcgen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from clienthelp import EXAMPLE_ROOTS, KEYWORDS, ROOT, SHARED_VALID, build

TOOLS = Path(sys.executable).parent


def _build_all(tmp_path: Path) -> list[Path]:
    """One output package per IDL, named so that none shadows a standard module."""
    outs = []
    for i, idl in enumerate([*EXAMPLE_ROOTS, *SHARED_VALID, KEYWORDS]):
        out = tmp_path / f"gen{i:02d}_{idl.stem}"
        build(idl, out, ["python-client"])
        outs.append(out)
    return outs


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_clients_pass_mypy_strict_ruff_and_black(tmp_path: Path) -> None:
    outs = _build_all(tmp_path)
    clients = sorted(tmp_path.rglob("client.py"))
    assert len(clients) >= len(outs) - 1  # every IDL with endpoints has one; common.idl has none
    mypy = _run(str(TOOLS / "mypy"), "--strict", "--no-incremental", *(o.name for o in outs), cwd=tmp_path)
    assert mypy.returncode == 0, mypy.stdout
    ruff = _run(str(TOOLS / "ruff"), "check", "--config", str(ROOT / "pyproject.toml"), ".", cwd=tmp_path)
    assert ruff.returncode == 0, ruff.stdout
    black = _run(str(TOOLS / "black"), "--check", "--line-length", "88", ".", cwd=tmp_path)
    assert black.returncode == 0, black.stderr


def test_client_needs_neither_generator_nor_runtime(tmp_path: Path) -> None:
    build(EXAMPLE_ROOTS[[p.stem for p in EXAMPLE_ROOTS].index("tasks")], tmp_path / "gen", ["python-client"])
    sources = "".join(p.read_text() for p in (tmp_path / "gen").rglob("*.py"))
    assert "svcgen_runtime" not in sources and "import svcgen" not in sources and "from svcgen" not in sources
    probe = (
        "import sys, gen.acme_tasks.client as c\n"
        "assert c.TasksClient and c.TasksSyncClient\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('svcgen', 'svcgen_runtime', 'fastapi'))\n"
        "assert not bad, bad\n"
    )
    done = _run(sys.executable, "-c", probe, cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_signatures_follow_the_idl(tmp_path: Path) -> None:
    build(KEYWORDS, tmp_path / "gen", ["python-client"])
    text = (tmp_path / "gen/class_default/client.py").read_text()
    # path parameter by name, query parameters keyword-only with the IDL defaults, wire names kept
    assert "    async def get(\n        self,\n        class_: str,\n        *,\n        default: int = 3," in text
    assert 'query={"default": default, "in": in_, "type": type}' in text
    # the message-typed parameter is the body; a 204 endpoint returns None
    assert "body=async_" in text and "def delete(self, import_: int) -> None:" in text
    assert "errors=[(Private, PrivateBody)]" in text
