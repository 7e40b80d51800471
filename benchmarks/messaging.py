"""Messaging throughput on RabbitMQ: svcgen against hand-written aio-pika (and FastStream if installed).

consume: 20,000 persistent JSON messages wait in a queue; each contender consumes them with prefetch
128, validates each body into the same pydantic model and acks it; the time runs from the first
consume call to the last ack. svcgen's contender is a generated service (`svcgen build` of a small
IDL, a subclass with the handler) consuming through the real runtime path: `delivery.subscriptions`
(decode against the topic, unit of work) on `AmqpTransport`. When that path cannot load, it falls
back to `AmqpTransport` with a handler that validates with pydantic, and says so.
publish: 20,000 messages encoded from the model and published with publisher confirms, a confirm
window of 128 (batches of 128 in flight, each batch confirmed before the next); svcgen's
`AmqpTransport.publish(batch)` against aio-pika's `exchange.publish` gathered over the same batch.

Each round runs every contender once, in alternating order, on fresh queues of the same broker; the
figure is the median over rounds of svcgen's rate divided by the peer's within the round (aim >= 0.9).

Usage: python benchmarks/messaging.py [--url amqp://guest:guest@127.0.0.1:5672/] [--rounds 5] [--messages 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aio_pika
from pydantic import BaseModel, Field
from svcgen_runtime.amqp import AmqpTransport
from svcgen_runtime.spec import ConsumerSpec, Topic
from svcgen_runtime.transport import Incoming, Outgoing, Subscription

AIM = 0.9
PREFETCH = 128
WINDOW = 128
BIN = Path(sys.executable).parent
EXCHANGE = "bench.messaging"
QUEUE = "bench.messaging.Shop.handle_order"

IDL = """\
package bench.messaging;

message Order {
  id: uuid;
  customer: string @length(1, 200);
  total: float @min(0);
  items: list<string> = [];
}

topic order.placed: Order;

service Shop {
  on order.placed handle_order;
}
"""


class Order(BaseModel):
    """The hand-written contenders' model: the same fields and constraints as the IDL's."""

    id: uuid.UUID
    customer: str = Field(min_length=1, max_length=200)
    total: float = Field(ge=0)
    items: list[str] = []


def order(n: int) -> Order:
    return Order(id=uuid.uuid4(), customer=f"customer {n}", total=n * 1.5, items=["a", "b", "c"])


Run = Callable[[str, str, str, int], Awaitable[float]]


# ---- consume -------------------------------------------------------------------------------------


async def fill(url: str, exchange: str, routing_key: str, count: int) -> None:
    """`count` persistent messages into the queue bound to (exchange, routing_key), confirmed."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        ex = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        for start in range(0, count, 1000):
            batch = [
                aio_pika.Message(
                    order(n).model_dump_json().encode(),
                    content_type="application/json",
                    message_id=str(uuid.uuid4()),
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                )
                for n in range(start, min(start + 1000, count))
            ]
            await asyncio.gather(*(ex.publish(m, routing_key) for m in batch))


