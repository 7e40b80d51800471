"""Reading, requeueing and purging `<queue>.dlq` (the operations commands), each on a channel of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiormq
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage, AbstractQueue

from svcgen_runtime.amqp import envelope
from svcgen_runtime.transport import ATTEMPT_HEADER, ERROR_HEADER, DeadLetter, dead_letter_queue


@asynccontextmanager
async def _dlq(connection: AbstractConnection, queue: str) -> AsyncIterator[tuple[AbstractChannel, AbstractQueue]]:
    channel = await connection.channel(publisher_confirms=True)
    try:
        try:
            dlq = await channel.declare_queue(dead_letter_queue(queue), passive=True)
        except aiormq.exceptions.ChannelNotFoundEntity:
            raise LookupError(f"no dead-letter queue {dead_letter_queue(queue)!r}: is {queue!r} declared?") from None
        yield channel, dlq
    finally:
        if not channel.is_closed:
            # closing returns every message got and not acked to the queue, in its place
            await channel.close()


def _dead_letter(queue: str, message: AbstractIncomingMessage) -> DeadLetter:
    delivery = envelope.incoming(queue, message)
    return DeadLetter(
        queue=queue,
        exchange=delivery.exchange,
        routing_key=delivery.routing_key,
        body=message.body,
        message_id=message.message_id,
        error=envelope.text(delivery.headers.get(ERROR_HEADER, "")),
        attempts=delivery.attempt,
        headers=delivery.headers,
    )


async def list_dead_letters(connection: AbstractConnection, queue: str, limit: int | None) -> list[DeadLetter]:
    found: list[DeadLetter] = []
    async with _dlq(connection, queue) as (_, dlq):
        while limit is None or len(found) < limit:
            message = await dlq.get(no_ack=False, fail=False)
            if message is None:
                break
            found.append(_dead_letter(queue, message))
    return found


async def requeue_dead_letters(connection: AbstractConnection, queue: str) -> int:
    """Copy each dead letter to `queue` (confirmed, attempts reset), then ack it. Bounded by the count
    at the start, so letters that fail again meanwhile are not cycled forever."""
    moved = 0
    async with _dlq(connection, queue) as (channel, dlq):
        waiting = dlq.declaration_result.message_count or 0
        while moved < waiting:
            message = await dlq.get(no_ack=False, fail=False)
            if message is None:
                break
            fresh = envelope.copy(message, {}, drop=frozenset({ATTEMPT_HEADER}))
            await channel.default_exchange.publish(fresh, queue, mandatory=False)
            await message.ack()
            moved += 1
    return moved


async def purge_dead_letters(connection: AbstractConnection, queue: str) -> int:
    async with _dlq(connection, queue) as (_, dlq):
        result = await dlq.purge()
        return result.message_count or 0
