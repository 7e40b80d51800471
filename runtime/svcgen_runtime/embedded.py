"""The embedded bus: an in-process `Transport` with RabbitMQ's semantics, the default without an AMQP URL.

Exchanges route like AMQP topic exchanges (`*` one word, `#` zero or more) to queues,
one per consumer, bound per topic its pattern resolved to (as the AMQP transport binds
them). Each queue has `concurrency` workers. A failed attempt is retried after
`transport.retry_delay_s` while attempts remain, with the attempt count in the headers as
on AMQP; `Undeliverable` and the last failed attempt go to the queue's dead letters, kept
in memory and listable. Delays (retries, delayed publishes) wait through the injected
`sleep`, so tests can record them instead of sleeping through them.

What the embedded bus cannot give: durability. Messages, pending retries and dead letters
live in this process and end with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from svcgen_runtime.transport import (
    ATTEMPT_HEADER,
    ERROR_HEADER,
    ORIGINAL_EXCHANGE_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER,
    DeadLetter,
    Incoming,
    Outgoing,
    Subscription,
    Undeliverable,
    retry_delay_s,
)

Sleep = Callable[[float], Awaitable[None]]
log = logging.getLogger("svcgen_runtime.embedded")


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: words split on '.', `*` is exactly one word, `#` zero or more."""
    return _match(pattern.split("."), routing_key.split("."))


def _match(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match(rest, words[i:]) for i in range(len(words) + 1))
    return bool(words) and head in ("*", words[0]) and _match(rest, words[1:])


@dataclass
class _Queue:
    name: str
    bindings: set[tuple[str, str]] = field(default_factory=set)  # (exchange, binding key)
    pending: asyncio.Queue[Incoming] = field(default_factory=asyncio.Queue)
    dead: list[DeadLetter] = field(default_factory=list)
    subscription: Subscription | None = None


def _moved(old: asyncio.Queue[Incoming]) -> asyncio.Queue[Incoming]:
    """A fresh queue with the same messages: the bus may be stopped and consumed again from another loop."""
    new: asyncio.Queue[Incoming] = asyncio.Queue()
    while not old.empty():
        new.put_nowait(old.get_nowait())
    return new


