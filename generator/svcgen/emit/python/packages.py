"""IDL packages of a model in dependency order, with the files (and header source) of each."""

from __future__ import annotations

from dataclasses import dataclass

from svcgen import model as m
from svcgen.emit import Options
from svcgen.emit.render import PY_HEADER
from svcgen.naming import py_package


@dataclass(frozen=True)
class Package:
    name: str
    folder: str
    files: tuple[m.File, ...]
    header: str

    @property
    def services(self) -> tuple[m.Service, ...]:
        return tuple(s for f in self.files for s in f.services)


def packages(model: m.Model, options: Options) -> list[Package]:
    """One entry per IDL package; two files of one package share one Python module."""
    grouped: dict[str, list[m.File]] = {}
    for f in model.files:
        grouped.setdefault(f.package, []).append(f)
    out = []
    for name, files in grouped.items():
        source = ", ".join(options.source_name(f.path) for f in files)
        out.append(Package(name, py_package(name), tuple(files), PY_HEADER.format(source=source)))
    return out
