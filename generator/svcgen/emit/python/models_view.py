"""The view the models template renders: per IDL package, its declarations as ready-made lines.

Layout decisions (where black would break a line, which imports are needed, where a
union alias can stand) are made here so the template only loops.
"""

from __future__ import annotations

from dataclasses import dataclass

from svcgen import model as m
from svcgen.emit.python import layout
from svcgen.emit.python.pytypes import Imports, TypeNamer
from svcgen.emit.python.values import constraints, expression, is_factory
from svcgen.emit.render import pystr
from svcgen.naming import UNION_TAG, py_attr, py_class, py_enum_member, py_package


@dataclass(frozen=True)
class EnumMember:
    comment: str
    name: str
    value: str


@dataclass(frozen=True)
class Decl:
    """One top-level declaration; `kind` picks the template macro, the other fields what it needs."""

    kind: str  # enum | message | error | union
    name: str
    doc: str  # docstring block at class-body indent, or ''
    fields: tuple[str, ...] = ()
    members: tuple[EnumMember, ...] = ()
    body_name: str = ""
    body_doc: str = ""
    status: int = 0
    line: str = ""  # a union's alias statement
    init: str = ""  # an error's __init__ signature line(s)


@dataclass(frozen=True)
class ModelsModule:
    package: str
    folder: str
    source: str
    imports: str
    decls: tuple[Decl, ...]


def union_members(model: m.Model) -> dict[m.QualifiedName, str]:
    """Every message that is a member of some union -> its tag value (the IDL message name)."""
    out: dict[m.QualifiedName, str] = {}
    for decl in model.all_types:
        if isinstance(decl, m.Union_):
            for ref in decl.members:
                if ref.target is not None:
                    out[ref.target] = ref.target.name
    return out


def field_line(fld: m.Field, types: TypeNamer, indent: int = 4) -> str:
    """`name: Type = default-or-Field(...)` as black lays it out."""
    attr = py_attr(fld.name)
    ann = types.annotation(fld.type)
    args: list[str] = []
    if fld.default is not None and is_factory(fld.default):
        expr = expression(fld.default, fld.type, types) if fld.type.name != "json" else _json(fld, types)
        factory = {"[]": "list", "{}": "dict"}.get(expr, f"lambda: {expr}")
        args.append(f"default_factory={factory}")
    elif fld.default is not None:
        args.append(f"default={expression(fld.default, fld.type, types)}")
    elif fld.type.optional:
        args.append("default=None")
    if attr != fld.name:
        # the attribute keeps its Python name in __init__ (dataclass_transform only knows `alias`)
        args.append(f"validation_alias={pystr(fld.name)}")
        args.append(f"serialization_alias={pystr(fld.name)}")
    args.extend(constraints(fld, types))
    if fld.doc and fld.doc.strip():
        args.append(f"description={pystr(' '.join(fld.doc.split()))}")
    if len(args) == 1 and args[0].startswith("default="):
        return " " * indent + f"{attr}: {ann} = {args[0].removeprefix('default=')}"
    if not args:
        return " " * indent + f"{attr}: {ann}"
    return layout.call(f"{attr}: {ann} = Field(", args, ")", indent)


def _json(fld: m.Field, types: TypeNamer) -> str:
    assert fld.default is not None
    return expression(fld.default, fld.type, types)


def tag_line(tag: str) -> str:
    return f"    {UNION_TAG}: Literal[{pystr(tag)}] = {pystr(tag)}"


def _message(msg: m.Message, types: TypeNamer, tags: dict[m.QualifiedName, str]) -> Decl:
    lines: list[str] = []
    tag = tags.get(m.QualifiedName(msg.package, msg.name))
    if tag is not None:
        types.imports.add("typing", "Literal")
        lines.append(tag_line(tag))
    lines.extend(field_line(f, types) for f in msg.fields)
    return Decl("message", py_class(msg.name), layout.docstring(msg.doc, 4), fields=tuple(lines))


def _error(err: m.Error, types: TypeNamer) -> Decl:
    name = py_class(err.name)
    lines = tuple(field_line(f, types) for f in err.fields)
    body = f"{name}Body"
    if err.fields:
        init = f"    def __init__(self, body: {body}) -> None:"
    else:
        init = f"    def __init__(self, body: {body} | None = None) -> None:"
    types.imports.add("typing", "ClassVar")
    doc = err.doc or f"The {err.name} error."
    return Decl(
        "error",
        name,
        layout.docstring(f"{doc.strip()}\n\nHTTP status {err.status}; raise it as `raise {name}({body}(...))`.", 4),
        fields=lines,
        body_name=body,
        body_doc=layout.docstring(f"Body of the {err.name} error (HTTP {err.status}).", 4),
        status=err.status,
        init=init,
    )


def _enum(enum: m.Enum, types: TypeNamer) -> Decl:
    types.imports.add("enum", "StrEnum")
    members = tuple(EnumMember(layout.comment(v.doc, 4), py_enum_member(v.name), pystr(v.name)) for v in enum.values)
    return Decl("enum", py_class(enum.name), layout.docstring(enum.doc, 4), members=members)


def _union(union: m.Union_, types: TypeNamer) -> Decl:
    name = py_class(union.name)
    members = [types.decl_name(r.target) for r in union.members if r.target is not None]
    types.imports.add("typing", "TypeAlias")
    if len(members) == 1:  # a discriminator needs two members; one member is that message
        line = f"{name}: TypeAlias = {members[0]}"
    else:
        types.imports.add("typing", "Annotated")
        line = layout.call(
            f"{name}: TypeAlias = Annotated[", [" | ".join(members), f'Field(discriminator="{UNION_TAG}")'], "]"
        )
    return Decl("union", name, layout.docstring(union.doc, 0), line=line)


def _ordered(types_: list[m.TypeDecl], package: str) -> list[m.TypeDecl]:
    """Declaration order, except that a union alias waits until its members exist.

    An alias is a runtime expression (unlike annotations, which are deferred), so it can
    only name classes defined above it.
    """
    out: list[m.TypeDecl] = []
    waiting: list[m.Union_] = []
    defined: set[str] = set()

    def ready(u: m.Union_) -> bool:
        return all(r.target is None or r.target.package != package or r.target.name in defined for r in u.members)

    for decl in types_:
        if isinstance(decl, m.Union_) and not ready(decl):
            waiting.append(decl)
            continue
        out.append(decl)
        defined.add(decl.name)
        for u in list(waiting):
            if ready(u):
                waiting.remove(u)
                out.append(u)
                defined.add(u.name)
    return out + waiting


def module(model: m.Model, package: str, files: list[m.File], source: str) -> ModelsModule:
    imports = Imports()
    types = TypeNamer(model, package, imports)
    tags = union_members(model)
    decls: list[Decl] = []
    everything = [t for f in files for t in f.types]
    for decl in _ordered(everything, package):
        if isinstance(decl, m.Message):
            decls.append(_message(decl, types, tags))
        elif isinstance(decl, m.Error):
            decls.append(_error(decl, types))
        elif isinstance(decl, m.Enum):
            decls.append(_enum(decl, types))
        else:
            decls.append(_union(decl, types))
    if any(d.kind in ("message", "error") for d in decls):
        imports.add("..", "WireModel")
    if any(d.kind == "error" for d in decls):
        imports.add("..", "ApiError")
    text = "\n".join(d.line + "\n" + "\n".join(d.fields) for d in decls)
    if "Field(" in text:
        imports.add("pydantic", "Field")
    return ModelsModule(package, py_package(package), source, imports.block(), tuple(decls))
