"""Text to model nodes: the one entry point `parse`, and what it returns.

Two parsers read the language. `fastparse` (hand-written, about ten times faster) reads
every well-formed file; whatever it does not accept goes to `larkparse`, the Lark LALR
parser of `idl/svc.lark`, which defines the language and words every syntax error. Lark is
imported only then, which keeps start-up light.
"""

from __future__ import annotations

from dataclasses import dataclass

from svcgen import model as m
from svcgen.diagnostics import Diagnostic
from svcgen.frontend.comments import Comment
from svcgen.frontend.fastparse import Fault, parse_fast
from svcgen.source import SourceFile

__all__ = ["Comment", "ParseResult", "parse"]


@dataclass(frozen=True, slots=True)
class ParseResult:
    file: m.File | None
    comments: tuple[Comment, ...]
    diagnostics: tuple[Diagnostic, ...]


def parse(source: SourceFile) -> ParseResult:
    """Parse one file. Syntax errors come back as diagnostics; this never raises on any input."""
    try:
        fast = parse_fast(source)
    except Fault as exc:
        return ParseResult(None, (), (exc.diagnostic,))
    if fast is not None:
        file, comments = fast
        return ParseResult(file, comments, ())
    from svcgen.frontend.larkparse import parse_with_lark

    return parse_with_lark(source)
