"""Building the previous version fast: declarations whose text did not change are taken from the new model.

A comparison compiles two versions of what is mostly the same file. The root file is cut
into top-level chunks (a line that starts `message|enum|union|error|topic|service NAME`
begins one); every chunk of the previous version whose text is also a chunk of the new one
is blanked (its lines kept, so places stay right) and its declarations are taken, as
parsed, from the new model. Only the changed chunks are parsed; then the previous version
is resolved in its own scope as usual; when that scope names the same types (of the same kinds),
topics and auth schemes as the new root's, the taken declarations bind the same way there
and are kept as already bound. Findings that point into the previous version come
from declarations that changed, so those always carry their own places. Anything unusual
returns None, and the caller compiles the previous version in full.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from svcgen import model as m
from svcgen.frontend import Compiled
from svcgen.frontend.loader import load
from svcgen.frontend.resolve import resolve
from svcgen.source import SourceFile

_START = re.compile(r"^(?:message|enum|union|error|topic|service)[ \t]+[A-Za-z_]", re.M)


def _chunks(text: str) -> list[tuple[int, int, str]]:
    """(first line, line after the last, text) of each top-level chunk; lines count from 1."""
    starts = [t.start() for t in _START.finditer(text)]
    out = []
    line = 1 + text.count("\n", 0, starts[0]) if starts else 1
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        chunk = text[start:end]
        lines = chunk.count("\n")
        out.append((line, line + lines, chunk))
        line += lines
    return out


def _scope(files: list[m.File], root: m.File) -> object:
    """What binding a name in `root` depends on: visible packages, their types' kinds, topics in order, schemes."""
    by_path = {f.path: f for f in files}
    visible = tuple(
        dict.fromkeys([root.package, *(by_path[i.resolved].package for i in root.imports if i.resolved in by_path)])
    )
    types: dict[str, dict[str, str]] = {p: {} for p in visible}
    topics: dict[str, dict[str, None]] = {p: {} for p in visible}
    auth: dict[str, dict[str, None]] = {p: {} for p in visible}
    for f in files:
        if f.package not in types:
            continue
        for d in f.declarations:
            if isinstance(d, m.Topic):
                topics[f.package].setdefault(d.name)
            elif isinstance(d, m.AuthScheme):
                auth[f.package].setdefault(d.name)
            elif not isinstance(d, m.Service):
                types[f.package].setdefault(d.name, d.kind)
    return visible, types, {p: tuple(t) for p, t in topics.items()}, auth


def previous_model(old_root: Path, old_text: str, texts: dict[Path, str] | None, new: Compiled) -> Compiled | None:
    if new.model is None:
        return None
    new_root = new.model.root
    source = new.sources.get(new_root.path)
    if source is None:
        return None
    by_line: dict[int, list[m.Declaration]] = {}
    for d in new_root.declarations:
        by_line.setdefault(d.span.line, []).append(d)
    known: dict[str, tuple[int, list[m.Declaration]]] = {}
    for first, end, text in _chunks(source.text):
        decls = [d for line in range(first, end) for d in by_line.get(line, [])]
        if decls:
            known.setdefault(text, (first, decls))
    lines = old_text.split("\n")
    taken: list[tuple[int, m.Declaration]] = []
    for first, end, text in _chunks(old_text):
        hit = known.get(text)
        if hit is None:
            continue
        for n in range(first, end):
            lines[n - 1] = ""
        taken.extend((first + (d.span.line - hit[0]), d) for d in hit[1])
    if not taken:
        return None
    key = old_root.resolve()
    loaded = load([old_root], {**(texts or {}), key: "\n".join(lines)})
    if loaded.diagnostics or key not in loaded.files:
        return None
    root = loaded.files[key]
    merged = sorted([*((d.span.line, d) for d in root.declarations), *taken], key=lambda item: item[0])
    loaded.files[key] = replace(root, declarations=tuple(d for _, d in merged))
    old_files = list(loaded.files.values())
    same = _scope(old_files, loaded.files[key]) == _scope(list(new.model.files), new_root)
    files, problems = resolve(old_files, frozenset(id(d) for _, d in taken) if same else frozenset())
    if problems:
        return None
    root_file = next(f for f in files if f.path == root.path)
    loaded.sources.add(SourceFile(root.path, old_text))  # quote the real lines, not the blanked ones
    return Compiled(old_root, m.Model(root_file, tuple(files)), (), loaded.sources, loaded)
