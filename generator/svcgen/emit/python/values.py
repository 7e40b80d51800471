"""IDL literals as Python expressions of the field's type, and annotations as `Field(...)` arguments."""

from __future__ import annotations

from decimal import Decimal

from svcgen import model as m
from svcgen.emit.python.pytypes import TypeNamer
from svcgen.emit.render import pystr
from svcgen.naming import py_class, py_enum_member


def expression(v: m.Value, ref: m.TypeRef, types: TypeNamer) -> str:
    """Python source for the value `v` of type `ref` (the checker has made sure it fits)."""
    if v.kind == "name" and v.value == "null":
        return "None"
    if ref.kind == "list":
        return "[" + ", ".join(expression(i, ref.args[0], types) for i in v.items) + "]"
    if ref.kind == "map":
        pairs = (f"{pystr(str(k.value))}: {expression(x, ref.args[1], types)}" for k, x in v.entries)
        return "{" + ", ".join(pairs) + "}"
    if ref.kind == "named":
        assert ref.target is not None
        enum = types.model.type(ref.target)
        types.ref(ref.target.package, py_class(enum.name))
        return f"{py_class(enum.name)}.{py_enum_member(str(v.value))}"
    return _scalar(v, ref.name, types)


def json_expression(v: m.Value) -> str:
    """A `json` default: the literal as plain Python data."""
    if v.kind == "name":
        return {"true": "True", "false": "False", "null": "None"}.get(str(v.value), pystr(str(v.value)))
    if v.kind == "list":
        return "[" + ", ".join(json_expression(i) for i in v.items) + "]"
    if v.kind == "map":
        return "{" + ", ".join(f"{pystr(str(k.value))}: {json_expression(x)}" for k, x in v.entries) + "}"
    if v.kind == "string":
        return pystr(str(v.value))
    if v.kind == "duration":
        return str(v.value)
    return number(v, "float" if v.kind == "float" else "int")


def number(v: m.Value, scalar: str) -> str:
    """An int, float or decimal literal; `bound` keeps whole numbers whole (`ge=0`)."""
    value = Decimal(v.value)  # type: ignore[arg-type]
    if scalar == "int" or (scalar == "bound" and v.kind == "int"):
        return str(int(value))
    if scalar == "decimal":
        return f"decimal.Decimal({pystr(v.text)})"
    return repr(float(value))


def _scalar(v: m.Value, scalar: str, types: TypeNamer) -> str:
    if scalar == "json":
        return json_expression(v)
    if scalar == "bool":
        return "True" if v.value == "true" else "False"
    if scalar in ("int", "float"):
        return number(v, scalar)
    if scalar == "decimal":
        types.imports.add("decimal")
        text = str(v.value) if v.kind == "string" else v.text
        return f"decimal.Decimal({pystr(text)})"
    if scalar == "string":
        return pystr(str(v.value))
    if scalar == "bytes":
        return bytes_literal(str(v.value).encode())
    if scalar == "uuid":
        types.imports.add("uuid")
        return f"uuid.UUID({pystr(str(v.value))})"
    if scalar in ("date", "time"):
        types.imports.add("datetime")
        return f"datetime.{scalar}.fromisoformat({pystr(str(v.value))})"
    if scalar == "datetime":
        types.imports.add("datetime")
        return f"datetime.datetime.fromisoformat({pystr(str(v.value))})"
    if scalar == "duration":
        types.imports.add("datetime")
        return duration(int(v.value))  # type: ignore[arg-type]
    raise AssertionError(f"no Python literal for {scalar}")


def duration(ms: int) -> str:
    if ms % 1000 == 0:
        return f"datetime.timedelta(seconds={ms // 1000})"
    return f"datetime.timedelta(milliseconds={ms})"


def bytes_literal(data: bytes) -> str:
    out = []
    for b in data:
        ch = chr(b)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= b < 127:
            out.append(ch)
        else:
            out.append(f"\\x{b:02x}")
    return 'b"' + "".join(out) + '"'


def is_factory(v: m.Value) -> bool:
    """Mutable defaults (lists, maps, json containers) are built per instance by a factory."""
    return v.kind in ("list", "map")


def constraints(fld: m.Field, types: TypeNamer) -> list[str]:
    """`Field(...)` keyword arguments for @min, @max, @length, @pattern and @deprecated, in that order."""
    base = fld.type.name if fld.type.kind == "scalar" else fld.type.kind
    out: list[str] = []
    for name, key in (("min", "ge"), ("max", "le")):
        a = fld.annotation(name)
        if a is not None:
            if base == "decimal":
                types.imports.add("decimal")
            out.append(f"{key}={number(a.args[0], base if base in ('int', 'decimal') else 'bound')}")
    a = fld.annotation("length")
    if a is not None:
        if len(a.args) == 2:
            out.append(f"min_length={a.args[0].text}")
        out.append(f"max_length={a.args[-1].text}")
    a = fld.annotation("pattern")
    if a is not None:
        out.append(f"pattern={pystr(str(a.args[0].value))}")
    a = fld.annotation("deprecated")
    if a is not None:
        out.append(f"deprecated={pystr(str(a.args[0].value)) if a.args else 'True'}")
    return out
