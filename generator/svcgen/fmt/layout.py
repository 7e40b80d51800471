"""The model as a list of output lines, each remembering the stretch of source it came from.

Comments are placed afterwards (place.py) by comparing their positions with these
stretches, so every line records where its code started and ended in the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from svcgen import model as m
from svcgen.fmt import text as t
from svcgen.fmt.text import Pos, Text
from svcgen.frontend.parser import Comment

INDENT = "  "
END_OF_FILE: Pos = (1 << 62, 0)

# How the first thing printed for a line (its first comment, or the code) is separated
# from what came before: "group" one blank line (top-level blocks), "first" none (first
# thing in a body), "keep" one blank line where the source had at least one.
Spacing = Literal["group", "first", "keep"]


@dataclass
class Line:
    depth: int
    code: str | None  # None: the end-of-file anchor, which prints only the comments before it
    start: Pos
    end: Pos  # exclusive: comments from here on are after the code
    spacing: Spacing
    closing: bool = False  # `}` or `) ...`: comments before it belong one level deeper
    # The parser takes the `///` lines above the package *name* as the package doc; when the
    # source put `package` and the name on two lines, `///` above `package` was no doc.
    docs_detached: bool = False
    leading: list[Comment] = field(default_factory=list)  # own-line comments between the previous line and this one
    inner: list[Comment] = field(default_factory=list)  # comments inside the code, printed on their own lines
    trailing: Comment | None = None
    # The source line whose doc comments the line's node takes (svcgen.frontend.comments):
    # where its first token stands, or the package name; None for imports, `}` and the end.
    doc_line: int | None = None

    @property
    def comment_depth(self) -> int:
        return self.depth + 1 if self.closing else self.depth


def layout(file: m.File, src: Text) -> list[Line]:
    lines: list[Line] = []
    package_start = src.find((1, 1), "p")
    package_end = src.find(t.end(file.package_span), ";")
    detached = package_start[0] != file.package_span.line
    lines.append(
        Line(
            0,
            f"package {file.package};",
            package_start,
            _after(package_end),
            "group",
            docs_detached=detached,
            doc_line=file.package_span.line,
        )
    )
    for i, imp in enumerate(file.imports):
        text = f"import {src.string(imp.span)};"
        lines.append(Line(0, text, t.start(imp.span), t.end(imp.span), "group" if i == 0 else "keep"))
    for decl in file.declarations:
        _declaration(decl, src, lines)
    for ln in lines[1 + len(file.imports) :]:
        if ln.doc_line is None and ln.code is not None and not ln.closing:
            ln.doc_line = ln.start[0]
    lines.append(Line(0, None, END_OF_FILE, END_OF_FILE, "group"))
    return lines


def _after(pos: Pos) -> Pos:
    return (pos[0], pos[1] + 1)


def _declaration(d: m.Declaration, src: Text, out: list[Line]) -> None:
    if isinstance(d, m.Union_):
        members = " | ".join(str(x) for x in d.members)
        out.append(Line(0, f"union {d.name} = {members};", t.start(d.span), t.end(d.span), "group"))
    elif isinstance(d, m.Topic):
        out.append(Line(0, f"topic {d.name}: {d.type};", t.start(d.span), t.end(d.span), "group"))
    elif isinstance(d, m.AuthScheme):
        out.append(Line(0, t.auth_scheme(d, src), t.start(d.span), t.end(d.span), "group"))
    elif isinstance(d, m.Enum):
        body = [Line(1, f"{v.name};", t.start(v.span), t.end(v.span), "keep") for v in d.values]
        _block(f"enum {d.name}", d, t.end(d.name_span), body, src, out)
    elif isinstance(d, m.Message):
        body = [_field_line(f) for f in d.fields]
        _block(f"message {d.name}", d, t.end(d.name_span), body, src, out)
    elif isinstance(d, m.Error):
        body = [_field_line(f) for f in d.fields]
        _block(f"error {d.name} {d.status}", d, t.end(d.status_span), body, src, out)
    else:
        body = []
        for x in d.members:
            body.extend(_member(x, src))
        head = f"service {d.name}" + (" " + t.requirement(d.requires) if d.requires else "")
        _block(head, d, t.end(d.requires.span if d.requires else d.name_span), body, src, out)


def _field_line(f: m.Field) -> Line:
    return Line(1, t.field(f) + ";", t.start(f.span), t.end(f.span), "keep")


def _block(head: str, d: m.Declaration, before_brace: Pos, body: list[Line], src: Text, out: list[Line]) -> None:
    """`head {` body `}`; an empty body with no comment in it stays `head {}`."""
    brace = src.find(before_brace, "{")
    close = (d.span.end_line, d.span.end_col - 1)
    if not body and not src.has_comment(brace, close):
        out.append(Line(0, head + " {}", t.start(d.span), t.end(d.span), "group"))
        return
    out.append(Line(0, head + " {", t.start(d.span), _after(brace), "group"))
    if body:
        body[0].spacing = "first"
    out.extend(body)
    out.append(Line(0, "}", close, t.end(d.span), "keep" if body else "first", closing=True))


def _member(x: m.Member, src: Text) -> list[Line]:
    """One line; the parameters go one per line only when a comment stands among them."""
    head, tail = t.member_head(x, src), t.member_tail(x, src)
    params = t.params_of(x)
    if params is None:
        return [Line(1, head + tail, t.start(x.span), t.end(x.span), "keep")]
    before_params = t.end(x.handler_span)
    opening = src.find(before_params, "(")
    closing = src.find(t.end(params[-1].span) if params else _after(opening), ")")
    # A trailing `///` on a parameter's line documents that parameter (when the member does not
    # start there): the parameter keeps a line of its own to carry it.
    claimed = any(p.span.line in src.trailing_docs and p.span.line != x.span.line for p in params)
    if not claimed and not src.has_comment(opening, closing):
        inside = ", ".join(t.field(p) for p in params)
        return [Line(1, f"{head}({inside}){tail}", t.start(x.span), t.end(x.span), "keep")]
    lines = [Line(1, head + "(", t.start(x.span), _after(opening), "keep")]
    for i, p in enumerate(params):
        if i < len(params) - 1:
            comma = src.find(t.end(p.span), ",")
            lines.append(Line(2, t.field(p) + ",", t.start(p.span), _after(comma), "first" if i == 0 else "keep"))
        else:
            lines.append(Line(2, t.field(p), t.start(p.span), t.end(p.span), "first" if i == 0 else "keep"))
    lines.append(Line(1, ")" + tail, closing, t.end(x.span), "keep" if params else "first", closing=True))
    return lines


def indent(depth: int) -> str:
    return INDENT * depth
