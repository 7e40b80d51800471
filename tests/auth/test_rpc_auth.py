"""RPC carries credentials: tests/auth/rpc_auth.idl built with the `svcgen` command, served by
`python -m svcgen_runtime worker` (RabbitMQ) and `python -m svcgen_runtime grpc` in subprocesses,
called by the generated `VaultRpcClient` on both transports, by a plain aio-pika peer and by a plain
grpcio peer (the wire: `authorization` header / metadata, statuses `unauthorized` / `forbidden`,
UNAUTHENTICATED / PERMISSION_DENIED)."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from amqp_broker import broker_url

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
HANDLERS = ("whoami", "write", "locked", "ping", "export", "feed")


@dataclass
class Build:
    folder: Path
    package: str  # svcgentest.a<hex>: queues of their own on a shared broker
    module: str  # its Python package under gen/

    def rpc(self) -> Any:
        return importlib.import_module(f"gen.{self.module}.rpc")

    def models(self) -> Any:
        return importlib.import_module(f"gen.{self.module}.models")


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    folder = tmp_path_factory.mktemp("rpc_auth")
    package = f"svcgentest.a{secrets.token_hex(4)}"
    module = package.replace(".", "_")
    idl = (HERE / "rpc_auth.idl").read_text(encoding="utf-8")
    (folder / "rpc_auth.idl").write_text(idl.replace("package rpcauth;", f"package {package};"), encoding="utf-8")
    r = subprocess.run(
        [str(BIN / "svcgen"), "build", "rpc_auth.idl", "--out", "gen", "-t", "python-server", "-t", "python-grpc"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    app = (HERE / "rpc_auth_app.py").read_text(encoding="utf-8")
    (folder / "app.py").write_text(app.replace("rpc_auth_api.rpcauth.", f"gen.{module}."), encoding="utf-8")
    sys.path.insert(0, str(folder))
    try:
        yield Build(folder, package, module)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == "gen" or n.startswith("gen.")]:
            del sys.modules[name]


def _start(build: Build, role: str, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    log = (build.folder / f"{role}.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "svcgen_runtime", role, "app:service"],
        cwd=build.folder,
        env={**os.environ, "SVCGEN_SHUTDOWN_GRACE": "1", **env},
        stdout=log,
        stderr=log,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(coro: Any, timeout_s: float = 60.0) -> Any:
    async def bounded() -> Any:
        return await asyncio.wait_for(coro, timeout_s)

    return asyncio.run(bounded())


@pytest.fixture(scope="module")
def amqp_server(build: Build) -> Iterator[str]:
    """The URL of the worker serving the build's RPCs on RabbitMQ; its queues are deleted afterwards."""
    url = broker_url()
    worker = _start(build, "worker", {"SVCGEN_AMQP_URL": url})
    try:
        _wait_served(build, url, worker, build.folder / "worker.log")
        yield url
    finally:
        _stop(worker)
        _run(_delete_queues(url, [f"{build.package}.Vault.{h}" for h in HANDLERS]))


@pytest.fixture(scope="module")
def grpc_server(build: Build) -> Iterator[str]:
    port = _free_port()
    server = _start(build, "grpc", {"SVCGEN_GRPC_PORT": str(port)})
    try:
        url = f"grpc://127.0.0.1:{port}"
        _wait_served(build, url, server, build.folder / "grpc.log")
        yield url
    finally:
        _stop(server)


def _wait_served(build: Build, url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    from svcgen_runtime.rpc import RpcError

    async def ping() -> None:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            try:
                async with build.rpc().VaultRpcClient(url) as rpc:
                    assert (await rpc.ping(value=1, timeout=5)).value == 1
                    return
            except RpcError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)

    _run(ping())


async def _delete_queues(url: str, queues: list[str]) -> None:
    import aio_pika

    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for queue in queues:
            await channel.queue_delete(queue)


@pytest.fixture(params=["amqp", "grpc"])
def url(request: pytest.FixtureRequest) -> str:
    """Each client test runs on both transports."""
    served: str = request.getfixturevalue(f"{request.param}_server")
    return served


