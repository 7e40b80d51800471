"""No rpc is silently open: AMQP and gRPC carry no credentials, so an rpc that would require a
scheme (its own `requires` or its service's) is refused (E610); `public` says it is open on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest
from svcgen.frontend import compile_file

HEAD = "package p;\nauth user = bearer -> Claims;\nmessage Claims { sub: string; scopes: list<string> = []; }\n"


def _codes(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "a.idl"
    path.write_text(HEAD + body, encoding="utf-8")
    return [d.code for d in compile_file(path).diagnostics]


@pytest.mark.parametrize(
    "body",
    [
        "service S requires user {\n  rpc f() -> Claims;\n}\n",
        'service S requires user {\n  rpc f() -> Claims requires user("x");\n}\n',
        "service S {\n  rpc f() -> Claims requires user;\n}\n",
    ],
)
def test_rpc_that_requires_a_scheme_is_refused(tmp_path: Path, body: str) -> None:
    assert _codes(tmp_path, body) == ["E610"]


@pytest.mark.parametrize(
    "body",
    [
        "service S requires user {\n  rpc f() -> Claims public;\n  GET /x g() -> Claims;\n}\n",
        "service S {\n  rpc f() -> Claims;\n}\n",
    ],
)
def test_public_or_unprotected_service_rpc_is_accepted(tmp_path: Path, body: str) -> None:
    assert _codes(tmp_path, body) == []


def test_auth_idl_has_no_protected_rpc() -> None:
    idl = Path(__file__).with_name("auth.idl")
    assert list(compile_file(idl).diagnostics) == []
