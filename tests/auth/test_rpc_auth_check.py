"""An rpc may require an auth scheme (its own `requires` or its service's): it checks, builds, and the
generated `RpcSpec` carries the requirement (scheme, verifier, scopes) for the RPC transports, with
the verifier on the service class; `public` leaves it open. What travels on the wire: test_rpc_auth.py."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from svcgen.build import generate
from svcgen.frontend import compile_file

HEAD = (
    'package p;\nauth user = bearer -> Claims;\nauth partner = apikey query "Key" -> Claims;\n'
    "message Claims { sub: string; scopes: list<string> = []; }\n"
)
BODY = """service S requires user {
  rpc inherited() -> Claims;
  rpc scoped() -> Claims requires user("a:write", "a:admin");
  rpc other() -> int requires partner("x");
  rpc unguarded() -> int public;
  GET /x get_x() -> Claims public;
}
service Plain {
  rpc own() -> int requires user;
  rpc free() -> int;
}
"""


def _codes(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "a.idl"
    path.write_text(HEAD + body, encoding="utf-8")
    return [d.code for d in compile_file(path).diagnostics]


@pytest.fixture
def built(tmp_path: Path) -> Iterator[Any]:
    """The generated service module of HEAD + BODY (python-server), imported."""
    path = tmp_path / "a.idl"
    path.write_text(HEAD + BODY, encoding="utf-8")
    result = compile_file(path)
    assert result.model is not None, [d.message for d in result.diagnostics]
    for rel, text in generate(result.model, path, ["python-server"]).items():
        out = tmp_path / "rpcauthcheck" / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("rpcauthcheck.p.service")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.split(".")[0] == "rpcauthcheck"]:
            del sys.modules[name]


@pytest.mark.parametrize(
    "body",
    [
        "service S requires user {\n  rpc f() -> Claims;\n}\n",
        'service S requires user {\n  rpc f() -> Claims requires user("x");\n}\n',
        "service S {\n  rpc f() -> Claims requires user;\n}\n",
        "service S requires user {\n  rpc f() -> Claims public;\n}\n",
    ],
)
def test_rpc_that_requires_a_scheme_checks(tmp_path: Path, body: str) -> None:
    assert _codes(tmp_path, body) == []


def test_verifier_name_is_reserved_by_an_rpc_requirement_too(tmp_path: Path) -> None:
    """E611 counts the schemes rpcs require: `verify_user` would override the generated verifier."""
    body = "service S {\n  rpc f() -> Claims requires user;\n  rpc verify_user() -> int public;\n}\n"
    assert _codes(tmp_path, body) == ["E611"]


def test_spec_carries_the_requirement(built: Any) -> None:
    from svcgen_runtime.spec import RpcSpec

    rpcs = {r.handler: r for r in built.S.spec.of(RpcSpec)}
    assert (rpcs["inherited"].auth, rpcs["inherited"].verifier, rpcs["inherited"].scopes) == (
        built.USER,
        "verify_user",
        (),
    )
    assert (rpcs["scoped"].auth, rpcs["scoped"].scopes) == (built.USER, ("a:write", "a:admin"))
    assert (rpcs["other"].auth, rpcs["other"].verifier, rpcs["other"].scopes) == (
        built.PARTNER,
        "verify_partner",
        ("x",),
    )
    assert built.PARTNER.key == "Key" and built.PARTNER.location == "query"
    assert (rpcs["unguarded"].auth, rpcs["unguarded"].verifier, rpcs["unguarded"].scopes) == (None, None, ())
    plain = {r.handler: r for r in built.Plain.spec.of(RpcSpec)}
    assert (plain["own"].auth, plain["own"].verifier) == (built.USER, "verify_user")
    assert plain["free"].auth is None


def test_service_class_has_the_verifiers_its_rpcs_need(built: Any) -> None:
    assert {"verify_user", "verify_partner"} <= built.S.__abstractmethods__
    # Plain has no HTTP endpoint: its verifier exists only because an rpc requires the scheme
    assert "verify_user" in built.Plain.__abstractmethods__
    assert "verify_partner" not in built.Plain.__abstractmethods__


KEYED = "package p;\nauth key = apikey {where} -> Claims;\nmessage Claims {{ sub: string; }}\n"


@pytest.mark.parametrize(
    "where",
    ['header "X-Key-Bin"', 'header "grpc-key"', 'query "api key"', 'header "X!Key"'],
)
def test_an_rpc_api_key_that_cannot_be_grpc_metadata_is_refused_once(tmp_path: Path, where: str) -> None:
    body = "service S requires key {\n  rpc f() -> Claims;\n  rpc g() -> Claims;\n}\n"
    path = tmp_path / "a.idl"
    path.write_text(KEYED.format(where=where) + body, encoding="utf-8")
    assert [d.code for d in compile_file(path).diagnostics] == ["E612"]


@pytest.mark.parametrize(
    "body",
    [
        "service S requires key {\n  GET /x g() -> Claims;\n}\n",  # HTTP only: the header is fine there
        "service S requires key {\n  GET /x g() -> Claims;\n  rpc f() -> Claims public;\n}\n",
    ],
)
def test_the_same_key_is_fine_where_no_rpc_carries_it(tmp_path: Path, body: str) -> None:
    path = tmp_path / "a.idl"
    path.write_text(KEYED.format(where='header "X-Key-Bin"') + body, encoding="utf-8")
    assert list(compile_file(path).diagnostics) == []


def test_an_ordinary_key_travels_everywhere(tmp_path: Path) -> None:
    path = tmp_path / "a.idl"
    path.write_text(KEYED.format(where='header "X-API-Key"') + "service S requires key {\n  rpc f() -> Claims;\n}\n")
    assert list(compile_file(path).diagnostics) == []
