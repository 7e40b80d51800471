"""`svcgen fmt`: one canonical layout for IDL files, keeping every comment.

Layout rules:
- Two spaces per level; no tabs; no trailing white space; LF line ends; one newline at the end.
- `package` first; then the imports, one per line; one blank line after the package line,
  after the imports and between top-level declarations (before a declaration's own comments).
- Bodies (`message`, `error`, `enum`, `service`) hold one field, enum value or member per
  line, `}` on a line of its own; an empty body without comments is `Name {}`. Between
  members the blank lines of the source are kept, at most one; none after `{` or before `}`.
- Single spaces around `=`, `->`, `|` and after `:` and `,`; none before them or inside
  brackets: `name: map<string, list<T>>? = {"k": [1, 2]} @length(1, 80);`, `backoff 1s..60s`.
- Clauses in one order: endpoint `-> T status N throws A, B emits t.x`; rpc `-> T throws A
  timeout 5s`; consumer `retry N backoff A..B`; socket `sends T receives U`.
- Parameters stay on the member's line (no line width limit: an IDL line is one
  operation), unless a comment stands among them; then one parameter per line,
  indented one level more, and `)` starts the last line.
- Literals keep their spelling (`90s`, `"\\u00e9"`, `1e3`); a trailing comma in a list or
  map literal goes.

Comments: an own-line comment stays before the code it preceded (inside bodies, before `}`,
at the end of the file), with its blank lines kept as above; a trailing comment stays at the
end of its line, two spaces after the code (as in Python). A comment inside code that is
reflowed onto one line (`foo() // x` `-> T;`) moves onto its own line above that code, above
its doc comment; if it starts with `///`, a blank line keeps it from becoming a doc comment.
A trailing `///` documents the first node starting on its line, so it goes to the end of that
node's line wherever the code before it moves (a parameter it documents gets a line of its own);
a file where one documents nothing (E007) is not formatted.
Comment text is kept as written, but for trailing white space.

Before writing, the result is parsed again and must mean the same (svcgen.fmt.same);
otherwise the file is left as it was and the command fails.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from svcgen.diagnostics import Diagnostic, render_text
from svcgen.fmt.layout import layout
from svcgen.fmt.place import attach, render
from svcgen.fmt.same import same
from svcgen.fmt.text import Text
from svcgen.frontend.loader import read_source
from svcgen.frontend.parser import parse
from svcgen.source import SourceFile, Sources, display_path


class FormatterBug(Exception):
    """The formatted text would not mean what the input meant; nothing is written."""


@dataclass(frozen=True)
class Formatted:
    text: str | None  # None when the input has syntax errors
    diagnostics: tuple[Diagnostic, ...] = ()


def format_source(source: SourceFile, verify: bool = True) -> Formatted:
    """The canonical text of one file, or its syntax diagnostics."""
    parsed = parse(source)
    if parsed.file is None or parsed.diagnostics:  # E007 (a stray doc): no meaning to keep yet
        return Formatted(None, parsed.diagnostics)
    src = Text(source, parsed.comments)
    lines = layout(parsed.file, src)
    attach(lines, parsed.comments)
    text = render(lines, src)
    if verify:
        again = SourceFile(source.path, text)
        reparsed = parse(again)
        if reparsed.file is None or not same(parsed, source, reparsed, again):
            raise FormatterBug(source.path)
    return Formatted(text)


def format_text(text: str, path: str = "<text>") -> str:
    """Canonical text, for tests and editors; raises ValueError on a syntax error."""
    result = format_source(SourceFile(path, text))
    if result.text is None:
        raise ValueError("; ".join(d.message for d in result.diagnostics))
    return result.text


def run(files: list[Path], check_only: bool) -> int:
    """Format or check each file. 0: all formatted; 1: syntax errors or (--check) changes; 2: missing file.

    Files with syntax errors are reported and left alone; the others are still formatted.
    """
    status = 0
    errors: list[str] = []  # rendered diagnostics, printed together at the end as `svcgen check` does
    for path in files:
        shown = display_path(path)
        if not path.exists():
            print(f"error: {shown}: no such file", file=sys.stderr)
            status = 2
            continue
        source, problem = read_source(path, shown)
        if source is None:
            assert problem is not None
            errors.append(render_text(problem, Sources()))
            status = max(status, 1)
            continue
        try:
            result = format_source(source)
        except FormatterBug:
            print(
                f"svcgen: internal error: formatting {shown} would change its meaning; left unchanged", file=sys.stderr
            )
            print("please report this with the input that caused it", file=sys.stderr)
            status = max(status, 3)
            continue
        if result.text is None:
            sources = Sources()
            sources.add(source)
            errors.extend(render_text(d, sources) for d in result.diagnostics)
            status = max(status, 1)
            continue
        new = result.text.encode("utf-8")
        if new == path.read_bytes():
            continue
        if check_only:
            print(f"would reformat {shown}")
            status = max(status, 1)
        else:
            _write_atomically(path, new)
            print(f"reformatted {shown}")
    if errors:
        print("\n\n".join(errors), file=sys.stderr)
        print(f"\n{len(errors)} error{'s' if len(errors) != 1 else ''}", file=sys.stderr)
    return status


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside the file and rename over it, so a crash never leaves half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
