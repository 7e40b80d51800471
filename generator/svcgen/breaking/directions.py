"""Which way each type travels: read by clients (the server writes it) or written by clients.

A type's direction decides which changes to it break someone. Responses, RPC results, the
bodies of declared errors and what a socket `sends` are read by clients; request bodies,
query and path parameters, RPC parameters and what a socket `receives` are written by them.
Topic payloads are both: publishers and consumers deploy apart. Directions flow through
fields, list items, map values, union members and imports.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Flag, auto

from svcgen import model as m


class Direction(Flag):
    NONE = 0
    READ = auto()  # clients read it: the server may only narrow what it sends
    WRITE = auto()  # clients write it: the server may only widen what it accepts
    BOTH = READ | WRITE


Directions = dict[m.QualifiedName, Direction]


ALL_MEMBERS: tuple[type, ...] = (m.Endpoint, m.Rpc, m.Socket)


def directions(model: m.Model, topics: bool = True, members: tuple[type, ...] = ALL_MEMBERS) -> Directions:
    """Every type reachable from a service member or topic, with the directions it travels in.

    `topics` and `members` narrow the uses looked at (the wire tests look at HTTP only).
    """
    found: Directions = {}
    for ref, way in _entry_points(model, topics, members):
        _mark(model, ref, way, found)
    return found


def _entry_points(model: m.Model, topics: bool, members: tuple[type, ...]) -> Iterable[tuple[m.TypeRef, Direction]]:
    for f in model.files:
        for decl in f.declarations:
            if isinstance(decl, m.Topic) and topics:
                yield decl.type, Direction.BOTH
            elif isinstance(decl, m.Service):
                for member in decl.members:
                    if isinstance(member, members):
                        yield from _member_entry_points(member)


def _member_entry_points(member: m.Member) -> Iterable[tuple[m.TypeRef, Direction]]:
    if isinstance(member, (m.Endpoint, m.Rpc)):
        for p in member.params:
            yield p.type, Direction.WRITE
        if member.returns is not None:
            yield member.returns, Direction.READ
        for t in member.throws:
            yield t, Direction.READ
    elif isinstance(member, m.Socket):
        for p in member.params:
            yield p.type, Direction.WRITE
        if member.sends is not None:
            yield member.sends, Direction.READ
        if member.receives is not None:
            yield member.receives, Direction.WRITE


def _mark(model: m.Model, start: m.TypeRef, way: Direction, found: Directions) -> None:
    """Give `way` to every named type below `start`; stops where a type already has it (cycles end)."""
    stack = [start]
    while stack:
        ref = stack.pop()
        stack.extend(ref.args)
        if ref.kind != "named" or ref.target is None:
            continue
        had = found.get(ref.target, Direction.NONE)
        if way in had:
            continue
        found[ref.target] = had | way
        decl = model.lookup(ref)
        if isinstance(decl, (m.Message, m.Error)):
            stack.extend(f.type for f in decl.fields)
        elif isinstance(decl, m.Union_):
            stack.extend(decl.members)