@dataclass
class Recording:
    """A real channel (the one the URL picks) that also records the credential metadata of each call."""

    inner: Any
    sent: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    async def open(self) -> None:
        await self.inner.open()

    async def close(self) -> None:
        await self.inner.close()

    async def call(self, binding: Any, rpc: Any, params: Any, timeout_s: float | None, **kw: Any) -> Any:
        self.sent.append((rpc.handler, dict(kw.get("metadata") or {})))
        return await self.inner.call(binding, rpc, params, timeout_s, **kw)


def _client(build: Build, url: str, **kw: Any) -> Any:
    return build.rpc().VaultRpcClient(url, **kw)


# -- the generated client, on both transports ---------------------------------------------------


def test_bearer_token_and_scopes(build: Build, url: str) -> None:
    from svcgen_runtime.rpc import RpcForbidden, RpcUnauthorized

    models = build.models()

    async def main() -> None:
        async with _client(build, url) as rpc:
            with pytest.raises(RpcUnauthorized) as none:
                await rpc.whoami()
            assert none.value.detail == "credentials of 'user' are required"
        for bad, why in (("bad", "unknown token"), ("nil", "invalid credentials")):
            async with _client(build, url, token=bad) as rpc:
                with pytest.raises(RpcUnauthorized) as refused:
                    await rpc.whoami()
                assert refused.value.detail == why
        async with _client(build, url, token="user-none") as rpc:
            assert (await rpc.whoami()).who == "ann"  # use_claims(USER) inside the handler
            with pytest.raises(RpcForbidden) as forbidden:
                await rpc.write(value=1)
            assert forbidden.value.detail == "missing scope 'vault:write'"
        async with _client(build, url, token="user-write") as rpc:
            written = await rpc.write(value=5)
            assert (written.who, written.value) == ("bob", 5)
            with pytest.raises(models.Locked) as locked:  # a declared 403 error stays typed
                await rpc.locked()
            assert locked.value.body.reason == "closed"
            results = await asyncio.gather(*(rpc.write(value=i) for i in range(20)))
            assert [r.value for r in results] == list(range(20))

    _run(main())


def test_public_rpc_needs_and_gets_no_credential(build: Build, url: str) -> None:
    from svcgen_runtime.rpc import open_channel

    async def main() -> None:
        async with _client(build, url) as rpc:
            assert (await rpc.ping(value=3)).who == "nobody"
        channel = Recording(open_channel(url))
        async with _client(build, url, token="user-write", api_key="partner-all", channel=channel) as rpc:
            public = await rpc.ping(value=4)
            assert (public.who, public.value) == ("nobody", 4)  # no claims in its unit of work
            protected = await rpc.whoami()
            assert protected.who == "bob"
        assert channel.sent == [("ping", {}), ("whoami", {"authorization": "Bearer user-write"})]
        if url.startswith("amqp"):  # what the handlers saw arrive: the credential is not passed on
            assert "authorization" not in public.headers and "x-svcgen-deadline" in public.headers
            assert "authorization" not in protected.headers and "x-svcgen-deadline" in protected.headers

    _run(main())


def test_callable_token_is_refreshed_once(build: Build, url: str) -> None:
    from svcgen_runtime.rpc import RpcUnauthorized

    async def main() -> None:
        issued: list[str] = []

        async def rotating() -> str:  # an expired token first, then a good one
            issued.append("bad" if not issued else "user-write")
            return issued[-1]

        async with _client(build, url, token=rotating) as rpc:
            assert (await rpc.whoami()).who == "bob"
            assert issued == ["bad", "user-write"]  # called when first needed, once more on unauthorized
            assert (await rpc.whoami()).who == "bob"
            assert len(issued) == 2  # kept while it is accepted

        calls: list[int] = []

        def always_bad() -> str:  # a plain function works too
            calls.append(1)
            return "bad"

        async with _client(build, url, token=always_bad) as rpc:
            with pytest.raises(RpcUnauthorized):
                await rpc.whoami()
            assert len(calls) == 2  # one refresh, one retry: never a loop
            assert (await rpc.ping(value=1)).who == "nobody"
            assert len(calls) == 2  # a public call needs no token

        issued.clear()
        async with _client(build, url, token=rotating) as rpc:  # concurrent calls share each token call
            results = await asyncio.gather(*(rpc.whoami() for _ in range(10)))
            assert {r.who for r in results} == {"bob"}
            assert issued == ["bad", "user-write"]

    _run(main())


