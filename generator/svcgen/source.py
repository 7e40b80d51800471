"""Source files and positions: what every diagnostic and model node points back to."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


class Span(NamedTuple):
    """A range in one source file; lines and columns start at 1, the end is exclusive.

    A named tuple rather than a frozen dataclass: a large IDL makes 100,000 of them, and a
    tuple is built twice as fast. Immutable, hashable and ordered by (file, line, col) all the same.
    """

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    @staticmethod
    def point(file: str, line: int, col: int, width: int = 1) -> Span:
        return Span(file, line, col, line, col + width)

    def part(self, text: str, start: int, end: int) -> Span:
        """The span of `text[start:end]` when this span covers exactly `text` on one line, so a
        diagnostic about part of a token (`{id}` of a path) marks that part alone; else itself."""
        if self.line != self.end_line or self.end_col - self.col != len(text) or not 0 <= start < end <= len(text):
            return self
        return Span(self.file, self.line, self.col + start, self.line, self.col + end)


@dataclass(slots=True)
class SourceFile:
    """The text of one IDL file as read, kept so diagnostics can quote its lines."""

    path: str
    text: str
    _lines: list[str] | None = field(default=None, repr=False)

    def line(self, number: int) -> str:
        if self._lines is None:
            self._lines = self.text.split("\n")
        if 1 <= number <= len(self._lines):
            return self._lines[number - 1].rstrip("\r")
        return ""


class Sources:
    """Every file read during one run, by the path diagnostics show."""

    def __init__(self) -> None:
        self._files: dict[str, SourceFile] = {}

    def add(self, source: SourceFile) -> None:
        self._files[source.path] = source

    def get(self, path: str) -> SourceFile | None:
        return self._files.get(path)

    @property
    def paths(self) -> list[str]:
        """Display paths in the order the files were read: the root, then what it imports."""
        return list(self._files)


def display_path(path: Path) -> str:
    """The path as a user would type it: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
