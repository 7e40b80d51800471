"""tests/auth/auth.idl under uvicorn: every route x {no credentials, bad, valid without the scope,
valid with it}, the table built from the model (a route added to the IDL is covered unedited)."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import websockets
from svcgen import model as m
from svcgen.frontend import compile_file
from svcgen.naming import body_param, header_name

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "python_target"))
from python_target_support import python_build, uvicorn_server, write_tree  # noqa: E402

pytestmark = pytest.mark.slow
IDL = HERE / "auth.idl"
CASES = ("none", "bad", "no-scope", "scoped")


@dataclass(frozen=True)
class Row:
    handler: str
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, str]
    body: object
    scheme: m.AuthScheme | None
    scopes: tuple[str, ...]
    status: int


def _sample(ref: m.TypeRef) -> object:
    return "x" if ref.kind == "scalar" and ref.name == "string" else 1


def rows() -> list[Row]:
    result = compile_file(IDL)
    assert result.model is not None
    model = result.model
    out = []
    for svc in model.root.services:
        for x in svc.endpoints:
            req = svc.requirement(x)
            path, headers, params, body = x.path, {}, {}, None
            for p in x.params:
                if p.name in x.path_param_names:
                    path = path.replace("{" + p.name + "}", "n1")
                elif p is body_param(x):
                    decl = model.lookup(p.type)
                    assert isinstance(decl, m.Message)
                    body = {f.name: _sample(f.type) for f in decl.fields if f.required}
                elif header_name(p) and p.required:
                    headers[header_name(p) or ""] = "h"
                elif p.required:
                    params[p.name] = "q"
            status = x.status or (200 if x.returns is not None else 204)
            scheme = model.auth_scheme(req) if req is not None else None
            out.append(
                Row(x.handler, x.method, path, headers, params, body, scheme, req.scope_names if req else (), status)
            )
    return out


ROWS = rows()


def credential(row: Row, case: str, headers: dict[str, str], params: dict[str, str]) -> None:
    scheme = row.scheme
    if scheme is None or case == "none":
        return
    value = {"bad": "bad", "no-scope": f"{scheme.name}-none", "scoped": f"{scheme.name}-all"}[case]
    if scheme.kind == "bearer":
        headers["Authorization"] = f"Bearer {value}"
    elif scheme.location == "header":
        headers[scheme.key or ""] = value
    else:
        params[scheme.key or ""] = value


def expected(row: Row, case: str) -> int:
    if row.scheme is None:
        return row.status
    if case in ("none", "bad"):
        return 401
    if case == "no-scope" and row.scopes:
        return 403
    return row.status


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("auth_e2e")
    write_tree(python_build(IDL), base / "authdemo_api")
    shutil.copy(HERE / "auth_app.py", base / "auth_app.py")
    with uvicorn_server(base, "auth_app:app") as url:
        yield url


def test_the_table_covers_public_scoped_and_every_scheme() -> None:
    assert {r.scheme.name if r.scheme else None for r in ROWS} == {None, "user", "partner", "feed"}
    assert any(r.scopes for r in ROWS) and any(not r.scopes and r.scheme for r in ROWS)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.handler)
def test_route_answers_by_credentials(server: str, row: Row, case: str) -> None:
    headers, params = dict(row.headers), dict(row.params)
    credential(row, case, headers, params)
    r = httpx.request(row.method, server + row.path, headers=headers, params=params, json=row.body)
    assert r.status_code == expected(row, case), (row.handler, case, r.text)
    if r.status_code == 401:
        assert r.headers["WWW-Authenticate"].split()[0] in ("Bearer", "ApiKey")


def test_nil_verifier_result_and_missing_header_param(server: str) -> None:
    assert httpx.get(server + "/notes/n1", headers={"Authorization": "Bearer nil"}).status_code == 401
    # credentials are checked before the other parameters: no 422 leaks to an unknown caller
    assert httpx.post(server + "/notes", json={}).status_code == 401
    r = httpx.post(server + "/notes", json={"body": "b"}, headers={"Authorization": "Bearer user-all"})
    assert r.status_code == 422  # X-Tenant is required


def test_handlers_read_claims_and_header_params(server: str) -> None:
    auth = {"Authorization": "Bearer user-all"}
    got = httpx.get(server + "/notes/n7", headers={**auth, "X-Trace-Id": "t-1"}).json()
    assert got["by"] == "bob" and got["trace"] == "t-1" and got["id"] == "n7"
    got = httpx.post(server + "/notes", json={"body": "hi"}, headers={**auth, "X-Tenant": "acme"}).json()
    assert got["tenant"] == "acme" and got["by"] == "bob"
    assert httpx.get(server + "/export", headers={"X-API-Key": "partner-all"}).json()["by"] == "p1"
    assert httpx.get(server + "/feed", params={"key": "feed-none"}).json()["by"] == "r0"


def test_openapi_lists_security_schemes_and_header_params(server: str) -> None:
    doc = httpx.get(server + "/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["user"] == {"type": "http", "scheme": "bearer"}
    assert schemes["partner"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert schemes["feed"] == {"type": "apiKey", "in": "query", "name": "key"}
    ops = {op["operationId"]: op for item in doc["paths"].values() for op in item.values()}
    assert "security" not in ops["health"]
    assert ops["delete_note"]["security"] == [{"user": ["notes:write", "notes:admin"]}]
    assert ops["export"]["security"] == [{"partner": ["export"]}]
    header = [p for p in ops["get_note"]["parameters"] if p["in"] == "header"]
    assert [p["name"] for p in header] == ["X-Trace-Id"]
    try:
        from openapi_spec_validator import validate
    except ImportError:
        return
    validate(doc)


def _ws(server: str) -> str:
    return server.replace("http://", "ws://") + "/notes/live?room=r1"


async def _connect(url: str, headers: dict[str, str] | None = None) -> tuple[int | None, str | None]:
    """(close code, or None when open, first message)."""
    async with websockets.connect(url, additional_headers=headers or {}) as ws:
        try:
            text = await asyncio.wait_for(ws.recv(), 5)
        except websockets.ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None, None
        return None, str(text)


def test_socket_rejects_unauthenticated_and_accepts_a_token(server: str) -> None:
    assert asyncio.run(_connect(_ws(server)))[0] == 4401
    assert asyncio.run(_connect(_ws(server) + "&token=bad"))[0] == 4401
    code, text = asyncio.run(_connect(_ws(server) + "&token=user-none"))
    assert code is None and json.loads(text or "{}")["body"] == "r1"
    code, text = asyncio.run(_connect(_ws(server), {"Authorization": "Bearer user-all"}))
    assert code is None and json.loads(text or "{}")["id"] == "hello"
