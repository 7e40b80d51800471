"""Targets of `svcgen build`. Each is a pure function `(model, options) -> {relative path: text}`.

Targets are imported lazily by name so that a build loads only the emitters it runs.
Python targets write at the root of the output folder (which is a Python package);
the others write into a subfolder of their own when several families are built at once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Protocol

from svcgen import model as m

Output = dict[PurePosixPath, str]


@dataclass(frozen=True)
class Options:
    """What every emitter may need beyond the model."""

    source_names: dict[str, str]  # file display path -> name shown in headers (relative, posix)

    def source_name(self, path: str) -> str:
        return self.source_names.get(path, PurePosixPath(path).name)

    def root_source(self, model: m.Model) -> str:
        """What files shared by the whole build name as their source: every root file of it."""
        return ", ".join(self.source_name(f.path) for f in model.root_files)


class Emitter(Protocol):
    def __call__(self, model: m.Model, options: Options) -> Output: ...


@dataclass(frozen=True)
class Target:
    name: str
    family: str  # "python", "typescript" or "docs": decides the subfolder in a mixed build
    module: str  # module holding `emit`
    summary: str

    def load(self) -> Callable[[m.Model, Options], Output]:
        return importlib.import_module(self.module).emit  # type: ignore[no-any-return]


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("python-models", "python", "svcgen.emit.python.models", "pydantic v2 models, enums, unions, errors"),
        Target(
            "python-server", "python", "svcgen.emit.python.server", "service class, FastAPI router, sockets, create_app"
        ),
        Target("python-client", "python", "svcgen.emit.pyclient", "async and sync httpx clients (with the models)"),
        Target("python-grpc", "python", "svcgen.emit.grpc", ".proto per package with RPCs, its _pb2.py, the servicer"),
        Target("typescript", "typescript", "svcgen.emit.typescript", "types.ts, client.ts, sockets.ts"),
        Target("docs", "docs", "svcgen.emit.docs", "openapi.json, asyncapi.yaml per package; TOPOLOGY.md"),
    )
}

# A family's subfolder when more than one family is written into one output folder.
FAMILY_FOLDERS = {"python": "", "typescript": "typescript", "docs": "docs"}

# What `--target python-server` implies so the output always imports cleanly.
IMPLIES = {
    "python-server": ("python-models",),
    "python-client": ("python-models",),
    "python-grpc": ("python-server", "python-models"),
}


def select(requested: list[str]) -> list[Target]:
    """Targets to run for `--target` values (empty or 'all': every one), in registry order."""
    names = set(TARGETS) if not requested or "all" in requested else set(requested)
    for name in list(names):
        names.update(IMPLIES.get(name, ()))
    return [t for n, t in TARGETS.items() if n in names]


def run(model: m.Model, options: Options, targets: list[Target]) -> Output:
    """Every selected emitter's output, placed in its family's folder, merged in a stable order."""
    families = {t.family for t in targets}
    out: Output = {}
    for target in targets:
        prefix = FAMILY_FOLDERS[target.family] if len(families) > 1 else ""
        for path, text in target.load()(model, options).items():
            key = PurePosixPath(prefix) / path if prefix else path
            if key in out and out[key] != text:
                raise ValueError(f"two targets write {key} with different contents")
            out[key] = text
    return dict(sorted(out.items()))
