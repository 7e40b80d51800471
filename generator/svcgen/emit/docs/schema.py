"""JSON Schema of IDL types, as the generated pydantic models publish it (without importing them).

The shapes follow pydantic v2's JSON Schema of the generated models (see emit/python/models_view.py), so
the build-time OpenAPI matches the running app's `/openapi.json`: titles from field names, defaults in
their wire form, `anyOf [T, null]` for optional, `oneOf` with a discriminator for unions, `JsonValue`
for `json`. A message that holds a `decimal` anywhere below it reads `number | string` and writes
`string`, so where it is both read and written FastAPI publishes it twice, `Name-Input` and
`Name-Output`; `Namer` makes the same choice.
"""

from __future__ import annotations

import base64
import inspect
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

from svcgen import model as m
from svcgen.naming import UNION_TAG, py_class

Mode = Literal["input", "output"]
JSON = dict[str, Any]
JSON_VALUE = "JsonValue"

_SCALARS: dict[str, JSON] = {
    "bool": {"type": "boolean"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "string": {"type": "string"},
    "bytes": {"type": "string", "contentEncoding": "base64", "contentMediaType": "application/octet-stream"},
    "uuid": {"type": "string", "format": "uuid"},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "format": "time"},
    "datetime": {"type": "string", "format": "date-time"},
    "duration": {"type": "string", "format": "duration"},
}


def title(name: str) -> str:
    """pydantic's default title of a field: `next_cursor` -> `Next Cursor`."""
    return name.title().replace("_", " ")


def decl_name(decl: m.TypeDecl) -> str:
    """The class name of a declaration's schema (an error publishes its body model)."""
    return py_class(decl.name) + ("Body" if isinstance(decl, m.Error) else "")


def class_doc(doc: str | None) -> str | None:
    """A declaration's doc as pydantic reads it back from the generated class docstring."""
    if not doc or not doc.strip():
        return None
    return inspect.cleandoc("\n".join(line.rstrip() for line in doc.strip().expandtabs().splitlines()))


def one_line(doc: str | None) -> str | None:
    return " ".join(doc.split()) if doc and doc.strip() else None


class Namer:
    """Component names and which declarations are reachable in which mode; filled by `use`."""

    def __init__(self, model: m.Model, prefix: str = "#/components/schemas/", asyncapi: bool = False) -> None:
        self.model = model
        self.prefix = prefix
        self.asyncapi = asyncapi  # AsyncAPI's discriminator is the property name alone
        self.used: dict[Mode, dict[m.QualifiedName, None]] = {"input": {}, "output": {}}
        self.json_value = False
        self._differs: dict[m.QualifiedName, bool] = {}
        self._names: dict[m.QualifiedName, str] = {}
        # messages that are members of a union carry the tag property `type`
        self.members = {
            r.target for d in model.all_types if isinstance(d, m.Union_) for r in d.members if r.target is not None
        }

    def use(self, ref: m.TypeRef, mode: Mode) -> None:
        """Record every declaration reachable from `ref` in `mode`."""
        stack = [ref]
        while stack:
            r = stack.pop()
            for t in m.walk_types(r):
                if t.kind == "scalar" and t.name == "json":
                    self.json_value = True
                if t.target is None or t.target in self.used[mode]:
                    continue
                decl = self.model.type(t.target)
                self.used[mode][t.target] = None
                if isinstance(decl, (m.Message, m.Error)):
                    stack.extend(f.type for f in decl.fields)
                elif isinstance(decl, m.Union_):
                    stack.extend(decl.members)

    def differs(self, name: m.QualifiedName) -> bool:
        """Whether reading and writing publish different schemas (a decimal somewhere below)."""
        if name in self._differs:
            return self._differs[name]
        self._differs[name] = False  # a cycle adds nothing
        decl = self.model.type(name)
        refs: Iterable[m.TypeRef] = ()
        if isinstance(decl, (m.Message, m.Error)):
            refs = (f.type for f in decl.fields)
        elif isinstance(decl, m.Union_):
            refs = decl.members
        result = any(
            (t.kind == "scalar" and t.name == "decimal") or (t.target is not None and self.differs(t.target))
            for r in refs
            for t in m.walk_types(r)
        )
        self._differs[name] = result
        return result

    def name(self, target: m.QualifiedName, mode: Mode) -> str:
        base = self._names.get(target)
        if base is None:
            base = self._names[target] = decl_name(self.model.type(target))
        both = target in self.used["input"] and target in self.used["output"]
        if both and self.differs(target):
            return f"{base}-{'Input' if mode == 'input' else 'Output'}"
        return base

    def ref(self, target: m.QualifiedName, mode: Mode) -> str:
        return self.prefix + self.name(target, mode)

    def components(self) -> dict[str, JSON]:
        """Every reachable named schema (unions are inline, as pydantic writes them), sorted by name."""
        out: dict[str, JSON] = {}
        for mode in ("input", "output"):
            for target in self.used[mode]:
                decl = self.model.type(target)
                if not isinstance(decl, m.Union_):
                    out.setdefault(self.name(target, mode), declaration(decl, self, mode))
        if self.json_value:
            out[JSON_VALUE] = {}
        return dict(sorted(out.items()))


