"""IDL types as TypeScript types, JSON-faithful: what `JSON.parse` of the wire body really holds.

Decimals, dates, durations, bytes and uuids travel as strings, so they are strings here;
a reference to another package's declaration goes through `Imports`, which aliases a name
only when two packages would otherwise bring the same one into a module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from svcgen import model as m
from svcgen.naming import pascal, ts_module, ts_type

SCALARS = {
    "bool": "boolean",
    "int": "number",
    "float": "number",
    "decimal": "string",
    "string": "string",
    "bytes": "string",
    "uuid": "string",
    "date": "string",
    "time": "string",
    "datetime": "string",
    "duration": "string",
    "json": "unknown",
}

# Property names that may stand unquoted: ASCII identifiers. Anything else is quoted as a string.
_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def property_name(wire: str, quote: Callable[[str], str]) -> str:
    """A wire name as an object-type key: bare when it is an identifier, else a string literal."""
    return wire if _IDENT.fullmatch(wire) else quote(wire)


@dataclass
class Imports:
    """The names one module takes from the other modules of the build, with aliases where needed.

    `module` is the importing file's kind ("types", "client", ...); references to the same package
    resolve to local names (or to `./types` for the types module when imported from a sibling).
    """

    package: str
    module: str
    local_names: set[str] = field(default_factory=set)
    _taken: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # alias -> (path, name, kind)
    _by_key: dict[tuple[str, str], str] = field(default_factory=dict)  # (path, name) -> alias
    _type_only: dict[tuple[str, str], bool] = field(default_factory=dict)

    def name(self, package: str, name: str, module: str = "types", type_only: bool = True) -> str:
        """The identifier for `name` declared in `package`'s `module`, importing it when it lives elsewhere."""
        if package == self.package and module == self.module:
            return name
        # `.js` as Node's ESM resolution requires; tsc and bundlers map it to the .ts file
        path = f"./{module}.js" if package == self.package else f"../{ts_module(package)}/{module}.js"
        key = (path, name)
        if key in self._by_key:
            self._type_only[key] = self._type_only[key] and type_only
            return self._by_key[key]
        alias = name
        if alias in self.local_names or alias in self._taken:
            alias = pascal(package.replace(".", "_")) + name
        self._taken[alias] = (path, name, module)
        self._by_key[key] = alias
        self._type_only[key] = type_only
        return alias

    def runtime(self, name: str, type_only: bool = False) -> str:
        """A name from the shared runtime module (`runtime.ts` beside the package folders)."""
        key = ("../runtime.js", name)
        self._type_only[key] = self._type_only.get(key, True) and type_only
        self._by_key[key] = name
        self._taken[name] = (key[0], name, "runtime")
        return name

    def lines(self) -> list[str]:
        """`import` statements, sorted by path, names sorted: stable whatever the render order."""
        by_path: dict[str, list[tuple[str, str]]] = {}
        for (path, name), alias in self._by_key.items():
            by_path.setdefault(path, []).append((name, alias))
        out = []
        for path in sorted(by_path):
            keys = [(path, n) for n, _ in by_path[path]]
            type_only = all(self._type_only[k] for k in keys)
            parts = []
            for name, alias in sorted(by_path[path]):
                item = name if name == alias else f"{name} as {alias}"
                if not type_only and self._type_only[(path, name)]:
                    item = "type " + item
                parts.append(item)
            keyword = "import type" if type_only else "import"
            out.append(f'{keyword} {{ {", ".join(parts)} }} from "{path}";')
        return out


def ts_of(ref: m.TypeRef, imports: Imports) -> str:
    """The TypeScript type of a reference, `| null` included when it is optional."""
    text = _bare(ref, imports)
    return f"{text} | null" if ref.optional else text


def _bare(ref: m.TypeRef, imports: Imports) -> str:
    if ref.kind == "scalar":
        return SCALARS[ref.name]
    if ref.kind == "list":
        item = ts_of(ref.args[0], imports)
        return f"Array<{item}>" if " " in item else f"{item}[]"
    if ref.kind == "map":
        return f"Record<string, {ts_of(ref.args[1], imports)}>"
    assert ref.target is not None, f"unresolved type {ref.name}"
    name = type_name(ref.target.name)
    if ref.decl_kind == m.DeclKind.ERROR:
        name = error_body(ref.target.name)
    return imports.name(ref.target.package, name)


# Globals the generated modules use by name; a declaration may not shadow them.
GLOBALS = frozenset({"Array", "Promise", "Record", "String"})


@cache
def type_name(name: str) -> str:
    """A declaration's TypeScript name: naming.ts_type, also kept clear of the globals we use."""
    ident = ts_type(name)
    return ident + "_" if ident in GLOBALS else ident


def error_body(name: str) -> str:
    """The interface of an error's JSON body; the error class itself takes the plain name."""
    return type_name(name) + "Body"
