"""Who may call: rules for `requires`, `public`, auth schemes and header parameters (B6xx).

A credential is written by clients like a parameter: a member that starts to require one, or
another one, or more scopes of it, refuses every old caller; a scheme that moves its credential
(bearer <-> apikey, header <-> query, another name) makes old clients send it where the server
no longer looks; so does a parameter moved between the query string and a header. Losing a
requirement, a scope or a header breaks nobody: servers ignore what they no longer read.
"""

from __future__ import annotations

from collections.abc import Iterator

from svcgen import model as m
from svcgen.breaking.findings import Finding, finding
from svcgen.breaking.match import Pairing
from svcgen.source import Span

Called = m.Endpoint | m.Rpc | m.Socket

# How each kind of member refuses a caller without a credential, and one without a scope.
_UNAUTHORIZED = {"endpoint": "401", "socket": "4401", "rpc": "unauthorized"}
_FORBIDDEN = {"endpoint": "403", "socket": "4403", "rpc": "forbidden"}


def requirement_findings(
    p: Pairing, old: tuple[m.Service, Called], new: tuple[m.Service, Called], subject: str
) -> Iterator[Finding]:
    """One member paired across versions: does it now ask old callers for more than they send?"""
    (old_svc, x), (new_svc, y) = old, new
    if old_svc is new_svc:
        return  # taken unchanged from the new version (breaking/reuse.py): the same requirement
    before, after = old_svc.requirement(x), new_svc.requirement(y)
    if after is None:
        return  # public now, or still: every old caller gets in
    scheme = p.new.auth_scheme(after)
    assert scheme is not None  # a resolved model: every requirement names a scheme
    args: dict[str, object] = {"what": y.member, "name": x.handler}
    if before is None:
        span = _added_span(old_svc, new_svc, y, after)
        yield finding("B601", "new", span, subject, scheme=scheme.name, refusal=_UNAUTHORIZED[y.member], **args)
        return
    was = p.old.auth_scheme(before)
    assert was is not None
    if (p.package(was.package), was.name) != (scheme.package, scheme.name):
        names = (was.name, scheme.name) if was.name != scheme.name else (_qualified(was), _qualified(scheme))
        yield finding("B602", "new", after.scheme_span, subject, old=names[0], new=names[1], **args)
        return
    had = set(before.scope_names)
    for value in after.scopes:
        if str(value.value) not in had:
            scope = str(value.value)
            yield finding("B603", "new", value.span, subject, scope=scope, refusal=_FORBIDDEN[y.member], **args)


def _qualified(s: m.AuthScheme) -> str:
    return f"{s.package}.{s.name}"


def _added_span(old_svc: m.Service, new_svc: m.Service, member: Called, after: m.Requirement) -> Span:
    """The member's own `requires`; else its handler when it merely stopped being public (the service
    already required this); else the service's `requires`, which is new."""
    if member.requires is after:
        return after.span
    if old_svc.requires is not None and old_svc.requires.scheme == after.scheme:
        return member.handler_span
    return after.span


def scheme_findings(p: Pairing) -> Iterator[Finding]:
    """An auth scheme that some member of the previous version required, now taking its credential elsewhere."""
    used: dict[m.QualifiedName, None] = {}
    for f in p.old.files:
        for svc in f.services:
            for x in svc.members:
                req = svc.requirement(x)
                if req is not None and req.target is not None:
                    used.setdefault(req.target)
    for name in used:
        old = p.old._auth.get(name)
        new = p.scheme(name)
        if old is None or new is None or old is new:
            continue  # gone (every member that used it reports B602), or taken unchanged from the new version
        if _transport(old) != _transport(new):
            span = new.key_span or new.span
            yield finding("B604", "new", span, str(name), name=old.name, old=_travels(old), new=_travels(new))


def _transport(s: m.AuthScheme) -> tuple[str, str | None, str | None]:
    """Where the credential travels; header names are case-insensitive, query names are not."""
    key = s.key.lower() if s.key is not None and s.location == "header" else s.key
    return s.kind, s.location, key


def _travels(s: m.AuthScheme) -> str:
    if s.kind == "bearer":
        return "as a bearer token"
    return f"in {'header' if s.location == 'header' else 'query parameter'} '{s.key}'"


def header_findings(old: m.Endpoint, new: m.Endpoint, subject: str) -> Iterator[Finding]:
    """A query or header parameter kept under its name whose place on the wire changed."""
    before = {f.name: f for f in old.params}
    paths = set(old.path_param_names) | set(new.path_param_names)
    for g in new.params:
        f = before.get(g.name)
        if f is None or g.name in paths or (f.type.kind == "named" and f.type.decl_kind != m.DeclKind.ENUM):
            continue  # new, a path parameter or the body: other rules
        was, now = _header(f), _header(g)
        if (was.lower() if was else None) == (now.lower() if now else None):
            continue
        note = g.annotation("header")
        span = note.span if note is not None else g.name_span
        shown = {"old": _place(was), "new": _place(now)}
        yield finding("B605", "new", span, f"{subject}.{g.name}", param=g.name, name=old.handler, **shown)


def _header(f: m.Field) -> str | None:
    note = f.annotation("header")
    return str(note.args[0].value) if note is not None and note.args else None


def _place(header: str | None) -> str:
    return f"header '{header}'" if header is not None else "the query string"
