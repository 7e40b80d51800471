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


def compile_file(root: Path, texts: dict[Path, str] | None = None, check: bool = True) -> Compiled:
    """Parse, resolve and check one root file with its imports (stages with gates).

    `check=False` stops after resolving: for a version already known to be valid (`svcgen breaking`
    reads the previous one), the model without the rules' cost.
    """
    return compile_files([root], texts, check)


def compile_files(roots: list[Path], texts: dict[Path, str] | None = None, check: bool = True) -> Compiled:
    """Several root files as one model (one build): shared imports are read and checked once."""
    with _without_cycle_collector():
        return _compile(roots, texts, check)


def _compile(roots: list[Path], texts: dict[Path, str] | None, run_checks: bool = True) -> Compiled:
    from svcgen.check import check  # the checker imports croniter; keep `--help` light

    root = roots[0]
    loaded = load(roots, texts)
    if loaded.diagnostics:
        found = ordered([*loaded.diagnostics, *loaded.notes], loaded.sources.paths)
        return Compiled(root, None, tuple(found), loaded.sources, loaded)
    files, problems = resolve(list(loaded.files.values()))
    problems.extend(loaded.notes)
    by_path = {f.path: f for f in files}
    root_files = tuple(dict.fromkeys(by_path[loaded.files[r.resolve()].path] for r in roots))
    model = m.Model(root_files[0], tuple(files), root_files if len(root_files) > 1 else ())
    if run_checks:
        problems.extend(check(model))
    diagnostics = tuple(ordered(problems, loaded.sources.paths))
    return Compiled(root, None if diagnostics else model, diagnostics, loaded.sources, loaded)