def test_api_keys_in_header_and_query_schemes(build: Build, url: str) -> None:
    from svcgen_runtime.rpc import RemoteError, RpcForbidden, RpcUnauthorized, open_channel

    async def main() -> None:
        channel = Recording(open_channel(url))
        async with _client(build, url, api_key="partner-all", channel=channel) as rpc:
            assert (await rpc.export()).who == "p1"
        assert channel.sent == [("export", {"x-api-key": "partner-all"})]
        async with _client(build, url, api_key="partner-none") as rpc:
            with pytest.raises(RpcForbidden):
                await rpc.export()
        async with _client(build, url, token="partner-all") as rpc:  # a token is no API key
            with pytest.raises(RpcUnauthorized):
                await rpc.export()
        channel = Recording(open_channel(url))
        async with _client(build, url, api_key="feed-r1", channel=channel) as rpc:
            assert (await rpc.feed()).who == "r1"
            with pytest.raises(RpcUnauthorized):  # the same key is not a user's token
                await rpc.whoami()
        assert channel.sent == [("feed", {"feed_key": "feed-r1"}), ("whoami", {})]  # a query key, lower-cased
        async with _client(build, url, api_key="crash") as rpc:
            with pytest.raises(RemoteError) as crashed:  # a verifier that crashes fails the call
                await rpc.feed()
            assert crashed.value.name == "RuntimeError"
            assert "the feed verifier crashed" in crashed.value.detail

    _run(main())


# -- plain peers: the wire ------------------------------------------------------------------------


def test_amqp_wire_with_a_plain_aio_pika_peer(build: Build, amqp_server: str) -> None:
    import aio_pika
    from svcgen_runtime.rpc.wire import DEADLINE_HEADER, ERROR_HEADER, REPLY_TO, STATUS_HEADER

    async def call(channel: Any, replies: Any, handler: str, body: bytes, headers: dict[str, Any]) -> Any:
        correlation_id = uuid.uuid4().hex
        deadline = int(time.time() * 1000) + 10_000
        await channel.default_exchange.publish(
            aio_pika.Message(
                body,
                content_type="application/json",
                correlation_id=correlation_id,
                reply_to=REPLY_TO,
                headers={**headers, DEADLINE_HEADER: deadline},
            ),
            routing_key=f"{build.package}.Vault.{handler}",
        )
        while True:
            reply = await asyncio.wait_for(replies.get(), 10)
            if reply.correlation_id == correlation_id:
                return reply

    def status(reply: Any) -> tuple[str, str | None, Any]:
        headers = reply.headers or {}
        return headers[STATUS_HEADER], headers.get(ERROR_HEADER), json.loads(reply.body)

    async def main() -> None:
        connection = await aio_pika.connect(amqp_server)
        async with connection:
            channel = await connection.channel()
            replies: asyncio.Queue[Any] = asyncio.Queue()
            queue = await channel.get_queue(REPLY_TO, ensure=False)
            await queue.consume(replies.put, no_ack=True)

            ok = await call(channel, replies, "whoami", b"{}", {"authorization": "Bearer user-none"})
            assert status(ok)[0] == "ok" and status(ok)[2]["who"] == "ann"
            assert "authorization" not in status(ok)[2]["headers"]

            missing = await call(channel, replies, "whoami", b"{}", {})
            assert status(missing) == (
                "unauthorized",
                "Unauthorized",
                {"error": "Unauthorized", "detail": "credentials of 'user' are required"},
            )
            refused = await call(channel, replies, "whoami", b"{}", {"authorization": "Bearer bad"})
            assert status(refused) == (
                "unauthorized",
                "Unauthorized",
                {"error": "Unauthorized", "detail": "unknown token"},
            )
            not_bearer = await call(channel, replies, "whoami", b"{}", {"authorization": "Basic user-none"})
            assert status(not_bearer)[0] == "unauthorized"
            forbidden = await call(channel, replies, "write", b'{"value": 1}', {"authorization": "Bearer user-none"})
            assert status(forbidden) == (
                "forbidden",
                "Forbidden",
                {"error": "Forbidden", "detail": "missing scope 'vault:write'"},
            )
            # the credential is checked before the parameters: without one, a broken body tells nothing
            broken = await call(channel, replies, "write", b"not json", {})
            assert status(broken)[0] == "unauthorized"
            broken = await call(channel, replies, "write", b"not json", {"authorization": "Bearer user-write"})
            assert status(broken)[:2] == ("fail", "BadRequest")
            key = await call(channel, replies, "export", b"{}", {"x-api-key": "partner-all"})
            assert status(key)[0] == "ok" and status(key)[2]["who"] == "p1"
            public = await call(channel, replies, "ping", b'{"value": 2}', {})
            assert status(public)[0] == "ok" and status(public)[2]["who"] == "nobody"
            crashed = await call(channel, replies, "feed", b"{}", {"feed_key": "crash"})
            assert status(crashed)[:2] == ("fail", "RuntimeError")

    _run(main())


