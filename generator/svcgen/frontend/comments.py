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


class DocTable:
    """The doc comments of one file, handed out to nodes as the parser meets them.

    A doc belongs to the first node on the line below it: parsers ask for parents before
    children, in source order, so once a line's doc is taken, later nodes on that line
    (the values of `enum E { a; b; }`, the parameters of an endpoint) get none.
    """

    def __init__(self, comments: Iterable[Comment]) -> None:
        self._lines = {c.line: c.text[3:].removeprefix(" ") for c in comments if c.is_doc}
        self._claimed: set[int] = set()

    def __bool__(self) -> bool:
        return bool(self._lines)

    def take(self, line: int) -> str | None:
        """The doc on the lines right above `line` (no blank line between), once per line."""
        if line - 1 not in self._lines or line in self._claimed:
            return None
        self._claimed.add(line)
        lines: list[str] = []
        n = line - 1
        while n in self._lines:
            lines.append(self._lines[n])
            n -= 1
        return "\n".join(reversed(lines))
