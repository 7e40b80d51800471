"""Lay out Python source the way black does, so generated files are black-clean as rendered.

Only the few shapes the templates produce are covered: a call whose arguments may need
splitting, and docstrings. Black's default line length (88) is the target, since the
output lands in projects whose configuration we do not know; code that is black-clean
at 88 columns stays clean for the common wider settings only when nothing was split,
so tests check with the default.
"""

from __future__ import annotations

from svcgen.emit.render import docstring_body

LINE = 88


def call(head: str, args: list[str], tail: str = ")", indent: int = 0) -> str:
    """`head` ends with the opening bracket; the lines (without final newline) black would write.

    Black first tries one line, then moves the arguments to one indented line of their own,
    then one argument per line with a magic trailing comma.
    """
    pad = " " * indent
    one = f"{pad}{head}{', '.join(args)}{tail}"
    if len(one) <= LINE or not args:
        return one
    inner = " " * (indent + 4)
    body = inner + ", ".join(args)
    if len(body) <= LINE or len(args) == 1:
        return f"{pad}{head}\n{body}\n{pad}{tail}"
    lines = "\n".join(f"{inner}{a}," for a in args)
    return f"{pad}{head}\n{lines}\n{pad}{tail}"


def docstring(text: str | None, indent: int) -> str:
    """A docstring block at `indent` (no trailing newline), or '' for no doc."""
    if not text or not text.strip():
        return ""
    pad = " " * indent
    lines = [line.rstrip() for line in docstring_body(text.strip()).expandtabs().splitlines()]
    if len(lines) == 1:
        # black keeps a one-line docstring on one line, however long (it cannot split text)
        return f'{pad}"""{lines[0]}"""'
    out = [f'{pad}"""{lines[0]}']
    out.extend(f"{pad}{line}" if line else "" for line in lines[1:])
    out.append(f'{pad}"""')
    return "\n".join(out)


def comment(text: str | None, indent: int) -> str:
    """A `#` comment line for text that has no docstring slot (enum values), or ''."""
    if not text or not text.strip():
        return ""
    return " " * indent + "# " + " ".join(text.split())
