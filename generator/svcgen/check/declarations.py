"""Rules on type declarations: duplicates, enums, unions, errors, maps, recursion."""

from __future__ import annotations

from collections.abc import Iterator

from svcgen import model as m
from svcgen.diagnostics import Diagnostic, error
from svcgen.naming import UNION_TAG
from svcgen.source import Span


def _where(span: Span) -> str:
    return f"{span.file}:{span.line}:{span.col}"


def wrong_kind(ref: m.TypeRef, wanted: m.DeclKind) -> str | None:
    """'a scalar type', 'an enum', ... when `ref` is not a `wanted` declaration; None when it is
    (or names nothing: the resolver already said so)."""
    if ref.kind == "scalar":
        return "a scalar type"
    if ref.kind != "named":
        return f"a {ref.kind}"
    if ref.decl_kind is None or ref.decl_kind == wanted:
        return None
    return f"an {ref.decl_kind}" if ref.decl_kind in (m.DeclKind.ENUM, m.DeclKind.ERROR) else f"a {ref.decl_kind}"


def duplicate_declarations(model: m.Model) -> Iterator[Diagnostic]:
    """E102, E409, E502: one name per package, per kind of namespace."""
    types: dict[tuple[str, str], Span] = {}
    topics: dict[tuple[str, str], Span] = {}
    services: dict[tuple[str, str], Span] = {}
    schemes: dict[tuple[str, str], Span] = {}
    for f in model.files:
        for d in f.declarations:
            key = (d.package, d.name)
            if isinstance(d, m.AuthScheme):
                if key in schemes:
                    yield error("E609", d.name_span, name=d.name, first=_where(schemes[key]))
                schemes.setdefault(key, d.name_span)
            elif isinstance(d, m.Topic):
                if key in topics:
                    yield error("E409", d.name_span, name=d.name, first=_where(topics[key]))
                topics.setdefault(key, d.name_span)
            elif isinstance(d, m.Service):
                if key in services:
                    yield error("E502", d.name_span, name=d.name)
                services.setdefault(key, d.name_span)
            else:
                if key in types:
                    yield error("E102", d.name_span, name=d.name, first=_where(types[key]))
                types.setdefault(key, d.name_span)


def _owners(model: m.Model) -> Iterator[tuple[str, str, tuple[m.Field, ...]]]:
    """(what, owner name, fields) for every list of fields or parameters."""
    for f in model.files:
        for d in f.declarations:
            if isinstance(d, (m.Message, m.Error)):
                yield "field", d.name, d.fields
            elif isinstance(d, m.Service):
                for x in d.members:
                    if isinstance(x, (m.Endpoint, m.Rpc, m.Socket)):
                        yield "parameter", x.handler, x.params


def duplicate_fields(model: m.Model) -> Iterator[Diagnostic]:
    """E104 for fields, E503 for parameters."""
    for what, owner, fields in _owners(model):
        seen: set[str] = set()
        for fld in fields:
            if fld.name in seen:
                if what == "field":
                    yield error("E104", fld.name_span, what=what, name=fld.name, owner=owner)
                else:
                    yield error("E503", fld.name_span, name=fld.name, handler=owner)
            seen.add(fld.name)


def enums(model: m.Model) -> Iterator[Diagnostic]:
    """E105 duplicate values, E106 empty enums."""
    for f in model.files:
        for e in f.enums:
            if not e.values:
                yield error("E106", e.name_span, name=e.name)
            seen: set[str] = set()
            for v in e.values:
                if v.name in seen:
                    yield error("E105", v.span, name=v.name, owner=e.name)
                seen.add(v.name)


def unions(model: m.Model) -> Iterator[Diagnostic]:
    """E107 members must be messages (not optional, not containers), E108 no repeats."""
    for f in model.files:
        for u in f.unions:
            seen: set[m.QualifiedName] = set()
            for ref in u.members:
                wrong = wrong_kind(ref, m.DeclKind.MESSAGE)
                if wrong:
                    yield error("E107", ref.span, name=ref.name, kind=wrong)
                if ref.target is not None:
                    if ref.target in seen:
                        yield error("E108", ref.span, name=ref.name, owner=u.name)
                    seen.add(ref.target)


