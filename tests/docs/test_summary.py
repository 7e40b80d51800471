"""An operation's summary is the first sentence of its doc, even when the sentence wraps over
several `///` lines (the summary used to be the first line, cut mid-sentence)."""

from __future__ import annotations

import pytest
from svcgen.naming import summary_line


@pytest.mark.parametrize(
    "doc, summary",
    [
        (
            "Store a task and announce it. A retry with the same\nkey gets the first task.",
            "Store a task and announce it.",
        ),
        (
            "Store a task and announce it\nto every consumer. Then more.",
            "Store a task and announce it to every consumer.",
        ),
        ("One task by id", "One task by id"),
        ("Version v1.2 of the rules applies. Always!", "Version v1.2 of the rules applies."),
        ("Is it there? Ask the index.", "Is it there?"),
        ("First paragraph\nwraps\n\nSecond paragraph.", "First paragraph wraps"),
        ("  \n", None),
        (None, None),
    ],
)
def test_summary_is_the_first_sentence_on_one_line(doc: str | None, summary: str | None) -> None:
    assert summary_line(doc) == summary
