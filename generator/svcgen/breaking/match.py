"""Pairing the declarations of the previous version with those of the new one.

Files pair by their path relative to the root file's folder; a file whose package changed
maps the old package name to the new one, so a renamed package is reported once (B503) and
its declarations are still compared. Types, topics, auth schemes and services then pair by name.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from svcgen import model as m


def _relative(f: m.File, root: m.File) -> str:
    base = Path(root.path).resolve().parent
    return os.path.relpath(Path(f.path).resolve(), base)


@dataclass
class Pairing:
    old: m.Model
    new: m.Model
    packages: dict[str, str] = field(default_factory=dict)  # old package -> new package, where renamed
    renamed_files: list[tuple[m.File, m.File]] = field(default_factory=list)
    services: dict[tuple[str, str], m.Service] = field(default_factory=dict)  # old (package, name) -> new
    renamed_services: list[tuple[m.Service, m.Service]] = field(default_factory=list)

    def package(self, old: str) -> str:
        return self.packages.get(old, old)

    def type(self, old: m.QualifiedName) -> m.TypeDecl | None:
        return self.new._types.get(m.QualifiedName(self.package(old.package), old.name))

    def topic(self, old: m.Topic) -> m.Topic | None:
        return self.new._topics.get(m.QualifiedName(self.package(old.package), old.name))

    def scheme(self, old: m.QualifiedName) -> m.AuthScheme | None:
        return self.new._auth.get(m.QualifiedName(self.package(old.package), old.name))


def pair(old: m.Model, new: m.Model) -> Pairing:
    p = Pairing(old, new)
    new_files = {_relative(f, new.root): f for f in new.files}
    for f in old.files:
        g = new_files.get(_relative(f, old.root))
        if g is not None and g.package != f.package:
            p.packages.setdefault(f.package, g.package)
            p.renamed_files.append((f, g))
    _pair_services(p)
    return p


def _services(model: m.Model) -> list[m.Service]:
    return [s for f in model.files for s in f.services]


def _pair_services(p: Pairing) -> None:
    new = {(s.package, s.name): s for s in _services(p.new)}
    taken: set[tuple[str, str]] = set()
    unpaired: list[m.Service] = []
    for s in _services(p.old):
        key = (p.package(s.package), s.name)
        if key in new:
            p.services[(s.package, s.name)] = new[key]
            taken.add(key)
        else:
            unpaired.append(s)
    left = [s for key, s in new.items() if key not in taken]
    for s in unpaired:
        # a rename: the only unpaired service of its package on both sides
        mine = [t for t in left if t.package == p.package(s.package)]
        same_package_old = [u for u in unpaired if u.package == s.package]
        if len(mine) == 1 and len(same_package_old) == 1:
            p.services[(s.package, s.name)] = mine[0]
            p.renamed_services.append((s, mine[0]))
