"""Rules for messages, errors, enums and unions, applied by the directions each type travels in."""

from __future__ import annotations

from collections.abc import Iterator

from svcgen import model as m
from svcgen.breaking.directions import Direction, Directions
from svcgen.breaking.findings import Finding, finding
from svcgen.breaking.match import Pairing
from svcgen.breaking.wiretypes import bounds, describe, describe_pattern, fits, narrower, omitted, omitted_text, pattern
from svcgen.breaking.wiretypes import shown as type_text


def type_findings(p: Pairing, ways: Directions) -> Iterator[Finding]:
    for name, way in ways.items():
        old = p.old._types.get(name)
        new = p.type(name)
        if old is None or new is None or old.kind != new.kind:
            continue  # gone or now another kind: every use of it changed type, reported there
        if old is new:
            continue  # taken unchanged from the new version (breaking/reuse.py): no rule finds anything
        if isinstance(old, m.Enum) and isinstance(new, m.Enum):
            yield from _enum(old, new, way, str(name))
        elif isinstance(old, m.Union_) and isinstance(new, m.Union_):
            yield from _union(old, new, way, str(name))
        elif isinstance(old, m.Error) and isinstance(new, m.Error):
            if old.status != new.status:
                yield finding("B108", "new", new.status_span, str(name), owner=old.name, old=old.status, new=new.status)
            yield from fields(old.fields, new.fields, way | Direction.READ, old.name, str(name), error=True)
        elif isinstance(old, m.Message) and isinstance(new, m.Message):
            yield from fields(old.fields, new.fields, way, old.name, str(name))


def _enum(old: m.Enum, new: m.Enum, way: Direction, subject: str) -> Iterator[Finding]:
    before = {v.name: v for v in old.values}
    after = {v.name: v for v in new.values}
    if Direction.READ in way:
        for v in new.values:
            if v.name not in before:
                yield finding("B105", "new", v.span, f"{subject}.{v.name}", owner=old.name, name=v.name)
    if Direction.WRITE in way:
        for v in old.values:
            if v.name not in after:
                yield finding("B204", "old", v.span, f"{subject}.{v.name}", owner=old.name, name=v.name)


def _union(old: m.Union_, new: m.Union_, way: Direction, subject: str) -> Iterator[Finding]:
    before = {type_text(r): r for r in old.members}
    after = {type_text(r): r for r in new.members}
    if Direction.READ in way:
        for key, r in after.items():
            if key not in before:
                yield finding("B106", "new", r.span, f"{subject}.{key}", owner=old.name, name=key)
    if Direction.WRITE in way:
        for key, r in before.items():
            if key not in after:
                yield finding("B206", "old", r.span, f"{subject}.{key}", owner=old.name, name=key)


def fields(
    old: tuple[m.Field, ...],
    new: tuple[m.Field, ...],
    way: Direction,
    owner: str,
    subject: str,
    error: bool = False,
) -> Iterator[Finding]:
    """The field rules of one message or error (and, with codes remapped by the caller, of parameters)."""
    after = {f.name: f for f in new}
    for f in old:
        g = after.get(f.name)
        where = f"{subject}.{f.name}"
        if g is None:
            if Direction.READ in way:
                # optional or defaulted: clients already cope with its absence, only the data is gone
                soft = f.annotation("deprecated") is not None or not f.required
                code = "B107" if error else "B101"
                yield finding(code, "old", f.name_span, where, warning=soft, owner=owner, name=f.name)
            continue
        yield from field_change(f, g, way, owner, where)
    if Direction.WRITE in way:
        before = {f.name for f in old}
        for g in new:
            if g.name not in before and g.required:
                yield finding("B201", "new", g.name_span, f"{subject}.{g.name}", owner=owner, name=g.name)


def type_fits(old: m.TypeRef, new: m.TypeRef, way: Direction) -> bool:
    """The new type still works for both sides, outermost optionality aside (its own rules)."""
    if Direction.READ in way and not fits(new, old):
        return False
    return not (Direction.WRITE in way and not fits(old, new))


def field_change(f: m.Field, g: m.Field, way: Direction, owner: str, where: str) -> Iterator[Finding]:
    """A field (or parameter) kept under its name: type, optionality, constraints, default."""
    args: dict[str, object] = {"owner": owner, "name": f.name}
    if not type_fits(f.type, g.type, way):
        yield finding("B103", "new", g.type.span, where, old=type_text(f.type), new=type_text(g.type), **args)
        return  # constraints and defaults of another type say nothing more
    if Direction.READ in way and not f.type.optional and g.type.optional:
        yield finding("B102", "new", g.type.span, where, **args)
    if Direction.WRITE in way and not f.required and g.required:
        yield finding("B202", "new", g.name_span, where, **args)
    yield from _constraints(f, g, way, where, args)
    if Direction.WRITE in way and not f.required and not g.required and omitted(f) != omitted(g):
        span = g.default.span if g.default is not None else g.name_span
        yield finding("B205", "new", span, where, old=omitted_text(f), new=omitted_text(g), **args)


def _constraints(f: m.Field, g: m.Field, way: Direction, where: str, args: dict[str, object]) -> Iterator[Finding]:
    changes: list[tuple[tuple[str, ...], str, str, bool, bool]] = []  # (annotations, old, new, loosened, tightened)
    groups: tuple[tuple[str, tuple[str, ...]], ...] = (("value", ("min", "max")), ("length", ("length",)))
    for name, names in groups:
        ob, nb = bounds(f, name), bounds(g, name)
        if ob != nb:
            changes.append((names, describe(name, ob), describe(name, nb), narrower(nb, ob), narrower(ob, nb)))
    op, np = pattern(f), pattern(g)
    if op != np:
        changes.append((("pattern",), describe_pattern(op), describe_pattern(np), op is not None, np is not None))
    for names, old_text, new_text, loosened, tightened in changes:
        span = next((a.span for a in g.annotations if a.name in names), g.name_span)
        if loosened and Direction.READ in way:
            yield finding("B104", "new", span, where, old=old_text, new=new_text, **args)
        if tightened and Direction.WRITE in way:
            yield finding("B203", "new", span, where, old=old_text, new=new_text, **args)
