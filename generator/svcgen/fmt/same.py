"""Whether two parses of a file mean the same: models equal but for positions, same comments.

The formatter checks this before it writes anything (as black compares ASTs), and the
tests use it as their oracle.

A doc comment above a node counts only for a node that starts its line. The parser also hands a
`///` block to every node on the line below it (`enum E { a; b; }` gives its doc to
`a` and `b` too); such copies change when a one-liner is split, and mean nothing.
A trailing `///` (`x: int; y: int;  /// doc`) always counts: it documents the first node
starting on its line wherever that node stands, and the formatter keeps it on that node.
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
    trailing = frozenset(c.line for c in result.comments if c.is_trailing_doc)
    return _node(result.file, source, trailing), sorted(comments.items())


def same(a: ParseResult, a_source: SourceFile, b: ParseResult, b_source: SourceFile) -> bool:
    return normal(a, a_source) == normal(b, b_source)


def _starts_line(source: SourceFile, line: int, col: int) -> bool:
    return not source.line(line)[: col - 1].strip()


def _doc(doc: str | None) -> str | None:
    return None if doc is None else "\n".join(x.rstrip() for x in doc.split("\n"))


def _kept_doc(doc: str, starts_line: bool, line: int, trailing: frozenset[int]) -> str | None:
    """All of a doc on a node that starts its line; elsewhere only its trailing `///`, which
    a node with a doc on a line that has one took last (DocTable.take)."""
    if starts_line:
        return _doc(doc)
    return _doc(doc.rsplit("\n", 1)[-1]) if line in trailing else None


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


def _node(node: object, source: SourceFile, trailing: frozenset[int]) -> object:
    if isinstance(node, tuple):
        return tuple(_node(x, source, trailing) for x in node)
    names = _fields(node)
    if names is None:
        return node
    out: list[object] = [type(node).__name__]
    for name in names:
        value = getattr(node, name)
        if name == "doc":
            if value is not None:
                span = getattr(node, "span")  # noqa: B009 (every node with a doc has one; mypy cannot know)
                value = _kept_doc(value, _starts_line(source, span.line, span.col), span.line, trailing)
        elif name == "package_doc":
            assert isinstance(node, m.File)
            head = source.line(node.package_span.line)[: node.package_span.col - 1].strip()
            if value is not None:
                value = _kept_doc(value, head == "package", node.package_span.line, trailing)
        else:
            value = _node(value, source, trailing)
        out.append(value)
    return tuple(out)
