"""Builds shared by the Python target tests: every valid IDL and example, into one tmp folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from svcgen.build import generate
from svcgen.frontend import compile_file

ROOT = Path(__file__).resolve().parents[2]
# The shared IDL contract lies beside the checkout (as in CI); without it the examples still run.
VALID = sorted(p for p in (ROOT.parent / "shared/idl/valid").glob("*.idl") if p.name != "common.idl")
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*/*.idl") if p.stem == p.parent.name)
EXTRA = sorted((Path(__file__).parent / "idl").glob("*.idl"))
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