def declaration(decl: m.TypeDecl, namer: Namer, mode: Mode) -> JSON:
    if isinstance(decl, m.Enum):
        out: JSON = {"type": "string", "enum": [v.name for v in decl.values], "title": decl.name}
        doc = class_doc(decl.doc)
        if doc:
            out["description"] = doc
        return out
    assert isinstance(decl, (m.Message, m.Error))
    props: JSON = {}
    required: list[str] = []
    if isinstance(decl, m.Message) and m.QualifiedName(decl.package, decl.name) in namer.members:
        props[UNION_TAG] = {"type": "string", "const": decl.name, "title": title(UNION_TAG), "default": decl.name}
    for f in decl.fields:
        props[f.name] = field(f, namer, mode)
        if f.required:
            required.append(f.name)
    out = {"properties": props, "type": "object"}
    if required:
        out["required"] = required
    out["title"] = decl_name(decl)
    if isinstance(decl, m.Error):
        out["description"] = f"Body of the {decl.name} error (HTTP {decl.status})."
    elif class_doc(decl.doc):
        out["description"] = class_doc(decl.doc)
    return out


def field(f: m.Field, namer: Namer, mode: Mode, *, param: bool = False) -> JSON:
    """A field's or (`param`) an HTTP parameter's schema: type, constraints, title, description, default."""
    out = type_schema(f.type, namer, mode, constraints(f))
    # FastAPI titles a parameter unless its schema is a bare reference
    if _titled(f.type, namer.model) or (param and f.type.optional):
        out["title"] = title(f.name)
    doc = one_line(f.doc)
    if doc:
        out["description"] = doc
    if f.default is not None and f.default.kind not in ("list", "map"):
        value = wire_value(f.default, f.type, namer.model)
        if value is not None:
            out["default"] = value
    if f.annotation("deprecated") is not None:
        out["deprecated"] = True
    return out


def _titled(ref: m.TypeRef, model: m.Model) -> bool:
    """pydantic leaves the title off a field that is a reference (model, enum, `json`), nullable or not."""
    if ref.kind == "scalar":
        return ref.name != "json"
    if ref.kind == "named":
        return ref.decl_kind == m.DeclKind.UNION
    return True


def constraints(f: m.Field) -> JSON:
    """@min/@max/@length/@pattern as JSON Schema keywords for the field's own (non-null) type."""
    out: JSON = {}
    base = f.type.name if f.type.kind == "scalar" else f.type.kind
    for ann, key in (("min", "minimum"), ("max", "maximum")):
        a = f.annotation(ann)
        if a is not None:
            value = Decimal(a.args[0].value)  # type: ignore[arg-type]
            out[key] = int(value) if base == "int" or (base != "float" and a.args[0].kind == "int") else float(value)
    a = f.annotation("length")
    if a is not None:
        low, high = ("minItems", "maxItems") if base in ("list",) else ("minLength", "maxLength")
        if len(a.args) == 2:
            out[low] = int(a.args[0].text)
        out[high] = int(a.args[-1].text)
    a = f.annotation("pattern")
    if a is not None:
        out["pattern"] = str(a.args[0].value)
    return out


