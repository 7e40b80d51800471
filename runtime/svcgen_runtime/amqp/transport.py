"""`AmqpTransport`: the RabbitMQ implementation of `svcgen_runtime.transport.Transport`."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence

from svcgen_runtime.amqp import dead_letters
from svcgen_runtime.amqp.connection import BrokerUnavailable, Link, Session
from svcgen_runtime.amqp.consumer import Consumer
from svcgen_runtime.amqp.publisher import Publisher
from svcgen_runtime.amqp.topology import declare_consumer, declare_exchanges
from svcgen_runtime.transport import DeadLetter, Outgoing, Subscription

log = logging.getLogger("svcgen_runtime.amqp")

#: Bound on each step of closing (cancel consumers, close channels, close the connection).
CLOSE_STEP_S = 5.0


class AmqpTransport:
    """RabbitMQ through aio-pika: `url` like `amqp://guest:guest@localhost:5672/`.

    `prefetch` bounds the unacked deliveries of each consumer channel, `concurrency` the handlers each
    consumer runs at once; `publish_timeout_s` bounds a `publish` (connecting included) and
    `connect_timeout_s` the first connection of `start`. `name` is the connection name the broker shows
    (`rabbitmqctl list_connections client_properties`; default `svcgen pid <pid>`).
    """

    def __init__(
        self,
        url: str,
        prefetch: int = 128,
        concurrency: int = 32,
        publish_timeout_s: float = 10.0,
        connect_timeout_s: float = 5.0,
        name: str | None = None,
    ) -> None:
        if prefetch < 1 or concurrency < 1:
            raise ValueError("prefetch and concurrency must be at least 1")
        self._link = Link(url, connect_timeout_s, name or f"svcgen pid {os.getpid()}")
        self._publisher = Publisher(self._link, publish_timeout_s)
        self._prefetch = prefetch
        self._concurrency = concurrency
        self._operation_timeout_s = max(publish_timeout_s, connect_timeout_s)
        self._consumers: list[Consumer] = []

    async def start(self) -> None:
        """Connect within `connect_timeout_s` (else BrokerUnavailable); reconnects on its own afterwards."""
        await self._link.start()

    @property
    def connected(self) -> bool:
        return self._link.connected

    def consumers(self) -> dict[str, int]:
        """Each consuming queue, with how many times its consumer attached (1, plus one per recovery);
        only the queues consuming right now."""
        return {c.queue: c.attachments for c in self._consumers if c.attached}

    async def declare(self, subscriptions: Sequence[Subscription], exchanges: Sequence[str]) -> None:
        session = await self._session()
        channel = await session.connection.channel()
        try:
            await declare_exchanges(channel, exchanges)
            for subscription in subscriptions:
                await declare_consumer(channel, subscription.spec)
        finally:
            if not channel.is_closed:
                await channel.close()

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        await self._publisher.publish(messages)

    async def consume(self, subscriptions: Sequence[Subscription]) -> None:
        for subscription in subscriptions:
            consumer = Consumer(self._link, subscription, self._prefetch, self._concurrency)
            self._consumers.append(consumer)
            await consumer.start()

    async def stop(self, grace_s: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace_s
        for consumer in self._consumers:
            await consumer.stop_taking(timeout_s=min(CLOSE_STEP_S, max(deadline - loop.time(), 0.1)))
        try:
            async with asyncio.timeout_at(deadline):
                for consumer in self._consumers:
                    await consumer.wait_idle()
        except TimeoutError:
            log.warning("handlers still running after the %.1fs grace period are cancelled, unacked", grace_s)
        for consumer in self._consumers:
            await consumer.close(CLOSE_STEP_S)
        self._consumers.clear()
        try:
            await asyncio.wait_for(self._publisher.close(), CLOSE_STEP_S)
        except Exception:
            log.debug("closing the publisher channel failed", exc_info=True)
        await self._link.close(CLOSE_STEP_S)

    async def dead_letters(self, queue: str, limit: int | None = None) -> list[DeadLetter]:
        session = await self._session()
        return await dead_letters.list_dead_letters(session.connection, queue, limit)

    async def requeue_dead_letters(self, queue: str) -> int:
        session = await self._session()
        return await dead_letters.requeue_dead_letters(session.connection, queue)

    async def purge_dead_letters(self, queue: str) -> int:
        session = await self._session()
        return await dead_letters.purge_dead_letters(session.connection, queue)

    async def _session(self) -> Session:
        try:
            return await asyncio.wait_for(self._link.session(), self._operation_timeout_s)
        except TimeoutError:
            raise BrokerUnavailable(f"no AMQP connection within {self._operation_timeout_s:g}s") from None
