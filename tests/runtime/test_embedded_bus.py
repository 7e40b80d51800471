"""The embedded bus at its `Transport` interface, with plain subscriptions (no generated code): how many
deliveries run at once, stop with and past the grace, dead letters (limit, headers, requeue, purge),
drain, routing by exchange, and what it logs. The behaviour shared with RabbitMQ is in
test_messaging_behaviour.py; these are the embedded bus's own promises (see its module docstring).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from svcgen_runtime.embedded import EmbeddedBus
from svcgen_runtime.service import Runtime
from svcgen_runtime.settings import Settings
from svcgen_runtime.spec import ConsumerSpec, Topic
from svcgen_runtime.transport import (
    ATTEMPT_HEADER,
    ERROR_HEADER,
    ORIGINAL_EXCHANGE_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER,
    Incoming,
    Outgoing,
    Subscription,
    Undeliverable,
)

QUEUE = "acme.Probe.on_task"
Handle = Callable[[Incoming], Awaitable[None]]


def consumer(handle: Handle, retry: int = 0, backoff_s: float = 0.01) -> Subscription:
    """A consumer of acme's task.created and task.deleted (the topics a `task.*` pattern resolved to)."""
    topics: tuple[Topic[Any], ...] = (Topic("acme", "task.created", dict), Topic("acme", "task.deleted", dict))
    spec = ConsumerSpec("on_task", "task.*", QUEUE, topics, retry, backoff_s, backoff_s)
    return Subscription(spec, handle)


def message(n: int, exchange: str = "acme", key: str = "task.created", **headers: Any) -> Outgoing:
    return Outgoing(exchange, key, b'{"n": %d}' % n, f"m{n}", headers)


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 20))


async def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.001)


async def no_wait(seconds: float) -> None:
    """The bus's sleep in these tests: retries and delays are due at once."""


def default_runtime_bus() -> Any:
    """The bus a service's own runtime builds: what an app served by `uvicorn app:app` consumes on."""
    return Runtime().transport


# The default is SVCGEN_CONCURRENCY's (32), as `svcgen run` gives its bus; it used to be 8.
@pytest.mark.parametrize(
    "make_bus, concurrency",
    [
        (lambda: EmbeddedBus(concurrency=1, sleep=no_wait), 1),
        (lambda: EmbeddedBus(concurrency=3, sleep=no_wait), 3),
        (default_runtime_bus, Settings.from_env({}).concurrency),
    ],
    ids=["1", "3", "default-runtime"],
)
def test_a_consumer_runs_at_most_concurrency_deliveries_at_once(make_bus: Callable[[], Any], concurrency: int) -> None:
    running, peak = 0, 0
    done: list[str] = []
    gate = asyncio.Event()

    async def handle(incoming: Incoming) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await gate.wait()
        running -= 1
        done.append(str(incoming.message_id))

    async def scenario() -> None:
        bus = make_bus()
        sub = consumer(handle)
        await bus.declare([sub], ["acme"])
        await bus.publish([message(n) for n in range(2 * concurrency + 1)])  # all queued before anyone consumes
        await bus.consume([sub])
        await until(lambda: running == concurrency, f"{concurrency} deliveries running")
        for _ in range(20):  # every idle worker had its turn: none took a further message
            await asyncio.sleep(0)
        assert running == concurrency
        gate.set()
        await bus.drain()
        await bus.stop(1)

    run(scenario())
    assert peak == concurrency
    assert sorted(done) == sorted(f"m{n}" for n in range(2 * concurrency + 1))


def test_stop_lets_a_busy_delivery_finish_takes_no_other_and_returns_once_it_is_done() -> None:
    """A long grace is a bound, not a wait: stop returns when the delivery in progress is done; the
    message still queued stays for the next consume (as RabbitMQ keeps what a stopped consumer did not take)."""
    release, started, finished = asyncio.Event(), asyncio.Event(), []

    async def handle(incoming: Incoming) -> None:
        started.set()
        await release.wait()
        finished.append(incoming.message_id)

    async def scenario() -> None:
        bus = EmbeddedBus(concurrency=1, sleep=no_wait)
        sub = consumer(handle)
        await bus.consume([sub])
        await bus.publish([message(1), message(2)])
        await started.wait()
        stopping = asyncio.get_running_loop().create_task(bus.stop(3600))
        for _ in range(5):
            await asyncio.sleep(0)
        assert not stopping.done()  # it waits for the delivery in progress
        release.set()
        await asyncio.wait_for(stopping, 10)
        assert finished == ["m1"]
        await bus.consume([sub])
        await bus.drain()
        await bus.stop(1)

    run(scenario())
    assert finished == ["m1", "m2"]


