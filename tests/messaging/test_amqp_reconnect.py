"""Connection loss in-process: through a cuttable proxy (nobody else's connection is touched) and a
broker-forced close of this test's connection only (`rabbitmqctl close_connection`)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import uuid

import pytest
from amqp_support import Names, Proxy, Recorder, queue_state, run
from svcgen_runtime.amqp import AmqpTransport
from svcgen_runtime.transport import Incoming, Outgoing


def out(names: Names, topic: str, n: int) -> Outgoing:
    return Outgoing(names.package, topic, json.dumps({"n": n}).encode(), str(uuid.uuid4()))


async def until(condition: object, timeout_s: float = 15.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.05)


def numbers(recorder: Recorder) -> set[int]:
    return {json.loads(m.body)["n"] for _, m in recorder.seen}


def test_consumers_come_back_after_the_connection_drops(amqp_url: str, names: Names) -> None:
    first, second = names.consumer("first", names.topic("a")), names.consumer("second", names.topic("b"))
    release = asyncio.Event()

    async def hold_number_5(incoming: Incoming) -> None:
        if json.loads(incoming.body)["n"] == 5:
            await release.wait()

    async def scenario() -> None:
        proxy = Proxy("127.0.0.1", 5672)
        await proxy.open()
        worker = AmqpTransport(f"amqp://guest:guest@127.0.0.1:{proxy.port}/", concurrency=4)
        sender = AmqpTransport(amqp_url)
        a, b = Recorder(hold_number_5), Recorder()
        await worker.start()
        await sender.start()
        try:
            await worker.consume([a.subscription(first), b.subscription(second)])
            await sender.publish([out(names, "a", n) for n in range(6)] + [out(names, "b", n) for n in range(3)])
            await a.wait_for(6)
            await b.wait_for(3)
            # number 5 is in flight on the channel about to die
            await proxy.cut()
            await until(lambda: not worker.connected)
            await sender.publish([out(names, "a", n) for n in range(6, 9)] + [out(names, "b", n) for n in range(3, 6)])
            await proxy.open()
            await until(lambda: worker.consumers() == {first.queue: 2, second.queue: 2})
            await until(lambda: numbers(b) == set(range(6)))
            await until(lambda: len(a.seen) >= 10)  # 0..8 once, and 5 again: redelivered after the loss
            release.set()
            await asyncio.sleep(0.3)  # the old delivery of 5 finishes: its ack must go nowhere
            await sender.publish([out(names, "a", 9), out(names, "b", 9)])
            await until(lambda: 9 in numbers(a) and 9 in numbers(b))
            # still the second channel each: no stale delivery tag closed one
            assert worker.consumers() == {first.queue: 2, second.queue: 2}
        finally:
            await worker.stop(2)
            await sender.stop(2)
            await proxy.cut()
        assert numbers(a) == set(range(10))
        redelivered = [m for _, m in a.seen if json.loads(m.body)["n"] == 5]
        assert len(redelivered) == 2
        assert await queue_state(amqp_url, first.queue) == (0, 0)  # everything acked, nothing twice
        assert await queue_state(amqp_url, second.queue) == (0, 0)

    run(scenario())


@pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="needs rabbitmqctl on this machine")
def test_consumers_come_back_after_the_broker_closes_the_connection(amqp_url: str, names: Names) -> None:
    specs = [names.consumer(f"c{i}", names.topic(f"t{i}")) for i in range(3)]
    connection_name = f"svcgen-test {names.package}"

    async def scenario() -> None:
        worker = AmqpTransport(amqp_url, name=connection_name)
        recorders = [Recorder() for _ in specs]
        await worker.start()
        try:
            await worker.consume([r.subscription(s) for r, s in zip(recorders, specs, strict=True)])
            await worker.publish([out(names, f"t{i}", 0) for i in range(3)])
            for recorder in recorders:
                await recorder.wait_for(1)
            await asyncio.to_thread(close_connections_named, connection_name)
            await until(lambda: worker.consumers() == {s.queue: 2 for s in specs})
            await worker.publish([out(names, f"t{i}", 1) for i in range(3)])
            for recorder in recorders:
                await recorder.wait_for(2)
            for spec in specs:
                assert (await queue_state(amqp_url, spec.queue))[1] == 1
        finally:
            await worker.stop(2)

    run(scenario())


def close_connections_named(name: str) -> None:
    """`rabbitmqctl close_connection` for this test's connections only (close_all_connections would cut
    the other tests running on the same broker)."""
    listing = subprocess.run(
        ["rabbitmqctl", "-q", "list_connections", "pid", "client_properties"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pids = [line.split("\t", 1)[0] for line in listing.splitlines() if f'"{name}"' in line]
    assert pids, f"no connection named {name!r} in:\n{listing}"
    for pid in pids:
        subprocess.run(["rabbitmqctl", "close_connection", pid, "svcgen test"], capture_output=True, check=True)
