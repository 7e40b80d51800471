"""Helpers of the command-line tests: the installed `svcgen` command run as a user runs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_VALID = ROOT.parent / "shared/idl/valid"
KEYWORDS = ROOT / "tests/clients/idl/keywords.idl"
# The console script pip installed next to this interpreter: what `svcgen` on PATH runs.
SVCGEN = Path(sys.executable).with_name("svcgen")

BROKEN = "package bad;\n\nmessage User { id: uuid; }\nmessage Note {\n  owner: Usr;\n}\n"


def svcgen(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, python: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed command (or `python` ARGS... instead, for the patched entry point)."""
    command = python if python is not None else [str(SVCGEN), *args]
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=180, env={**os.environ, **(env or {})}
    )


def copy_tasks(folder: Path) -> Path:
    """examples/tasks (tasks.idl importing common.idl) copied into `folder`; returns tasks.idl."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("tasks.idl", "common.idl"):
        shutil.copy(ROOT / "examples/tasks" / name, folder / name)
    return folder / "tasks.idl"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` with its bytes and mtime: equal snapshots mean nothing was written."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
