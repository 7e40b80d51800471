"""The unit of work's edges (svcgen_runtime.context): work a handler leaves running after it returned is
outside the unit (its publishes are sent at once, not staged into a unit nobody will flush), a unit
inside another gives the outer one back, the hooks say where they were called from, and a publish
delay is kept to the millisecond. On the embedded bus, with the probe service of probe.idl.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from svcgen_runtime.context import Context, current, unit_of_work, use_context, use_publisher
from svcgen_runtime.embedded import EmbeddedBus
from svcgen_runtime.http import build_app, start_consumers
from svcgen_runtime.service import Runtime
from svcgen_runtime.transport import Incoming

if TYPE_CHECKING:  # a plain `from conftest import` picks whichever conftest.py is first on sys.path
    from tests.runtime.conftest import Generated

OUTSIDE = "use_context() called outside a unit of work (no request or message is being handled)"


def probe(gen: Generated, **methods: Any) -> tuple[Any, Any]:
    """(the generated module, an instance of Probe with `methods` and every other handler doing nothing)."""
    service = gen.module("probe", "service")

    async def nothing(self: Any, *args: Any, **kwargs: Any) -> None:
        return None

    handlers = {name: nothing for name in service.Probe.__abstractmethods__} | methods
    return service, type("Probe", (service.Probe,), handlers)()


def test_work_left_running_by_a_handler_is_outside_its_unit_and_publishes_at_once(
    generated: dict[str, Generated],
) -> None:
    released = asyncio.Event()
    background: list[asyncio.Task[None]] = []
    seen_after: list[Context | None] = []
    sunk: list[tuple[int, str]] = []

    async def send_ping(self: Any, n: int, note: str, fail: bool) -> Any:
        publisher = use_publisher()

        async def later() -> None:  # a task the handler starts and does not wait for
            await released.wait()
            seen_after.append(current())
            with pytest.raises(LookupError):
                use_context()
            await publisher.publish(service.PONG, service.Ping(n=n, note="through the handler's publisher"))
            await self.publish(service.PONG, service.Ping(n=n, note="through the service"))

        background.append(asyncio.get_running_loop().create_task(later()))
        return service.Ping(n=n, note=note)

    async def sink(self: Any, message: Any) -> None:
        sunk.append((message.n, message.note))

    service, instance = probe(generated["probe"], send_ping=send_ping, sink=sink)
    bus = EmbeddedBus()
    instance.attach(Runtime(transport=bus))

    async def scenario() -> None:
        await start_consumers(instance.runtime, [instance])
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=build_app([instance])), base_url="http://t"
        ) as c:
            r = await c.post("/ping", params={"n": 3, "note": "x", "fail": False})
            assert r.status_code == 200, r.text
        released.set()
        await asyncio.gather(*background)
        await bus.drain()
        await bus.stop(1)

    asyncio.run(asyncio.wait_for(scenario(), 20))
    assert seen_after == [None]
    assert sorted(sunk) == [(3, "through the handler's publisher"), (3, "through the service")]


def test_a_unit_of_work_inside_another_gives_the_outer_one_back_when_it_ends(generated: dict[str, Generated]) -> None:
    service, instance = probe(generated["probe"])
    bus = EmbeddedBus()
    instance.attach(Runtime(transport=bus))
    incoming = Incoming("q", service.PONG.package, "pong", b'{"n": 1, "note": "in"}', "m1", {})

    async def scenario() -> list[Any]:
        async with unit_of_work(instance, "send_ping", "http") as outer:
            async with unit_of_work(instance, "sink", "message", incoming) as inner:
                assert use_context() is inner and inner.incoming is incoming
            assert use_context() is outer and outer.runtime is instance.runtime
            await instance.publish(service.PING, service.Ping(n=2, note="staged in the outer unit"))
            staged = list(outer.staged)
        assert current() is None
        return staged

    staged = asyncio.run(asyncio.wait_for(scenario(), 10))
    assert [(s.routing_key, s.body) for s in staged] == [("ping", b'{"n":2,"note":"staged in the outer unit"}')]


def test_the_hooks_outside_a_unit_of_work_say_so() -> None:
    for hook in (use_context, use_publisher):
        with pytest.raises(LookupError) as info:
            hook()
        assert str(info.value) == OUTSIDE


def test_a_publish_delay_is_kept_to_the_millisecond_and_a_negative_one_is_none(generated: dict[str, Generated]) -> None:
    waited: list[float] = []
    sunk: list[str] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    async def sink(self: Any, message: Any) -> None:
        sunk.append(message.note)

    service, instance = probe(generated["probe"], sink=sink)
    bus = EmbeddedBus(sleep=sleep)
    instance.attach(Runtime(transport=bus))

    async def scenario() -> None:
        await start_consumers(instance.runtime, [instance])
        await instance.publish(service.PONG, service.Ping(n=1, note="later"), delay=timedelta(milliseconds=250))
        await instance.publish(service.PONG, service.Ping(n=2, note="now"), delay=timedelta(seconds=-5))
        await bus.drain()
        await bus.stop(1)

    asyncio.run(asyncio.wait_for(scenario(), 10))
    assert waited == [0.25] and sorted(sunk) == ["later", "now"]
