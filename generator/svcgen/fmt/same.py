"""Whether two parses of a file mean the same: models equal but for positions, same comments.

The formatter checks this before it writes anything (as black compares ASTs), and the
tests use it as their oracle.

A doc comment counts only for a node that starts its line. The parser also hands a
`///` block to every node on the line below it (`enum E { a; b; }` gives its doc to
`a` and `b` too); such copies change when a one-liner is split, and mean nothing.
Trailing white space of doc lines is dropped, as the formatter drops it.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from svcgen import model as m
from svcgen.frontend.parser import ParseResult
from svcgen.source import SourceFile


def normal(result: ParseResult, source: SourceFile) -> object:
    """The parse as plain nested tuples: no spans, docs as described above, comments as a multiset."""
    assert result.file is not None
    comments = Counter(c.text.rstrip() for c in result.comments)
    return _node(result.file, source), sorted(comments.items())


def same(a: ParseResult, a_source: SourceFile, b: ParseResult, b_source: SourceFile) -> bool:
    return normal(a, a_source) == normal(b, b_source)


def _starts_line(source: SourceFile, line: int, col: int) -> bool:
    return not source.line(line)[: col - 1].strip()


def _doc(doc: str | None) -> str | None:
    return None if doc is None else "\n".join(x.rstrip() for x in doc.split("\n"))


def _node(node: object, source: SourceFile) -> object:
    if isinstance(node, tuple):
        return tuple(_node(x, source) for x in node)
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    out: list[tuple[str, object]] = [("node", type(node).__name__)]
    for f in dataclasses.fields(node):
        if f.name == "span" or f.name.endswith("_span") or (f.name == "path" and isinstance(node, m.File)):
            continue
        value = getattr(node, f.name)
        if f.name == "doc":
            span = getattr(node, "span")  # noqa: B009 (every node with a doc has one; mypy cannot know)
            value = _doc(value) if _starts_line(source, span.line, span.col) else None
        elif f.name == "package_doc" and isinstance(node, m.File):
            head = source.line(node.package_span.line)[: node.package_span.col - 1].strip()
            value = _doc(value) if head == "package" else None
        out.append((f.name, _node(value, source)))
    return tuple(out)
