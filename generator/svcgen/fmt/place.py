"""Comments onto the laid-out lines, then the lines to text.

A comment inside a line's stretch of source goes on its own line above that line's
code (the code is reflowed, so it has nowhere else to go); an own-line comment goes
before the first line that starts after it; a trailing comment stays at the end of
the line whose code precedes it.
"""

from __future__ import annotations

from bisect import bisect_right

from svcgen.fmt.layout import Line, indent
from svcgen.fmt.text import Text
from svcgen.frontend.parser import Comment


def attach(lines: list[Line], comments: tuple[Comment, ...]) -> None:
    starts = [ln.start for ln in lines]
    owners: dict[int, Line] = {}  # source line -> the laid-out line of the first node starting there
    for ln in lines:
        if ln.doc_line is not None:
            owners.setdefault(ln.doc_line, ln)
    for c in comments:
        pos = (c.line, c.col)
        i = bisect_right(starts, pos) - 1  # the last line starting at or before the comment
        owner = owners.get(c.line) if c.is_trailing_doc else None
        if owner is not None:
            # A trailing `///` documents the first node starting on its line (svcgen.frontend.comments):
            # it goes to the end of that node's laid-out line, wherever the code after it is moved.
            if owner.trailing is not None:  # a plain comment that came first; it moves above the code
                owner.inner.append(owner.trailing)
            owner.trailing = c
        elif i >= 0 and pos < lines[i].end:
            lines[i].inner.append(c)
        elif c.own_line or i < 0:
            lines[i + 1].leading.append(c)
        elif lines[i].trailing is None:
            lines[i].trailing = c
        else:  # the code spans lines and a trailing doc on its first line took the place
            lines[i + 1].leading.append(c)  # on its own line below, as if it stood there (in `{}` too)


def _doc_like(c: Comment) -> bool:
    return c.text.startswith("///") and not c.text.startswith("////")


def _doc_block(line: Line) -> int:
    """Where the `///` comments directly above the line's code begin in `line.leading`."""
    at, above = len(line.leading), line.start[0]
    while at > 0 and _doc_like(line.leading[at - 1]) and line.leading[at - 1].line == above - 1:
        at -= 1
        above -= 1
    return at


def render(lines: list[Line], src: Text) -> str:
    out: list[str] = []
    last_line = 0  # the source line of the last thing printed, to see blank lines in between

    for ln in lines:
        # Inner comments go right above the code, but above its doc comments, which must
        # stay directly on top of the declaration they document.
        split = _doc_block(ln)
        plain, docs = ln.leading[:split], ln.leading[split:]
        pad = indent(ln.comment_depth)
        items: list[tuple[int, str]] = [(c.line, pad + c.text.rstrip()) for c in plain + docs]
        if ln.code is not None:
            code = indent(ln.depth) + ln.code
            if ln.trailing is not None:
                code += "  " + ln.trailing.text.rstrip()
            items.append((ln.start[0], code))
        blanks = []
        for k, (line_no, _) in enumerate(items):
            if ln.closing and k == len(items) - 1 and ln.code is not None:
                blank = False
            elif k == 0:
                blank = _first_blank(ln, last_line, line_no, src, at_top=not out)
            else:
                blank = src.blank_between(items[k - 1][0], line_no)
            blanks.append(blank)
        if ln.docs_detached and docs:
            blanks[-1] = True
        if ln.inner:
            moved = [(0, pad + c.text.rstrip()) for c in ln.inner]
            moved_blanks = [blanks[split] if split < len(blanks) else False] + [False] * (len(moved) - 1)
            if split < len(blanks):
                # a `///` right above the code would become its doc comment
                blanks[split] = _doc_like(ln.inner[-1]) and not ln.closing
            items[split:split] = moved
            blanks[split:split] = moved_blanks
        for blank, (_, text) in zip(blanks, items, strict=True):
            if blank:
                out.append("")
            out.append(text)
        if items:
            last_line = ln.end[0] if ln.code is not None else items[-1][0]
    return "\n".join(out) + "\n"


def _first_blank(ln: Line, last_line: int, line_no: int, src: Text, at_top: bool) -> bool:
    if at_top:
        return False
    if ln.spacing == "group":
        return True
    if ln.spacing == "first":
        return False
    return src.blank_between(last_line, line_no)
