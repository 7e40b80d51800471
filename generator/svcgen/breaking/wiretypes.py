"""Comparing two uses of a type, a field's constraints and its default as they look on the wire.

Named types compare by kind and bare name: the package is not on the wire, and a renamed
package is reported once, as such. A type's own changes are compared where it is declared.
"""

from __future__ import annotations

from decimal import Decimal

from svcgen import model as m

_WIDER = {("int", "float")}  # an int on the wire is a valid float; nothing else converts silently


def fits(narrow: m.TypeRef, wide: m.TypeRef) -> bool:
    """Every value of `narrow` is a value of `wide` (optionality of the outermost level aside)."""
    if narrow.kind != wide.kind:
        return False
    if narrow.kind == "scalar":
        return narrow.name == wide.name or (narrow.name, wide.name) in _WIDER
    if narrow.kind == "named":
        return shown(narrow) == shown(wide) and narrow.decl_kind == wide.decl_kind
    return all(_fits_nested(a, b) for a, b in zip(narrow.args, wide.args, strict=True))


def _fits_nested(narrow: m.TypeRef, wide: m.TypeRef) -> bool:
    return (wide.optional or not narrow.optional) and fits(narrow, wide)


def same(a: m.TypeRef, b: m.TypeRef) -> bool:
    return fits(a, b) and fits(b, a)


def shown(ref: m.TypeRef, outer_optional: bool = False) -> str:
    """The type as written, with bare names for named types."""
    if ref.kind == "list":
        text = f"list<{shown(ref.args[0], True)}>"
    elif ref.kind == "map":
        text = f"map<{shown(ref.args[0], True)}, {shown(ref.args[1], True)}>"
    elif ref.kind == "named":
        text = ref.target.name if ref.target else ref.name.rsplit(".", 1)[-1]
    else:
        text = ref.name
    return text + ("?" if ref.optional and outer_optional else "")


# ------------------------------------------------------------------ constraints

Bounds = tuple[Decimal | None, Decimal | None]  # inclusive low and high; None: unbounded


def _number(v: m.Value) -> Decimal | None:
    return Decimal(v.value) if isinstance(v.value, (int, Decimal)) else None


def bounds(f: m.Field, name: str) -> Bounds:
    """The range `@min`/`@max` (name "value") or `@length` (name "length") allow."""
    if name == "length":
        a = f.annotation("length")
        if a is None or not a.args:
            return None, None
        if len(a.args) == 1:
            return None, _number(a.args[0])
        return _number(a.args[0]), _number(a.args[1])
    low = f.annotation("min")
    high = f.annotation("max")
    return (_number(low.args[0]) if low and low.args else None), (_number(high.args[0]) if high and high.args else None)


def pattern(f: m.Field) -> str | None:
    a = f.annotation("pattern")
    return str(a.args[0].value) if a and a.args else None


def describe(name: str, b: Bounds) -> str:
    """`@min(1) @max(5)`, `@length(0, 10)` or 'any value'."""
    low, high = b
    if name == "length":
        if low is None and high is None:
            return "any length"
        return f"@length({low or 0}, {high})" if high is not None else f"@length({low}, unbounded)"
    parts = ([f"@min({low})"] if low is not None else []) + ([f"@max({high})"] if high is not None else [])
    return " ".join(parts) or "any value"


def narrower(old: Bounds, new: Bounds) -> bool:
    """`new` rejects some value `old` allowed."""
    (ol, oh), (nl, nh) = old, new
    return (nl is not None and (ol is None or nl > ol)) or (nh is not None and (oh is None or nh < oh))


def describe_pattern(p: str | None) -> str:
    return f'@pattern("{p}")' if p is not None else "any text"


# ------------------------------------------------------------------ defaults


def omitted(f: m.Field) -> tuple[str, object] | None:
    """What an omitted field means, comparable: its default's value, null when optional without one, None when required."""
    v = f.default
    if v is None:
        return ("name", "null") if f.type.optional else None
    if v.kind in ("int", "float") and isinstance(v.value, (int, Decimal)):
        return "number", Decimal(v.value)
    return v.kind, v.text


def omitted_text(f: m.Field) -> str:
    return f.default.text if f.default is not None else "null"
