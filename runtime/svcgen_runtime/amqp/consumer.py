"""One consumer queue: its own channel, a bounded set of workers, and what happens after each attempt.

Each consumer keeps itself attached: an owned task opens a channel on the live session, declares the
queue's topology, consumes, and waits until the channel or the connection is lost; then it attaches
again on whatever session the link has by then. So every queue gets its consumer back after a
reconnect, and a channel closed alone (a consumer cancelled by the broker, a channel error) heals too.

Deliveries wait in a buffer (at most `prefetch` of them: the broker sends no more unacked) for one of
`concurrency` workers. A delivery is settled only on the channel it came from: when that channel is
gone the broker has already put the message back, so it is neither started nor acked (a stale
delivery tag on a new channel would close it with PRECONDITION_FAILED, or ack the wrong message).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage

from svcgen_runtime.amqp import envelope
from svcgen_runtime.amqp.connection import Link
from svcgen_runtime.amqp.topology import declare_consumer, retry_queue, to_ms
from svcgen_runtime.transport import (
    ATTEMPT_HEADER,
    ERROR_HEADER,
    Subscription,
    Undeliverable,
    dead_letter_queue,
    retry_delay_s,
)

log = logging.getLogger("svcgen_runtime.amqp")

#: Pause before attaching again after a failed attempt (the link reconnects on its own pace).
REATTACH_PAUSE_S = 0.5


def _setter(event: asyncio.Event) -> Any:
    """A callback for aio-pika's and aiormq's callback sets (each calls with other arguments)."""

    def on_lost(*_: Any) -> None:
        event.set()

    return on_lost


class Consumer:
    def __init__(self, link: Link, subscription: Subscription, prefetch: int, concurrency: int) -> None:
        self.subscription = subscription
        self.queue = subscription.spec.queue
        self._link = link
        self._prefetch = prefetch
        self._concurrency = concurrency
        self._buffer: asyncio.Queue[tuple[AbstractChannel, AbstractIncomingMessage]] = asyncio.Queue()
        self._channel: AbstractChannel | None = None
        self._consumer_tag: str | None = None
        self._attached = asyncio.Event()
        self._first_attach: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._detach = asyncio.Event()
        self._stopping = False
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks: list[asyncio.Task[None]] = []
        #: how many times a channel was attached (tests and health read it)
        self.attachments = 0

    @property
    def attached(self) -> bool:
        return self._attached.is_set()

    async def start(self) -> None:
        """Attach and start the workers; returns once consuming, raises if the first attach fails."""
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self._keep_attached(), name=f"svcgen-amqp-attach {self.queue}"))
        for n in range(self._concurrency):
            self._tasks.append(loop.create_task(self._work(), name=f"svcgen-amqp-worker {self.queue} {n}"))
        await self._first_attach

    async def stop_taking(self, timeout_s: float) -> None:
        """Cancel the broker consumer, and start nothing more from the buffer."""
        self._stopping = True
        self._detach.set()
        channel, tag = self._channel, self._consumer_tag
        if channel is None or tag is None or channel.is_closed:
            return
        try:
            underlay = await channel.get_underlay_channel()
            await underlay.basic_cancel(tag, timeout=timeout_s)
        except Exception:  # the channel is closing anyway; its unacked deliveries go back
            log.debug("%s: basic.cancel failed", self.queue, exc_info=True)

    async def wait_idle(self) -> None:
        await self._idle.wait()

    async def close(self, timeout_s: float) -> None:
        """Cancel the workers (those still running lose their delivery: it stays unacked) and the channel."""
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=timeout_s)
        self._tasks.clear()
        channel, self._channel = self._channel, None
        if channel is not None and not channel.is_closed:
            try:
                await asyncio.wait_for(channel.close(), timeout_s)
            except Exception:
                log.debug("%s: closing the channel failed", self.queue, exc_info=True)

    async def _keep_attached(self) -> None:
        while not self._stopping:
            session = await self._link.session()
            lost = asyncio.Event()
            on_lost = _setter(lost)
            session.connection.close_callbacks.add(on_lost)
            try:
                try:
                    channel = await self._attach(session.connection, on_lost)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    if session.lost.is_set() or lost.is_set():
                        continue  # the connection went while attaching: try again on the next one
                    if not self._first_attach.done():
                        self._first_attach.set_exception(exc)
                        return
                    log.warning("%s: attaching failed (%s); retrying", self.queue, exc)
                    await asyncio.sleep(REATTACH_PAUSE_S)
                    continue
                if not self._first_attach.done():
                    self._first_attach.set_result(None)
                waiters = [asyncio.ensure_future(lost.wait()), asyncio.ensure_future(self._detach.wait())]
                try:
                    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for waiter in waiters:
                        waiter.cancel()
                self._attached.clear()
                if not self._stopping and not channel.is_closed:
                    await channel.close()  # cancelled by the broker: attach again on a fresh channel
            finally:
                session.connection.close_callbacks.discard(on_lost)
            if not self._stopping:
                log.warning("%s: channel lost; attaching again", self.queue)

    async def _attach(self, connection: aio_pika.abc.AbstractConnection, on_lost: Any) -> AbstractChannel:
        channel = await connection.channel(publisher_confirms=True)
        channel.close_callbacks.add(on_lost)
        await channel.set_qos(prefetch_count=self._prefetch)
        await declare_consumer(channel, self.subscription.spec)
        underlay = await channel.get_underlay_channel()
        # a broker-side cancel (queue deleted, node shutting down) leaves the channel open and idle
        underlay.on_consumer_cancel_callbacks.add(on_lost)

        async def on_delivery(delivered: Any) -> None:
            self._buffer.put_nowait((channel, aio_pika.IncomingMessage(delivered, no_ack=False)))

        ok = await underlay.basic_consume(self.queue, on_delivery, no_ack=False)
        self._channel, self._consumer_tag = channel, ok.consumer_tag
        self.attachments += 1
        self._attached.set()
        return channel

    async def _work(self) -> None:
        while True:
            channel, message = await self._buffer.get()
            if self._stopping or channel.is_closed:
                continue  # unacked: the broker redelivers it (now, or when the channel closes)
            self._in_flight += 1
            self._idle.clear()
            try:
                await self._settle(channel, message)
            finally:
                self._in_flight -= 1
                if self._in_flight == 0:
                    self._idle.set()

    async def _settle(self, channel: AbstractChannel, message: AbstractIncomingMessage) -> None:
        spec = self.subscription.spec
        delivery = envelope.incoming(self.queue, message)
        try:
            await self.subscription.handle(delivery)
        except Undeliverable as exc:
            await self._forward(channel, message, dead_letter_queue(self.queue), self._dead(delivery.attempt, exc))
        except Exception as exc:
            if delivery.attempt <= spec.retry:
                delay_ms = to_ms(retry_delay_s(spec, delivery.attempt))
                log.info("%s: attempt %d failed (%s); retry in %dms", self.queue, delivery.attempt, exc, delay_ms)
                await self._forward(
                    channel, message, retry_queue(self.queue, delay_ms), {ATTEMPT_HEADER: delivery.attempt + 1}
                )
            else:
                log.warning("%s: attempt %d failed (%s); dead-lettered", self.queue, delivery.attempt, exc)
                await self._forward(channel, message, dead_letter_queue(self.queue), self._dead(delivery.attempt, exc))
        else:
            await self._ack(channel, message)

    @staticmethod
    def _dead(attempt: int, exc: BaseException) -> dict[str, Any]:
        return {ATTEMPT_HEADER: attempt, ERROR_HEADER: envelope.error_text(exc)}

    async def _forward(
        self, channel: AbstractChannel, message: AbstractIncomingMessage, queue: str, headers: dict[str, Any]
    ) -> None:
        """Put a copy in `queue` (confirmed), then ack the original: the message never waits unacked
        in this worker. A crash between the two leaves both: a duplicate, never a loss."""
        if channel.is_closed:
            return
        try:
            await channel.default_exchange.publish(envelope.copy(message, headers), queue, mandatory=False)
        except Exception as exc:
            log.warning("%s: could not move a message to %s (%s); left for redelivery", self.queue, queue, exc)
            if not channel.is_closed:
                await self._nack(message)
            return
        await self._ack(channel, message)

    async def _ack(self, channel: AbstractChannel, message: AbstractIncomingMessage) -> None:
        if channel.is_closed:
            return  # redelivered on another channel; its tag means nothing elsewhere
        try:
            await message.ack()
        except Exception as exc:
            log.info("%s: ack lost with its channel (%s); the broker redelivers", self.queue, exc)

    async def _nack(self, message: AbstractIncomingMessage) -> None:
        try:
            await message.nack(requeue=True)
        except Exception:
            log.debug("%s: nack failed", self.queue, exc_info=True)
