"""The Python client's HTTP behaviour against a small real server on loopback: query and path
encoding, body and union decoding, declared errors, retries (idempotent methods only) and the
auth hook. The server is scripted per test: each request takes the next planned response."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from clienthelp import KEYWORDS, build

FAST = {"attempts": 3, "backoff": 0.01, "max_backoff": 0.02}


@dataclass
class Script:
    """Planned responses (status, JSON body or None) and what the server saw."""

    plan: list[tuple[int, Any]] = field(default_factory=list)
    seen: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            script.seen.append((self.command, self.path, dict(self.headers), body))
            status, payload = script.plan.pop(0) if script.plan else (500, {"detail": "unplanned"})
            if payload == "slow":
                time.sleep(0.5)
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a client that timed out closed the connection: expected here

    httpd = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/api", script
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def gen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    folder = tmp_path_factory.mktemp("kw")
    build(KEYWORDS, folder / "kwgen", ["python-client"])
    sys.path.insert(0, str(folder))
    try:
        import kwgen.class_default.client as client
        import kwgen.class_default.models as models
        import kwgen.client_base as base

        yield {"client": client, "models": models, "base": base}
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.split(".")[0] == "kwgen"]:
            del sys.modules[name]


FUNCTION = {"type": "Function", "class": "c", "default": 1, "import": None, "from": [], "yield": "new", "async": {}}


def test_query_path_and_decoding(server: tuple[str, Script], gen: dict[str, Any]) -> None:
    url, script = server
    models = gen["models"]
    script.plan = [(200, FUNCTION)]
    with gen["client"].SwitchSyncClient(url, headers={"x-team": "t"}) as sw:
        got = sw.get("a b/c", in_=("x", "y"), type=models.Kind.NEW)
    assert got == models.Function(class_="c", default=1, yield_=models.Kind.NEW)
    method, path, headers, _ = script.seen[0]
    assert (method, path) == ("GET", "/api/items/a%20b%2Fc?default=3&in=x&in=y&type=new")
    assert headers["x-team"] == "t"


def test_body_union_and_no_content(server: tuple[str, Script], gen: dict[str, Any]) -> None:
    url, script = server
    models = gen["models"]
    script.plan = [(201, {"type": "Interface", "await": FUNCTION}), (204, None)]
    key = uuid.uuid4()
    with gen["client"].SwitchSyncClient(url) as sw:
        made = sw.new(key, models.Function(class_="k", from_=["a"]))
        assert isinstance(made, models.Interface) and made.await_.class_ == "c"
        assert sw.delete(7) is None
    _, path, headers, body = script.seen[0]
    assert path == f"/api/items/{key}" and headers["content-type"] == "application/json"
    assert json.loads(body)["from"] == ["a"] and json.loads(body)["type"] == "Function"


def test_declared_and_unexpected_errors(server: tuple[str, Script], gen: dict[str, Any]) -> None:
    url, script = server
    models, base = gen["models"], gen["base"]
    script.plan = [(409, {"in": "use"}), (409, {"unrelated": 1}), (400, {"detail": "bad"})]
    with gen["client"].SwitchSyncClient(url) as sw:
        with pytest.raises(models.Private) as declared:
            sw.get("x")
        assert declared.value.status == 409 and declared.value.body.in_ == "use"
        with pytest.raises(base.UnexpectedStatus) as shape:  # right status, body of another shape
            sw.get("x")
        assert shape.value.status == 409 and shape.value.body == {"unrelated": 1}
        with pytest.raises(base.UnexpectedStatus) as other:
            sw.get("x")
        assert other.value.status == 400 and other.value.method == "GET" and "/api/items/x" in other.value.url


def test_idempotent_calls_retry_and_sign_each_attempt(server: tuple[str, Script], gen: dict[str, Any]) -> None:
    url, script = server
    base = gen["base"]
    signed: list[str] = []

    def sign(request: httpx.Request) -> None:
        signed.append(request.method)
        request.headers["authorization"] = f"Bearer {len(signed)}"

    script.plan = [(503, None), (502, None), (200, FUNCTION)]
    with gen["client"].SwitchSyncClient(url, auth=sign, retry=base.Retry(**FAST)) as sw:
        assert sw.get("x").class_ == "c"
    assert [s[2]["authorization"] for s in script.seen] == ["Bearer 1", "Bearer 2", "Bearer 3"]

    script.seen.clear()
    script.plan = [(504, None)] * 5
    with gen["client"].SwitchSyncClient(url, retry=base.Retry(**FAST)) as sw:
        with pytest.raises(base.UnexpectedStatus) as gave_up:
            sw.delete(1)
    assert gave_up.value.status == 504 and len(script.seen) == 3  # bounded: three tries in all


def test_post_is_not_retried(server: tuple[str, Script], gen: dict[str, Any]) -> None:
    url, script = server
    models, base = gen["models"], gen["base"]
    script.plan = [(503, None), (201, {"type": "Interface", "await": FUNCTION})]

    async def call() -> None:
        async with gen["client"].SwitchClient(url, retry=base.Retry(**FAST)) as sw:
            with pytest.raises(base.UnexpectedStatus):
                await sw.new(uuid.uuid4(), models.Function(class_="k"))

    asyncio.run(call())
    assert len(script.seen) == 1


def test_async_retry_with_async_auth(server: tuple[str, Script], gen: dict[str, Any]) -> None:
    url, script = server
    base = gen["base"]
    script.plan = [(503, None), (200, FUNCTION)]
    calls = 0

    async def sign(request: httpx.Request) -> None:
        nonlocal calls
        calls += 1
        request.headers["x-attempt"] = str(calls)

    async def call() -> Any:
        async with gen["client"].SwitchClient(url, auth=sign, retry=base.Retry(**FAST)) as sw:
            return await sw.get("x")

    assert asyncio.run(call()).class_ == "c"
    assert [s[2]["x-attempt"] for s in script.seen] == ["1", "2"]


def test_connection_errors_retry_then_raise(gen: dict[str, Any], tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    attempts: list[str] = []
    with gen["client"].SwitchSyncClient(
        f"http://127.0.0.1:{port}", auth=lambda r: attempts.append(r.method), retry=gen["base"].Retry(**FAST)
    ) as sw:
        with pytest.raises(httpx.ConnectError):
            sw.get("x")
        with pytest.raises(httpx.ConnectError):
            sw.new(uuid.uuid4(), gen["models"].Function(class_="k"))
    assert attempts == ["GET", "GET", "GET", "POST"]


def test_timeout_applies_and_idempotent_timeouts_retry(server: tuple[str, Script], gen: dict[str, Any]) -> None:
    url, script = server
    script.plan = [(200, "slow"), (200, FUNCTION), (201, "slow")]
    retry = gen["base"].Retry(**FAST)
    with gen["client"].SwitchSyncClient(url, timeout=0.1, retry=retry) as sw:
        assert sw.get("x").class_ == "c"  # the first try timed out, the second answered
        with pytest.raises(httpx.ReadTimeout):
            sw.new(uuid.uuid4(), gen["models"].Function(class_="k"))
    assert len(script.seen) == 3
