"""A large synthetic API written three ways: svcgen IDL, proto3 and JSON Schema.

The three describe the same messages and enums (same fields, types, optionality, lists and maps),
so a benchmark compares the tools on equal work. The IDL and the .proto also carry the service:
an HTTP endpoint (an rpc in the .proto) for every tenth message, a topic and a consumer for every
twentieth. Output is deterministic for a given size and seed.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

# (idl type, proto type, JSON Schema) for the scalars a field may have.
SCALARS: list[tuple[str, str, dict[str, object]]] = [
    ("int", "int64", {"type": "integer"}),
    ("float", "double", {"type": "number"}),
    ("string", "string", {"type": "string"}),
    ("bool", "bool", {"type": "boolean"}),
    ("uuid", "string", {"type": "string", "format": "uuid"}),
    ("datetime", "string", {"type": "string", "format": "date-time"}),
]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    base: str  # "int", "float", ... or "message:N" / "enum:N"
    shape: str  # "one", "optional", "list" or "map"
    annotation: str = ""  # IDL annotation text, with a matching JSON Schema constraint


@dataclass(frozen=True)
class Api:
    messages: list[list[FieldSpec]]
    enums: int

    @property
    def endpoints(self) -> list[int]:
        return list(range(0, len(self.messages), 10))

    @property
    def topics(self) -> list[int]:
        return list(range(0, len(self.messages), 20))


def msg(i: int) -> str:
    return f"Entity{i:04d}"


def enum(i: int) -> str:
    return f"Kind{i:03d}"


def make_api(messages: int = 2000, seed: int = 7) -> Api:
    """Messages of 4 to 12 fields: scalars, enums, references to earlier messages, lists and maps."""
    rng = random.Random(seed)
    enums = max(1, messages // 20)
    specs: list[list[FieldSpec]] = []
    for i in range(messages):
        fields = [FieldSpec("id", "uuid", "one")]
        for j in range(rng.randint(3, 11)):
            roll = rng.random()
            if roll < 0.15 and i > 0:
                base = f"message:{rng.randrange(max(0, i - 50), i)}"
            elif roll < 0.25:
                base = f"enum:{rng.randrange(enums)}"
            else:
                base = SCALARS[rng.randrange(len(SCALARS))][0]
            shape = rng.choices(["one", "optional", "list", "map"], [6, 2, 1, 1])[0]
            annotation = ""
            if shape in ("one", "optional") and base == "string" and rng.random() < 0.3:
                annotation = "@length(1, 200)"
            elif shape in ("one", "optional") and base == "int" and rng.random() < 0.3:
                annotation = "@min(0)"
            fields.append(FieldSpec(f"field_{j}", base, shape, annotation))
        specs.append(fields)
    return Api(specs, enums)


def _idl_type(base: str) -> str:
    kind, _, index = base.partition(":")
    if kind == "message":
        return msg(int(index))
    if kind == "enum":
        return enum(int(index))
    return base


def idl_text(api: Api) -> str:
    out = ["// Synthetic benchmark API.", "package bench.big;", ""]
    for e in range(api.enums):
        out.append(f"enum {enum(e)} {{ alpha; beta; gamma; delta; }}")
    out.append("")
    for i, fields in enumerate(api.messages):
        out.append(f"/// Entity number {i}.")
        out.append(f"message {msg(i)} {{")
        for f in fields:
            t = _idl_type(f.base)
            t = {"one": t, "optional": f"{t}?", "list": f"list<{t}>", "map": f"map<string, {t}>"}[f.shape]
            out.append(f"  {f.name}: {t}{' ' + f.annotation if f.annotation else ''};")
        out.append("}")
    out.append("")
    out.append("error NotFound 404 { id: uuid; }")
    out.append("")
    for i in api.topics:
        out.append(f"topic entity{i:04d}.changed: {msg(i)};")
    out.append("")
    out.append("service Big {")
    for i in api.endpoints:
        out.append(f"  POST /entities{i:04d} put_{i:04d}(value: {msg(i)}) -> {msg(i)};")
        out.append(f"  GET /entities{i:04d}/{{id}} get_{i:04d}(id: uuid) -> {msg(i)} throws NotFound;")
    for i in api.topics:
        out.append(f"  on entity{i:04d}.changed on_{i:04d};")
    out.append("}")
    return "\n".join(out) + "\n"


def _proto_type(base: str) -> str:
    kind, _, index = base.partition(":")
    if kind == "message":
        return msg(int(index))
    if kind == "enum":
        return enum(int(index))
    return next(p for name, p, _ in SCALARS if name == base)


def proto_text(api: Api) -> str:
    out = ['syntax = "proto3";', "", "package bench.big;", ""]
    for e in range(api.enums):
        name = enum(e)
        values = " ".join(f"{name.upper()}_{v} = {n};" for n, v in enumerate(["ALPHA", "BETA", "GAMMA", "DELTA"]))
        out.append(f"enum {name} {{ {values} }}")
    out.append("")
    for i, fields in enumerate(api.messages):
        out.append(f"// Entity number {i}.")
        out.append(f"message {msg(i)} {{")
        for n, f in enumerate(fields, start=1):
            t = _proto_type(f.base)
            decl = {"one": t, "optional": f"optional {t}", "list": f"repeated {t}", "map": f"map<string, {t}>"}[f.shape]
            out.append(f"  {decl} {f.name} = {n};")
        out.append("}")
    out.append("")
    out.append("message NotFound { string id = 1; }")
    out.append("message GetRequest { string id = 1; }")
    out.append("")
    out.append("service Big {")
    for i in api.endpoints:
        out.append(f"  rpc Put{i:04d}({msg(i)}) returns ({msg(i)});")
        out.append(f"  rpc Get{i:04d}(GetRequest) returns ({msg(i)});")
    out.append("}")
    return "\n".join(out) + "\n"


def _schema_type(base: str) -> dict[str, object]:
    kind, _, index = base.partition(":")
    if kind == "message":
        return {"$ref": f"#/$defs/{msg(int(index))}"}
    if kind == "enum":
        return {"$ref": f"#/$defs/{enum(int(index))}"}
    return dict(next(s for name, _, s in SCALARS if name == base))


def json_schema_text(api: Api) -> str:
    defs: dict[str, object] = {}
    for e in range(api.enums):
        defs[enum(e)] = {"type": "string", "enum": ["alpha", "beta", "gamma", "delta"]}
    for i, fields in enumerate(api.messages):
        props: dict[str, object] = {}
        required = []
        for f in fields:
            t = _schema_type(f.base)
            if f.annotation.startswith("@length"):
                t.update(minLength=1, maxLength=200)
            elif f.annotation.startswith("@min"):
                t.update(minimum=0)
            if f.shape == "list":
                t = {"type": "array", "items": t}
            elif f.shape == "map":
                t = {"type": "object", "additionalProperties": t}
            if f.shape == "optional":
                t = {"anyOf": [t, {"type": "null"}]}
            else:
                required.append(f.name)
            props[f.name] = t
        defs[msg(i)] = {
            "type": "object",
            "description": f"Entity number {i}.",
            "properties": props,
            "required": required,
            "additionalProperties": False,
        }
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Big",
        "$defs": defs,
        # A root that references every definition, so every model is generated.
        "type": "object",
        "properties": {name[0].lower() + name[1:]: {"$ref": f"#/$defs/{name}"} for name in defs},
    }
    return json.dumps(schema, indent=1) + "\n"


def write(folder: Path, messages: int = 2000, seed: int = 7) -> dict[str, Path]:
    """Write big.idl, big.proto and big.schema.json into `folder`; return their paths by kind."""
    api = make_api(messages, seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"idl": folder / "big.idl", "proto": folder / "big.proto", "jsonschema": folder / "big.schema.json"}
    paths["idl"].write_text(idl_text(api), encoding="utf-8")
    paths["proto"].write_text(proto_text(api), encoding="utf-8")
    paths["jsonschema"].write_text(json_schema_text(api), encoding="utf-8")
    return paths
