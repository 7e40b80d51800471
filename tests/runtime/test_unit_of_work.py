"""The unit of work and the embedded bus on their own: topic matching, time as a parameter, interceptors, hooks."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from svcgen_runtime.context import Context, use_context, use_publisher
from svcgen_runtime.embedded import EmbeddedBus, topic_matches
from svcgen_runtime.http import build_app, start_consumers
from svcgen_runtime.service import Runtime
from svcgen_runtime.transport import Outgoing, PublishError

if TYPE_CHECKING:  # a plain `from conftest import` picks whichever conftest.py is first on sys.path
    from tests.runtime.conftest import Generated


@pytest.mark.parametrize(
    "pattern, key, matches",
    [
        ("task.created", "task.created", True),
        ("task.*", "task.created", True),
        ("task.*", "task", False),
        ("task.*", "task.created.late", False),
        ("#", "task.created", True),
        ("#", "", True),
        ("task.#", "task", True),
        ("task.#", "task.a.b", True),
        ("*.created", "invoice.created", True),
        ("#.paid", "invoice.paid", True),
        ("#.paid", "paid", True),
        ("a.#.z", "a.z", True),
        ("a.#.z", "a.b.c.z", True),
        ("a.#.z", "a.b.c", False),
    ],
)
def test_topic_matching_is_amqps(pattern: str, key: str, matches: bool) -> None:
    assert topic_matches(pattern, key) is matches


def test_retry_delays_come_from_the_injected_sleep(generated: dict[str, Generated]) -> None:
    """index_task (retry 5 backoff 1s..60s) always failing: 6 attempts, waits 1, 2, 4, 8, 16 s, none slept."""
    service = generated["billing"].module("acme.tasks", "service")
    models = generated["billing"].module("acme.tasks", "models")
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    class Failing(service.Tasks):  # type: ignore[misc, name-defined]
        attempts = 0

        async def index_task(self, message: Any) -> None:
            Failing.attempts += 1
            raise ValueError("index down")

    for name in service.Tasks.__abstractmethods__ - {"index_task"}:
        setattr(Failing, name, lambda self, *a, **k: None)
    Failing.__abstractmethods__ = frozenset()
    tasks = Failing()
    bus = EmbeddedBus(sleep=sleep)

    async def scenario() -> Any:
        tasks.attach(Runtime(transport=bus))
        await start_consumers(tasks.runtime, [tasks])
        await tasks.publish(service.TASK_CREATED, models.TaskCreated(task=models.Task(id=uuid.uuid4(), title="t")))
        await bus.drain()
        letters = await bus.dead_letters(service.Tasks.spec.consumers[0].queue)
        await bus.stop(1)
        return letters

    letters = asyncio.run(asyncio.wait_for(scenario(), 10))
    assert waited == [1, 2, 4, 8, 16] and Failing.attempts == 6
    assert len(letters) == 1 and letters[0].attempts == 6 and letters[0].error == "ValueError: index down"


def test_interceptors_wrap_http_and_messages_alike_and_hooks_see_the_unit(generated: dict[str, Generated]) -> None:
    gen = generated["probe"]
    service = gen.module("probe", "service")
    seen: list[tuple[str, str, str]] = []

    def interceptor(name: str) -> Any:
        @asynccontextmanager
        async def wrap(ctx: Context) -> AsyncIterator[None]:
            seen.append((name, "enter", ctx.handler))
            ctx.values.setdefault("order", []).append(name)
            yield
            seen.append((name, "exit", ctx.handler))

        return wrap

    class Probe(service.Probe):  # type: ignore[misc, name-defined]
        async def send_ping(self, n: int, note: str, fail: bool) -> Any:
            ctx = use_context()
            assert ctx.kind == "http" and ctx.values["order"] == ["outer", "inner"]
            await use_publisher().publish(service.PING, service.Ping(n=n, note=note))
            assert len(ctx.staged) == 1  # staged, not sent yet
            return service.Ping(n=n, note=note)

        async def flaky(self, message: Any) -> None:
            ctx = use_context()
            assert ctx.kind == "message" and ctx.incoming is not None and ctx.incoming.routing_key == "ping"
            seen.append(("handler", "ran", "flaky"))

        async def doomed(self, message: Any) -> None:
            return None

        async def relay(self, message: Any) -> None:
            return None

        async def sink(self, message: Any) -> None:
            return None

    probe = Probe()
    bus = EmbeddedBus()
    runtime = Runtime(transport=bus, interceptors=[interceptor("outer")])
    runtime.intercept(interceptor("inner"))
    probe.attach(runtime)

    async def scenario() -> None:
        await start_consumers(runtime, [probe])
        app = build_app([probe])
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            r = await client.post("/ping", params={"n": 1, "note": "x", "fail": False})
            assert r.status_code == 200, r.text
        await bus.drain()
        await bus.stop(1)

    asyncio.run(asyncio.wait_for(scenario(), 10))
    http = [s for s in seen if s[2] == "send_ping"]
    assert http == [("outer", "enter", "send_ping"), ("inner", "enter", "send_ping")] + [
        ("inner", "exit", "send_ping"),
        ("outer", "exit", "send_ping"),
    ]
    flaky = [s for s in seen if s[2] == "flaky"]
    assert flaky == [
        ("outer", "enter", "flaky"),
        ("inner", "enter", "flaky"),
        ("handler", "ran", "flaky"),
        ("inner", "exit", "flaky"),
        ("outer", "exit", "flaky"),
    ]
    with pytest.raises(LookupError):
        use_context()


class Unreachable(EmbeddedBus):
    """The embedded bus with a broker that refuses every message."""

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        raise PublishError("broker unreachable")


def test_http_publish_failure_is_a_500_not_a_silent_loss(generated: dict[str, Generated]) -> None:
    gen = generated["probe"]
    service = gen.module("probe", "service")

    class Probe(service.Probe):  # type: ignore[misc, name-defined]
        async def send_ping(self, n: int, note: str, fail: bool) -> Any:
            await self.publish(service.PING, service.Ping(n=n, note=note))
            return service.Ping(n=n, note=note)

    for name in ("flaky", "doomed", "relay", "sink"):
        setattr(Probe, name, lambda self, m: None)
    Probe.__abstractmethods__ = frozenset()
    probe = Probe()
    probe.attach(Runtime(transport=Unreachable()))

    async def scenario() -> int:
        transport = httpx.ASGITransport(app=build_app([probe]), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return (await client.post("/ping", params={"n": 1, "note": "x", "fail": False})).status_code

    assert asyncio.run(scenario()) == 500