def test_a_delivery_cut_off_by_stop_is_delivered_again_by_the_next_consume_in_another_loop() -> None:
    """As an unacked AMQP delivery: the message goes back to its queue, not lost, not dead-lettered."""
    bus = EmbeddedBus(concurrency=2, sleep=no_wait)
    seen: list[tuple[str | None, int]] = []

    async def stuck(incoming: Incoming) -> None:
        seen.append((incoming.message_id, incoming.attempt))
        await asyncio.Event().wait()  # never finishes

    async def first() -> None:
        sub = consumer(stuck)
        await bus.consume([sub])
        await bus.publish([message(1)])
        await until(lambda: len(seen) == 1, "the first delivery")
        await bus.stop(0)

    async def handle(incoming: Incoming) -> None:
        seen.append((incoming.message_id, incoming.attempt))

    async def second() -> list[Any]:
        await bus.consume([consumer(handle)])
        await bus.drain()
        letters = await bus.dead_letters(QUEUE)
        await bus.stop(1)
        return letters

    run(first())
    assert run(second()) == []
    assert seen == [("m1", 1), ("m1", 1)]


def test_dead_letters_are_listed_oldest_first_with_a_limit_and_keep_the_messages_headers() -> None:
    async def handle(incoming: Incoming) -> None:
        raise RuntimeError(f"no {incoming.message_id}")

    async def scenario() -> tuple[list[Any], list[Any]]:
        bus = EmbeddedBus(concurrency=1, sleep=no_wait)
        await bus.consume([consumer(handle)])
        await bus.publish([message(n, key="task.deleted", **{"x-trace": f"t{n}"}) for n in range(3)])
        await bus.drain()
        letters, first_two = await bus.dead_letters(QUEUE), await bus.dead_letters(QUEUE, limit=2)
        await bus.stop(1)
        return letters, first_two

    letters, first_two = run(scenario())
    assert [d.message_id for d in letters] == ["m0", "m1", "m2"]
    assert first_two == letters[:2]
    d = letters[1]
    assert (d.queue, d.exchange, d.routing_key, d.body) == (QUEUE, "acme", "task.deleted", b'{"n": 1}')
    assert (d.error, d.attempts) == ("RuntimeError: no m1", 1)
    assert d.headers == {
        "x-trace": "t1",
        ERROR_HEADER: "RuntimeError: no m1",
        ATTEMPT_HEADER: 1,
        ORIGINAL_EXCHANGE_HEADER: "acme",
        ORIGINAL_ROUTING_KEY_HEADER: "task.deleted",
    }


def test_requeued_dead_letters_start_again_at_attempt_1_without_the_error_and_purge_drops_them() -> None:
    failing = True
    handled: list[Incoming] = []

    async def handle(incoming: Incoming) -> None:
        if failing:
            raise RuntimeError("down")
        handled.append(incoming)

    async def scenario() -> None:
        nonlocal failing
        bus = EmbeddedBus(concurrency=1, sleep=no_wait)
        await bus.consume([consumer(handle, retry=1)])
        await bus.publish([message(n, **{"x-trace": f"t{n}"}) for n in range(2)])
        await bus.drain()
        assert [d.attempts for d in await bus.dead_letters(QUEUE)] == [2, 2]
        failing = False
        assert await bus.requeue_dead_letters(QUEUE) == 2
        assert await bus.dead_letters(QUEUE) == []
        await bus.drain()
        assert await bus.requeue_dead_letters(QUEUE) == 0
        failing = True
        await bus.publish([message(5), message(6), message(7)])
        await bus.drain()
        assert await bus.purge_dead_letters(QUEUE) == 3
        assert await bus.dead_letters(QUEUE) == []
        assert await bus.purge_dead_letters(QUEUE) == 0
        await bus.stop(1)

    run(scenario())
    assert [(i.message_id, i.attempt, i.routing_key) for i in handled] == [
        ("m0", 1, "task.created"),
        ("m1", 1, "task.created"),
    ]
    for incoming in handled:
        assert incoming.headers["x-trace"] == f"t{incoming.message_id[1:]}"  # type: ignore[index]
        assert ERROR_HEADER not in incoming.headers and ATTEMPT_HEADER not in incoming.headers


