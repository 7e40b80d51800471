"""Any AMQP client talks to us: plain aio-pika code (no svcgen import inside) on both ends."""

from __future__ import annotations

import asyncio
import json
import uuid

import aio_pika
from amqp_support import Names, Recorder, run
from svcgen_runtime.amqp import AmqpTransport
from svcgen_runtime.transport import Incoming, Outgoing


async def plain_publish(url: str, exchange: str, routing_key: str, payload: object, message_id: str) -> None:
    """What a hand-written peer does: declare the package's exchange, publish persistent JSON, confirmed."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        topic = await channel.declare_exchange(exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        message = aio_pika.Message(
            json.dumps(payload).encode(),
            content_type="application/json",
            message_id=message_id,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        await topic.publish(message, routing_key)


def test_a_plain_aio_pika_message_is_consumed(amqp_url: str, names: Names) -> None:
    spec = names.consumer("on_created", names.topic("task.created"))

    async def scenario() -> None:
        transport = AmqpTransport(amqp_url)
        recorder = Recorder()
        await transport.start()
        try:
            await transport.consume([recorder.subscription(spec)])
            await plain_publish(amqp_url, names.package, "task.created", {"id": "t1"}, "plain-1")
            [got] = await recorder.wait_for(1)
        finally:
            await transport.stop(2)
        assert (got.exchange, got.routing_key, got.message_id, got.attempt) == (
            names.package,
            "task.created",
            "plain-1",
            1,
        )
        assert json.loads(got.body) == {"id": "t1"}

    run(scenario())


def test_what_we_publish_reads_in_a_plain_aio_pika_consumer(amqp_url: str, names: Names) -> None:
    queue_name = f"{names.package}.plain"

    async def scenario() -> None:
        connection = await aio_pika.connect(amqp_url)
        transport = AmqpTransport(amqp_url)
        await transport.start()
        try:
            channel = await connection.channel()
            exchange = await channel.declare_exchange(names.package, aio_pika.ExchangeType.TOPIC, durable=True)
            queue = await channel.declare_queue(queue_name, auto_delete=True)
            await queue.bind(exchange, "task.*")
            message_id = str(uuid.uuid4())
            await transport.publish(
                [Outgoing(names.package, "task.created", b'{"id":"t1"}', message_id, headers={"traceparent": "00-x"})]
            )
            async with asyncio.timeout(5):
                async with queue.iterator() as messages:
                    async for message in messages:
                        async with message.process():
                            got = message
                        break
        finally:
            await transport.stop(2)
            await connection.close()
        assert got.exchange == names.package and got.routing_key == "task.created"
        assert got.content_type == "application/json" and got.message_id == message_id
        assert got.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
        assert got.headers == {"traceparent": "00-x"} and got.body == b'{"id":"t1"}'

    run(scenario())


def test_a_plain_aio_pika_client_reads_a_dead_letter(amqp_url: str, names: Names) -> None:
    spec = names.consumer("broken", names.topic("job"))

    async def fail(incoming: Incoming) -> None:
        raise ValueError("bad total")

    async def scenario() -> None:
        transport = AmqpTransport(amqp_url)
        recorder = Recorder(fail)
        await transport.start()
        try:
            await transport.consume([recorder.subscription(spec)])
            await plain_publish(amqp_url, names.package, "job", {"n": 1}, "m-1")
            await recorder.wait_for(1)
            await asyncio.sleep(0.3)
        finally:
            await transport.stop(2)
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            dlq = await channel.declare_queue(f"{spec.queue}.dlq", passive=True)
            letter = await dlq.get(no_ack=False)
            await letter.nack(requeue=True)
        assert letter.headers == {
            "x-svcgen-attempt": 1,
            "x-svcgen-error": "ValueError: bad total",
            "x-svcgen-original-exchange": names.package,
            "x-svcgen-original-routing-key": "job",
        }
        assert letter.message_id == "m-1" and letter.content_type == "application/json"

    run(scenario())