def union_wire_tags(model: m.Model) -> Iterator[Diagnostic]:
    """E115, E116: the JSON property naming.UNION_TAG tells members apart, so it is theirs alone."""
    for f in model.files:
        for u in f.unions:
            tags: dict[str, m.QualifiedName] = {}
            for ref in u.members:
                decl = model.lookup(ref)
                if not isinstance(decl, m.Message) or ref.target is None:
                    continue
                other = tags.get(decl.name)
                if other is not None and other != ref.target:
                    yield error(
                        "E116",
                        ref.span,
                        help="the tag on the wire is the message's name; rename one of the messages",
                        owner=u.name,
                        tag=decl.name,
                        first=f"'{other}'",
                        second=f"'{ref.target}'",
                    )
                tags.setdefault(decl.name, ref.target)
                for fld in decl.fields:
                    if fld.name == UNION_TAG:
                        yield error(
                            "E115",
                            fld.name_span,
                            help=f"'{UNION_TAG}' carries the member's name on the wire; rename the field",
                            name=decl.name,
                            union=u.name,
                            tag=UNION_TAG,
                        )


def error_statuses(model: m.Model) -> Iterator[Diagnostic]:
    """E307: declared errors carry a 4xx or 5xx status."""
    for f in model.files:
        for e in f.errors:
            if not 400 <= e.status <= 599:
                yield error(
                    "E307",
                    e.status_span,
                    status=e.status,
                    help="use a 4xx status for client faults, 5xx for server faults",
                )


def _all_type_refs(model: m.Model) -> Iterator[tuple[m.TypeRef, str]]:
    """Every type use that becomes a value on the wire, with what uses it."""
    for what, _, fields in _owners(model):
        for fld in fields:
            yield fld.type, what
    for f in model.files:
        for d in f.declarations:
            if isinstance(d, m.Topic):
                yield d.type, "topic"
            elif isinstance(d, m.Service):
                for x in d.members:
                    if isinstance(x, (m.Endpoint, m.Rpc)) and x.returns is not None:
                        yield x.returns, "return"
                    if isinstance(x, m.Socket):
                        for ref in (x.sends, x.receives):
                            if ref is not None:
                                yield ref, "socket"


def type_uses(model: m.Model) -> Iterator[Diagnostic]:
    """E110 map keys are strings, E111 errors are not value types."""
    for top, _ in _all_type_refs(model):
        for ref in m.walk_types(top):
            if ref.kind == "map" and not (
                ref.args[0].kind == "scalar" and ref.args[0].name == "string" and not ref.args[0].optional
            ):
                yield error("E110", ref.args[0].span, key=str(ref.args[0]))
            if ref.decl_kind == m.DeclKind.ERROR:
                yield error(
                    "E111",
                    ref.span,
                    name=ref.name,
                    kind="an error",
                    help="errors are thrown with 'throws'; declare a message to carry the same fields",
                )


def infinite_messages(model: m.Model) -> Iterator[Diagnostic]:
    """E109: a cycle of required message fields can never be built or sent."""
    messages = {m.QualifiedName(x.package, x.name): x for f in model.files for x in f.messages}

    def required_edges(msg: m.Message) -> Iterator[tuple[m.Field, m.QualifiedName]]:
        for fld in msg.fields:
            ref = fld.type
            # Lists and maps may be empty and optionals may be null: those end the chain.
            if ref.optional or ref.is_container or fld.default is not None:
                continue
            if ref.decl_kind == m.DeclKind.MESSAGE and ref.target in messages:
                yield fld, ref.target

    reported: set[m.QualifiedName] = set()
    for name, msg in messages.items():
        # depth-first search for a path of required fields leading back to `name`
        stack: list[tuple[m.QualifiedName, list[str]]] = [(name, [])]
        visited: set[m.QualifiedName] = set()
        while stack:
            current, path = stack.pop()
            for fld, target in required_edges(messages[current]):
                step = [*path, f"{messages[current].name}.{fld.name}"]
                if target == name:
                    if name not in reported:
                        reported.add(name)
                        yield error(
                            "E109",
                            msg.name_span,
                            name=msg.name,
                            path=" -> ".join(step),
                            help="make one field on the way optional ('?'), a list or a map",
                        )
                    stack.clear()
                    break
                if target not in visited:
                    visited.add(target)
                    stack.append((target, step))


RULES = (
    duplicate_declarations,
    duplicate_fields,
    enums,
    unions,
    union_wire_tags,
    error_statuses,
    type_uses,
    infinite_messages,
)
