"""The generated Python works as code: mypy --strict, ruff, black (as rendered), deterministic."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from python_target_support import BIN, SOURCES, python_build


def run(tool: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / tool), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_sources_found() -> None:
    assert len(SOURCES) >= 8, SOURCES


def test_mypy_strict(built: Path) -> None:
    packages = [arg for name in SOURCES for arg in ("-p", name)]
    r = run("mypy", "--strict", "--no-incremental", "--python-version", "3.11", *packages, cwd=built)
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff(built: Path) -> None:
    # the repository's rule set; E501 is off there too (the header line is long by design)
    r = run(
        "ruff",
        "check",
        "--no-cache",
        "--select",
        "E,F,W,I,UP,B",
        "--ignore",
        "E501",
        "--target-version",
        "py311",
        ".",
        cwd=built,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_black_clean_as_rendered(built: Path) -> None:
    # black's defaults (88 columns): the output lands in projects whose settings we do not know
    r = run("black", "--check", "--diff", "--quiet", ".", cwd=built)
    assert r.returncode == 0, r.stdout[:4000] + r.stderr[:2000]


def test_compiles(built: Path) -> None:
    files = sorted(built.rglob("*.py"))
    assert files
    for f in files:
        compile(f.read_text(encoding="utf-8"), str(f), "exec")


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_two_builds_identical(name: str) -> None:
    assert python_build(SOURCES[name]) == python_build(SOURCES[name])


def test_imports_nothing_from_svcgen(built: Path) -> None:
    for f in built.rglob("*.py"):
        text = f.read_text(encoding="utf-8")
        assert "import svcgen\n" not in text and "from svcgen " not in text and "from svcgen." not in text, f
    for f in built.rglob("models.py"):
        assert "svcgen_runtime" not in f.read_text(encoding="utf-8"), f"{f}: models must need pydantic only"
