"""RPC over RabbitMQ end to end: a generated service served by `python -m svcgen_runtime worker` in a
subprocess, called through its generated `CalcRpcClient` (and once by a plain aio-pika peer)."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from amqp_support import delete_queues, run
from svcgen_runtime.rpc import RemoteError, RpcTimeout, RpcUnavailable
from svcgen_runtime.rpc.wire import DEADLINE_HEADER, ERROR_HEADER, REPLY_TO, STATUS_HEADER

BIN = Path(sys.executable).parent

IDL = """package {package};

message Sum {{ total: int; }}
error Negative 400 {{ value: int; }}
error Empty 422 {{ }}

service Calc {{
  rpc add(a: int, b: int = 1) -> Sum throws Negative, Empty timeout 5s;
  rpc slow(ms: int) -> int timeout 2s;
  rpc boom() -> int;
  rpc nothing(x: string);
  rpc context() -> string;
}}
"""

APP = """import asyncio
from contextlib import asynccontextmanager

from svcgen_runtime.context import use_context
from gen.{module}.models import Empty, Negative, NegativeBody, Sum
from gen.{module}.service import Calc


class App(Calc):
    async def add(self, a: int, b: int) -> Sum:
        if a < 0:
            raise Negative(NegativeBody(value=a))
        if a == 0:
            raise Empty()
        return Sum(total=a + b)

    async def slow(self, ms: int) -> int:
        await asyncio.sleep(ms / 1000)
        return ms

    async def boom(self) -> int:
        return 1 // 0

    async def nothing(self, x: str) -> None:
        return None

    async def context(self) -> str:
        ctx = use_context()
        return f"{{ctx.kind}} {{ctx.handler}} {{ctx.values.get('seen')}} {{ctx.incoming.queue if ctx.incoming else None}}"


service = App()


@service.runtime.intercept
@asynccontextmanager
async def mark(ctx):
    ctx.values["seen"] = "intercepted"
    yield
"""


class Server:
    def __init__(self, folder: Path, url: str) -> None:
        self.folder = folder
        self.env = {**os.environ, "SVCGEN_AMQP_URL": url, "SVCGEN_SHUTDOWN_GRACE": "1"}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = (self.folder / "worker.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "svcgen_runtime", "worker", "app:service"],
            cwd=self.folder,
            env=self.env,
            stdout=log,
            stderr=log,
        )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture(scope="module")
def calc(amqp_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Server, str]]:
    """(the generated rpc module, the worker, the package) for this module's tests; queues deleted after."""
    folder = tmp_path_factory.mktemp("rpc")
    package = f"svcgentest.r{secrets.token_hex(4)}"
    module = package.replace(".", "_")
    (folder / "svc.idl").write_text(IDL.format(package=package))
    subprocess.run(
        [str(BIN / "svcgen"), "build", "svc.idl", "--out", "gen", "--target", "python-server"],
        cwd=folder,
        check=True,
        capture_output=True,
        env={**os.environ, "SVCGEN_NO_STAMP": "1"},
    )
    (folder / "app.py").write_text(APP.format(module=module))
    server = Server(folder, amqp_url)
    server.start()
    sys.path.insert(0, str(folder))
    try:
        rpc = importlib.import_module(f"gen.{module}.rpc")
        _wait_served(rpc, amqp_url)
        yield rpc, server, package
    finally:
        server.kill()
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == "gen" or n.startswith("gen.")]:
            del sys.modules[name]
        run(_delete_queues(amqp_url, [f"{package}.Calc.{h}" for h in ("add", "slow", "boom", "nothing", "context")]))


def _wait_served(rpc: Any, url: str) -> None:
    async def ping() -> None:
        async with rpc.CalcRpcClient(url) as client:
            assert (await client.add(a=1, b=1, timeout=10)).total == 2

    run(ping(), 20)


async def _delete_queues(url: str, queues: list[str]) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        await delete_queues(connection, queues)


def test_results_defaults_no_result_and_the_unit_of_work(calc: tuple[Any, Server, str], amqp_url: str) -> None:
    rpc, _, package = calc

    async def go() -> None:
        async with rpc.CalcRpcClient(amqp_url) as client:
            assert (await client.add(a=2, b=3)).total == 5
            assert (await client.add(a=2)).total == 3  # the IDL default travels in the request
            assert await client.nothing(x="x") is None
            assert await client.context() == f"rpc context intercepted {package}.Calc.context"

    run(go())


def test_every_declared_error_is_raised_typed_with_its_body(calc: tuple[Any, Server, str], amqp_url: str) -> None:
    rpc, _, _ = calc
    models = sys.modules[rpc.__name__.rpartition(".")[0] + ".models"]

    async def go() -> None:
        async with rpc.CalcRpcClient(amqp_url) as client:
            with pytest.raises(models.Negative) as negative:
                await client.add(a=-7)
            assert negative.value.body == models.NegativeBody(value=-7)
            with pytest.raises(models.Empty) as empty:
                await client.add(a=0)
            assert isinstance(empty.value.body, models.EmptyBody)
            with pytest.raises(RemoteError) as remote:  # undeclared: one clear error, nothing imported by name
                await client.boom()
            assert type(remote.value) is RemoteError
            assert remote.value.name == "ZeroDivisionError" and "by zero" in remote.value.detail

    run(go())


