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
        return self.own_line and self.is_doc_text

    @property
    def is_trailing_doc(self) -> bool:
        """`id: uuid;  /// the id`: documents the first node that starts on its line."""
        return not self.own_line and self.is_doc_text

    @property
    def is_doc_text(self) -> bool:
        return self.text.startswith("///") and not self.text.startswith("////")

    @property
    def doc_text(self) -> str:
        return self.text[3:].removeprefix(" ")


class DocTable:
    """The doc comments of one file, handed out to nodes as the parser meets them.

    A doc belongs to the first node on the line below it: parsers ask for parents before
    children, in source order, so once a line's doc is taken, later nodes on that line
    (the values of `enum E { a; b; }`, the parameters of an endpoint) get none.
    """

    def __init__(self, comments: Iterable[Comment]) -> None:
        comments = list(comments)
        self._lines = {c.line: c.doc_text for c in comments if c.is_doc}
        # A trailing `///` documents the node its line starts, as one reads `id: uuid; /// the id`
        # (Doxygen's `///<`); it follows any doc above that node. A line where no node starts
        # leaves it unclaimed: the parser reports that (E007) rather than drop it.
        self._trailing = {c.line: c.doc_text for c in comments if c.is_trailing_doc}
        self._claimed: set[int] = set()

    def __bool__(self) -> bool:
        return bool(self._lines or self._trailing)

    def take(self, line: int) -> str | None:
        """The doc on the lines right above `line` (no blank line between) and at the end of
        `line`, once per line."""
        if line in self._claimed or (line - 1 not in self._lines and line not in self._trailing):
            return None
        self._claimed.add(line)
        lines: list[str] = []
        n = line - 1
        while n in self._lines:
            lines.append(self._lines[n])
            n -= 1
        lines.reverse()
        if line in self._trailing:
            lines.append(self._trailing[line])
        return "\n".join(lines)