def type_schema(ref: m.TypeRef, namer: Namer, mode: Mode, extra: JSON | None = None) -> JSON:
    """The schema of a type reference; `extra` (constraints) goes on the non-null branch."""
    inner = _bare(ref, namer, mode)
    if extra:
        inner = {**inner, **extra}
    if ref.optional:
        return {"anyOf": [inner, {"type": "null"}]}
    return inner


def _bare(ref: m.TypeRef, namer: Namer, mode: Mode) -> JSON:
    if ref.kind == "scalar":
        if ref.name == "json":
            return {"$ref": namer.prefix + JSON_VALUE}
        if ref.name == "decimal":
            return {"anyOf": [{"type": "number"}, {"type": "string"}]} if mode == "input" else {"type": "string"}
        return dict(_SCALARS[ref.name])
    if ref.kind == "list":
        return {"items": type_schema(ref.args[0], namer, mode), "type": "array"}
    if ref.kind == "map":
        return {"additionalProperties": type_schema(ref.args[1], namer, mode), "type": "object"}
    assert ref.target is not None, f"unresolved type {ref.name}"
    decl = namer.model.type(ref.target)
    if isinstance(decl, m.Union_):
        members = [r.target for r in decl.members if r.target is not None]
        refs = [namer.ref(t, mode) for t in members]
        if namer.asyncapi:
            return {"oneOf": [{"$ref": r} for r in refs], "discriminator": UNION_TAG}
        return {
            "oneOf": [{"$ref": r} for r in refs],
            "discriminator": {
                "propertyName": UNION_TAG,
                "mapping": {t.name: r for t, r in zip(members, refs, strict=True)},
            },
        }
    return {"$ref": namer.ref(ref.target, mode)}


def wire_value(v: m.Value, ref: m.TypeRef, model: m.Model) -> Any:
    """An IDL literal as it appears in JSON on the wire (the serialized default)."""
    if v.kind == "name" and v.value == "null":
        return None
    if ref.kind == "list":
        return [wire_value(i, ref.args[0], model) for i in v.items]
    if ref.kind == "map":
        return {str(k.value): wire_value(x, ref.args[1], model) for k, x in v.entries}
    if ref.kind == "named":
        return str(v.value)
    scalar = ref.name
    if scalar == "json":
        return _json_value(v)
    if scalar == "bool":
        return v.value == "true"
    if scalar == "int":
        return int(Decimal(v.value))  # type: ignore[arg-type]
    if scalar == "float":
        return float(Decimal(v.value))  # type: ignore[arg-type]
    if scalar == "decimal":
        return str(Decimal(str(v.value) if v.kind == "string" else v.text))
    if scalar == "bytes":
        return base64.b64encode(str(v.value).encode()).decode()
    if scalar == "duration":
        return iso_duration(int(v.value))  # type: ignore[arg-type]
    return str(v.value)


def _json_value(v: m.Value) -> Any:
    if v.kind == "name":
        return {"true": True, "false": False, "null": None}.get(str(v.value), str(v.value))
    if v.kind == "list":
        return [_json_value(i) for i in v.items]
    if v.kind == "map":
        return {str(k.value): _json_value(x) for k, x in v.entries}
    if v.kind == "int":
        return int(Decimal(v.value))  # type: ignore[arg-type]
    if v.kind == "float":
        return float(Decimal(v.value))  # type: ignore[arg-type]
    return v.value


def iso_duration(ms: int) -> str:
    """pydantic's ISO 8601 form of a timedelta (`PT1M30S`, `P1DT2H`, `PT0.5S`, `PT0S`)."""
    days, rest = divmod(ms, 86_400_000)
    hours, rest = divmod(rest, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n)
    if seconds or millis:
        time += f"{seconds}.{millis:03d}".rstrip("0").rstrip(".") + "S"
    text = "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
    return text if text != "P" else "PT0S"
