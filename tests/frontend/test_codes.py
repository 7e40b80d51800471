"""Every diagnostic code: produced by a real rule, with its exact message, place and help."""

from __future__ import annotations

import pytest
from svcgen.diagnostics import CODES, render_text

from .cases import CASES
from .conftest import Workspace


def test_every_code_has_a_case_and_every_case_a_code() -> None:
    assert sorted(CASES) == sorted(c for c in CODES if c.startswith("E"))  # B codes: tests/breaking


@pytest.mark.parametrize("code", sorted(CASES))
def test_code(code: str, ws: Workspace) -> None:
    case = CASES[code]
    result = ws.compile(case.files)
    assert result.diagnostics, "no diagnostic at all"
    first = result.diagnostics[0]
    assert first.code == code
    rendered = render_text(first, result.sources).split("\n")
    assert rendered[0] == case.header
    assert first.help == case.help
    assert result.model is None