def test_a_timeout_raises_rpc_timeout_at_the_deadline(calc: tuple[Any, Server, str], amqp_url: str) -> None:
    rpc, _, _ = calc

    async def go() -> None:
        async with rpc.CalcRpcClient(amqp_url) as client:
            started = time.monotonic()
            with pytest.raises(RpcTimeout):
                await client.slow(ms=5000)  # declared timeout 2 s
            assert 1.9 < time.monotonic() - started < 2.6
            started = time.monotonic()
            with pytest.raises(RpcTimeout):
                await client.slow(ms=1000, timeout=0.3)
            assert time.monotonic() - started < 0.8
            assert await client.slow(ms=10) == 10  # the channel still works; late replies are ignored

    run(go())


def test_100_concurrent_calls_on_one_client_all_answered(calc: tuple[Any, Server, str], amqp_url: str) -> None:
    rpc, _, _ = calc

    async def go() -> None:
        async with rpc.CalcRpcClient(amqp_url) as client:
            started = time.monotonic()
            slow = await asyncio.gather(*(client.slow(ms=200) for _ in range(32)))
            assert slow == [200] * 32
            assert time.monotonic() - started < 1.5  # concurrent, not one after another (32 x 0.2 s)
            sums = await asyncio.gather(*(client.add(a=n, b=n) for n in range(1, 101)))
            assert [s.total for s in sums] == [2 * n for n in range(1, 101)]

    run(go())


def test_a_plain_aio_pika_peer_calls_with_the_documented_headers(calc: tuple[Any, Server, str], amqp_url: str) -> None:
    _, _, package = calc

    async def go() -> None:
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            replies: asyncio.Queue[aio_pika.abc.AbstractIncomingMessage] = asyncio.Queue()
            reply_queue = await channel.get_queue(REPLY_TO, ensure=False)
            await reply_queue.consume(replies.put, no_ack=True)
            for body, correlation in ((b'{"a": 4, "b": 5}', "one"), (b'{"a": -1}', "two"), (b'{"b": 1}', "three")):
                message = aio_pika.Message(
                    body,
                    content_type="application/json",
                    correlation_id=correlation,
                    reply_to=REPLY_TO,
                    headers={DEADLINE_HEADER: int(time.time() * 1000) + 5000},
                )
                await channel.default_exchange.publish(message, routing_key=f"{package}.Calc.add")
                reply = await asyncio.wait_for(replies.get(), 5)
                assert reply.correlation_id == correlation
                got = (reply.headers[STATUS_HEADER], reply.headers.get(ERROR_HEADER), json.loads(reply.body))
                if correlation == "one":
                    assert got == ("ok", None, {"total": 9})
                elif correlation == "two":
                    assert got == ("error", "Negative", {"value": -1})
                else:
                    assert got[:2] == ("fail", "BadRequest") and "a" in got[2]["detail"]
            # a request whose deadline has passed is dropped: no reply
            expired = aio_pika.Message(
                b'{"a": 1}', correlation_id="late", reply_to=REPLY_TO, headers={DEADLINE_HEADER: 1000}
            )
            await channel.default_exchange.publish(expired, routing_key=f"{package}.Calc.add")
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(replies.get(), 0.5)

    run(go())


def test_a_server_restart_during_calls_never_hangs_past_the_deadline(
    calc: tuple[Any, Server, str], amqp_url: str
) -> None:
    rpc, server, _ = calc

    async def go() -> None:
        async with rpc.CalcRpcClient(amqp_url) as client:

            async def one(n: int) -> tuple[str, float]:
                started = time.monotonic()
                try:
                    result = await client.slow(ms=300 + n, timeout=8)
                    outcome = "ok" if result == 300 + n else f"wrong {result}"
                except (RpcTimeout, RpcUnavailable, RemoteError) as exc:
                    outcome = type(exc).__name__
                return outcome, time.monotonic() - started

            calls = [asyncio.ensure_future(one(n)) for n in range(20)]
            await asyncio.sleep(0.1)
            server.kill()  # SIGKILL mid-call: the requests stay unacked and are redelivered
            server.start()
            outcomes = await asyncio.gather(*calls)
            assert all(o == "ok" or o in ("RpcTimeout", "RpcUnavailable") for o, _ in outcomes), outcomes
            assert max(elapsed for _, elapsed in outcomes) < 8.5  # the deadline of each call
            assert any(o == "ok" for o, _ in outcomes)  # redelivered to the new worker within their deadline
            assert (await client.add(a=1, timeout=10)).total == 2  # served again after the restart

    run(go())


def test_an_unknown_scheme_and_an_unreachable_broker_are_clear_errors(calc: tuple[Any, Server, str]) -> None:
    rpc, _, _ = calc
    with pytest.raises(ValueError, match="no RPC transport"):
        rpc.CalcRpcClient("http://localhost/")

    async def go() -> None:
        with pytest.raises(RpcUnavailable):
            async with rpc.CalcRpcClient("amqp://guest:guest@127.0.0.1:1/", connect_timeout_s=1):
                pass

    run(go())
