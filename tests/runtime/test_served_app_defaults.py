"""An app served on its own (`uvicorn app:app`) consumes on the bus its service's runtime builds:
that bus handles as many messages of one queue at once as `svcgen run` does by default
(SVCGEN_CONCURRENCY, 32; it was 8)."""

from __future__ import annotations

import asyncio

from svcgen_runtime.service import Runtime
from svcgen_runtime.settings import Settings
from svcgen_runtime.transport import Incoming
from test_embedded_bus import consumer, message, run, until


def test_the_default_runtime_bus_runs_svcgen_concurrency_default_deliveries_at_once() -> None:
    expected = Settings.from_env({}).concurrency
    running, peak = 0, 0
    gate = asyncio.Event()

    async def handle(incoming: Incoming) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await gate.wait()
        running -= 1

    async def scenario() -> None:
        bus = Runtime().transport
        sub = consumer(handle)
        await bus.declare([sub], ["acme"])
        await bus.publish([message(n) for n in range(expected + 5)])
        await bus.consume([sub])
        await until(lambda: running == expected, f"{expected} deliveries running")
        for _ in range(20):
            await asyncio.sleep(0)
        gate.set()
        await bus.stop(1)

    run(scenario())
    assert peak == expected
