"""Rules on HTTP endpoints and sockets: paths, parameters, bodies, statuses, routes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from svcgen import model as m
from svcgen.check.declarations import wrong_kind
from svcgen.diagnostics import Diagnostic, did_you_mean, error
from svcgen.naming import body_param, header_name, is_body_type

_SEGMENT = re.compile(r"^(?:[A-Za-z0-9_\-.~:%]*|\{[A-Za-z_][A-Za-z0-9_]*\})$")
NO_BODY_METHODS = ("GET", "HEAD")
PATH_SCALARS = ("bool", "int", "float", "decimal", "string", "uuid", "date", "time", "datetime", "duration")


def path_problem(path: str) -> str | None:
    """Why a path cannot be routed, or None."""
    found = _path_fault(path)
    return found[0] if found else None


def _path_fault(path: str) -> tuple[str, int, int] | None:
    """Why a path cannot be routed, with the offsets of the part at fault (start, end)."""
    if not path.startswith("/"):
        return "a path starts with '/'", 0, len(path)
    seen: set[str] = set()
    start = 1
    for segment in path.split("/")[1:]:
        end = start + len(segment)
        if not _SEGMENT.match(segment):
            return f"segment '{segment}': a parameter fills a whole segment, as in /items/{{id}}", start, end
        if segment.startswith("{"):
            if segment in seen:
                return "a parameter appears twice", start, end
            seen.add(segment)
        start = end + 1
    return None


def _param_offsets(path: str, name: str) -> tuple[int, int]:
    start = path.find("{" + name + "}")
    return start, start + len(name) + 2


def _services(model: m.Model) -> Iterator[m.Service]:
    for f in model.files:
        yield from f.services


def _simple(ref: m.TypeRef) -> bool:
    """A scalar or enum that fits in one path segment or query value."""
    return (ref.kind == "scalar" and ref.name in PATH_SCALARS) or ref.decl_kind == m.DeclKind.ENUM


def _unbound(ref: m.TypeRef) -> bool:
    return any(r.kind == "named" and r.target is None for r in m.walk_types(ref))


def paths(model: m.Model) -> Iterator[Diagnostic]:
    """E309, E301, E302, E310: paths parse, and each `{name}` is a required simple parameter."""
    for service in _services(model):
        for x in service.members:
            if not isinstance(x, (m.Endpoint, m.Socket)):
                continue
            fault = _path_fault(x.path)
            if fault:
                reason, start, end = fault
                yield error("E309", x.path_span.part(x.path, start, end), path=x.path, reason=reason)
                continue
            params = {p.name: p for p in x.params}
            for name in m.path_params(x.path):
                param = params.get(name)
                if param is None:
                    yield error(
                        "E301",
                        x.path_span.part(x.path, *_param_offsets(x.path, name)),
                        help=did_you_mean(name, params) or f"add '{name}' to the parameters of '{x.handler}'",
                        name=name,
                        handler=x.handler,
                    )
                elif param.type.optional:
                    yield error(
                        "E302", param.type.span, name=name, help="a path segment is always present; remove the '?'"
                    )
                elif not _simple(param.type) and not _unbound(param.type):
                    yield error("E310", param.type.span, name=name, type=str(param.type))


def bodies(model: m.Model) -> Iterator[Diagnostic]:
    """E303 at most one body, E304 none on GET and HEAD, E311 query parameters are simple."""
    for service in _services(model):
        for e in service.endpoints:
            in_path = set(e.path_param_names)
            bodies = [p for p in e.params if p.name not in in_path and is_body_type(p.type)]
            if len(bodies) > 1:
                yield error(
                    "E303",
                    bodies[1].span,
                    help="wrap them in one message, or pass the others as query parameters",
                    handler=e.handler,
                    names=", ".join(f"'{p.name}'" for p in bodies),
                )
            if bodies and e.method in NO_BODY_METHODS:
                yield error(
                    "E304",
                    bodies[0].span,
                    method=e.method,
                    name=bodies[0].name,
                    help="use POST, or pass simple values as query parameters",
                )
            body = body_param(e)
            for p in e.params:
                if p.name in in_path or p is body or (bodies and p in bodies) or _unbound(p.type) or header_name(p):
                    continue
                ref = p.type
                inner = ref.args[0] if ref.kind == "list" else ref
                if not _simple(inner) or (ref.kind == "list" and inner.optional):
                    yield error("E311", ref.span, name=p.name, type=str(ref))


def statuses_and_throws(model: m.Model) -> Iterator[Diagnostic]:
    """E306, E312, E314 on statuses and responses; E308 only errors are thrown, E317 each once."""
    for service in _services(model):
        for x in service.members:
            if isinstance(x, m.Endpoint):
                if x.status is not None and x.status_span is not None:
                    if not 200 <= x.status <= 299:
                        yield error(
                            "E306", x.status_span, status=x.status, help="declared errors carry their own status"
                        )
                    elif x.status == 204 and x.returns is not None:
                        yield error("E312", x.status_span, help="remove the return type, or use status 200")
                if x.method == "HEAD" and x.returns is not None:
                    yield error("E314", x.returns.span, handler=x.handler)
            if isinstance(x, (m.Endpoint, m.Rpc)):
                thrown: set[m.QualifiedName] = set()
                for ref in x.throws:
                    if ref.target is not None:
                        if ref.target in thrown:
                            yield error("E317", ref.span, handler=x.handler, name=ref.name, help="remove the repeat")
                        thrown.add(ref.target)
                    wrong = wrong_kind(ref, m.DeclKind.ERROR)
                    if wrong:
                        yield error("E308", ref.span, name=ref.name, kind=wrong)


def _route_key(method: str, path: str) -> tuple[str, str]:
    return method, re.sub(r"\{[^}]*\}", "{}", path.rstrip("/") or "/")


def routes(model: m.Model) -> Iterator[Diagnostic]:
    """E305 one handler per method and path shape; E315 one socket per path."""
    for service in _services(model):
        seen: dict[tuple[str, str], str] = {}
        sockets: dict[tuple[str, str], str] = {}
        for x in service.members:
            if isinstance(x, m.Endpoint):
                key = _route_key(x.method, x.path)
                if key in seen:
                    yield error("E305", x.path_span, method=x.method, path=x.path, other=seen[key])
                seen.setdefault(key, x.handler)
            elif isinstance(x, m.Socket):
                key = _route_key("WS", x.path)
                if key in sockets:
                    yield error("E315", x.path_span, path=x.path, other=sockets[key])
                sockets.setdefault(key, x.handler)


def socket_params(model: m.Model) -> Iterator[Diagnostic]:
    """E316: a socket's parameters name its room, so they are simple values."""
    for service in _services(model):
        for s in service.sockets:
            for p in s.params:
                if not _simple(p.type) and not _unbound(p.type):
                    yield error("E316", p.type.span, name=p.name, type=str(p.type))


RULES = (paths, bodies, statuses_and_throws, routes, socket_params)
