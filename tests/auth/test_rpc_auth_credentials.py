"""svcgen_runtime.rpc.credentials without a transport: the names a credential travels under on RPC,
how a server reads it back, and that the RPC modules load without fastapi (the auth module's
dependency) when no rpc requires a scheme."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import pytest
from pydantic import BaseModel
from svcgen_runtime.auth import AuthScheme, Unauthorized
from svcgen_runtime.rpc.credentials import (
    Refused,
    authenticate,
    credential_metadata,
    credential_of,
    without_credential,
)
from svcgen_runtime.spec import RpcSpec


class Claims(BaseModel):
    sub: str
    scopes: list[str] = []


BEARER = AuthScheme("p", "user", "bearer", Claims)
HEADER = AuthScheme("p", "partner", "apikey", Claims, location="header", key="X-API-Key")
QUERY = AuthScheme("p", "feed", "apikey", Claims, location="query", key="Feed_Key")


def test_names_and_values_on_the_wire() -> None:
    assert credential_metadata(BEARER, "t0k") == {"authorization": "Bearer t0k"}
    assert credential_metadata(HEADER, "k1") == {"x-api-key": "k1"}
    assert credential_metadata(QUERY, "k2") == {"feed_key": "k2"}
    assert credential_metadata(BEARER, None) == {} and credential_metadata(HEADER, "") == {}


@pytest.mark.parametrize(
    ("scheme", "headers", "found"),
    [
        (BEARER, {"authorization": "Bearer abc"}, "abc"),
        (BEARER, {"Authorization": b"bearer  abc "}, "abc"),  # any case of name and scheme; bytes (AMQP)
        (BEARER, {"authorization": "Basic abc"}, None),
        (BEARER, {"authorization": "Bearer "}, None),
        (BEARER, {"authorization": "abc"}, None),
        (BEARER, {"x-api-key": "abc"}, None),
        (HEADER, {"X-Api-Key": "k"}, "k"),
        (HEADER, {"x-api-key": ""}, None),
        (HEADER, {"authorization": "Bearer k"}, None),
        (QUERY, {"feed_key": "q"}, "q"),
        (QUERY, {"x-svcgen-deadline": 123}, None),
    ],
)
def test_server_reads_the_credential(scheme: AuthScheme[Any], headers: dict[str, object], found: str | None) -> None:
    assert credential_of(scheme, headers) == found


def test_the_credential_is_not_passed_on() -> None:
    rpc = RpcSpec("f", "p.S.f", auth=HEADER, verifier="verify_partner")
    headers = {"X-API-Key": "secret", "x-svcgen-deadline": 1, "traceparent": "00-x"}
    assert without_credential(rpc, headers) == {"x-svcgen-deadline": 1, "traceparent": "00-x"}
    assert without_credential(RpcSpec("g", "p.S.g"), headers) == headers


class Service:
    async def verify_user(self, token: str) -> Claims | None:
        if token == "boom":
            raise RuntimeError("verifier down")
        if token == "nil":
            return None
        if token != "good":
            raise Unauthorized("unknown token")
        return Claims(sub="ann", scopes=["a"])


def _authenticate(rpc: RpcSpec, headers: dict[str, object]) -> Any:
    return asyncio.run(authenticate(Service(), rpc, headers))


def test_authenticate_gives_claims_or_refuses() -> None:
    scoped = RpcSpec("f", "p.S.f", auth=BEARER, verifier="verify_user", scopes=("a",))
    assert _authenticate(scoped, {"authorization": "Bearer good"}) == (BEARER, Claims(sub="ann", scopes=["a"]))
    assert _authenticate(RpcSpec("p", "p.S.p"), {"authorization": "Bearer good"}) is None  # public: not read
    for headers, status, detail in (
        ({}, 401, "credentials of 'user' are required"),
        ({"authorization": "Bearer nope"}, 401, "unknown token"),
        ({"authorization": "Bearer nil"}, 401, "invalid credentials"),
    ):
        with pytest.raises(Refused) as refused:
            _authenticate(scoped, headers)
        assert (refused.value.status, refused.value.detail) == (status, detail)
    more = RpcSpec("g", "p.S.g", auth=BEARER, verifier="verify_user", scopes=("a", "b"))
    with pytest.raises(Refused) as forbidden:
        _authenticate(more, {"authorization": "Bearer good"})
    assert (forbidden.value.status, forbidden.value.detail) == (403, "missing scope 'b'")
    with pytest.raises(RuntimeError, match="verifier down"):  # a crash is no refusal and no pass
        _authenticate(scoped, {"authorization": "Bearer boom"})


def test_rpc_modules_load_without_fastapi() -> None:
    code = (
        "import sys\n"
        "import svcgen_runtime.spec, svcgen_runtime.rpc.client, svcgen_runtime.rpc.amqp\n"
        "import svcgen_runtime.rpc.amqp_server, svcgen_runtime.rpc.grpc\n"
        "assert 'fastapi' not in sys.modules, 'fastapi was imported'\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
