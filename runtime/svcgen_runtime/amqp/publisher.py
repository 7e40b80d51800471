"""Publishing with publisher confirms on one channel per connection, bounded in time."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, DeliveryMode

from svcgen_runtime.amqp.connection import Link, Session
from svcgen_runtime.amqp.topology import (
    DELAY_EXCHANGE,
    DELAY_EXCHANGE_HEADER,
    DELAY_MS_HEADER,
    declare_delay,
    declare_exchanges,
    delay_queue_expires_ms,
    to_ms,
)
from svcgen_runtime.transport import Outgoing, PublishError


def amqp_message(
    body: bytes, message_id: str | None, headers: Mapping[str, Any], content_type: str | None
) -> aio_pika.Message:
    return aio_pika.Message(
        body,
        headers=dict(headers),
        message_id=message_id,
        content_type=content_type,
        delivery_mode=DeliveryMode.PERSISTENT,
    )


class Publisher:
    def __init__(self, link: Link, timeout_s: float) -> None:
        self._link = link
        self._timeout_s = timeout_s
        self._channel: AbstractChannel | None = None
        self._session: Session | None = None
        self._opening = asyncio.Lock()
        # Exchanges declared on the current channel (by name, the handle publishing goes through), so
        # publishing never needs `declare` first and a missing exchange cannot close the channel;
        # delay queues with when they were declared.
        self._exchanges: dict[str, AbstractExchange] = {}
        self._delays: dict[tuple[str, int], float] = {}

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        if not messages:
            return
        try:
            async with asyncio.timeout(self._timeout_s):
                channel = await self._open()
                if len(messages) == 1:
                    await self._one(channel, messages[0])
                else:
                    await self._all(channel, messages)
        except TimeoutError:
            raise PublishError(
                f"the broker did not confirm {len(messages)} message(s) within {self._timeout_s:g}s"
                + ("" if self._link.connected else " (not connected)")
            ) from None
        except Exception as exc:
            raise PublishError(f"publishing failed: {type(exc).__name__}: {exc}") from exc

    async def close(self) -> None:
        channel, self._channel = self._channel, None
        if channel is not None and not channel.is_closed:
            await channel.close()

    async def _open(self) -> AbstractChannel:
        async with self._opening:
            session = await self._link.session()
            channel = self._channel
            if channel is None or channel.is_closed or self._session is not session:
                channel = await session.connection.channel(publisher_confirms=True)
                self._channel, self._session = channel, session
                self._exchanges.clear()
                self._delays.clear()
            return channel

    async def _all(self, channel: AbstractChannel, messages: Sequence[Outgoing]) -> None:
        # concurrently: the confirm window is the whole batch, as a hand-written publisher would do.
        # Exchanges (and delay queues) are resolved first, in order, so each task is the bare publish.
        sends = [await self._prepare(channel, message) for message in messages]
        try:
            async with asyncio.TaskGroup() as group:
                for exchange, amqp, routing_key in sends:
                    group.create_task(exchange.publish(amqp, routing_key, mandatory=False))
        except BaseExceptionGroup as group:
            raise group.exceptions[0] from None

    async def _one(self, channel: AbstractChannel, message: Outgoing) -> None:
        exchange, amqp, routing_key = await self._prepare(channel, message)
        # not mandatory: a topic nobody subscribes to yet is normal, not an error
        await exchange.publish(amqp, routing_key, mandatory=False)

    async def _prepare(
        self, channel: AbstractChannel, message: Outgoing
    ) -> tuple[AbstractExchange, aio_pika.Message, str]:
        """Where `message` goes (declared on this channel once) and its AMQP form."""
        if message.delay_s > 0:
            delay_ms = to_ms(message.delay_s)
            await self._ensure_delay(channel, message.exchange, delay_ms)
            headers: Mapping[str, Any] = {
                **message.headers,
                DELAY_EXCHANGE_HEADER: message.exchange,
                DELAY_MS_HEADER: str(delay_ms),
            }
            exchange = await self._exchange(channel, DELAY_EXCHANGE, declare=False)
        else:
            headers = message.headers
            exchange = await self._exchange(channel, message.exchange, declare=True)
        return (
            exchange,
            amqp_message(message.body, message.message_id, headers, message.content_type),
            message.routing_key,
        )

    async def _exchange(self, channel: AbstractChannel, name: str, declare: bool) -> AbstractExchange:
        exchange = self._exchanges.get(name)
        if exchange is None:
            if declare:
                await declare_exchanges(channel, [name])
            exchange = await channel.get_exchange(name, ensure=False)
            if declare:  # the delay exchange is declared with each delay queue, not remembered here
                self._exchanges[name] = exchange
        return exchange

    async def _ensure_delay(self, channel: AbstractChannel, exchange: str, delay_ms: int) -> None:
        # Declared again after half its idle lifetime: a redeclare resets `x-expires`, so the queue
        # outlives every message put in it (TTL < lifetime - lifetime/2).
        now = asyncio.get_running_loop().time()
        declared = self._delays.get((exchange, delay_ms))
        if declared is not None and now - declared < (delay_queue_expires_ms(delay_ms) - delay_ms) / 2000:
            return
        await declare_delay(channel, exchange, delay_ms)
        self._delays[(exchange, delay_ms)] = now
