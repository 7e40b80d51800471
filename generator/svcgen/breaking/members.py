"""Rules for what services, topics and packages promise: HTTP, sockets, RPC, topics, consumers, queues."""

from __future__ import annotations

import re
from collections.abc import Iterator

from svcgen import model as m
from svcgen.breaking.access import header_findings, requirement_findings, scheme_findings
from svcgen.breaking.directions import Direction
from svcgen.breaking.findings import Finding, finding
from svcgen.breaking.match import Pairing
from svcgen.breaking.typerules import field_change
from svcgen.breaking.wiretypes import fits
from svcgen.breaking.wiretypes import shown as type_text

_PARAM = re.compile(r"\{[^}]*\}")

Placed = tuple[m.Service, m.Member]


def member_findings(p: Pairing) -> Iterator[Finding]:
    yield from _packages(p)
    yield from _services(p)
    yield from _topics(p)
    yield from _endpoints(p)
    yield from _sockets(p)
    yield from _queued(p)
    yield from scheme_findings(p)


def _subject(svc: m.Service, handler: str) -> str:
    return f"{svc.package}.{svc.name}.{handler}"


def _has_queues(files: tuple[m.File, ...], package: str) -> bool:
    for f in files:
        if f.package == package and (f.topics or any(s.rpcs or s.consumers for s in f.services)):
            return True
    return False


def _packages(p: Pairing) -> Iterator[Finding]:
    seen: set[str] = set()
    for old, new in p.renamed_files:
        if old.package not in seen and _has_queues(p.old.files, old.package):
            seen.add(old.package)
            yield finding("B503", "new", new.package_span, old.package, old=old.package, new=new.package)


def _services(p: Pairing) -> Iterator[Finding]:
    for old, new in p.renamed_services:
        if old.rpcs or old.consumers:
            yield finding("B505", "new", new.name_span, f"{old.package}.{old.name}", old=old.name, new=new.name)


def _topics(p: Pairing) -> Iterator[Finding]:
    for t in p.old.all_topics:
        u = p.topic(t)
        subject = f"{t.package}.{t.name}"
        if u is None:
            yield finding("B501", "old", t.name_span, subject, name=t.name)
        elif type_text(t.type) != type_text(u.type):
            yield finding(
                "B502", "new", u.type.span, subject, name=t.name, old=type_text(t.type), new=type_text(u.type)
            )


def _members(model: m.Model, kind: type) -> list[Placed]:
    return [(s, x) for f in model.files for s in f.services for x in s.members if isinstance(x, kind)]


def _route(ep: m.Endpoint) -> tuple[str, str]:
    return ep.method, _PARAM.sub("{}", ep.path)


def _status(ep: m.Endpoint) -> int:
    return ep.status or (200 if ep.returns is not None else 204)


def _endpoints(p: Pairing) -> Iterator[Finding]:
    new = _members(p.new, m.Endpoint)
    by_route: dict[tuple[str, str], Placed] = {}
    for s, x in new:
        assert isinstance(x, m.Endpoint)
        by_route.setdefault(_route(x), (s, x))
    by_handler = {(s.package, s.name, x.handler): (s, x) for s, x in new}
    for svc, ep in _members(p.old, m.Endpoint):
        assert isinstance(ep, m.Endpoint)
        subject = _subject(svc, ep.handler)
        route = f"{ep.method} {ep.path}"
        pair = by_route.get(_route(ep))
        if pair is None:
            renamed = p.services.get((svc.package, svc.name))
            pair = by_handler.get((renamed.package, renamed.name, ep.handler)) if renamed else None
            if pair is None:
                yield finding("B301", "old", ep.handler_span, subject, name=ep.handler, route=route)
                continue
            moved = pair[1]
            assert isinstance(moved, m.Endpoint)
            yield finding(
                "B302", "new", moved.path_span, subject, name=ep.handler, old=route, new=f"{moved.method} {moved.path}"
            )
        new_ep = pair[1]
        assert isinstance(new_ep, m.Endpoint)
        yield from requirement_findings(p, (svc, ep), (pair[0], new_ep), subject)
        if new_ep is not ep:  # the same object: taken unchanged from the new version (breaking/reuse.py)
            yield from _endpoint(ep, new_ep, subject, route)


def _endpoint(old: m.Endpoint, new: m.Endpoint, subject: str, route: str) -> Iterator[Finding]:
    if old.handler != new.handler:
        yield finding("B308", "new", new.handler_span, subject, route=route, old=old.handler, new=new.handler)
    if _status(old) != _status(new):
        span = new.status_span or new.handler_span
        yield finding("B303", "new", span, subject, name=old.handler, old=_status(old), new=_status(new))
    yield from _params(old, new, subject, "B304")
    yield from header_findings(old, new, subject)
    yield from _result(old.returns, new.returns, new, subject, "B307", "returns")
    kept = {type_text(t) for t in new.throws}
    for t in old.throws:
        if type_text(t) not in kept:
            yield finding("B305", "old", t.span, subject, name=old.handler, error=type_text(t))


def _body(params: tuple[m.Field, ...]) -> m.Field | None:
    return next((f for f in params if f.type.kind == "named" and f.type.decl_kind != m.DeclKind.ENUM), None)


