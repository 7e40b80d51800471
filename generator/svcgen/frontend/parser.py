"""Text to model nodes: the one entry point `parse`, and what it returns.

Two parsers read the language. `fastparse` (hand-written, about ten times faster) reads
every well-formed file; whatever it does not accept goes to `larkparse`, the Lark LALR
parser of `idl/svc.lark`, which defines the language and words every syntax error. Lark is
imported only then, which keeps start-up light.
"""

from __future__ import annotations

from dataclasses import dataclass

from svcgen import model as m
from svcgen.diagnostics import Diagnostic, error
from svcgen.frontend.comments import Comment
from svcgen.frontend.fastparse import Fault, parse_fast
from svcgen.source import SourceFile, Span

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
        return ParseResult(file, comments, stray_docs(file, comments))
    from svcgen.frontend.larkparse import parse_with_lark

    result = parse_with_lark(source)
    if result.file is None:
        return result
    return ParseResult(result.file, result.comments, stray_docs(result.file, result.comments))


def stray_docs(file: m.File, comments: tuple[Comment, ...]) -> tuple[Diagnostic, ...]:
    """E007 for a trailing `///` on a line where no node starts (`}  /// the end`): it would
    document nothing, and a doc is never dropped without a word."""
    trailing = [c for c in comments if c.is_trailing_doc]
    if not trailing:
        return ()
    starts = {file.package_span.line}  # the lines the parsers ask the DocTable about, as they do
    for d in file.declarations:
        starts.add(d.span.line)
        if isinstance(d, (m.Message, m.Error)):
            starts.update(f.span.line for f in d.fields)
        elif isinstance(d, m.Enum):
            starts.update(v.span.line for v in d.values)
        elif isinstance(d, m.Service):  # not a union's members: type names take no doc
            for x in d.members:
                starts.add(x.span.line)
                if isinstance(x, (m.Endpoint, m.Rpc, m.Socket)):
                    starts.update(p.span.line for p in x.params)
    return tuple(
        error(
            "E007",
            Span.point(file.path, c.line, c.col, len(c.text)),
            help="put it on a line of its own above what it documents, or make it a plain '//' comment",
        )
        for c in trailing
        if c.line not in starts
    )
