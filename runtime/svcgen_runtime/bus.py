"""The in-process bus: the embedded default when no AMQP URL is configured.

Messages are encoded to JSON and decoded again for each consumer, so handlers see the
same values they would over AMQP; a failing handler is retried with growing delays
within its declared backoff, and given up (logged) after the last attempt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from svcgen_runtime.spec import ConsumerSpec, Topic

T = TypeVar("T")
Handler = Callable[[Any], Awaitable[None]]
log = logging.getLogger("svcgen_runtime.bus")


class LocalBus:
    def __init__(self) -> None:
        self._subscribers: dict[tuple[str, str], list[tuple[ConsumerSpec, Handler]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def subscribe(self, spec: ConsumerSpec, handler: Handler) -> None:
        for topic in spec.topics:
            self._subscribers.setdefault(topic.key, []).append((spec, handler))

    async def publish(self, topic: Topic[T], message: T) -> None:
        data = topic.encode(message)
        for spec, handler in self._subscribers.get(topic.key, []):
            task = asyncio.get_running_loop().create_task(self._deliver(spec, handler, topic, data))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, spec: ConsumerSpec, handler: Handler, topic: Topic[Any], data: bytes) -> None:
        try:
            message = topic.decode(data)
        except ValueError:
            log.exception("%s: undecodable message on %s dropped", spec.queue, topic.name)
            return
        delay = spec.backoff_min_s
        for attempt in range(spec.retry + 1):
            try:
                await handler(message)
                return
            except Exception:
                if attempt == spec.retry:
                    log.exception("%s: gave up on %s after %d attempts", spec.queue, topic.name, attempt + 1)
                    return
                log.warning("%s: attempt %d failed, retrying in %.1fs", spec.queue, attempt + 1, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, spec.backoff_max_s)

    async def drain(self) -> None:
        """Wait for deliveries in flight (graceful shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
