"""Authentication of generated routes, sockets and rpcs: schemes, verification, the claims hook.

The IDL's `auth NAME = ...` becomes an `AuthScheme` constant in the generated service.py
(`USER`), and the service class an abstract verifier per scheme it uses (`verify_user`). Every
generated route of a member that requires a scheme reads the credential through the scheme's
FastAPI security dependency (so the OpenAPI document lists it), then calls `authenticate`
before the handler: no credential, a verifier that raises `Unauthorized` or returns None answer
401 with `WWW-Authenticate`; claims without a required scope answer 403. The handler reads the
verified claims with `use_claims(USER)` inside its unit of work. An rpc that requires a scheme
is checked with the same `verify` by the AMQP and gRPC servers (`svcgen_runtime.rpc.credentials`:
the credential in a request header or call metadata, refused as `unauthorized` / `forbidden`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from fastapi import HTTPException, Security, WebSocket
from fastapi.security import APIKeyHeader, APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

from svcgen_runtime.context import use_context

C = TypeVar("C")

#: Where the verified claims of a unit of work are kept in `Context.values`.
CLAIMS_KEY = "svcgen.claims"

#: WebSocket close codes: no or a rejected credential, and a credential without a required scope.
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403


class Unauthorized(Exception):
    """Raise from a verifier when the credential is not accepted: the caller gets 401."""


@dataclass(frozen=True)
class AuthScheme(Generic[C]):
    """One `auth` declaration: how the credential travels and the claims its verifier returns."""

    package: str
    name: str
    kind: Literal["bearer", "apikey"]
    claims: type[C]
    location: Literal["header", "query"] | None = None
    key: str | None = None
    dependency: Callable[..., Awaitable[str | None]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "dependency", _dependency(self))

    @property
    def challenge(self) -> str:
        """The `WWW-Authenticate` value of a 401."""
        if self.kind == "bearer":
            return f'Bearer realm="{self.name}"'
        return f'ApiKey realm="{self.name}", in="{self.location}", name="{self.key}"'

    def guard(self, verifier: Callable[[str], Awaitable[C | None]]) -> Callable[..., Awaitable[C]]:
        """The dependency a generated route declares, `Security(USER.guard(impl.verify_user),
        scopes=[...])`: it runs before the route's own parameters are validated, so a caller
        without valid credentials learns nothing but 401 (or 403 for a missing scope)."""
        scheme = self
        read = Security(self.dependency)

        async def guard(security_scopes: SecurityScopes, credential: Any = read) -> C:
            return await authenticate(scheme, verifier, credential, security_scopes.scopes)

        return guard

    def credential_of(self, websocket: WebSocket) -> str | None:
        """The credential of a socket connect: its header, else the `token` query parameter
        (browsers cannot set headers on a WebSocket); an API key in the query under its own name."""
        if self.kind == "bearer":
            header = websocket.headers.get("authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
        elif self.location == "header" and self.key:
            value = websocket.headers.get(self.key)
            if value:
                return value
        elif self.key:
            value = websocket.query_params.get(self.key)
            if value:
                return value
        return websocket.query_params.get("token") or None


def _dependency(scheme: AuthScheme[Any]) -> Callable[..., Awaitable[str | None]]:
    """A FastAPI dependency that reads the raw credential (None when absent) through the
    fastapi.security class of the scheme, which puts the scheme in the OpenAPI document."""
    security: Any
    if scheme.kind == "bearer":
        security = HTTPBearer(auto_error=False, scheme_name=scheme.name)
    elif scheme.location == "header":
        security = APIKeyHeader(name=scheme.key or "", auto_error=False, scheme_name=scheme.name)
    else:
        security = APIKeyQuery(name=scheme.key or "", auto_error=False, scheme_name=scheme.name)

    read = Security(security)

    async def credential(value: Any = read) -> str | None:
        if isinstance(value, HTTPAuthorizationCredentials):
            return value.credentials or None
        return value if isinstance(value, str) and value else None

    return credential


class Denied(Exception):
    """Why a credential did not get through: `status` 401 or 403."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


async def verify(
    scheme: AuthScheme[C], verifier: Callable[[str], Awaitable[C | None]], credential: str | None, scopes: Sequence[str]
) -> C:
    """The verified claims, or Denied (401: none, rejected; 403: a scope missing)."""
    if not credential:
        raise Denied(401, f"credentials of '{scheme.name}' are required")
    try:
        claims = await verifier(credential)
    except Unauthorized as exc:
        raise Denied(401, str(exc) or "invalid credentials") from None
    if claims is None:
        raise Denied(401, "invalid credentials")
    if scopes:
        granted = set(getattr(claims, "scopes", None) or ())
        missing = [s for s in scopes if s not in granted]
        if missing:
            raise Denied(403, "missing scope " + ", ".join(f"'{s}'" for s in missing))
    return claims


async def authenticate(
    scheme: AuthScheme[C], verifier: Callable[[str], Awaitable[C | None]], credential: str | None, scopes: Sequence[str]
) -> C:
    """`verify` for an HTTP route: Denied becomes the HTTPException FastAPI answers with."""
    try:
        return await verify(scheme, verifier, credential, scopes)
    except Denied as exc:
        headers = {"WWW-Authenticate": scheme.challenge} if exc.status == 401 else None
        raise HTTPException(exc.status, detail=exc.detail, headers=headers) from None


async def authenticate_socket(
    websocket: WebSocket,
    scheme: AuthScheme[C],
    verifier: Callable[[str], Awaitable[C | None]],
    scopes: Sequence[str],
) -> C | None:
    """`verify` on a socket connect; on refusal the socket is accepted and closed with 4401/4403."""
    try:
        return await verify(scheme, verifier, scheme.credential_of(websocket), scopes)
    except Denied as exc:
        await websocket.accept()
        code = CLOSE_UNAUTHORIZED if exc.status == 401 else CLOSE_FORBIDDEN
        await websocket.close(code=code, reason=exc.detail[:120])
        return None


def use_claims(scheme: AuthScheme[C]) -> C:
    """The claims verified for this request under `scheme`; LookupError outside a unit of work of
    a member that requires it."""
    found = use_context().values.get(CLAIMS_KEY)
    if found is None or found[0] != scheme:
        raise LookupError(f"no claims of auth scheme '{scheme.name}' in this unit of work")
    claims: C = found[1]
    return claims
