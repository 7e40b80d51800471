"""Helpers of the client tests: where the IDLs are, building clients, running the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
