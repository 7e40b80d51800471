"""The generated Python client against tests/auth/auth.idl under uvicorn: credentials given once,
sent on the calls whose member requires them (bearer token, API key in a header or the query),
a callable token refreshed once on 401, header parameters set."""

from __future__ import annotations

import asyncio
import importlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "python_target"))
from python_target_support import python_build, uvicorn_server, write_tree  # noqa: E402
from svcgen.build import generate  # noqa: E402
from svcgen.frontend import compile_file  # noqa: E402

pytestmark = pytest.mark.slow
IDL = HERE / "auth.idl"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("auth_clients")
    write_tree(python_build(IDL), base / "authdemo_api")
    shutil.copy(HERE / "auth_app.py", base / "auth_app.py")
    with uvicorn_server(base, "auth_app:app") as url:
        yield url


@pytest.fixture(scope="module")
def gen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    base = tmp_path_factory.mktemp("auth_pyclient")
    result = compile_file(IDL)
    assert result.model is not None
    files = generate(result.model, IDL, ["python-client"])
    write_tree({str(rel): text for rel, text in files.items()}, base / "authclient")
    sys.path.insert(0, str(base))
    try:
        yield {
            "client": importlib.import_module("authclient.authdemo.client"),
            "models": importlib.import_module("authclient.authdemo.models"),
            "base": importlib.import_module("authclient.client_base"),
        }
    finally:
        sys.path.remove(str(base))


def test_token_api_key_and_header_params(server: str, gen: dict[str, Any]) -> None:
    client, models = gen["client"], gen["models"]
    with client.NotesSyncClient(server, token="user-all", api_key="partner-all") as c:
        assert c.health().ok
        note = c.get_note("n7", trace="t-1")
        assert (note.id, note.by, note.trace) == ("n7", "bob", "t-1")
        assert c.create_note(models.NewNote(body="hi"), tenant="acme").tenant == "acme"
        c.delete_note("n1")
        assert c.export().by == "p1"
    with client.NotesSyncClient(server, api_key="feed-none") as c:
        assert c.feed().by == "r0"  # API key in the query string


def test_missing_or_unscoped_credentials_fail(server: str, gen: dict[str, Any]) -> None:
    client, base = gen["client"], gen["base"]
    with client.NotesSyncClient(server) as c:
        assert c.health().ok  # public: no credentials needed
        with pytest.raises(base.UnexpectedStatus) as info:
            c.get_note("n1")
        assert info.value.status == 401
    with client.NotesSyncClient(server, token="user-none") as c:
        with pytest.raises(base.UnexpectedStatus) as info:
            c.delete_note("n1")
        assert info.value.status == 403


def test_callable_token_is_refreshed_once_on_401(server: str, gen: dict[str, Any]) -> None:
    client, base = gen["client"], gen["base"]
    tokens = iter(["bad", "user-all", "never"])
    calls: list[str] = []

    def token() -> str:
        calls.append(next(tokens))
        return calls[-1]

    with client.NotesSyncClient(server, token=token) as c:
        assert c.get_note("n1").by == "bob"
        assert c.get_note("n2").by == "bob"  # the refreshed token is kept
    assert calls == ["bad", "user-all"]

    always_bad: list[int] = []

    def bad() -> str:
        always_bad.append(1)
        return "bad"

    with client.NotesSyncClient(server, token=bad) as c:
        with pytest.raises(base.UnexpectedStatus) as info:
            c.get_note("n1")
    assert info.value.status == 401 and len(always_bad) == 2  # refreshed once, not in a loop


def test_async_client_with_a_coroutine_token(server: str, gen: dict[str, Any]) -> None:
    client, models = gen["client"], gen["models"]
    tokens = iter(["nil", "user-all"])

    async def token() -> str:
        return next(tokens)

    async def run() -> tuple[str, str | None]:
        async with client.NotesClient(server, token=token, api_key="partner-all") as c:
            note = await c.create_note(models.NewNote(body="b"), tenant="t9")
            return note.by, note.tenant

    assert asyncio.run(run()) == ("bob", "t9")


def test_credential_and_header_params_replace_configured_headers_of_any_case(server: str, gen: dict[str, Any]) -> None:
    """Header names are case-insensitive: a configured `Authorization` or `X-TRACE-ID` is replaced
    by the token and the header parameter, never sent beside them (the server would see two)."""
    client = gen["client"]
    configured = {"Authorization": "Bearer bad", "x-trace-id": "configured"}
    with client.NotesSyncClient(server, token="user-all", headers=configured) as c:
        note = c.get_note("n7", trace="per-call")
        assert (note.by, note.trace) == ("bob", "per-call")
        assert c.get_note("n8").trace == "configured"  # no parameter: the configured header is kept
