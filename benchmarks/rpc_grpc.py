"""RPC round trips over gRPC: the generated client and `svcgen run grpc`'s server against raw grpc.aio.

The gRPC half of the RPC benchmark (benchmarks/rpc.py has the AMQP half; same IDL, same method).
Both sides do the same work: the client validates the parameters into a pydantic model and sends
them as protobuf; the server decodes them into the parameter model, the handler adds two numbers,
the result goes back as protobuf and is validated into the result model on the client. svcgen: a
generated `CalcRpcClient("grpc://...")` calling the server `svcgen run grpc` builds (codec, unit of
work, error mapping). Raw: grpc.aio with the same compiled messages, a generic handler that does
the same validation by hand. Client and server share this one process and event loop (asyncio; grpc.aio
runs on its own loop integration, so uvloop is not used).

sequential: `--calls` round trips one after another, p50 and p99; the contenders alternate in blocks
of 200 calls. throughput: 32 concurrent callers for `--calls` calls.

Usage: python benchmarks/rpc_grpc.py [--calls 4000]
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
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import grpc
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
Close = Callable[[], Awaitable[None]]


class Params(BaseModel):
    a: int
    b: int


class Total(BaseModel):
    total: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def svcgen_pair() -> tuple[Call, Close]:
    from svcgen_runtime.rpc.grpc import build_server, service_of

    app = importlib.import_module("app")
    rpc = importlib.import_module("gen.benchrpc.rpc")
    service = service_of(app.App())
    assert service is not None
    server, port = build_server([service], "127.0.0.1", free_port())
    await server.start()
    client = rpc.CalcRpcClient(f"grpc://127.0.0.1:{port}")
    await client.open()

    async def call(n: int) -> int:
        total: int = (await client.add(a=n, b=1)).total
        return total

    async def close() -> None:
        await client.close()
        await server.stop(1.0)

    return call, close


async def raw_pair() -> tuple[Call, Close]:
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
        return Total(total=reply.total).total

    async def close() -> None:
        await channel.close()
        await server.stop(1.0)

    return call, close


def build(folder: Path) -> None:
    (folder / "svc.idl").write_text(IDL)
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [str(bin_dir / "svcgen"), "build", "svc.idl", "--out", "gen", "--target", "python-grpc"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    (folder / "app.py").write_text(APP)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * q), len(ordered) - 1)] * 1000


async def main(calls: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp))
        sys.path.insert(0, tmp)
        contenders = {"svcgen": await svcgen_pair(), "grpc.aio": await raw_pair()}
        try:
            for call, _ in contenders.values():  # warm up: connections, pydantic
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
            print(f"  svcgen / grpc.aio p50: {p50['svcgen'] / p50['grpc.aio']:.2f}")
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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=4000)
    args = parser.parse_args()
    asyncio.run(main(args.calls))
