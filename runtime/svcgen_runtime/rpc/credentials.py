"""Credentials of RPC calls, the same on both transports: AMQP message headers, gRPC call metadata.

An RPC that requires an auth scheme (`RpcSpec.auth`) takes its credential under one lower-case
name (gRPC metadata keys must be lower case; AMQP uses the same name):
- `bearer`: `authorization`, value `Bearer <token>`;
- `apikey header "X-API-Key"`: `x-api-key`, value the key;
- `apikey query "key"`: `key`, value the key (an RPC has no query string).

The server verifies it before it decodes the parameters, with the service's verifier
(`RpcSpec.verifier`, e.g. `verify_user`) through `svcgen_runtime.auth.verify`, so a caller
without a valid credential learns nothing but the refusal: `Refused` with status 401 (none, a
verifier that raised `Unauthorized` or returned None) or 403 (a required scope missing). Any
other exception of a verifier propagates: the call fails, it is never let through.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # svcgen_runtime.auth imports fastapi: loaded only when an RPC requires a scheme
    from svcgen_runtime.auth import AuthScheme
    from svcgen_runtime.spec import RpcSpec

AUTHORIZATION = "authorization"


class Refused(Exception):
    """The credential did not get through: `status` 401 (unauthorized) or 403 (forbidden)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def credential_key(scheme: AuthScheme[Any]) -> str:
    """The header / metadata name the credential of `scheme` travels under on RPC."""
    if scheme.kind == "bearer":
        return AUTHORIZATION
    return (scheme.key or "").lower()


def credential_metadata(scheme: AuthScheme[Any], secret: str | None) -> dict[str, str]:
    """What a client sends for `secret` under `scheme` (nothing without a secret)."""
    if not secret:
        return {}
    return {credential_key(scheme): f"Bearer {secret}" if scheme.kind == "bearer" else secret}


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def credential_of(scheme: AuthScheme[Any], headers: Mapping[str, object]) -> str | None:
    """The credential of `scheme` in request `headers` (names compared without case), or None."""
    key = credential_key(scheme)
    value = next((_text(v) for k, v in headers.items() if k.lower() == key), None)
    if not value:
        return None
    if scheme.kind == "bearer":
        kind, _, token = value.strip().partition(" ")
        if kind.lower() != "bearer":
            return None
        return token.strip() or None
    return value


def without_credential(rpc: RpcSpec, headers: Mapping[str, Any]) -> dict[str, Any]:
    """`headers` without the credential of `rpc`: what the unit of work sees (no secret in its context)."""
    if rpc.auth is None:
        return dict(headers)
    key = credential_key(rpc.auth)
    return {k: v for k, v in headers.items() if k.lower() != key}


async def authenticate(service: object, rpc: RpcSpec, headers: Mapping[str, object]) -> tuple[object, object] | None:
    """(scheme, verified claims) for the unit of work of a call of `rpc`, None for a public RPC;
    raises Refused, or whatever the verifier raised besides `Unauthorized`."""
    scheme = rpc.auth
    if scheme is None:
        return None
    from svcgen_runtime.auth import Denied, verify

    verifier = getattr(service, rpc.verifier or "", None)
    if verifier is None:
        raise TypeError(f"{type(service).__name__} has no verifier {rpc.verifier!r} for auth scheme {scheme.name!r}")
    try:
        claims = await verify(scheme, verifier, credential_of(scheme, headers), rpc.scopes)
    except Denied as exc:
        raise Refused(exc.status, exc.detail) from None
    return scheme, claims
