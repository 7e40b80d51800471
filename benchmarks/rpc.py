"""RPC round trips: the generated client and svcgen's RPC server against the raw library, over AMQP or gRPC.

Both transports run the same IDL, method and measurement; only the pair of contenders differs.

AMQP (`--transport amqp`, the default): the request is the parameters as JSON, validated into a
pydantic model on the server, the handler adds two numbers, the result is validated on the client.
svcgen: a generated `CalcRpcClient` (`svcgen build` of a small IDL) calling `AmqpRpcServer` (unit of
work, deadline header, typed reply). Raw: aio-pika with direct reply-to, a future per correlation id,
and a consumer that validates, computes, and replies. Fresh queues of the same broker. With uvloop
installed, it is used (`--no-uvloop` to compare).

gRPC (`--transport grpc`): the client validates the parameters into a pydantic model and sends them
as protobuf; the server decodes them into the parameter model, the handler adds two numbers, the
result goes back as protobuf and is validated into the result model on the client. svcgen: a
generated `CalcRpcClient("grpc://...")` calling the server `svcgen run grpc` builds (codec, unit of
work, error mapping). Raw: grpc.aio with the same compiled messages, a generic handler that does the
same validation by hand. asyncio only (grpc.aio runs on its own loop integration, so uvloop is not
used).

Client and server run in this one process and event loop (as a pair they share the CPU the same way).
sequential: `--calls` round trips one after another, p50 and p99; the contenders alternate in blocks
of 200 calls so drift hits both. throughput: 32 concurrent callers for `--calls` calls.

Usage: python benchmarks/rpc.py [--transport amqp|grpc] [--url amqp://guest:guest@127.0.0.1:5672/]
       [--calls 4000] [--no-uvloop]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

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

TARGETS = {"amqp": "python-server", "grpc": "python-grpc"}
RAW = {"amqp": "aio-pika", "grpc": "grpc.aio"}

Call = Callable[[int], Awaitable[int]]
Close = Callable[[], Awaitable[None]]
Pair = tuple[Call, Close]


class Params(BaseModel):
    a: int
    b: int


class Sum(BaseModel):
    total: int


async def generated_client(url: str) -> tuple[Any, Call]:
    """The generated `CalcRpcClient` on `url`, opened, and a call through it."""
    rpc = importlib.import_module("gen.benchrpc.rpc")
    client = rpc.CalcRpcClient(url)
    await client.open()

    async def call(n: int) -> int:
        total: int = (await client.add(a=n, b=1)).total
        return total

    return client, call


# AMQP


async def amqp_raw_pair(url: str, queue: str) -> Pair:
    """A raw aio-pika server on `queue` and a client calling it with direct reply-to."""
    import aio_pika
    from aio_pika.abc import AbstractIncomingMessage

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


async def amqp_svcgen_pair(url: str) -> Pair:
    import aio_pika
    from svcgen_runtime.rpc.amqp_server import AmqpRpcServer

    app = importlib.import_module("app")
    server = AmqpRpcServer(url, [app.App()], concurrency=32)
    await server.start()
    client, call = await generated_client(url)

    async def close() -> None:
        await client.close()
        await server.stop(1.0)
        connection = await aio_pika.connect(url)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete("benchrpc.Calc.add")

    return call, close


# gRPC


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def grpc_svcgen_pair() -> Pair:
    from svcgen_runtime.rpc.grpc import build_server, service_of

    app = importlib.import_module("app")
    service = service_of(app.App())
    assert service is not None
    server, port = build_server([service], "127.0.0.1", free_port())
    await server.start()
    client, call = await generated_client(f"grpc://127.0.0.1:{port}")

    async def close() -> None:
        await client.close()
        await server.stop(1.0)

    return call, close


async def grpc_raw_pair() -> Pair:
    import grpc

    pb = importlib.import_module("gen.benchrpc.benchrpc_pb2")

    async def add(request: Any, context: Any) -> Any:
        p = Params(a=request.a, b=request.b)
        return pb.Sum(total=p.a + p.b)

    handler = grpc.method_handlers_generic_handler(
        "benchrpc.Calc",
        {
            "Add": grpc.unary_unary_rpc_method_handler(
                add, request_deserializer=pb.AddRequest.FromString, response_serializer=pb.Sum.SerializeToString
            )
        },
    )
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    stub = channel.unary_unary(
        "/benchrpc.Calc/Add",
        request_serializer=pb.AddRequest.SerializeToString,
        response_deserializer=pb.Sum.FromString,
    )

    async def call(n: int) -> int:
        p = Params(a=n, b=1)
        reply = await stub(pb.AddRequest(a=p.a, b=p.b), timeout=5)
        return Sum(total=reply.total).total

    async def close() -> None:
        await channel.close()
        await server.stop(1.0)

    return call, close


# Both


def build(folder: Path, target: str) -> None:
    (folder / "svc.idl").write_text(IDL)
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [str(bin_dir / "svcgen"), "build", "svc.idl", "--out", "gen", "--target", target],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    (folder / "app.py").write_text(APP)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * q), len(ordered) - 1)] * 1000


async def measure(contenders: dict[str, Pair], calls: int, raw: str) -> None:
    """Warm up, then sequential p50/p99 in alternating blocks, then 32 concurrent callers, twice each."""
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
    print(f"  svcgen / {raw} p50: {p50['svcgen'] / p50[raw]:.2f}")
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


async def main(transport: str, url: str, calls: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp), TARGETS[transport])
        sys.path.insert(0, tmp)
        contenders: dict[str, Pair] = {}
        try:
            if transport == "amqp":
                contenders["svcgen"] = await amqp_svcgen_pair(url)
                contenders[RAW[transport]] = await amqp_raw_pair(url, f"bench.raw.{uuid.uuid4().hex[:8]}")
            else:
                contenders["svcgen"] = await grpc_svcgen_pair()
                contenders[RAW[transport]] = await grpc_raw_pair()
            await measure(contenders, calls, RAW[transport])
        finally:
            for _, close in contenders.values():
                await close()


def run(transport: str, url: str, calls: int, use_uvloop: bool) -> None:
    if transport == "grpc":  # grpc.aio has its own loop integration
        asyncio.run(main(transport, url, calls))
        return
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
    runner(main(transport, url, calls))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--transport", choices=sorted(TARGETS), default="amqp")
    parser.add_argument("--url", default="amqp://guest:guest@127.0.0.1:5672/", help="the broker (amqp only)")
    parser.add_argument("--calls", type=int, default=4000)
    parser.add_argument("--no-uvloop", action="store_true", help="amqp only; grpc always runs on asyncio")
    args = parser.parse_args()
    run(args.transport, args.url, args.calls, not args.no_uvloop)