def test_dead_letters_of_an_unknown_queue_is_a_lookup_error_naming_it() -> None:
    async def scenario() -> None:
        bus = EmbeddedBus()
        for call in (bus.dead_letters, bus.requeue_dead_letters, bus.purge_dead_letters):
            with pytest.raises(LookupError) as info:
                await call("acme.Nope.x")
            assert str(info.value) == "no consumer queue named 'acme.Nope.x'"

    run(scenario())


def test_drain_waits_for_a_delivery_in_progress_and_for_a_pending_retry() -> None:
    attempts: list[int] = []
    done: list[int] = []
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        for _ in range(3):
            await asyncio.sleep(0)

    async def handle(incoming: Incoming) -> None:
        attempts.append(incoming.attempt)
        await asyncio.sleep(0.01)  # in progress while drain looks
        if incoming.attempt == 1:
            raise RuntimeError("first attempt fails")
        done.append(incoming.attempt)

    async def scenario() -> None:
        bus = EmbeddedBus(sleep=sleep)
        await bus.consume([consumer(handle, retry=2, backoff_s=0.25)])
        await bus.publish([message(1)])
        await until(lambda: attempts == [1], "the first attempt")
        await bus.drain()
        assert done == [2]  # drain returned only after the retry ran to its end
        await bus.stop(1)

    run(scenario())
    assert attempts == [1, 2] and waited == [0.25]


def test_drain_raises_when_the_bus_does_not_become_idle() -> None:
    async def handle(incoming: Incoming) -> None:
        await asyncio.Event().wait()

    async def scenario() -> None:
        bus = EmbeddedBus()
        await bus.consume([consumer(handle)])
        await bus.publish([message(1)])
        with pytest.raises(TimeoutError) as info:
            await bus.drain(timeout_s=0.05)
        assert str(info.value) == "the embedded bus did not become idle"
        await bus.stop(0)

    run(scenario())


def test_a_binding_is_per_exchange_and_unroutable_messages_vanish() -> None:
    handled: list[str | None] = []

    async def handle(incoming: Incoming) -> None:
        handled.append(incoming.message_id)

    async def scenario() -> None:
        bus = EmbeddedBus(sleep=no_wait)
        await bus.consume([consumer(handle)])
        await bus.publish([message(1, exchange="billing"), message(2, key="task.archived"), message(3)])
        await bus.drain()
        await bus.stop(1)

    run(scenario())
    assert handled == ["m3"]


def test_retries_undeliverables_and_dead_letters_are_logged_under_svcgen_runtime(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handle(incoming: Incoming) -> None:
        if incoming.message_id == "m1":
            raise Undeliverable("not a task")
        raise RuntimeError("index down")

    async def scenario() -> None:
        bus = EmbeddedBus(concurrency=1, sleep=no_wait)
        await bus.consume([consumer(handle, retry=1, backoff_s=0.5)])
        await bus.publish([message(1)])
        await bus.drain()
        await bus.publish([message(2)])
        await bus.drain()
        await bus.stop(1)

    with caplog.at_level(logging.WARNING, logger="svcgen_runtime"):
        run(scenario())
    logged = [(r.name, r.levelname, r.getMessage()) for r in caplog.records if r.name.startswith("svcgen_runtime")]
    assert logged == [
        ("svcgen_runtime.embedded", "WARNING", f"{QUEUE}: undeliverable message m1 dead-lettered: not a task"),
        ("svcgen_runtime.embedded", "WARNING", f"{QUEUE}: attempt 1 failed (index down), retry in 0.5s"),
        ("svcgen_runtime.embedded", "ERROR", f"{QUEUE}: attempt 2 failed, dead-lettered: RuntimeError('index down')"),
    ]
