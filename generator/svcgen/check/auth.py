"""Rules on authentication and header parameters: schemes, requirements, `public`, `@header`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from svcgen import model as m
from svcgen.check.declarations import wrong_kind
from svcgen.check.http import PATH_SCALARS
from svcgen.diagnostics import Diagnostic, error
from svcgen.naming import header_name, py_attr, verifier_name

# RFC 9110 token characters: what a header field name may consist of
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


def _header_problem(name: str) -> str | None:
    if not name:
        return "it is empty"
    if not _TOKEN.match(name):
        return "a header name is letters, digits and !#$%&'*+-.^_`|~ only"
    return None


def schemes(model: m.Model) -> Iterator[Diagnostic]:
    """E602 claims are a message; E608 an API key header is a valid header name."""
    for f in model.files:
        for d in f.auth_schemes:
            ref = d.claims
            if ref.kind != "named":
                yield error("E602", ref.span, name=d.name, kind=f"'{ref}'", help="declare a message for the claims")
            else:
                wrong = wrong_kind(ref, m.DeclKind.MESSAGE)
                if wrong:
                    yield error("E602", ref.span, name=d.name, kind=wrong, help="declare a message for the claims")
            if d.location == "header" and d.key is not None and d.key_span is not None:
                problem = _header_problem(d.key)
                if problem:
                    yield error("E608", d.key_span, header=d.key, reason=problem)


def _has_scopes(model: m.Model, scheme: m.AuthScheme) -> bool:
    decl = model.lookup(scheme.claims)
    if not isinstance(decl, m.Message):
        return True  # E602 says what is wrong
    for fld in decl.fields:
        if fld.name == "scopes" and fld.type.kind == "list" and str(fld.type.args[0]) == "string":
            return True
    return False


def requirements(model: m.Model) -> Iterator[Diagnostic]:
    """E603 scopes need a scopes field in the claims; E604 `public` excludes `requires`."""
    for f in model.files:
        for service in f.services:
            reqs = [service.requires] + [
                x.requires for x in service.members if isinstance(x, (m.Endpoint, m.Rpc, m.Socket))
            ]
            for req in reqs:
                if req is None or not req.scopes:
                    continue
                scheme = model.auth_scheme(req)
                if scheme is not None and not _has_scopes(model, scheme):
                    yield error(
                        "E603",
                        req.scopes[0].span,
                        help=f"add 'scopes: list<string> = [];' to message '{scheme.claims.name}'",
                        name=scheme.name,
                        claims=scheme.claims.name,
                    )
            for x in service.members:
                if isinstance(x, (m.Endpoint, m.Rpc, m.Socket)) and x.public and x.requires is not None:
                    yield error(
                        "E604",
                        x.requires.span,
                        help="remove 'public' or the 'requires' clause",
                        handler=x.handler,
                        scheme=x.requires.scheme,
                    )


def headers(model: m.Model) -> Iterator[Diagnostic]:
    """E605 only endpoint parameters are headers; E606 simple types; E607 each header once; E608 valid names."""
    for f in model.files:
        for d in f.declarations:
            if isinstance(d, (m.Message, m.Error)):
                for fld in d.fields:
                    a = fld.annotation("header")
                    if a is not None:
                        yield error(
                            "E605",
                            a.span,
                            what="field",
                            name=fld.name,
                            help="only parameters of HTTP endpoints are headers",
                        )
        for service in f.services:
            for x in service.members:
                if isinstance(x, (m.Rpc, m.Socket)):
                    what = "rpc parameter" if isinstance(x, m.Rpc) else "socket parameter"
                    for p in x.params:
                        a = p.annotation("header")
                        if a is not None:
                            yield error(
                                "E605",
                                a.span,
                                what=what,
                                name=p.name,
                                help="only parameters of HTTP endpoints are headers",
                            )
                if not isinstance(x, m.Endpoint):
                    continue
                seen: dict[str, str] = {}
                req = service.requirement(x)
                scheme = model.auth_scheme(req)
                if scheme is not None:
                    credential = "Authorization" if scheme.kind == "bearer" else scheme.key
                    if credential and (scheme.kind == "bearer" or scheme.location == "header"):
                        seen[credential.lower()] = f"the credential of auth scheme '{scheme.name}'"
                for p in x.params:
                    a = p.annotation("header")
                    name = header_name(p)
                    if a is None or name is None:
                        continue
                    if p.name in x.path_param_names:
                        yield error(
                            "E605",
                            a.span,
                            what="path parameter",
                            name=p.name,
                            help="a path parameter travels in the path",
                        )
                        continue
                    ref = p.type
                    unbound = any(r.kind == "named" and r.target is None for r in m.walk_types(ref))
                    simple = (ref.kind == "scalar" and ref.name in PATH_SCALARS) or ref.decl_kind == m.DeclKind.ENUM
                    if not simple and not unbound:
                        yield error("E606", ref.span, name=p.name, type=str(ref))
                    problem = _header_problem(name)
                    if problem:
                        yield error("E608", a.args[0].span, header=name, reason=problem)
                        continue
                    if name.lower() in seen:
                        yield error(
                            "E607",
                            a.args[0].span,
                            help=f"it is already {seen[name.lower()]} (header names are case-insensitive)",
                            header=name,
                            handler=x.handler,
                        )
                    seen.setdefault(name.lower(), f"parameter '{p.name}'")


def verifier_names(model: m.Model) -> Iterator[Diagnostic]:
    """E611: a handler may not take the name of a generated verifier (`verify_<scheme>`) of a scheme
    any member requires (endpoints, sockets and rpcs alike)."""
    for f in model.files:
        for service in f.services:
            verifiers: dict[str, str] = {}
            for x in service.members:
                req = service.requirement(x)
                scheme = model.auth_scheme(req)
                if scheme is not None:
                    verifiers.setdefault(verifier_name(scheme.name), scheme.name)
            for x in service.members:
                generated = py_attr(x.handler)
                if generated in verifiers:
                    yield error(
                        "E611",
                        x.handler_span,
                        name=x.handler,
                        generated=generated,
                        scheme=verifiers[generated],
                        service=service.name,
                        help="rename the handler",
                    )


# gRPC metadata keys: lower-case letters, digits, '-', '_' and '.' (the key of an rpc's API key is the
# scheme's header or query name in lower case)
_METADATA_KEY = re.compile(r"^[0-9a-z_.-]+$")


def _metadata_problem(key: str) -> str | None:
    name = key.lower()
    if not _METADATA_KEY.match(name):
        return "gRPC metadata names are letters, digits, '-', '_' and '.' only"
    if name.startswith("grpc-"):
        return "gRPC reserves the names that start with 'grpc-'"
    if name.endswith("-bin"):
        return "gRPC sends a name that ends in '-bin' as binary"
    return None


def rpc_keys(model: m.Model) -> Iterator[Diagnostic]:
    """E612: an rpc's API key travels as gRPC metadata (and an AMQP header) under the scheme's key
    in lower case, so that key must be a valid metadata name (the python-grpc target is built by
    default; nothing is silently unreachable). Once per scheme, at its key, naming the first rpc."""
    first: dict[tuple[str, str], tuple[m.AuthScheme, str]] = {}
    for f in model.files:
        for service in f.services:
            for x in service.rpcs:
                req = service.requirement(x)
                scheme = model.auth_scheme(req)
                if scheme is not None and scheme.kind == "apikey" and scheme.key:
                    first.setdefault((scheme.package, scheme.name), (scheme, x.handler))
    for scheme, handler in first.values():
        problem = _metadata_problem(scheme.key or "")
        if problem is not None:
            yield error(
                "E612",
                scheme.key_span or scheme.span,
                help=f"a key such as '{_suggest(scheme.key or '')}' works over HTTP, AMQP and gRPC alike",
                scheme=scheme.name,
                handler=handler,
                key=scheme.key,
                reason=problem,
            )


def _suggest(key: str) -> str:
    name = re.sub(r"[^0-9a-z_.-]+", "-", key.lower()).strip("-") or "api-key"
    name = name.removeprefix("grpc-").removesuffix("-bin")
    return name or "api-key"


RULES = (schemes, requirements, headers, verifier_names, rpc_keys)
