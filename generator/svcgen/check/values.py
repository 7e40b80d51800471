"""Rules on literals: defaults against their types, annotations against their fields."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from svcgen import model as m
from svcgen.check.declarations import _owners
from svcgen.diagnostics import Diagnostic, did_you_mean, error

NUMERIC = ("int", "float", "decimal")
SIZED = ("string", "bytes")
INT64 = (-(2**63), 2**63 - 1)

ANNOTATIONS = ("min", "max", "length", "pattern", "deprecated", "header")


def _show(v: m.Value) -> str:
    if v.kind in ("list", "map"):
        return "[...]" if v.kind == "list" else "{...}"
    return v.text


Problem = tuple[str, "str | None", m.Value]


def value_problem(v: m.Value, ref: m.TypeRef, model: m.Model) -> Problem | None:
    """(code, help, the offending value) when `v` cannot be a value of `ref`; None when it fits."""
    if v.kind == "name" and v.value == "null":
        return None if ref.optional else ("E201", f"only optional types ('{ref}?') take null", v)
    if ref.kind == "list":
        if v.kind != "list":
            return "E201", "a list default is written [a, b, ...]", v
        for item in v.items:
            problem = value_problem(item, ref.args[0], model)
            if problem:
                return problem
        return None
    if ref.kind == "map":
        if v.kind != "map":
            return "E201", 'a map default is written {"key": value, ...}', v
        for _, item in v.entries:
            problem = value_problem(item, ref.args[1], model)
            if problem:
                return problem
        return None
    if ref.kind == "named":
        decl = model.lookup(ref)
        if isinstance(decl, m.Enum):
            names = [x.name for x in decl.values]
            if v.kind == "name" and v.value in names:
                return None
            if v.kind == "name":
                return "E202", did_you_mean(str(v.value), names), v
            return "E201", f"write one of the values of '{decl.name}': {', '.join(names)}", v
        if decl is None:
            return None
        return "E201", "messages, unions and errors take no default; make the field optional instead", v
    return _scalar_problem(v, ref.name)


def _scalar_problem(v: m.Value, scalar: str) -> Problem | None:
    fits = {
        "bool": v.kind == "name" and v.value in ("true", "false"),
        "int": v.kind == "int",
        "float": v.kind in ("int", "float"),
        "decimal": v.kind in ("int", "float") or (v.kind == "string" and _parses(Decimal, v)),
        "string": v.kind == "string",
        "bytes": v.kind == "string",
        "uuid": v.kind == "string" and _parses(uuid.UUID, v),
        "date": v.kind == "string" and _parses(dt.date.fromisoformat, v),
        "time": v.kind == "string" and _parses(dt.time.fromisoformat, v),
        "datetime": v.kind == "string" and _parses(dt.datetime.fromisoformat, v),
        "duration": v.kind == "duration",
        "json": True,
    }[scalar]
    if fits:
        if scalar == "int" and not INT64[0] <= int(v.value) <= INT64[1]:  # type: ignore[arg-type]
            return "E212", "int is a signed 64-bit integer", v
        return None
    hints = {
        "bool": "write true or false",
        "int": "write a whole number",
        "float": "write a number such as 0.5",
        "decimal": 'write a number, or a string such as "19.99"',
        "string": 'write a string in double quotes, as in "text"',
        "bytes": "write a string; its UTF-8 bytes are the default",
        "uuid": 'write a UUID string, as in "00000000-0000-0000-0000-000000000000"',
        "date": 'write an ISO date string, as in "2024-01-31"',
        "time": 'write an ISO time string, as in "13:45:00"',
        "datetime": 'write an ISO datetime string, as in "2024-01-31T13:45:00Z"',
        "duration": "write a duration such as 500ms, 30s, 5m or 1h",
    }
    return "E201", hints.get(scalar), v


def _parses(parse: object, v: m.Value) -> bool:
    try:
        parse(str(v.value))  # type: ignore[operator]
    except (ValueError, InvalidOperation, TypeError):
        return False
    return True


def _values(v: m.Value) -> Iterator[m.Value]:
    """The value and every value nested in it."""
    yield v
    for item in v.items:
        yield from _values(item)
    for _, item in v.entries:
        yield from _values(item)


def map_keys(model: m.Model) -> Iterator[Diagnostic]:
    """E211: a map literal names each key once (JSON would silently keep the last)."""
    for _, _, fields in _owners(model):
        for fld in fields:
            literals = [fld.default] if fld.default is not None else []
            literals += [x for a in fld.annotations for x in a.args]
            for top in literals:
                for v in _values(top):
                    seen: set[str] = set()
                    for key, _ in v.entries:
                        if str(key.value) in seen:
                            yield error("E211", key.span, key=key.text)
                        seen.add(str(key.value))


def deprecations(model: m.Model) -> Iterator[Diagnostic]:
    """E210: deprecating a field or parameter only makes sense when it may be left out."""
    for what, _, fields in _owners(model):
        for fld in fields:
            a = fld.annotation("deprecated")
            if a is not None and fld.required:
                yield error(
                    "E210",
                    a.span,
                    help="make it optional ('?') or give it a default",
                    what=what,
                    name=fld.name,
                )


def defaults(model: m.Model) -> Iterator[Diagnostic]:
    """E201, E202: every default is a value of its field's type."""
    for _, _, fields in _owners(model):
        for fld in fields:
            if fld.default is None or (fld.type.kind == "named" and fld.type.target is None):
                continue
            problem = value_problem(fld.default, fld.type, model)
            if problem is None:
                continue
            code, hint, bad = problem
            if code == "E212":
                yield error(code, bad.span, help=hint, value=bad.text)
            elif code == "E202":
                enum = next(r for r in m.walk_types(fld.type) if r.decl_kind == m.DeclKind.ENUM)
                yield error(code, bad.span, help=hint, name=_show(bad), enum=enum.name)
            else:
                yield error(code, fld.default.span, help=hint, value=_show(fld.default), type=str(fld.type))


