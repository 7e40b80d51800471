"""idl/README.md documents every error code with the exact diagnostic the checker gives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from breaking.cases import CASES as BREAKING
from svcgen.diagnostics import CODES

from .cases import CASES

README = Path(__file__).resolve().parents[2] / "idl" / "README.md"


@pytest.fixture(scope="module")
def sections() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    parts = re.split(r"^#### ([EB]\d{3}) ", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def test_every_code_has_a_section_and_nothing_else_does(sections: dict[str, str]) -> None:
    assert sorted(sections) == sorted(CODES)


@pytest.mark.parametrize("code", sorted(c for c in CODES if c.startswith("E")))
def test_section_quotes_the_exact_diagnostic(code: str, sections: dict[str, str]) -> None:
    section = sections[code]
    assert section.startswith(CODES[code][0] + "\n")
    assert CASES[code].header in section
    if CASES[code].help:
        assert f"help: {CASES[code].help}" in section


@pytest.mark.parametrize("code", sorted(BREAKING))
def test_section_quotes_the_exact_breaking_finding(code: str, sections: dict[str, str]) -> None:
    """`svcgen breaking` codes: the section shows the previous and the new version and the finding."""
    section, case = sections[code], BREAKING[code]
    assert section.startswith(CODES[code][0] + "\n")
    for text in (case.old, case.new):
        assert isinstance(text, str) and f"```\n{text}```" in section
    assert f"```text\n{case.header}\n```" in section
