"""One behavioural suite, run against the embedded bus and RabbitMQ: routing, staging, retry, dead letters, delays.

Generated code of examples/billing (acme.tasks beside acme.billing.v1) and of probe.idl, with
implementations that record what they see. Waits poll with a deadline; backoffs are short.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from svcgen_runtime.http import build_app, start_consumers
from svcgen_runtime.service import Runtime, ServiceBase
from svcgen_runtime.transport import DeadLetter, Outgoing, Transport, dead_letter_queue

if TYPE_CHECKING:  # a plain `from conftest import` picks whichever conftest.py is first on sys.path
    from tests.runtime.conftest import Generated

Factory = Callable[[], Transport]


def run(coro: Any, timeout_s: float = 30.0) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout_s))


async def until(condition: Callable[[], bool], timeout_s: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


@asynccontextmanager
async def running(transport: Transport, services: Sequence[ServiceBase]) -> AsyncIterator[Runtime]:
    """The services on one runtime over `transport`, their consumers started; stopped on exit."""
    runtime = Runtime(transport=transport)
    for service in services:
        service.attach(runtime)
    await start_consumers(runtime, services)
    try:
        yield runtime
    finally:
        await transport.stop(2.0)


def recorder(cls: type[ServiceBase]) -> ServiceBase:
    """An instance of `cls` whose every handler records (name, argument) in `.calls`."""

    def method(name: str) -> Any:
        async def record(self: Any, *args: Any, **kwargs: Any) -> None:
            self.calls.append((name, args[0] if args else kwargs))

        return record

    abstract = getattr(cls, "__abstractmethods__", frozenset())
    sub = type(f"Recording{cls.__name__}", (cls,), {name: method(name) for name in abstract})
    instance: Any = sub()
    instance.calls = []
    return instance  # type: ignore[no-any-return]


def probe(gen: Generated) -> Any:
    """The probe service: each consumer's behaviour is chosen by the ping's note."""
    service = gen.module("probe", "service")
    Ping, PING, PONG = service.Ping, service.PING, service.PONG

    class Probe(service.Probe):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            self.attempts: dict[tuple[str, int], list[float]] = defaultdict(list)
            self.done: dict[tuple[str, int], int] = defaultdict(int)

        def _seen(self, handler: str, message: Any) -> int:
            self.attempts[(handler, message.n)].append(time.monotonic())
            return len(self.attempts[(handler, message.n)])

        async def send_ping(self, n: int, note: str, fail: bool) -> Any:
            ping = Ping(n=n, note=note)
            await self.publish(PING, ping)
            if fail:
                raise RuntimeError("failed after publishing")
            return ping

        async def flaky(self, message: Any) -> None:
            if self._seen("flaky", message) <= 2 and message.note == "flaky":
                raise RuntimeError(f"flaky {message.n}")
            self.done[("flaky", message.n)] += 1

        async def doomed(self, message: Any) -> None:
            self._seen("doomed", message)
            if message.note == "doomed":
                raise RuntimeError(f"doomed {message.n}")
            self.done[("doomed", message.n)] += 1

        async def relay(self, message: Any) -> None:
            self._seen("relay", message)
            await self.publish(PONG, message)
            if message.note == "relay-fail":
                raise RuntimeError(f"relay failed {message.n}")
            self.done[("relay", message.n)] += 1

        async def sink(self, message: Any) -> None:
            self._seen("sink", message)
            self.done[("sink", message.n)] += 1

    return Probe()


def dump(message: Any) -> str:
    return str(message.model_dump_json())


def number() -> int:
    return uuid.uuid4().int % 10**9


async def letters(transport: Transport, queue: str, message_id: str) -> list[DeadLetter]:
    return [d for d in await transport.dead_letters(queue) if d.message_id == message_id]


async def wait_letters(transport: Transport, queue: str, message_id: str, timeout_s: float = 10.0) -> DeadLetter:
    deadline = time.monotonic() + timeout_s
    while not (found := await letters(transport, queue, message_id)):
        assert time.monotonic() < deadline, f"no dead letter {message_id} in {dead_letter_queue(queue)}"
        await asyncio.sleep(0.05)
    assert len(found) == 1
    return found[0]


def test_routing_exact_star_hash_and_another_packages_topic(
    make_transport: Factory, generated: dict[str, Generated]
) -> None:
    gen = generated["billing"]
    tasks_service = gen.module("acme.tasks", "service")
    billing_service = gen.module("acme.billing.v1", "service")
    models, billing_models = gen.module("acme.tasks", "models"), gen.module("acme.billing.v1", "models")
    tasks, billing = recorder(tasks_service.Tasks), recorder(billing_service.Billing)
    task = models.Task(id=uuid.uuid4(), title="route me")
    created, deleted = models.TaskCreated(task=task), models.TaskDeleted(id=task.id)
    paid = billing_models.InvoicePaid(invoice_id=uuid.uuid4(), paid_at=datetime.now(UTC))

    async def scenario() -> None:
        async with running(make_transport(), [tasks, billing]):
            await tasks.publish(tasks_service.TASK_CREATED, created)  # no unit of work: sent at once
            await tasks.publish(tasks_service.TASK_DELETED, deleted)
            await billing.publish(billing_service.INVOICE_PAID, paid)
            await until(lambda: len(billing.calls) >= 4 and len(tasks.calls) >= 3, what="every delivery")
            await asyncio.sleep(0.2)  # nothing more arrives

    run(scenario())
    by_handler: dict[str, list[Any]] = defaultdict(list)
    for name, message in tasks.calls + billing.calls:
        by_handler[name].append(message)
    assert by_handler["index_task"] == [created]  # task.created
    assert sorted(map(dump, by_handler["audit_task"])) == sorted(map(dump, [created, deleted]))  # task.*
    assert by_handler["bill_task"] == [created]  # acme.billing.v1 on acme.tasks' topic
    assert sorted(map(dump, by_handler["trace_all"])) == sorted(map(dump, [created, deleted, paid]))  # `#`
    assert set(by_handler) == {"index_task", "audit_task", "bill_task", "trace_all"}


def test_http_handler_publishes_only_when_it_succeeds(make_transport: Factory, generated: dict[str, Generated]) -> None:
    service = probe(generated["probe"])
    failed, sent = number(), number()

    async def scenario() -> None:
        async with running(make_transport(), [service]):
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=build_app([service]), raise_app_exceptions=False),
                base_url="http://probe",
            )
            async with client:
                r = await client.post("/ping", params={"n": failed, "note": "x", "fail": True})
                assert r.status_code == 500
                r = await client.post("/ping", params={"n": sent, "note": "x", "fail": False})
                assert r.status_code == 200 and r.json() == {"n": sent, "note": "x"}
            await until(lambda: service.done[("doomed", sent)] == 1, what="the successful request's ping")
            await asyncio.sleep(0.2)

    run(scenario())
    assert service.done[("doomed", sent)] == 1 and service.done[("flaky", sent)] == 1  # exactly once
    assert not any(n == failed for _, n in service.attempts)  # the failed request published nothing


def test_consumer_publishes_only_when_it_succeeds(make_transport: Factory, generated: dict[str, Generated]) -> None:
    service = probe(generated["probe"])
    ping = generated["probe"].module("probe", "service")
    failed, sent = number(), number()

    async def scenario() -> None:
        async with running(make_transport(), [service]):
            await service.publish(ping.PING, ping.Ping(n=failed, note="relay-fail"))
            await service.publish(ping.PING, ping.Ping(n=sent, note="relay"))
            await until(lambda: service.done[("sink", sent)] == 1 and ("relay", failed) in service.attempts)
            await asyncio.sleep(0.2)

    run(scenario())
    assert service.done[("sink", sent)] == 1
    assert ("sink", failed) not in service.attempts


def test_retry_then_success_is_handled_once_with_growing_delays(
    make_transport: Factory, generated: dict[str, Generated]
) -> None:
    service = probe(generated["probe"])
    ping = generated["probe"].module("probe", "service")
    n = number()
    transport = make_transport()

    async def scenario() -> list[DeadLetter]:
        async with running(transport, [service]):
            await service.publish(ping.PING, ping.Ping(n=n, note="flaky"))
            await until(lambda: service.done[("flaky", n)] == 1, what="the third attempt")
            await asyncio.sleep(0.3)
            return [d for d in await transport.dead_letters(f"{ping.PING.package}.Probe.flaky") if b"%d" % n in d.body]

    dead = run(scenario())
    times = service.attempts[("flaky", n)]
    assert len(times) == 3 and service.done[("flaky", n)] == 1 and dead == []
    first, second = times[1] - times[0], times[2] - times[1]
    assert first >= 0.09 and second >= 0.19 and second > first, (first, second)  # 100 ms, then 200 ms


def test_always_failing_is_dead_lettered_after_retry_plus_one_attempts(
    make_transport: Factory, generated: dict[str, Generated]
) -> None:
    service = probe(generated["probe"])
    ping = generated["probe"].module("probe", "service")
    n, queue = number(), f"{ping.PING.package}.Probe.doomed"
    transport = make_transport()

    async def scenario() -> DeadLetter:
        async with running(transport, [service]):
            out = Outgoing(ping.PING.package, "ping", ping.PING.encode(ping.Ping(n=n, note="doomed")), uuid.uuid4().hex)
            await transport.publish([out])
            letter = await wait_letters(transport, queue, out.message_id)
            await asyncio.sleep(0.1)
            return letter

    letter = run(scenario())
    assert len(service.attempts[("doomed", n)]) == 3  # retry 2: three attempts
    assert letter.attempts == 3 and f"doomed {n}" in letter.error and "RuntimeError" in letter.error
    assert (letter.exchange, letter.routing_key) == (ping.PING.package, "ping")


def test_garbage_and_missing_field_are_dead_lettered_at_once(
    make_transport: Factory, generated: dict[str, Generated]
) -> None:
    service = probe(generated["probe"])
    ping = generated["probe"].module("probe", "service")
    package = ping.PING.package
    transport = make_transport()
    garbage = Outgoing(package, "ping", b"\xff\x00 not json", uuid.uuid4().hex)
    missing = Outgoing(package, "ping", b'{"n": 7}', uuid.uuid4().hex)  # no `note`

    async def scenario() -> list[DeadLetter]:
        async with running(transport, [service]):
            await transport.publish([garbage, missing])
            found = []
            for handler in ("flaky", "doomed", "relay"):  # every consumer of `ping` (flaky and doomed retry)
                for out in (garbage, missing):
                    found.append(await wait_letters(transport, f"{package}.Probe.{handler}", out.message_id))
            return found

    found = run(scenario())
    assert all(d.attempts == 1 for d in found), [(d.queue, d.attempts) for d in found]
    assert any("note" in d.error for d in found if d.message_id == missing.message_id)
    assert not service.attempts  # no handler ever saw them


def test_dead_letters_requeue_keeps_body_and_routing_key(
    make_transport: Factory, generated: dict[str, Generated]
) -> None:
    service = probe(generated["probe"])
    ping = generated["probe"].module("probe", "service")
    n, queue = number(), f"{ping.PING.package}.Probe.relay"
    transport = make_transport()

    async def scenario() -> None:
        async with running(transport, [service]):
            out = Outgoing(
                ping.PING.package, "ping", ping.PING.encode(ping.Ping(n=n, note="relay-fail")), uuid.uuid4().hex
            )
            await transport.publish([out])
            await wait_letters(transport, queue, out.message_id)
            assert await transport.requeue_dead_letters(queue) >= 1
            await until(lambda: len(service.attempts[("relay", n)]) == 2, what="the requeued delivery")
            letter = await wait_letters(transport, queue, out.message_id)
            assert letter.body == out.body and letter.routing_key == "ping" and letter.attempts == 1
            await transport.purge_dead_letters(queue)
            assert await letters(transport, queue, out.message_id) == []

    run(scenario())


def test_delayed_publish_arrives_after_its_delay(make_transport: Factory, generated: dict[str, Generated]) -> None:
    service = probe(generated["probe"])
    ping = generated["probe"].module("probe", "service")
    n = number()

    async def scenario() -> float:
        async with running(make_transport(), [service]):
            start = time.monotonic()
            await service.publish(ping.PONG, ping.Ping(n=n, note="later"), delay=timedelta(milliseconds=400))
            await until(lambda: service.done[("sink", n)] == 1, what="the delayed message")
            return service.attempts[("sink", n)][0] - start

    waited = run(scenario())
    assert 0.38 <= waited < 5, waited
