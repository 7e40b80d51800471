"""Reading IDL files and following their imports into a list of parsed files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from svcgen import model as m
from svcgen.diagnostics import Diagnostic, did_you_mean, error
from svcgen.frontend.comments import Comment
from svcgen.frontend.parser import parse
from svcgen.source import SourceFile, Sources, Span, display_path

MAX_FILE_BYTES = 16 * 1024 * 1024  # far above any service description; keeps memory bounded


@dataclass
class Loaded:
    """Every file reached from the roots, in dependency order (imports before importers)."""

    sources: Sources = field(default_factory=Sources)
    files: dict[Path, m.File] = field(default_factory=dict)
    comments: dict[str, tuple[Comment, ...]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # the model cannot be built
    notes: list[Diagnostic] = field(default_factory=list)  # errors that do not stop resolving

    def file_for(self, path: Path) -> m.File | None:
        return self.files.get(path.resolve())


def read_source(path: Path, shown: str) -> tuple[SourceFile | None, Diagnostic | None]:
    """The file's text, or the diagnostic saying why it cannot be had."""
    here = Span.point(shown, 1, 1)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        return None, error("E001", here, path=shown, reason="it is a directory")
    except FileNotFoundError:
        return None, error("E001", here, path=shown, reason="no such file")
    except OSError as exc:
        return None, error("E001", here, path=shown, reason=exc.strerror or str(exc))
    if len(data) > MAX_FILE_BYTES:
        return None, error("E006", here, size=len(data), limit=MAX_FILE_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, error("E002", Span.point(shown, line, col), byte=data[exc.start])
    return SourceFile(shown, text.removeprefix("\ufeff")), None


def load(roots: list[Path], texts: dict[Path, str] | None = None) -> Loaded:
    """Read and parse the roots and everything they import. `texts` overrides the disk (tests, fmt)."""
    loaded = Loaded()
    state: dict[Path, str] = {}  # "active" while its imports are followed, then "done"

    def visit(path: Path, via: m.Import | None, chain: list[tuple[Path, m.Import | None]]) -> None:
        key = path.resolve()
        if state.get(key) == "done":
            return
        if state.get(key) == "active":
            names = [display_path(p) for p, _ in chain[[p for p, _ in chain].index(key) :]] + [display_path(key)]
            assert via is not None
            loaded.diagnostics.append(error("E011", via.span, cycle=" -> ".join(names)))
            return
        shown = display_path(path)
        if texts is not None and key in texts:
            source: SourceFile | None = SourceFile(shown, texts[key])
            problem = None
        else:
            source, problem = read_source(path, shown)
        if problem is not None:
            if via is not None and problem.code == "E001":
                hint = _sibling_hint(path)
                problem = error("E010", via.span, help=hint, path=via.path, reason=problem.args["reason"])
            loaded.diagnostics.append(problem)
            state[key] = "done"
            return
        assert source is not None
        loaded.sources.add(source)
        result = parse(source)
        loaded.diagnostics.extend(result.diagnostics)
        loaded.comments[shown] = result.comments
        state[key] = "active"
        if result.file is not None:
            imports: list[m.Import] = []
            first: dict[Path, m.Import] = {}
            for imp in result.file.imports:
                target = (key.parent / imp.path).resolve()
                if target in first:
                    # harmless to resolve, but surely a slip: say so and import it once
                    where = f"line {first[target].span.line}"
                    loaded.notes.append(
                        error("E012", imp.span, help=f"remove this line; the first import is on {where}", path=imp.path)
                    )
                    continue
                first[target] = imp
                imports.append(replace(imp, resolved=display_path(target)))
                visit(target, imp, [*chain, (key, via)])
            digest = hashlib.sha256(source.text.encode()).hexdigest()
            loaded.files[key] = replace(result.file, imports=tuple(imports), digest=digest)
        state[key] = "done"

    for root in roots:
        visit(root, None, [])
    return loaded


def _sibling_hint(path: Path) -> str | None:
    """'did you mean ...?' among the .idl files beside the one that is missing."""
    try:
        names = [p.name for p in path.parent.iterdir() if p.suffix == ".idl"]
    except OSError:
        return None
    return did_you_mean(path.name, names)