async def declare_queue(url: str, queue: str, exchange: str, routing_key: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        ex = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        q = await channel.declare_queue(queue, durable=True)
        await q.bind(ex, routing_key)


async def delete(url: str, queues: list[str], exchanges: list[str]) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        for name in queues:
            channel = await connection.channel()
            await channel.queue_delete(name)
            await channel.close()
        channel = await connection.channel()
        for name in exchanges:
            await channel.exchange_delete(name)


class Counter:
    def __init__(self, target: int) -> None:
        self.target = target
        self.count = 0
        self.done = asyncio.Event()

    def tick(self) -> None:
        self.count += 1
        if self.count >= self.target:
            self.done.set()


def generated_service(counter: list[Counter]) -> tuple[Any, str] | None:
    """A subclass of the generated `Shop` whose handler counts; None when the runtime path cannot load."""
    out = Path(tempfile.mkdtemp(prefix="svcgen-bench-msg-"))
    (out / "bench.idl").write_text(IDL)
    build = subprocess.run(
        [str(BIN / "svcgen"), "build", str(out / "bench.idl"), "--out", str(out / "gen"), "--target", "python-server"],
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        return None
    sys.path.insert(0, str(out))
    try:
        service_module = importlib.import_module("gen.bench_messaging.service")
        importlib.import_module("svcgen_runtime.delivery")
    except ImportError:
        return None

    class Shop(service_module.Shop):  # type: ignore[misc, name-defined]
        async def handle_order(self, message: Any) -> None:
            counter[0].tick()

    return Shop(), "generated service, delivery.subscriptions, unit of work"


async def consume_svcgen(url: str, exchange: str, queue: str, count: int, service: Any) -> float:
    counter = Counter(count)
    transport = AmqpTransport(url, prefetch=PREFETCH)
    await transport.start()
    if service is not None:
        from svcgen_runtime import delivery

        service.counter[0] = counter
        service.runtime.transport = transport  # what a handler stages would go out here
        subscriptions = delivery.subscriptions(service)
    else:
        topic = Topic(exchange, "order.placed", Order)

        async def handle(incoming: Incoming) -> None:
            topic.decode(incoming.body)
            counter.tick()

        subscriptions = [Subscription(ConsumerSpec("handle_order", "order.placed", queue, (topic,)), handle)]
    began = time.perf_counter()
    await transport.consume(subscriptions)
    await counter.done.wait()
    elapsed = time.perf_counter() - began
    await transport.stop(5)
    return count / elapsed


async def consume_aio_pika(url: str, exchange: str, queue: str, count: int) -> float:
    counter = Counter(count)
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=PREFETCH)
        q = await channel.get_queue(queue)

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            Order.model_validate_json(message.body)
            await message.ack()
            counter.tick()

        began = time.perf_counter()
        await q.consume(on_message)
        await counter.done.wait()
        return count / (time.perf_counter() - began)


async def consume_faststream(url: str, exchange: str, queue: str, count: int) -> float:
    from faststream.rabbit import Channel, RabbitBroker, RabbitExchange, RabbitQueue
    from faststream.rabbit.schemas import ExchangeType

    counter = Counter(count)
    broker = RabbitBroker(url, logger=None)
    ex = RabbitExchange(exchange, type=ExchangeType.TOPIC, durable=True)
    queue_ = RabbitQueue(queue, durable=True, routing_key="order.placed")

    @broker.subscriber(queue_, ex, channel=Channel(prefetch_count=PREFETCH))  # type: ignore[misc]
    async def handle(message: Order) -> None:  # FastStream validates with pydantic and acks
        counter.tick()

    began = time.perf_counter()
    await broker.start()
    await counter.done.wait()
    elapsed = time.perf_counter() - began
    await broker.stop()
    return count / elapsed


# ---- publish -------------------------------------------------------------------------------------


async def publish_svcgen(url: str, exchange: str, count: int) -> float:
    transport = AmqpTransport(url)
    await transport.start()
    topic = Topic(exchange, "order.placed", Order)
    orders = [order(n) for n in range(count)]
    began = time.perf_counter()
    for start in range(0, count, WINDOW):
        await transport.publish(
            [
                Outgoing(exchange, "order.placed", topic.encode(o), str(uuid.uuid4()))
                for o in orders[start : start + WINDOW]
            ]
        )
    elapsed = time.perf_counter() - began
    await transport.stop(5)
    return count / elapsed


async def publish_aio_pika(url: str, exchange: str, count: int) -> float:
    orders = [order(n) for n in range(count)]
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        ex = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        began = time.perf_counter()
        for start in range(0, count, WINDOW):
            batch = [
                aio_pika.Message(
                    o.model_dump_json().encode(),
                    content_type="application/json",
                    message_id=str(uuid.uuid4()),
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                )
                for o in orders[start : start + WINDOW]
            ]
            await asyncio.gather(*(ex.publish(m, "order.placed", mandatory=False) for m in batch))
        return count / (time.perf_counter() - began)


async def publish_faststream(url: str, exchange: str, count: int) -> float:
    from faststream.rabbit import RabbitBroker, RabbitExchange
    from faststream.rabbit.schemas import ExchangeType

    orders = [order(n) for n in range(count)]
    broker = RabbitBroker(url, logger=None)
    ex = RabbitExchange(exchange, type=ExchangeType.TOPIC, durable=True)
    await broker.start()
    began = time.perf_counter()
    for start in range(0, count, WINDOW):
        await asyncio.gather(
            *(
                broker.publish(o, exchange=ex, routing_key="order.placed", persist=True, mandatory=False)
                for o in orders[start : start + WINDOW]
            )
        )
    elapsed = time.perf_counter() - began
    await broker.stop()
    return count / elapsed


# ---- rounds --------------------------------------------------------------------------------------


def has_faststream() -> bool:
    try:
        importlib.import_module("faststream.rabbit")
    except ImportError:
        return False
    return True


async def consume_round(url: str, count: int, contenders: dict[str, Any], order_: list[str]) -> dict[str, float]:
    rates: dict[str, float] = {}
    for name in order_:
        exchange, queue = EXCHANGE, QUEUE  # the generated service's names; deleted after each run
        await declare_queue(url, queue, exchange, "order.placed")
        await fill(url, exchange, "order.placed", count)
        try:
            rates[name] = await contenders[name](url, exchange, queue, count)
        finally:
            await delete(url, [queue, f"{queue}.dlq"], [exchange])
    return rates


async def publish_round(url: str, count: int, contenders: dict[str, Any], order_: list[str]) -> dict[str, float]:
    rates: dict[str, float] = {}
    for name in order_:
        exchange, queue = EXCHANGE, f"{EXCHANGE}.sink"
        await declare_queue(url, queue, exchange, "order.placed")  # a bound queue: messages are stored
        try:
            rates[name] = await contenders[name](url, exchange, count)
        finally:
            await delete(url, [queue], [exchange])
    return rates


def report(title: str, rounds: list[dict[str, float]]) -> list[tuple[str, float]]:
    names = list(rounds[0])
    print(f"\n{title}")
    print("round  " + "".join(f"{n:>16}" for n in names) + "   msg/s")
    for i, rates in enumerate(rounds, 1):
        print(f"{i:>5}  " + "".join(f"{rates[n]:>16.0f}" for n in names))
    ratios = []
    for peer in names[1:]:
        ratio = statistics.median(r["svcgen"] / r[peer] for r in rounds)
        ratios.append((peer, ratio))
        print(f"median ratio svcgen / {peer}: {ratio:.3f}")
    return ratios


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="amqp://guest:guest@127.0.0.1:5672/")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--messages", type=int, default=20_000)
    args = ap.parse_args()

    holder: list[Counter] = [Counter(0)]
    built = generated_service(holder)
    service = None
    if built is not None:
        service, path = built
        service.counter = holder
    else:
        path = "AmqpTransport + a pydantic-validating handler (the runtime path did not load)"
    print(f"svcgen consumer: {path}")

    async def svcgen_consume(url: str, exchange: str, queue: str, count: int) -> float:
        return await consume_svcgen(url, exchange, queue, count, service)

    consumers: dict[str, Any] = {"svcgen": svcgen_consume, "aio-pika": consume_aio_pika}
    publishers: dict[str, Any] = {"svcgen": publish_svcgen, "aio-pika": publish_aio_pika}
    if has_faststream():
        consumers["faststream"] = consume_faststream
        publishers["faststream"] = publish_faststream
    else:
        print("FastStream not installed (pip install -e '.[bench]'): left out")

    consume_rounds, publish_rounds = [], []
    names = list(consumers)
    for r in range(args.rounds):
        order_ = names if r % 2 == 0 else names[::-1]
        consume_rounds.append(await consume_round(args.url, args.messages, consumers, order_))
        publish_rounds.append(await publish_round(args.url, args.messages, publishers, order_))
        # keep the table's column order whatever the running order was
        consume_rounds[-1] = {n: consume_rounds[-1][n] for n in names}
        publish_rounds[-1] = {n: publish_rounds[-1][n] for n in names}

    print(f"\n{args.messages} messages per run, prefetch {PREFETCH}, confirm window {WINDOW}, {args.rounds} rounds")
    consume = report("consume (validate + ack)", consume_rounds)
    publish = report("publish (encode + confirm)", publish_rounds)
    vs_aio_pika = [dict(consume)["aio-pika"], dict(publish)["aio-pika"]]
    met = all(r >= AIM for r in vs_aio_pika)
    print(f"\naim: svcgen / aio-pika >= {AIM} on both: {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