def _base(ref: m.TypeRef) -> str:
    return ref.name if ref.kind == "scalar" else ref.kind


def annotation_uses(model: m.Model) -> Iterator[Diagnostic]:
    """E203-E209, E212: known annotations, on fitting types, with fitting arguments."""
    for _, _, fields in _owners(model):
        for fld in fields:
            seen: set[str] = set()
            for a in fld.annotations:
                if a.name not in ANNOTATIONS:
                    yield error("E203", a.span, help=did_you_mean(a.name, ANNOTATIONS), name=a.name)
                    continue
                if a.name in seen:
                    yield error("E208", a.span, name=a.name)
                seen.add(a.name)
                big = [x for x in a.args if x.kind == "int" and not INT64[0] <= int(x.value) <= INT64[1]]  # type: ignore[arg-type]
                if big and (a.name == "length" or _base(fld.type) == "int"):
                    yield error("E212", big[0].span, value=big[0].text)
                    continue
                yield from _annotation(fld, a)
            yield from _bounds_in_order(fld)


def _bounds_in_order(fld: m.Field) -> Iterator[Diagnostic]:
    """E209: @min above @max leaves no valid value."""
    low, high = fld.annotation("min"), fld.annotation("max")
    if low is None or high is None or len(low.args) != 1 or len(high.args) != 1:
        return
    a, b = low.args[0], high.args[0]
    if a.kind in ("int", "float") and b.kind in ("int", "float") and Decimal(a.value) > Decimal(b.value):  # type: ignore[arg-type]
        yield error("E209", high.span, name="max", reason=f"maximum {b.text} is below the minimum {a.text}")


def _annotation(fld: m.Field, a: m.Annotation) -> Iterator[Diagnostic]:
    base = _base(fld.type)
    numbers = [x for x in a.args if x.kind in ("int", "float")]
    if a.name in ("min", "max"):
        if base not in NUMERIC:
            yield error(
                "E204",
                a.span,
                name=a.name,
                type=str(fld.type),
                help="@min and @max apply to int, float and decimal; use @length for sizes",
            )
        elif len(a.args) != 1 or len(numbers) != 1:
            yield error("E205", a.span, name=a.name, expected="one number")
        elif base == "int" and numbers[0].kind != "int":
            yield error("E205", a.span, name=a.name, expected="a whole number on an int field")
        else:
            yield from _default_within(fld, a, Decimal(numbers[0].value))  # type: ignore[arg-type]
    elif a.name == "length":
        if base not in (*SIZED, "list", "map"):
            yield error(
                "E204", a.span, name=a.name, type=str(fld.type), help="@length applies to string, bytes, list and map"
            )
        elif not 1 <= len(a.args) <= 2 or any(x.kind != "int" or int(x.value) < 0 for x in a.args):  # type: ignore[arg-type]
            yield error(
                "E205", a.span, name=a.name, expected="one or two whole numbers >= 0: @length(max) or @length(min, max)"
            )
        elif len(a.args) == 2 and int(a.args[0].value) > int(a.args[1].value):  # type: ignore[arg-type]
            yield error(
                "E209", a.span, name=a.name, reason=f"minimum {a.args[0].text} is greater than maximum {a.args[1].text}"
            )
        else:
            yield from _default_length(fld, a)
    elif a.name == "pattern":
        if base != "string":
            yield error("E204", a.span, name=a.name, type=str(fld.type), help="@pattern applies to string")
        elif len(a.args) != 1 or a.args[0].kind != "string":
            yield error("E205", a.span, name=a.name, expected="one string, the regular expression")
        else:
            try:
                compiled = re.compile(str(a.args[0].value))
            except re.error as exc:
                yield error("E206", a.args[0].span, reason=str(exc))
            else:
                d = fld.default
                if d is not None and d.kind == "string" and not compiled.search(str(d.value)):
                    yield error("E207", d.span, value=d.text, name="pattern")
    elif a.name == "header":
        if len(a.args) != 1 or a.args[0].kind != "string":
            yield error(
                "E205", a.span, name=a.name, expected='one string, the header name, as in @header("X-Trace-Id")'
            )
    elif a.name == "deprecated":
        if len(a.args) > 1 or any(x.kind != "string" for x in a.args):
            yield error(
                "E205",
                a.span,
                name=a.name,
                expected='nothing, or one string: the reason, as in @deprecated("use tags")',
            )


def _default_within(fld: m.Field, a: m.Annotation, bound: Decimal) -> Iterator[Diagnostic]:
    d = fld.default
    if d is None or d.kind not in ("int", "float"):
        return
    value = Decimal(d.value)  # type: ignore[arg-type]
    if (a.name == "min" and value < bound) or (a.name == "max" and value > bound):
        yield error("E207", d.span, value=d.text, name=a.name)


def _default_length(fld: m.Field, a: m.Annotation) -> Iterator[Diagnostic]:
    d = fld.default
    if d is None:
        return
    size = {"string": len(str(d.value)), "list": len(d.items), "map": len(d.entries)}.get(d.kind)
    if size is None:
        return
    low, high = (0, int(a.args[0].value)) if len(a.args) == 1 else (int(a.args[0].value), int(a.args[1].value))  # type: ignore[arg-type]
    if not low <= size <= high:
        yield error("E207", d.span, value=_show(d), name="length")


RULES = (defaults, annotation_uses, map_keys, deprecations)
