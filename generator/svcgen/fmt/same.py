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


_FIELDS: dict[type, tuple[str, ...] | None] = {}  # per class: the fields compared, None if no dataclass


def _fields(node: object) -> tuple[str, ...] | None:
    cls = type(node)
    if cls not in _FIELDS:
        if dataclasses.is_dataclass(cls):
            names = (f.name for f in dataclasses.fields(cls))
            skip = {"path"} if cls is m.File else set()
            _FIELDS[cls] = tuple(n for n in names if n != "span" and not n.endswith("_span") and n not in skip)
        else:
            _FIELDS[cls] = None
    return _FIELDS[cls]


def _node(node: object, source: SourceFile) -> object:
    if isinstance(node, tuple):
        return tuple(_node(x, source) for x in node)
    names = _fields(node)
    if names is None:
        return node
    out: list[object] = [type(node).__name__]
    for name in names:
        value = getattr(node, name)
        if name == "doc":
            if value is not None:
                span = getattr(node, "span")  # noqa: B009 (every node with a doc has one; mypy cannot know)
                value = _doc(value) if _starts_line(source, span.line, span.col) else None
        elif name == "package_doc":
            assert isinstance(node, m.File)
            head = source.line(node.package_span.line)[: node.package_span.col - 1].strip()
            value = _doc(value) if head == "package" else None
        else:
            value = _node(value, source)
        out.append(value)
    return tuple(out)
