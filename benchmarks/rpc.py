"""RPC round trips over RabbitMQ: the generated client and svcgen's RPC server against raw aio-pika.

Both sides do the same work: the request is the parameters as JSON, validated into a pydantic model
on the server, the handler adds two numbers, the result is validated on the client. svcgen: a
generated `CalcRpcClient` (`svcgen build` of a small IDL) calling `AmqpRpcServer` (unit of work,
deadline header, typed reply). Raw: aio-pika with direct reply-to, a future per correlation id, and a
consumer that validates, computes, and replies. Client and server run in this one process and event
loop (as a pair they share the CPU the same way), on fresh queues of the same broker.

sequential: `--calls` round trips one after another, p50 and p99; the contenders alternate in blocks
of 200 calls so drift in the broker hits both. throughput: 32 concurrent callers for `--calls` calls.
With uvloop installed, it is used (`--no-uvloop` to compare).

Usage: python benchmarks/rpc.py [--url amqp://guest:guest@127.0.0.1:5672/] [--calls 4000] [--no-uvloop]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from pydantic import BaseModel

IDL = """package benchrpc;

message Sum { total: int; }

service Calc {
  rpc add(a: int, b: int) -> Sum timeout 5s;
}
"""

APP = """from gen.benchrpc.models import Sum
from gen.benchrpc.service import Calc


class App(Calc):
    async def add(self, a: int, b: int) -> Sum:
        return Sum(total=a + b)
"""

Call = Callable[[int], Awaitable[int]]


class Params(BaseModel):
    a: int
    b: int


class Sum(BaseModel):
    total: int


async def raw_pair(url: str, queue: str) -> tuple[Call, Callable[[], Awaitable[None]]]:
    """A raw aio-pika server on `queue` and a client calling it with direct reply-to."""
    server_conn = await aio_pika.connect(url)
    server_channel = await server_conn.channel()
    await server_channel.set_qos(prefetch_count=32)
    q = await server_channel.declare_queue(queue, durable=True)

    async def serve(message: AbstractIncomingMessage) -> None:
        params = Params.model_validate_json(message.body)
        reply = Sum(total=params.a + params.b).model_dump_json().encode()
        await server_channel.default_exchange.publish(
            aio_pika.Message(reply, correlation_id=message.correlation_id, content_type="application/json"),
            routing_key=message.reply_to or "",
        )
        await message.ack()

    await q.consume(serve)
    client_conn = await aio_pika.connect(url)
    channel = await client_conn.channel(publisher_confirms=False)
    pending: dict[str, asyncio.Future[bytes]] = {}

    async def on_reply(message: AbstractIncomingMessage) -> None:
        future = pending.pop(message.correlation_id or "", None)
        if future is not None and not future.done():
            future.set_result(message.body)

    reply_queue = await channel.get_queue("amq.rabbitmq.reply-to", ensure=False)
    await reply_queue.consume(on_reply, no_ack=True)
    loop = asyncio.get_running_loop()

    async def call(n: int) -> int:
        correlation_id = uuid.uuid4().hex
        future: asyncio.Future[bytes] = loop.create_future()
        pending[correlation_id] = future
        body = Params(a=n, b=1).model_dump_json().encode()
        await channel.default_exchange.publish(
            aio_pika.Message(
                body, correlation_id=correlation_id, reply_to="amq.rabbitmq.reply-to", content_type="application/json"
            ),
            routing_key=queue,
        )
        return Sum.model_validate_json(await asyncio.wait_for(future, 5)).total

    async def close() -> None:
        await client_conn.close()
        await server_channel.queue_delete(queue)
        await server_conn.close()

    return call, close


async def svcgen_pair(url: str, folder: Path) -> tuple[Call, Callable[[], Awaitable[None]]]:
    from svcgen_runtime.rpc.amqp_server import AmqpRpcServer

    sys.path.insert(0, str(folder))
    app = importlib.import_module("app")
    rpc = importlib.import_module("gen.benchrpc.rpc")
    service = app.App()
    server = AmqpRpcServer(url, [service], concurrency=32)
    await server.start()
    client = rpc.CalcRpcClient(url)
    await client.open()

    async def call(n: int) -> int:
        total: int = (await client.add(a=n, b=1)).total
        return total

    async def close() -> None:
        await client.close()
        await server.stop(1.0)
        connection = await aio_pika.connect(url)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete("benchrpc.Calc.add")

    return call, close


def build(folder: Path) -> None:
    (folder / "svc.idl").write_text(IDL)
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [str(bin_dir / "svcgen"), "build", "svc.idl", "--out", "gen", "--target", "python-server"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    (folder / "app.py").write_text(APP)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * q), len(ordered) - 1)] * 1000


async def main(url: str, calls: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp))
        contenders = {
            "svcgen": await svcgen_pair(url, Path(tmp)),
            "aio-pika": await raw_pair(url, f"bench.raw.{uuid.uuid4().hex[:8]}"),
        }
        try:
            for call, _ in contenders.values():  # warm up: connections, queues, pydantic
                for n in range(200):
                    assert await call(n) == n + 1
            times: dict[str, list[float]] = {name: [] for name in contenders}
            block = 200
            for start in range(0, calls, block):
                order = list(contenders.items())
                if (start // block) % 2:
                    order.reverse()
                for name, (call, _) in order:
                    for n in range(start, start + block):
                        began = time.perf_counter()
                        assert await call(n) == n + 1
                        times[name].append(time.perf_counter() - began)
            print(f"sequential round trip, {calls} calls each, alternating in blocks of {block}:")
            for name, values in times.items():
                print(f"  {name:9} p50 {pct(values, 0.5):.3f} ms   p99 {pct(values, 0.99):.3f} ms")
            p50 = {name: pct(values, 0.5) for name, values in times.items()}
            print(f"  svcgen / aio-pika p50: {p50['svcgen'] / p50['aio-pika']:.2f}")
            print("throughput, 32 concurrent callers:")
            for name, (call, _) in list(contenders.items()) * 2:
                queue: asyncio.Queue[int] = asyncio.Queue()
                for n in range(calls):
                    queue.put_nowait(n)

                async def caller(call: Call = call, queue: asyncio.Queue[int] = queue) -> None:
                    while not queue.empty():
                        n = queue.get_nowait()
                        assert await call(n) == n + 1

                began = time.perf_counter()
                await asyncio.gather(*(caller() for _ in range(32)))
                elapsed = time.perf_counter() - began
                print(f"  {name:9} {calls / elapsed:8.0f} calls/s")
        finally:
            for _, close in contenders.values():
                await close()


def run(url: str, calls: int, use_uvloop: bool) -> None:
    loop_name = "asyncio"
    runner: Any = asyncio.run
    if use_uvloop:
        try:
            import uvloop

            runner = uvloop.run
            loop_name = "uvloop"
        except ImportError:
            pass
    print(f"event loop: {loop_name}")
    runner(main(url, calls))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default="amqp://guest:guest@127.0.0.1:5672/")
    parser.add_argument("--calls", type=int, default=4000)
    parser.add_argument("--no-uvloop", action="store_true")
    args = parser.parse_args()
    run(args.url, args.calls, not args.no_uvloop)
