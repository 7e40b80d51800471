"""Scheduler leases on RabbitMQ: an exclusive queue per service, held by one connection.

`svcgen.scheduler.<package>.<Service>` is declared `exclusive` on a connection of its own (not the
transport's): the broker lets one connection declare it and answers every other one RESOURCE_LOCKED
(405), and deletes the queue the moment the owning connection closes, whatever the reason (process
killed, connection dropped, missed heartbeats). Standbys retry the declaration every `retry_s`, so a
takeover after the holder dies takes at most `retry_s` plus the time the broker needs to notice: at
once for a dead process (the kernel resets its socket), about `heartbeat_s` * 2 for a silent peer.

Nobody publishes to the queue; it exists only to be owned. A single-active-consumer queue would do
the same, but a client is not told when its consumer becomes the active one, so the exclusive
declaration (which answers at once, yes or no) makes a clearer lease.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aiormq
from aio_pika.abc import AbstractChannel

from svcgen_runtime.amqp.connection import Link, Session

log = logging.getLogger("svcgen_runtime.scheduler")

#: How often a standby tries to take a lease.
RETRY_S = 1.0
#: Heartbeat of the lease connection (unless the URL sets one): how fast the broker frees the lease of a
#: silent (partitioned, frozen) holder, about twice this.
HEARTBEAT_S = 4
#: How long the holder waits for the broker to confirm the lease before a tick; unanswered: no fire.
CONFIRM_TIMEOUT_S = 2.0


def with_heartbeat(url: str, heartbeat_s: int) -> str:
    """`url` with `heartbeat=heartbeat_s` in its query unless it names one already."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(key == "heartbeat" for key, _ in query):
        return url
    return urlunsplit(parts._replace(query=urlencode([*query, ("heartbeat", str(heartbeat_s))])))


class AmqpLeases:
    """The leases of one scheduler process, on one connection kept up by a `Link`."""

    def __init__(self, url: str, retry_s: float = RETRY_S, heartbeat_s: int = HEARTBEAT_S) -> None:
        self._link = Link(with_heartbeat(url, heartbeat_s), connect_timeout_s=10.0, name="svcgen-scheduler-lease")
        self._retry_s = retry_s
        self._leases: list[AmqpLease] = []

    async def start(self) -> None:
        await self._link.start()

    def lease(self, name: str) -> AmqpLease:
        lease = AmqpLease(self._link, name, self._retry_s)
        self._leases.append(lease)
        return lease

    async def close(self) -> None:
        for lease in self._leases:
            await lease.release()
        await self._link.close()


class AmqpLease:
    def __init__(self, link: Link, name: str, retry_s: float) -> None:
        self.name = name
        self._link = link
        self._retry_s = retry_s
        self._held: tuple[Session, AbstractChannel] | None = None

    async def acquire(self) -> None:
        locked_logged = False
        while True:
            await self._drop()
            session = await self._link.session()
            channel: AbstractChannel | None = None
            try:
                channel = await session.connection.channel()
                await channel.declare_queue(self.name, exclusive=True, durable=False, auto_delete=False)
            except asyncio.CancelledError:
                await _close(channel)
                raise
            except aiormq.exceptions.ChannelLockedResource:
                if not locked_logged:
                    log.info("scheduler lease %s is held by another process; standing by", self.name)
                    locked_logged = True
            except Exception as exc:  # connection trouble: the link reconnects, we try again
                log.debug("taking scheduler lease %s failed: %s", self.name, exc)
            else:
                self._held = (session, channel)
                return
            await _close(channel)
            await asyncio.sleep(self._retry_s)

    async def lost(self) -> None:
        held = self._held
        if held is None:
            return
        session, channel = held
        waiter = asyncio.get_running_loop().create_task(session.lost.wait())
        closed = asyncio.ensure_future(channel.closed())  # a shielded future: nothing to cancel
        try:
            await asyncio.wait([waiter, closed], return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            await asyncio.gather(waiter, return_exceptions=True)

    async def confirm(self) -> bool:
        held = self._held
        if held is None or held[0].lost.is_set() or held[1].is_closed:
            return False
        try:
            async with asyncio.timeout(CONFIRM_TIMEOUT_S):
                await held[1].declare_queue(self.name, passive=True)  # answered only for the owning connection
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("scheduler lease %s not confirmed (%s): not firing", self.name, exc or type(exc).__name__)
            return False
        return True

    async def release(self) -> None:
        """Delete the queue so a standby takes over at once (closing the connection would free it too)."""
        held = self._held
        if held is not None and not held[0].lost.is_set() and not held[1].is_closed:
            try:
                async with asyncio.timeout(CONFIRM_TIMEOUT_S):
                    await held[1].queue_delete(self.name)
            except Exception as exc:
                log.debug("releasing scheduler lease %s failed: %s", self.name, exc)
        await self._drop()

    async def _drop(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            await _close(held[1])


async def _close(channel: AbstractChannel | None) -> None:
    if channel is None or channel.is_closed:
        return
    try:
        async with asyncio.timeout(CONFIRM_TIMEOUT_S):
            await channel.close()
    except Exception:  # the connection is going or gone: the broker cleans up
        log.debug("closing a lease channel failed", exc_info=True)
