"""Canonical text of model pieces, and the few source lookups the layout needs.

The model keeps nearly everything the formatter prints; what it does not keep
(a duration as written, an import's string literal, where `{` or `(` stands) is
read back from the source text, whose positions the parser recorded.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from svcgen import model as m
from svcgen.frontend.parser import Comment
from svcgen.source import SourceFile, Span

Pos = tuple[int, int]  # (line, column), 1-based, as in spans and comments

_DURATION = re.compile(r"[0-9]+(?:ms|s|m|h|d)")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def start(span: Span) -> Pos:
    return (span.line, span.col)


def end(span: Span) -> Pos:
    return (span.end_line, span.end_col)


class Text:
    """The source of one file, addressed by (line, column); knows where its comments are."""

    def __init__(self, source: SourceFile, comments: tuple[Comment, ...]) -> None:
        self.source = source
        self.text = source.text
        self._line_starts = [0]
        for i, ch in enumerate(self.text):
            if ch == "\n":
                self._line_starts.append(i + 1)
        self._comment_positions = sorted((c.line, c.col) for c in comments)
        self.trailing_docs = {c.line for c in comments if c.is_trailing_doc}  # `x: int;  /// doc`
        # the comments that stay where they stand; a trailing doc goes to the node it documents
        self._staying = sorted((c.line, c.col) for c in comments if not c.is_trailing_doc)

    def offset(self, pos: Pos) -> int:
        return self._line_starts[pos[0] - 1] + pos[1] - 1

    def pos(self, offset: int) -> Pos:
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:  # the last line start at or before offset
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return (lo + 1, offset - self._line_starts[lo] + 1)

    def find(self, after: Pos, char: str) -> Pos:
        """Where `char` stands next, skipping white space and comments (nothing else may come first)."""
        i = self.offset(after)
        while i < len(self.text):
            ch = self.text[i]
            if ch == char:
                return self.pos(i)
            if ch == "/" and self.text.startswith("//", i):
                newline = self.text.find("\n", i)
                i = len(self.text) if newline == -1 else newline
                continue
            if not ch.isspace():
                break
            i += 1
        raise AssertionError(f"expected {char!r} after {after} in {self.source.path}")

    def code(self, span: Span) -> str:
        """The source of a span with its comments blanked out."""
        lo, hi = self.offset(start(span)), self.offset(end(span))
        chars = list(self.text[lo:hi])
        first = bisect_left(self._comment_positions, start(span))
        for line, col in self._comment_positions[first:]:
            at = self.offset((line, col))
            if at >= hi:
                break
            stop = self.text.find("\n", at)
            stop = hi if stop == -1 else min(stop, hi)
            chars[at - lo : stop - lo] = " " * (stop - at)
        return "".join(chars)

    def has_comment(self, after: Pos, before: Pos) -> bool:
        """Whether a comment that stays in place (not a trailing doc) stands between the two."""
        i = bisect_right(self._staying, after)
        return i < len(self._staying) and self._staying[i] < before

    def blank_between(self, first_line: int, last_line: int) -> bool:
        """Whether some line strictly between the two holds nothing but white space."""
        return any(not self.source.line(n).strip() for n in range(first_line + 1, last_line))

    def starts_line(self, pos: Pos) -> bool:
        return not self.source.line(pos[0])[: pos[1] - 1].strip()

    def durations(self, span: Span) -> list[str]:
        return _DURATION.findall(self.code(span))

    def string(self, span: Span) -> str:
        found = _STRING.search(self.code(span))
        assert found, f"no string literal in {span}"
        return found.group(0)


def value(v: m.Value) -> str:
    if v.kind == "list":
        return "[" + ", ".join(value(i) for i in v.items) + "]"
    if v.kind == "map":
        return "{" + ", ".join(f"{k.text}: {value(x)}" for k, x in v.entries) + "}"
    return v.text


def annotation(a: m.Annotation) -> str:
    args = "(" + ", ".join(value(v) for v in a.args) + ")" if a.has_parens else ""
    return f"@{a.name}{args}"


def field(f: m.Field) -> str:
    """A field or parameter, without the `;` or `,` after it."""
    text = f"{f.name}: {f.type}"
    if f.default is not None:
        text += f" = {value(f.default)}"
    return text + "".join(" " + annotation(a) for a in f.annotations)


def requirement(r: m.Requirement) -> str:
    scopes = "(" + ", ".join(v.text for v in r.scopes) + ")" if r.has_parens else ""
    return f"requires {r.scheme}{scopes}"


def auth_scheme(d: m.AuthScheme, src: Text) -> str:
    kind = "bearer" if d.kind == "bearer" else f"apikey {d.location} {src.string(d.key_span)}"  # type: ignore[arg-type]
    return f"auth {d.name} = {kind} -> {d.claims};"


def member_head(x: m.Member, src: Text) -> str:
    """What comes before a member's parameter list (or the whole member when it has none, minus clauses)."""
    if isinstance(x, m.Endpoint):
        return f"{x.method} {x.path} {x.handler}"
    if isinstance(x, m.Rpc):
        return f"rpc {x.handler}"
    if isinstance(x, m.Socket):
        return f"socket {x.path} {x.handler}"
    if isinstance(x, m.Consumer):
        return f"on {x.pattern} {x.handler}"
    when = src.code(x.when_span).strip()
    return f"every {when} {x.handler}"


def member_tail(x: m.Member, src: Text) -> str:
    """Everything after the parameter list: return type and clauses in their fixed order, and `;`."""
    parts: list[str] = []
    if isinstance(x, (m.Endpoint, m.Rpc)) and x.returns is not None:
        parts.append(f"-> {x.returns}")
    if isinstance(x, m.Endpoint):
        if x.status is not None:
            parts.append(f"status {x.status}")
        if x.throws:
            parts.append("throws " + ", ".join(str(t) for t in x.throws))
        if x.emits:
            parts.append("emits " + ", ".join(t.name for t in x.emits))
    elif isinstance(x, m.Rpc):
        if x.throws:
            parts.append("throws " + ", ".join(str(t) for t in x.throws))
        if x.timeout_span is not None:
            parts.append(f"timeout {src.code(x.timeout_span).strip()}")
    elif isinstance(x, m.Consumer):
        if x.retry is not None:
            parts.append(f"retry {x.retry}")
        if x.backoff_span is not None:
            low, high = src.durations(x.backoff_span)
            parts.append(f"backoff {low}..{high}")
    elif isinstance(x, m.Schedule):
        if x.overlap:
            parts.append("overlap")
    elif isinstance(x, m.Socket):
        if x.sends is not None:
            parts.append(f"sends {x.sends}")
        if x.receives is not None:
            parts.append(f"receives {x.receives}")
    if isinstance(x, (m.Endpoint, m.Rpc, m.Socket)):
        if x.requires is not None:
            parts.append(requirement(x.requires))
        if x.public:
            parts.append("public")
    return "".join(" " + p for p in parts) + ";"


def params_of(x: m.Member) -> tuple[m.Field, ...] | None:
    """The parameter list, or None for members that have none (consumers, schedules)."""
    return x.params if isinstance(x, (m.Endpoint, m.Rpc, m.Socket)) else None