def test_grpc_wire_with_a_plain_grpcio_peer(build: Build, grpc_server: str) -> None:
    import grpc

    pb = importlib.import_module(f"gen.{build.module}.{build.module}_pb2")
    target = grpc_server.removeprefix("grpc://")

    def stub(channel: grpc.Channel, method: str, response: Any) -> Callable[..., Any]:
        return channel.unary_unary(
            f"/{build.package}.Vault/{method}",
            request_serializer=lambda m: m if isinstance(m, bytes) else m.SerializeToString(),
            response_deserializer=response.FromString,
        )

    def refusal(call: Callable[[], Any]) -> tuple[str, str, dict[str, Any]]:
        with pytest.raises(grpc.RpcError) as err:
            call()
        exc: Any = err.value
        return exc.code().name, exc.details(), dict(exc.trailing_metadata() or ())

    with grpc.insecure_channel(target) as channel:
        whoami = stub(channel, "Whoami", pb.Seen)
        write = stub(channel, "Write", pb.Seen)
        user_none = (("authorization", "Bearer user-none"),)
        assert whoami(pb.WhoamiRequest(), metadata=user_none, timeout=10).who == "ann"

        code, details, trailing = refusal(lambda: whoami(pb.WhoamiRequest(), timeout=10))
        assert (code, details) == ("UNAUTHENTICATED", "credentials of 'user' are required")
        assert "svcgen-error" not in trailing  # a refusal, not a declared error
        code, details, _ = refusal(lambda: whoami(pb.WhoamiRequest(), metadata=(("authorization", "Bearer x"),)))
        assert (code, details) == ("UNAUTHENTICATED", "unknown token")
        code, details, _ = refusal(lambda: write(pb.WriteRequest(value=1), metadata=user_none, timeout=10))
        assert (code, details) == ("PERMISSION_DENIED", "missing scope 'vault:write'")
        # the credential is checked before the request is parsed
        assert refusal(lambda: write(b"\xff\xff\xff", timeout=10))[0] == "UNAUTHENTICATED"
        user_write = (("authorization", "Bearer user-write"),)
        assert refusal(lambda: write(b"\xff\xff\xff", metadata=user_write, timeout=10))[0] == "INVALID_ARGUMENT"
        assert write(pb.WriteRequest(value=7), metadata=user_write, timeout=10).value == 7

        code, _, trailing = refusal(lambda: stub(channel, "Locked", pb.Seen)(pb.LockedRequest(), metadata=user_write))
        assert (code, trailing["svcgen-error"]) == ("PERMISSION_DENIED", "Locked")  # declared: named
        export = stub(channel, "Export", pb.Seen)
        assert export(pb.ExportRequest(), metadata=(("x-api-key", "partner-all"),), timeout=10).who == "p1"
        feed = stub(channel, "Feed", pb.Seen)
        assert feed(pb.FeedRequest(), metadata=(("feed_key", "feed-r1"),), timeout=10).who == "r1"
        code, _, trailing = refusal(lambda: feed(pb.FeedRequest(), metadata=(("feed_key", "crash"),), timeout=10))
        assert (code, trailing["svcgen-error"]) == ("INTERNAL", "RuntimeError")
        ping = stub(channel, "Ping", pb.Seen)
        assert ping(pb.PingRequest(value=2), timeout=10).who == "nobody"
