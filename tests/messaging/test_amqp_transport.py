"""AmqpTransport against the real broker: publish/consume, retries, dead letters, delays, bounds."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
from amqp_support import Names, Proxy, Recorder, queue_state, run
from svcgen_runtime.amqp import AmqpTransport, BrokerUnavailable
from svcgen_runtime.transport import (
    ATTEMPT_HEADER,
    ORIGINAL_EXCHANGE_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER,
    Incoming,
    Outgoing,
    PublishError,
    Undeliverable,
    dead_letter_queue,
)


def out(names: Names, topic: str, n: int = 0, exchange: str | None = None, delay_s: float = 0.0) -> Outgoing:
    return Outgoing(
        exchange=exchange or names.package,
        routing_key=topic,
        body=json.dumps({"n": n}).encode(),
        message_id=str(uuid.uuid4()),
        headers={"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
        delay_s=delay_s,
    )


async def started(url: str, **kwargs: float) -> AmqpTransport:
    transport = AmqpTransport(url, **kwargs)  # type: ignore[arg-type]
    await transport.start()
    return transport


def test_publish_consume_routes_by_topic_and_package(amqp_url: str, names: Names) -> None:
    other = names.other_package()
    created, deleted, foreign = (
        names.topic("task.created"),
        names.topic("task.deleted"),
        names.topic("bill.paid", other),
    )
    only_created = names.consumer("on_created", created)
    pattern = names.consumer("on_any", created, deleted, foreign)

    async def scenario() -> None:
        transport = await started(amqp_url)
        a, b = Recorder(), Recorder()
        try:
            await transport.consume([a.subscription(only_created), b.subscription(pattern)])
            sent = [out(names, "task.created", 1), out(names, "task.deleted", 2), out(names, "bill.paid", 3, other)]
            await transport.publish(sent)
            got_b = await b.wait_for(3)
            got_a = await a.wait_for(1)
            await asyncio.sleep(0.3)
            assert len(a.seen) == 1 and len(b.seen) == 3
        finally:
            await transport.stop(2)
        first = got_a[0]
        assert (first.queue, first.exchange, first.routing_key, first.attempt) == (
            only_created.queue,
            names.package,
            "task.created",
            1,
        )
        assert first.message_id == sent[0].message_id and json.loads(first.body) == {"n": 1}
        assert first.headers["traceparent"] == sent[0].headers["traceparent"]
        assert sorted((m.exchange, m.routing_key) for m in got_b) == sorted(
            [(names.package, "task.created"), (names.package, "task.deleted"), (other, "bill.paid")]
        )
        assert await queue_state(amqp_url, only_created.queue) == (0, 0)

    run(scenario())


def test_retries_with_growing_delays_then_acked_once(amqp_url: str, names: Names) -> None:
    spec = names.consumer("flaky", names.topic("job"), retry=4, backoff=(0.2, 0.5))

    async def fail_twice(incoming: Incoming) -> None:
        if incoming.attempt < 3:
            raise RuntimeError(f"attempt {incoming.attempt} fails")

    async def scenario() -> None:
        transport = await started(amqp_url)
        recorder = Recorder(fail_twice)
        try:
            await transport.consume([recorder.subscription(spec)])
            await transport.publish([out(names, "job", 7)])
            await recorder.wait_for(3)
            await asyncio.sleep(1.0)  # nothing more comes: acked once
        finally:
            await transport.stop(2)
        times = [t for t, _ in recorder.seen]
        attempts = [m.attempt for _, m in recorder.seen]
        assert attempts == [1, 2, 3]
        assert 0.2 <= times[1] - times[0] < 0.2 + 0.5 and 0.4 <= times[2] - times[1] < 0.4 + 0.5
        # a retry still says where the message was first published
        assert {(m.exchange, m.routing_key) for _, m in recorder.seen} == {(names.package, "job")}
        assert await queue_state(amqp_url, spec.queue) == (0, 0)
        assert await queue_state(amqp_url, dead_letter_queue(spec.queue)) == (0, 0)

    run(scenario())


def test_dead_letter_after_retry_plus_one_attempts(amqp_url: str, names: Names) -> None:
    spec = names.consumer("broken", names.topic("job"), retry=2, backoff=(0.1, 0.1))

    async def always_fail(incoming: Incoming) -> None:
        raise RuntimeError("database is down")

    async def scenario() -> None:
        transport = await started(amqp_url)
        recorder = Recorder(always_fail)
        try:
            await transport.consume([recorder.subscription(spec)])
            sent = out(names, "job", 1)
            await transport.publish([sent])
            await recorder.wait_for(3)
            await asyncio.sleep(0.5)
            letters = await transport.dead_letters(spec.queue)
        finally:
            await transport.stop(2)
        assert [m.attempt for _, m in recorder.seen] == [1, 2, 3]
        [letter] = letters
        assert letter.error == "RuntimeError: database is down" and letter.attempts == 3
        assert (letter.exchange, letter.routing_key, letter.message_id) == (names.package, "job", sent.message_id)
        assert letter.headers[ORIGINAL_ROUTING_KEY_HEADER] == "job" and json.loads(letter.body) == {"n": 1}

    run(scenario())


def test_undeliverable_goes_to_dead_letters_at_once(amqp_url: str, names: Names) -> None:
    spec = names.consumer("strict", names.topic("job"), retry=3, backoff=(0.1, 0.1))

    async def reject(incoming: Incoming) -> None:
        raise Undeliverable(f"not JSON: {incoming.body[:10]!r}")

    async def scenario() -> None:
        transport = await started(amqp_url)
        recorder = Recorder(reject)
        try:
            await transport.consume([recorder.subscription(spec)])
            await transport.publish([Outgoing(names.package, "job", b"\x00\xffgarbage", "m-1")])
            await recorder.wait_for(1)
            await asyncio.sleep(0.5)
            letters = await transport.dead_letters(spec.queue)
        finally:
            await transport.stop(2)
        assert len(recorder.seen) == 1
        [letter] = letters
        assert letter.attempts == 1 and letter.error.startswith("Undeliverable: not JSON")
        assert letter.body == b"\x00\xffgarbage"

    run(scenario())


def test_delayed_publish_arrives_after_the_delay_on_its_topic(amqp_url: str, names: Names) -> None:
    spec = names.consumer("later", names.topic("reminder"))

    async def scenario() -> None:
        transport = await started(amqp_url)
        recorder = Recorder()
        try:
            await transport.consume([recorder.subscription(spec)])
            sent_at = asyncio.get_running_loop().time()
            await transport.publish([out(names, "reminder", 1, delay_s=0.5), out(names, "reminder", 2)])
            await recorder.wait_for(2)
        finally:
            await transport.stop(2)
        (t1, first), (t2, second) = recorder.seen
        assert json.loads(first.body) == {"n": 2} and json.loads(second.body) == {"n": 1}
        assert 0.5 <= t2 - sent_at < 2.0
        assert (second.exchange, second.routing_key) == (names.package, "reminder")

    run(scenario())


def test_unreachable_broker_fails_within_a_bound(amqp_url: str, names: Names) -> None:
    async def scenario() -> None:
        began = time.monotonic()
        with pytest.raises(BrokerUnavailable):
            await started("amqp://guest:guest@127.0.0.1:9/", connect_timeout_s=1)
        assert time.monotonic() - began < 3

        proxy = Proxy("127.0.0.1", 5672)
        await proxy.open()
        transport = await started(f"amqp://guest:guest@127.0.0.1:{proxy.port}/", publish_timeout_s=1)
        try:
            await transport.publish([out(names, "job")])
            await proxy.cut()
            began = time.monotonic()
            with pytest.raises(PublishError):
                await transport.publish([out(names, "job"), out(names, "job")])
            assert time.monotonic() - began < 2
        finally:
            await transport.stop(1)
            await proxy.cut()

    run(scenario())


def test_dead_letters_list_requeue_purge(amqp_url: str, names: Names) -> None:
    spec = names.consumer("ops", names.topic("job"))
    healed = asyncio.Event()

    async def fail_until_healed(incoming: Incoming) -> None:
        if not healed.is_set():
            raise RuntimeError("not yet")

    async def scenario() -> None:
        transport = await started(amqp_url)
        recorder = Recorder(fail_until_healed)
        try:
            await transport.consume([recorder.subscription(spec)])
            await transport.publish([out(names, "job", n) for n in range(3)])
            await recorder.wait_for(3)
            await asyncio.sleep(0.3)
            assert [json.loads(d.body)["n"] for d in await transport.dead_letters(spec.queue, limit=2)] == [0, 1]
            assert len(await transport.dead_letters(spec.queue)) == 3  # listing leaves them in place
            healed.set()
            assert await transport.requeue_dead_letters(spec.queue) == 3
            requeued = (await recorder.wait_for(6))[3:]
            assert sorted(json.loads(m.body)["n"] for m in requeued) == [0, 1, 2]
            assert {(m.attempt, m.exchange, m.routing_key) for m in requeued} == {(1, names.package, "job")}
            assert await transport.dead_letters(spec.queue) == []
            healed.clear()
            await transport.publish([out(names, "job", 9)])
            await recorder.wait_for(7)
            await asyncio.sleep(0.3)
            assert await transport.purge_dead_letters(spec.queue) == 1
            assert await transport.dead_letters(spec.queue) == []
            with pytest.raises(LookupError):
                await transport.dead_letters(f"{names.package}.nothing")
        finally:
            await transport.stop(2)

    run(scenario())


def test_stop_finishes_in_flight_and_leaves_the_rest_unacked(amqp_url: str, names: Names) -> None:
    spec = names.consumer("slow", names.topic("job"))
    finished: list[int] = []

    async def slow(incoming: Incoming) -> None:
        await asyncio.sleep(0.5)
        finished.append(json.loads(incoming.body)["n"])

    async def scenario() -> None:
        transport = await started(amqp_url, concurrency=2, prefetch=10)
        recorder = Recorder(slow)
        await transport.consume([recorder.subscription(spec)])
        await transport.publish([out(names, "job", n) for n in range(6)])
        await recorder.wait_for(2)
        began = time.monotonic()
        await transport.stop(3)
        assert time.monotonic() - began < 1.5
        assert len(finished) == 2 and len(recorder.seen) == 2
        assert await queue_state(amqp_url, spec.queue) == (4, 0)

    run(scenario())


def test_stop_cancels_what_outlives_the_grace_unacked(amqp_url: str, names: Names) -> None:
    spec = names.consumer("stuck", names.topic("job"))

    async def stuck(incoming: Incoming) -> None:
        await asyncio.sleep(30)

    async def scenario() -> None:
        transport = await started(amqp_url, concurrency=1)
        recorder = Recorder(stuck)
        await transport.consume([recorder.subscription(spec)])
        await transport.publish([out(names, "job")])
        await recorder.wait_for(1)
        began = time.monotonic()
        await transport.stop(0.5)
        assert time.monotonic() - began < 2
        assert await queue_state(amqp_url, spec.queue) == (1, 0)

    run(scenario())


def test_retry_and_attempt_headers_are_plain_amqp(amqp_url: str, names: Names) -> None:
    """A retry copy carries the public headers, readable by any client (attempt, original origin)."""
    spec = names.consumer("once", names.topic("job"), retry=1, backoff=(0.1, 0.1))

    async def fail_first(incoming: Incoming) -> None:
        if incoming.attempt == 1:
            raise RuntimeError("first")

    async def scenario() -> None:
        transport = await started(amqp_url)
        recorder = Recorder(fail_first)
        try:
            await transport.consume([recorder.subscription(spec)])
            await transport.publish([out(names, "job")])
            second = (await recorder.wait_for(2))[1]
        finally:
            await transport.stop(2)
        assert second.headers[ATTEMPT_HEADER] == 2
        assert second.headers[ORIGINAL_EXCHANGE_HEADER] == names.package
        assert second.headers[ORIGINAL_ROUTING_KEY_HEADER] == "job"

    run(scenario())
