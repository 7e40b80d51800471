"""IDL types as Python annotations, with the imports each generated module needs.

One `Imports` per output module collects what its annotations reference; the block is
rendered sorted the way ruff's isort rules expect, so the output never depends on the
order in which things were rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from svcgen import model as m
from svcgen.naming import py_class, py_package

# scalar -> (annotation, (module, name) to import or None for a plain `import module`)
SCALARS: dict[str, tuple[str, tuple[str, str | None] | None]] = {
    "bool": ("bool", None),
    "int": ("int", None),
    "float": ("float", None),
    "decimal": ("decimal.Decimal", ("decimal", None)),
    "string": ("str", None),
    "bytes": ("bytes", None),
    "uuid": ("uuid.UUID", ("uuid", None)),
    "date": ("datetime.date", ("datetime", None)),
    "time": ("datetime.time", ("datetime", None)),
    # an offset is required on the wire; naive datetimes are rejected
    "datetime": ("AwareDatetime", ("pydantic", "AwareDatetime")),
    "duration": ("datetime.timedelta", ("datetime", None)),
    "json": ("JsonValue", ("pydantic", "JsonValue")),
}

STDLIB = frozenset({"abc", "asyncio", "collections", "dataclasses", "datetime", "decimal", "enum", "typing", "uuid"})


@dataclass
class Imports:
    """What one module imports: plain modules, `from` names, relative `from` names."""

    modules: set[str] = field(default_factory=set)
    names: dict[str, set[str]] = field(default_factory=dict)

    def add(self, module: str, name: str | None = None) -> None:
        if name is None:
            self.modules.add(module)
        else:
            self.names.setdefault(module, set()).add(name)

    def block(self) -> str:
        """The import block: future, stdlib, third party, relative; as ruff's isort sorts it."""
        std: list[str] = []
        third: list[str] = []
        local: list[str] = []
        for module in sorted(self.modules):
            (std if module in STDLIB else third).append(f"import {module}")
        for module in sorted(self.names, key=_from_key):
            names = ", ".join(sorted(self.names[module], key=_name_key))
            line = f"from {module} import {names}"
            if len(line) > 88:
                inner = "\n".join(f"    {n}," for n in sorted(self.names[module], key=_name_key))
                line = f"from {module} import (\n{inner}\n)"
            if module.startswith("."):
                local.append(line)
            elif module.split(".")[0] in STDLIB or module in STDLIB:
                std.append(line)
            else:
                third.append(line)
        groups = [["from __future__ import annotations"], std, third, local]
        return "\n\n".join("\n".join(g) for g in groups if g)


def _from_key(module: str) -> tuple[int, str]:
    # relative imports last, the furthest (most dots) first, as ruff orders them
    dots = len(module) - len(module.lstrip("."))
    return (-dots, module.lstrip(".").lower())


def _name_key(name: str) -> tuple[int, str]:
    # isort's force-sort-within-sections off, case-sensitive: CONSTANTS, Classes, functions
    kind = 0 if name.isupper() and len(name) > 1 else (1 if name[:1].isupper() else 2)
    return (kind, name)


class TypeNamer:
    """Annotations for type references as seen from one package's generated module."""

    def __init__(self, model: m.Model, package: str, imports: Imports, module: str = "models") -> None:
        self.model = model
        self.package = package
        self.imports = imports
        self.module = module  # the module being written: names from `models` need importing elsewhere

    def decl_name(self, target: m.QualifiedName) -> str:
        decl = self.model.type(target)
        name = py_class(decl.name) + ("Body" if isinstance(decl, m.Error) else "")
        self.ref(target.package, name)
        return name

    def ref(self, package: str, name: str) -> None:
        """Import `name` from `package`'s models module unless it is defined in this very module."""
        if package == self.package and self.module == "models":
            return
        if package == self.package:
            self.imports.add(".models", name)
        else:
            self.imports.add(f"..{py_package(package)}.models", name)

    def annotation(self, ref: m.TypeRef) -> str:
        text = self._bare(ref)
        return f"{text} | None" if ref.optional else text

    def _bare(self, ref: m.TypeRef) -> str:
        if ref.kind == "scalar":
            text, imp = SCALARS[ref.name]
            if imp is not None:
                self.imports.add(*imp)
            return text
        if ref.kind == "list":
            return f"list[{self.annotation(ref.args[0])}]"
        if ref.kind == "map":
            return f"dict[{self.annotation(ref.args[0])}, {self.annotation(ref.args[1])}]"
        assert ref.target is not None, f"unresolved type {ref.name}"
        return self.decl_name(ref.target)
