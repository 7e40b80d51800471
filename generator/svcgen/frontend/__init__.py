"""The IDL front end: read, parse, resolve. `compile_files` is its one entry point."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from svcgen import model as m
from svcgen.diagnostics import Diagnostic, ordered
from svcgen.frontend.loader import Loaded, load
from svcgen.frontend.resolve import resolve
from svcgen.source import Sources


@dataclass(frozen=True)
class Compiled:
    """The outcome for one root file: a model when there are no errors, and every diagnostic."""

    root: Path
    model: m.Model | None
    diagnostics: tuple[Diagnostic, ...]
    sources: Sources
    loaded: Loaded


@contextmanager
def _without_cycle_collector() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building the model.

    The front end allocates hundreds of thousands of small immutable objects and no cycles;
    the collector would walk all of them again and again (a third of the time of a large
    check). Reference counting still frees everything; the collector resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compile_file(root: Path, texts: dict[Path, str] | None = None) -> Compiled:
    """Parse, resolve and check one root file with its imports (stages with gates)."""
    with _without_cycle_collector():
        return _compile(root, texts)


def _compile(root: Path, texts: dict[Path, str] | None) -> Compiled:
    from svcgen.check import check  # the checker imports croniter; keep `--help` light

    loaded = load([root], texts)
    if loaded.diagnostics:
        found = ordered([*loaded.diagnostics, *loaded.notes], loaded.sources.paths)
        return Compiled(root, None, tuple(found), loaded.sources, loaded)
    files, problems = resolve(list(loaded.files.values()))
    problems.extend(loaded.notes)
    root_path = loaded.files[root.resolve()].path
    root_file = next(f for f in files if f.path == root_path)
    model = m.Model(root_file, tuple(files))
    problems.extend(check(model))
    diagnostics = tuple(ordered(problems, loaded.sources.paths))
    return Compiled(root, None if diagnostics else model, diagnostics, loaded.sources, loaded)
