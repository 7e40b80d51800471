"""Every example IDL formats to a fixed point; the shared valid files are already canonical."""

from __future__ import annotations

from pathlib import Path

import pytest
from svcgen.fmt import format_text

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared/idl/valid"  # beside the checkout, as in CI
EXAMPLES = sorted(ROOT.glob("examples/**/*.idl"))
SHARED_FILES = sorted(SHARED.glob("*.idl"))
# types.idl shows one-line bodies (`enum Color { red; green; blue; }`), which fmt splits.
NOT_CANONICAL = {"types.idl"}


@pytest.mark.parametrize("path", EXAMPLES + SHARED_FILES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_formats_idempotently(path: Path) -> None:
    once = format_text(path.read_text(encoding="utf-8"), str(path))
    assert format_text(once, str(path)) == once


@pytest.mark.skipif(not SHARED_FILES, reason="the shared IDL contract is not mounted here")
@pytest.mark.parametrize("path", [p for p in SHARED_FILES if p.name not in NOT_CANONICAL], ids=lambda p: p.name)
def test_shared_valid_files_are_canonical(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert format_text(text, str(path)) == text


def test_types_example_differs_only_by_split_one_liners() -> None:
    text = (ROOT / "examples/types/types.idl").read_text(encoding="utf-8")
    out = format_text(text)
    assert "enum Color {\n  red;\n  green;\n  blue;\n}\n" in out
    assert "message Circle {\n  radius: float @min(0);\n}\n\nmessage Square {\n" in out
    unchanged = [line for line in text.split("\n") if "{ " not in line or line.endswith("{")]
    assert all(line in out.split("\n") for line in unchanged)
