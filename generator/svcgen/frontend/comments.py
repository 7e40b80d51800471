"""Comments as the lexer found them, and which of them are doc comments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Comment:
    """A `//` or `///` comment; `own_line` when nothing but white space stands before it."""

    line: int
    col: int
    text: str
    own_line: bool

    @property
    def is_doc(self) -> bool:
        return self.own_line and self.text.startswith("///") and not self.text.startswith("////")


def doc_lines(comments: Iterable[Comment]) -> dict[int, str]:
    """Line number -> text of each doc comment line (without `///` and one space)."""
    return {c.line: c.text[3:].removeprefix(" ") for c in comments if c.is_doc}


def doc_above(docs: dict[int, str], line: int) -> str | None:
    """The doc comment on the lines right above `line` (no blank line between), if any."""
    if line - 1 not in docs:
        return None
    lines: list[str] = []
    n = line - 1
    while n in docs:
        lines.append(docs[n])
        n -= 1
    return "\n".join(reversed(lines))
