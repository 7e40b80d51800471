"""One large API written three ways: svcgen IDL, proto3 and JSON Schema, for the generation benchmark.

The IDL comes from benchmarks/frontend.py's generator (one generator for all benchmarks). The .proto
and the JSON Schema are derived from svcgen's own model of that IDL, so all three describe the same
messages, enums, unions and errors with the same fields, types, optionality, defaults and
constraints; the .proto also carries every endpoint and RPC as an rpc. Deterministic for a size.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from frontend import generate  # noqa: E402
from svcgen import model as m  # noqa: E402
from svcgen.frontend import compile_file  # noqa: E402

PROTO_SCALARS = {
    "bool": "bool",
    "int": "int64",
    "float": "double",
    "decimal": "string",
    "string": "string",
    "bytes": "bytes",
    "uuid": "string",
    "date": "string",
    "time": "string",
    "datetime": "google.protobuf.Timestamp",
    "duration": "google.protobuf.Duration",
    "json": "google.protobuf.Value",
}
SCHEMA_SCALARS: dict[str, dict[str, object]] = {
    "bool": {"type": "boolean"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "decimal": {"type": "string", "format": "decimal"},
    "string": {"type": "string"},
    "bytes": {"type": "string", "format": "binary"},
    "uuid": {"type": "string", "format": "uuid"},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "format": "time"},
    "datetime": {"type": "string", "format": "date-time"},
    "duration": {"type": "string", "format": "duration"},
    "json": {},
}


def _camel(snake: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


# ---------------------------------------------------------------- proto3


def _proto_type(ref: m.TypeRef) -> str:
    if ref.kind == "scalar":
        return PROTO_SCALARS[ref.name]
    if ref.kind == "named":
        assert ref.target is not None
        return ref.target.name
    # proto3 cannot nest containers; the benchmark API has none, so this is only a fallback
    return "bytes"


def _proto_field(f: m.Field, number: int) -> str:
    t = f.type
    if t.kind == "list":
        return f"repeated {_proto_type(t.args[0])} {f.name} = {number};"
    if t.kind == "map":
        return f"map<string, {_proto_type(t.args[1])}> {f.name} = {number};"
    optional = "optional " if t.optional and (t.kind == "scalar" or t.decl_kind == m.DeclKind.ENUM) else ""
    return f"{optional}{_proto_type(t)} {f.name} = {number};"


def _proto_message(name: str, fields: tuple[m.Field, ...], doc: str | None) -> list[str]:
    out = [f"// {doc}"] if doc else []
    out.append(f"message {name} {{")
    out += [f"  {_proto_field(f, n)}" for n, f in enumerate(fields, start=1)]
    out.append("}")
    return out


def proto_text(model: m.Model) -> str:
    out = ['syntax = "proto3";', "", f"package {model.root.package};", ""]
    out += [f'import "google/protobuf/{name}.proto";' for name in ("timestamp", "duration", "struct", "empty")]
    out.append("")
    for decl in model.root.declarations:
        if isinstance(decl, m.Enum):
            prefix = decl.name.upper()
            values = " ".join(f"{prefix}_{v.name.upper()} = {n};" for n, v in enumerate(decl.values))
            out.append(f"enum {decl.name} {{ {values} }}")
        elif isinstance(decl, (m.Message, m.Error)):
            out += _proto_message(decl.name, decl.fields, decl.doc)
        elif isinstance(decl, m.Union_):
            members = [r.target.name for r in decl.members if r.target is not None]
            oneof = " ".join(f"{name} {name.lower()} = {n};" for n, name in enumerate(members, start=1))
            out.append(f"message {decl.name} {{ oneof value {{ {oneof} }} }}")
    services: list[str] = []
    for service in model.root.services:
        services.append(f"service {service.name} {{")
        for x in service.members:
            if not isinstance(x, (m.Endpoint, m.Rpc)):
                continue
            request = f"{_camel(x.handler)}Request"
            out += _proto_message(request, x.params, None)
            if x.returns is None:
                response = "google.protobuf.Empty"
            elif x.returns.kind == "named":
                response = _proto_type(x.returns)
            else:
                response = f"{_camel(x.handler)}Response"
                value = m.Field("value", x.returns, x.returns.span, x.returns.span)
                out += _proto_message(response, (value,), None)
            services.append(f"  rpc {_camel(x.handler)}({request}) returns ({response});")
        services.append("}")
    return "\n".join(out + [""] + services) + "\n"


# ---------------------------------------------------------------- JSON Schema


def _schema_type(ref: m.TypeRef) -> dict[str, object]:
    if ref.kind == "scalar":
        t = dict(SCHEMA_SCALARS[ref.name])
    elif ref.kind == "list":
        t = {"type": "array", "items": _schema_type(ref.args[0])}
    elif ref.kind == "map":
        t = {"type": "object", "additionalProperties": _schema_type(ref.args[1])}
    else:
        assert ref.target is not None
        t = {"$ref": f"#/$defs/{ref.target.name}"}
    return {"anyOf": [t, {"type": "null"}]} if ref.optional else t


def _json_value(v: m.Value) -> object:
    if v.kind == "list":
        return [_json_value(i) for i in v.items]
    if v.kind == "map":
        return {str(k.value): _json_value(x) for k, x in v.entries}
    if isinstance(v.value, Decimal):
        return float(v.value)
    return v.value if v.kind != "duration" else v.text


CONSTRAINTS = {
    ("min", "number"): ("minimum",),
    ("max", "number"): ("maximum",),
    ("length", "string"): ("minLength", "maxLength"),
    ("length", "array"): ("minItems", "maxItems"),
    ("pattern", "string"): ("pattern",),
}


def _schema_field(f: m.Field) -> dict[str, object]:
    t = _schema_type(f.type)
    inner = t["anyOf"][0] if "anyOf" in t else t  # type: ignore[index]
    kind = {"integer": "number", "number": "number"}.get(str(inner.get("type")), str(inner.get("type")))
    for a in f.annotations:
        keys = CONSTRAINTS.get((a.name, kind), ())
        for key, arg in zip(keys, a.args, strict=False):
            inner[key] = _json_value(arg)
        if a.name == "deprecated":
            t["deprecated"] = True
    if f.default is not None:
        t["default"] = _json_value(f.default)
    if f.doc:
        t["description"] = f.doc
    return t


def _schema_object(fields: tuple[m.Field, ...], doc: str | None) -> dict[str, object]:
    return {
        "type": "object",
        **({"description": doc} if doc else {}),
        "properties": {f.name: _schema_field(f) for f in fields},
        "required": [f.name for f in fields if f.default is None and not f.type.optional],
        "additionalProperties": False,
    }


def json_schema_text(model: m.Model) -> str:
    defs: dict[str, object] = {}
    for decl in model.root.declarations:
        if isinstance(decl, m.Enum):
            defs[decl.name] = {"type": "string", "enum": [v.name for v in decl.values]}
        elif isinstance(decl, (m.Message, m.Error)):
            defs[decl.name] = _schema_object(decl.fields, decl.doc)
        elif isinstance(decl, m.Union_):
            defs[decl.name] = {"oneOf": [_schema_type(r) for r in decl.members]}
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Api",
        "$defs": defs,
        # A root that references every definition, so that every model is generated.
        "type": "object",
        "properties": {f"d_{name}": {"$ref": f"#/$defs/{name}"} for name in defs},
    }
    return json.dumps(schema, indent=1) + "\n"


def write(folder: Path, messages: int = 2000, endpoints: int = 500, topics: int = 200) -> dict[str, Path]:
    """Write api.idl, api.proto and api.schema.json into `folder`; return their paths by kind."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"idl": folder / "api.idl", "proto": folder / "api.proto", "jsonschema": folder / "api.schema.json"}
    paths["idl"].write_text(generate(messages, endpoints, topics), encoding="utf-8")
    compiled = compile_file(paths["idl"])
    if compiled.model is None or compiled.diagnostics:
        raise SystemExit(f"benchmark IDL does not check: {[d.message for d in compiled.diagnostics[:5]]}")
    paths["proto"].write_text(proto_text(compiled.model), encoding="utf-8")
    paths["jsonschema"].write_text(json_schema_text(compiled.model), encoding="utf-8")
    return paths
