"""gRPC field numbers (B405, B406): what the `.proto` numbers by declaration order keeps its number.

The `.proto` numbers message fields, rpc parameters (in `<Handler>Request`), union members (in
`oneof value`) and enum values by their place in the declaration (emit/grpc/proto.py). A peer
compiled from the previous `.proto` finds a value by its number, so one that moves (reordered,
or something inserted or removed before it) is decoded as whatever held that number before,
silently. JSON goes by name and is unaffected, so only what the previous `.proto` contains is
checked: the types some rpc sends or returns (the emitter's own `reachable`) and every rpc's
parameters. Appending keeps every number, and so does removing the last one. A number that
passes to a new name (B406) is as bad: old peers still send and read the previous one there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from svcgen import model as m
from svcgen.breaking.findings import Finding, finding
from svcgen.breaking.match import Pairing
from svcgen.breaking.wiretypes import shown as type_text
from svcgen.source import Span


class Numbered(NamedTuple):
    name: str
    span: Span


def grpc_findings(p: Pairing) -> Iterator[Finding]:
    """Every field, enum value, union member and rpc parameter of the previous `.proto` that moves."""
    if not any(s.rpcs for f in p.old.files for s in f.services):
        return  # no .proto before: nothing was numbered
    # here, not at the top: the gRPC emitter's package loads jinja2 and the Python emitter (~30 ms),
    # which a contract without rpcs never needs
    from svcgen.emit.grpc.proto import reachable

    in_old, in_new = reachable(p.old), reachable(p.new)
    for name in sorted(in_old, key=str):
        old, new = p.old._types.get(name), p.type(name)
        if old is None or new is None or old is new or old.kind != new.kind:
            continue  # gone, another kind (reported by its uses), or taken unchanged (breaking/reuse.py)
        if m.QualifiedName(new.package, new.name) not in in_new:
            continue  # no longer in the new .proto: the rpcs that used it changed, reported there
        yield from _moves(_numbered(old), _numbered(new), _what(old), old.name, str(name))
    yield from _parameters(p)


def _what(decl: m.TypeDecl) -> str:
    if isinstance(decl, m.Enum):
        return "enum value"
    return "union member" if isinstance(decl, m.Union_) else "field"


def _numbered(decl: m.TypeDecl) -> list[Numbered]:
    """What the .proto numbers from 1, in order, by the name that pairs it across versions."""
    if isinstance(decl, m.Enum):
        return [Numbered(v.name, v.span) for v in decl.values]
    if isinstance(decl, m.Union_):
        return [Numbered(type_text(r), r.span) for r in decl.members if r.target is not None]
    assert isinstance(decl, m.Message)  # errors travel as JSON, never in a .proto
    return [Numbered(f.name, f.name_span) for f in decl.fields]


def _moves(old: list[Numbered], new: list[Numbered], what: str, owner: str, subject: str) -> Iterator[Finding]:
    """B405 for what kept its name but not its number; B406 for a new name on a number the previous
    `.proto` gave to something else (a rename in place, or an addition where one was removed)."""
    before = {x.name: n for n, x in enumerate(old, 1)}
    kept = {x.name for x in new}
    for n, x in enumerate(new, 1):
        was = before.get(x.name)
        if was is not None and was != n:
            args = {"what": what, "owner": owner, "name": x.name, "old": was, "new": n}
            yield finding("B405", "new", x.span, f"{subject}.{x.name}", **args)
        elif was is None and n <= len(old) and old[n - 1].name not in kept:  # a kept one moved: B405 said it
            args = {"what": what, "owner": owner, "name": x.name, "number": n, "was": old[n - 1].name}
            yield finding("B406", "new", x.span, f"{subject}.{x.name}", **args)


def _parameters(p: Pairing) -> Iterator[Finding]:
    """Each rpc's parameters are the fields of its `<Handler>Request`."""
    new = {(s.package, s.name, r.handler): r for f in p.new.files for s in f.services for r in s.rpcs}
    for f in p.old.files:
        for svc in f.services:
            target = p.services.get((svc.package, svc.name))
            for rpc in svc.rpcs:
                other = new.get((target.package, target.name, rpc.handler)) if target else None
                if other is None or other is rpc:
                    continue  # removed (B401), or taken unchanged
                before = [Numbered(g.name, g.name_span) for g in rpc.params]
                after = [Numbered(g.name, g.name_span) for g in other.params]
                subject = f"{svc.package}.{svc.name}.{rpc.handler}"
                yield from _moves(before, after, "parameter", rpc.handler, subject)