class EmbeddedBus:
    """In-process transport; see the module docstring. `sleep` waits out retry and publish delays."""

    # 32: SVCGEN_CONCURRENCY's default, so an app served on its own (`uvicorn app:app`, whose
    # runtime builds this bus) handles as many messages at once as `svcgen run` does by default
    def __init__(self, concurrency: int = 32, sleep: Sleep = asyncio.sleep) -> None:
        self.concurrency = concurrency
        self._sleep = sleep
        self.exchanges: set[str] = set()
        self._queues: dict[str, _Queue] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._busy: set[asyncio.Task[None]] = set()
        self._timers: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        return None

    async def declare(self, subscriptions: Sequence[Subscription], exchanges: Sequence[str]) -> None:
        self.exchanges.update(exchanges)
        for sub in subscriptions:
            queue = self._queue(sub.spec.queue)
            for topic in sub.spec.topics:
                self.exchanges.add(topic.package)
                queue.bindings.add((topic.package, topic.name))

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        for message in messages:
            if message.delay_s > 0:
                self._later(message.delay_s, lambda m=message: self._route(m))  # type: ignore[misc]
            else:
                self._route(message)

    async def consume(self, subscriptions: Sequence[Subscription]) -> None:
        await self.declare(subscriptions, ())
        for sub in subscriptions:
            queue = self._queues[sub.spec.queue]
            queue.subscription = sub
            queue.pending = _moved(queue.pending)  # an asyncio.Queue waits only on the loop it first waited on
            for _ in range(max(self.concurrency, 1)):
                task = asyncio.get_running_loop().create_task(self._work(queue), name=f"embedded:{queue.name}")
                self._workers.add(task)

    async def stop(self, grace_s: float) -> None:
        """Idle workers stop at once; busy ones finish their delivery and take no other, within `grace_s`,
        then are cancelled (their delivery goes back to the queue, as an unacked AMQP delivery would).
        Pending delays are dropped."""
        for queue in self._queues.values():
            queue.subscription = None  # unconsumed: a busy worker ends after its delivery, taking no other
        for task in self._workers - self._busy:
            task.cancel()
        busy = set(self._busy)
        if busy:
            await asyncio.wait(busy, timeout=grace_s)
        for task in self._workers | self._timers:
            task.cancel()
        await asyncio.gather(*self._workers, *self._timers, return_exceptions=True)
        self._workers.clear()
        self._timers.clear()

    async def dead_letters(self, queue: str, limit: int | None = None) -> list[DeadLetter]:
        dead = self._existing(queue).dead
        return list(dead if limit is None else dead[:limit])

    async def requeue_dead_letters(self, queue: str) -> int:
        q = self._existing(queue)
        dead, q.dead = q.dead, []
        for d in dead:
            headers = {k: v for k, v in d.headers.items() if k not in (ERROR_HEADER, ATTEMPT_HEADER)}
            q.pending.put_nowait(Incoming(queue, d.exchange, d.routing_key, d.body, d.message_id, headers))
        return len(dead)

    async def purge_dead_letters(self, queue: str) -> int:
        q = self._existing(queue)
        count = len(q.dead)
        q.dead.clear()
        return count

    async def drain(self, timeout_s: float = 10.0) -> None:
        """Wait until nothing is queued, running or waiting out a delay (tests, shutdown of scripts)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while (
            self._busy or self._timers or any(q.subscription and not q.pending.empty() for q in self._queues.values())
        ):
            if loop.time() > deadline:
                raise TimeoutError("the embedded bus did not become idle")
            await asyncio.sleep(0.001)

    def _queue(self, name: str) -> _Queue:
        if name not in self._queues:
            self._queues[name] = _Queue(name)
        return self._queues[name]

    def _existing(self, name: str) -> _Queue:
        queue = self._queues.get(name)
        if queue is None:
            raise LookupError(f"no consumer queue named {name!r}")
        return queue

    def _route(self, message: Outgoing) -> None:
        """Copy the message into every queue with a matching binding; unroutable messages vanish, as on AMQP."""
        for queue in self._queues.values():
            if any(ex == message.exchange and topic_matches(key, message.routing_key) for ex, key in queue.bindings):
                attempt = int(message.headers.get(ATTEMPT_HEADER, 1))
                queue.pending.put_nowait(
                    Incoming(
                        queue.name,
                        message.exchange,
                        message.routing_key,
                        message.body,
                        message.message_id,
                        dict(message.headers),
                        attempt,
                    )
                )

    def _later(self, delay_s: float, action: Callable[[], None]) -> None:
        """Run `action` after `delay_s`; the bus owns the timer and cancels it on stop."""

        async def timer() -> None:
            await self._sleep(delay_s)
            action()

        task = asyncio.get_running_loop().create_task(timer())
        self._timers.add(task)
        task.add_done_callback(self._timers.discard)

    async def _work(self, queue: _Queue) -> None:
        me = asyncio.current_task()
        assert me is not None
        while queue.subscription is not None:  # until stop() takes the queue's consumer away
            incoming = await queue.pending.get()
            self._busy.add(me)
            try:
                await self._deliver(queue, incoming)
            except asyncio.CancelledError:
                queue.pending.put_nowait(incoming)  # unfinished: not acked, delivered again later
                raise
            finally:
                self._busy.discard(me)

    async def _deliver(self, queue: _Queue, incoming: Incoming) -> None:
        sub = queue.subscription
        assert sub is not None
        try:
            await sub.handle(incoming)
        except Undeliverable as exc:
            log.warning("%s: undeliverable message %s dead-lettered: %s", queue.name, incoming.message_id, exc)
            self._dead_letter(queue, incoming, exc)
        except Exception as exc:
            if incoming.attempt <= sub.spec.retry:
                delay = retry_delay_s(sub.spec, incoming.attempt)
                log.warning("%s: attempt %d failed (%s), retry in %.3gs", queue.name, incoming.attempt, exc, delay)
                attempt = incoming.attempt + 1
                again = replace(incoming, attempt=attempt, headers={**incoming.headers, ATTEMPT_HEADER: attempt})
                self._later(delay, lambda: queue.pending.put_nowait(again))
            else:
                log.error("%s: attempt %d failed, dead-lettered: %r", queue.name, incoming.attempt, exc)
                self._dead_letter(queue, incoming, exc)

    def _dead_letter(self, queue: _Queue, incoming: Incoming, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"
        headers: dict[str, Any] = {
            **incoming.headers,
            ERROR_HEADER: error,
            ATTEMPT_HEADER: incoming.attempt,
            ORIGINAL_EXCHANGE_HEADER: incoming.exchange,
            ORIGINAL_ROUTING_KEY_HEADER: incoming.routing_key,
        }
        queue.dead.append(
            DeadLetter(
                queue.name,
                incoming.exchange,
                incoming.routing_key,
                incoming.body,
                incoming.message_id,
                error,
                incoming.attempt,
                headers,
            )
        )