def _params(
    old: m.Endpoint | m.Rpc | m.Socket, new: m.Endpoint | m.Rpc | m.Socket, subject: str, added: str
) -> Iterator[Finding]:
    """Parameters are written by clients: none may become required, change type, tighten or change default."""
    http = not isinstance(old, m.Rpc)
    old_body, new_body = (_body(old.params), _body(new.params)) if http else (None, None)
    pairs: list[tuple[m.Field | None, m.Field]] = []
    before = {f.name: f for f in old.params if f is not old_body}
    for g in new.params:
        if g is new_body:
            pairs.append((old_body, g))
        else:
            pairs.append((before.get(g.name), g))
    paths = set(m.path_params(old.path)) if not isinstance(old, m.Rpc) else set()
    for f, g in pairs:
        where = f"{subject}.{g.name}"
        if f is None:
            if g.required and g.name not in paths:
                yield finding(
                    added, "new", g.name_span, where, name=old.handler, what=_what(g, new_body, http), param=g.name
                )
            continue
        for found in field_change(f, g, Direction.WRITE, old.handler, where):
            if found.code == "B103":
                yield finding("B306", "new", g.type.span, where, param=g.name, name=old.handler, **_types(f, g))
            elif found.code == "B202":
                yield finding(
                    added, "new", g.name_span, where, name=old.handler, what=_what(g, new_body, http), param=g.name
                )
            else:
                yield found


def _what(g: m.Field, body: m.Field | None, http: bool) -> str:
    if g is body:
        return "body"
    if not http:
        return "parameter"
    return "header parameter" if g.annotation("header") is not None else "query parameter"


def _types(f: m.Field, g: m.Field) -> dict[str, object]:
    return {"old": type_text(f.type, True), "new": type_text(g.type, True)}


def _result(
    old: m.TypeRef | None,
    new: m.TypeRef | None,
    member: m.Member,
    subject: str,
    code: str,
    verb: str,
    read: bool = True,
) -> Iterator[Finding]:
    """A result is read by clients (it may only narrow); a socket's `receives` is written (it may only widen)."""
    if old is None:
        return
    if new is not None:
        narrow, wide = (new, old) if read else (old, new)
        if fits(narrow, wide) and (wide.optional or not narrow.optional):
            return
    span = new.span if new is not None else member.handler_span
    shown_new = type_text(new, True) if new is not None else "nothing"
    yield finding(code, "new", span, subject, name=member.handler, verb=verb, old=type_text(old, True), new=shown_new)


def _sockets(p: Pairing) -> Iterator[Finding]:
    new: dict[str, tuple[m.Service, m.Socket]] = {}
    for s, x in _members(p.new, m.Socket):
        assert isinstance(x, m.Socket)
        new.setdefault(_PARAM.sub("{}", x.path), (s, x))
    for svc, sock in _members(p.old, m.Socket):
        assert isinstance(sock, m.Socket)
        subject = _subject(svc, sock.handler)
        placed = new.get(_PARAM.sub("{}", sock.path))
        if placed is None:
            yield finding("B309", "old", sock.handler_span, subject, name=sock.handler, path=sock.path)
            continue
        other = placed[1]
        yield from requirement_findings(p, (svc, sock), placed, subject)
        yield from _params(sock, other, subject, "B304")
        yield from _result(sock.sends, other.sends, other, subject, "B307", "sends")
        yield from _result(sock.receives, other.receives, other, subject, "B307", "receives", read=False)


def _queued(p: Pairing) -> Iterator[Finding]:
    """RPCs and consumers: each has a queue named `package.Service.handler`."""
    for kind in (m.Rpc, m.Consumer):
        new = {(s.package, s.name, x.handler): x for s, x in _members(p.new, kind)}
        used: set[str] = set()
        for svc, x in _members(p.old, kind):
            target = p.services.get((svc.package, svc.name))
            other = new.get((target.package, target.name, x.handler)) if target else None
            subject = _subject(svc, x.handler)
            queue = subject
            if isinstance(x, m.Rpc):
                if other is None:
                    yield finding("B401", "old", x.handler_span, subject, name=x.handler, queue=queue)
                elif other is not x:  # the same object: taken unchanged, nothing to compare
                    assert isinstance(other, m.Rpc) and target is not None
                    yield from requirement_findings(p, (svc, x), (target, other), subject)
                    yield from _rpc(x, other, subject)
            elif isinstance(x, m.Consumer) and other is None:
                how = "removed"
                if target is not None:
                    for c in target.consumers:
                        if c.pattern == x.pattern and c.handler not in used and not _has(svc, c.handler):
                            how = f"renamed to '{c.handler}'"
                            used.add(c.handler)
                            break
                yield finding("B504", "old", x.handler_span, subject, name=x.handler, how=how, queue=queue)


def _has(svc: m.Service, handler: str) -> bool:
    return any(x.handler == handler for x in svc.members)


def _rpc(old: m.Rpc, new: m.Rpc, subject: str) -> Iterator[Finding]:
    yield from _params(old, new, subject, "B402")
    yield from _result(old.returns, new.returns, new, subject, "B403", "returns")
    kept = {type_text(t) for t in new.throws}
    for t in old.throws:
        if type_text(t) not in kept:
            yield finding("B305", "old", t.span, subject, name=old.handler, error=type_text(t))
    if new.timeout_ms is not None and (old.timeout_ms is None or new.timeout_ms < old.timeout_ms):
        span = new.timeout_span or new.handler_span
        old_text = _duration(old.timeout_ms) if old.timeout_ms is not None else "no timeout"
        yield finding("B404", "new", span, subject, name=old.handler, old=old_text, new=_duration(new.timeout_ms))


def _duration(ms: int) -> str:
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"
