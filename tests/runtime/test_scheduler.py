"""The scheduler with an injected clock: cron (5 and 6 fields, seconds first), intervals, overlap,
failures, no replay of missed ticks, the unit of work around each run. No test sleeps through time."""

from __future__ import annotations

import asyncio
import functools
import heapq
import itertools
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from svcgen_runtime.context import Context, use_context
from svcgen_runtime.scheduler import TICK, Scheduler, Timetable
from svcgen_runtime.scheduler_lease import LocalLeases, lease_name
from svcgen_runtime.service import Runtime, ServiceBase
from svcgen_runtime.spec import ScheduleSpec, ServiceSpec, Topic
from svcgen_runtime.transport import Outgoing

T0 = datetime(2030, 1, 1, tzinfo=UTC).timestamp()  # a whole minute, hour and day


def sync(test: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    """Run an async test in a fresh event loop, bounded (the fake clock makes them instant)."""

    @functools.wraps(test)
    def run() -> None:
        asyncio.run(asyncio.wait_for(test(), 10))

    return run


def at(seconds: float) -> float:
    return T0 + seconds


class FakeClock:
    """Time moves only in `advance`; sleepers wake in deadline order, each at its own deadline."""

    def __init__(self, start: float) -> None:
        self.t = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.t + max(seconds, 0.0), next(self._seq), future))
        await future

    async def advance(self, seconds: float) -> None:
        end = self.t + seconds
        await settle()
        while self._sleepers and self._sleepers[0][0] <= end:
            deadline, _, future = heapq.heappop(self._sleepers)
            self.t = max(self.t, deadline)
            if not future.done():
                future.set_result(None)
            await settle()
        self.t = end
        await settle()


async def settle() -> None:
    for _ in range(30):
        await asyncio.sleep(0)


class RecordingTransport:
    """Takes what units of work flush; nothing else is used by the scheduler."""

    def __init__(self) -> None:
        self.published: list[Outgoing] = []

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        self.published.extend(messages)


PING: Topic[dict[str, Any]] = Topic("svcgentest.sched", "ping", dict)


class Clocked(ServiceBase):
    spec = ServiceSpec(
        "svcgentest.sched",
        "Clocked",
        (
            ScheduleSpec("every_2s", interval_s=2.0),
            ScheduleSpec("slow", interval_s=1.0),
            ScheduleSpec("slow_overlapping", interval_s=1.0, overlap=True),
            ScheduleSpec("flaky", interval_s=1.0),
        ),
    )

    def __init__(self, clock: FakeClock, only: set[str]) -> None:
        self.clock = clock
        self.only = only
        self.runs: dict[str, list[float]] = {}
        self.contexts: list[Context] = []

    def _record(self, name: str) -> None:
        ctx = use_context()
        self.contexts.append(ctx)
        self.runs.setdefault(name, []).append(ctx.values[TICK].timestamp())

    async def every_2s(self) -> None:
        self._record("every_2s")

    async def slow(self) -> None:
        self._record("slow")
        await self.clock.sleep(2.5)  # longer than two periods

    async def slow_overlapping(self) -> None:
        self._record("slow_overlapping")
        await self.clock.sleep(2.5)

    async def flaky(self) -> None:
        self._record("flaky")
        await self.publish(PING, {"n": len(self.runs["flaky"])})
        if len(self.runs["flaky"]) % 2:
            raise RuntimeError("odd runs fail")


def only(*names: str) -> ServiceSpec:
    members = tuple(m for m in Clocked.spec.members if m.handler in names)
    return ServiceSpec(Clocked.spec.package, Clocked.spec.name, members)


@asynccontextmanager
async def scheduling(*handlers: str, start: float = T0) -> AsyncIterator[tuple[Clocked, Scheduler, FakeClock]]:
    clock = FakeClock(start)
    service = Clocked(clock, set(handlers))
    service.spec = only(*handlers)  # type: ignore[misc]  # one instance, a subset of the schedules
    transport = RecordingTransport()
    service.attach(Runtime(transport=transport))  # type: ignore[arg-type]
    scheduler = Scheduler([service], LocalLeases(), clock)
    await scheduler.start()
    try:
        yield service, scheduler, clock
    finally:
        await scheduler.stop(0)


# --- timetables -------------------------------------------------------------------------------


def ticks(spec: ScheduleSpec, start: float, count: int) -> list[float]:
    table, out, t = Timetable(spec), [], start
    for _ in range(count):
        t = table.next_after(t)
        out.append(t - T0)
    return out


def test_cron_with_five_fields_is_minute_first() -> None:
    assert ticks(ScheduleSpec("x", cron="*/5 * * * *"), T0, 3) == [300, 600, 900]
    assert ticks(ScheduleSpec("x", cron="0 3 * * *"), T0, 2) == [3 * 3600, 27 * 3600]  # UTC


def test_cron_with_six_fields_puts_seconds_first() -> None:
    # croniter alone would read "*/15 * * * * *" as every second of minutes 0, 15, 30, 45
    assert ticks(ScheduleSpec("x", cron="*/15 * * * * *"), T0, 4) == [15, 30, 45, 60]
    # and "30 */5 * * * *" as minute 30 of every fifth hour
    assert ticks(ScheduleSpec("x", cron="30 */5 * * * *"), T0, 3) == [30, 330, 630]
    assert ticks(ScheduleSpec("x", cron="0 */5 * * * *"), at(1), 2) == [300, 600]  # examples/tasks purge_done


def test_intervals_are_aligned_to_the_epoch_so_every_process_agrees_on_the_ticks() -> None:
    assert ticks(ScheduleSpec("x", interval_s=30), at(7), 3) == [30, 60, 90]
    assert ticks(ScheduleSpec("x", interval_s=30), at(30), 1) == [60]  # strictly after


def test_bad_cron_fails_at_start_up() -> None:
    with pytest.raises(ValueError):
        Timetable(ScheduleSpec("x", cron="* * *"))
    with pytest.raises(ValueError):
        Timetable(ScheduleSpec("x", cron="61 * * * *"))


# --- firing -----------------------------------------------------------------------------------


@sync
async def test_interval_fires_every_tick_inside_the_unit_of_work() -> None:
    async with scheduling("every_2s", start=at(0.5)) as (service, scheduler, clock):
        seen: list[str] = []

        @asynccontextmanager
        async def interceptor(ctx: Context) -> AsyncIterator[None]:
            seen.append(f"{ctx.kind}:{ctx.handler}")
            yield

        service.runtime.intercept(interceptor)
        await clock.advance(1.4)
        assert service.runs == {}  # no tick yet: a fresh start fires nothing at once
        await clock.advance(5.2)
        assert [t - T0 for t in service.runs["every_2s"]] == [2, 4, 6]
        assert seen == ["schedule:every_2s"] * 3
        assert scheduler.stats["svcgentest.sched.Clocked.every_2s"].succeeded == 3


@sync
async def test_a_tick_while_the_previous_run_still_runs_is_skipped_and_counted() -> None:
    async with scheduling("slow", start=at(0.5)) as (service, scheduler, clock):
        await clock.advance(8.0)  # ticks 1..8; each run lasts 2.5 s
        assert [t - T0 for t in service.runs["slow"]] == [1, 4, 7]
        stats = scheduler.stats["svcgentest.sched.Clocked.slow"]
        assert (stats.fired, stats.skipped) == (3, 5)


@sync
async def test_overlap_lets_runs_stack() -> None:
    async with scheduling("slow_overlapping", start=at(0.5)) as (service, scheduler, clock):
        await clock.advance(4.0)
        assert [t - T0 for t in service.runs["slow_overlapping"]] == [1, 2, 3, 4]
        assert scheduler.stats["svcgentest.sched.Clocked.slow_overlapping"].skipped == 0


@sync
async def test_a_failing_run_is_counted_publishes_nothing_and_the_next_tick_fires() -> None:
    async with scheduling("flaky", start=at(0.5)) as (service, scheduler, clock):
        await clock.advance(4.0)
        assert len(service.runs["flaky"]) == 4
        stats = scheduler.stats["svcgentest.sched.Clocked.flaky"]
        assert (stats.fired, stats.failed, stats.succeeded) == (4, 2, 2)
        transport: Any = service.runtime.transport
        assert [PING.decode(m.body)["n"] for m in transport.published] == [2, 4]  # only the successful runs


@sync
async def test_missed_ticks_are_not_replayed() -> None:
    async with scheduling("every_2s", start=at(0.5)) as (service, scheduler, clock):
        await clock.advance(2.0)
        assert [t - T0 for t in service.runs["every_2s"]] == [2]
        clock.t = at(11.0)  # the process stalled (or the wall clock jumped) over ticks 4, 6, 8, 10
        await clock.advance(2.0)
        assert [t - T0 for t in service.runs["every_2s"]] == [2, 4, 12]  # the overdue tick, then on time
        # the first late wake-up fires the tick it slept for (4), never 6, 8 and 10 as well


@sync
async def test_a_scheduler_started_later_does_not_replay_what_no_scheduler_fired() -> None:
    async with scheduling("every_2s", start=at(0.5)) as (service, _, clock):
        await clock.advance(2.0)
    runs = service.runs["every_2s"]
    async with scheduling("every_2s", start=at(60.5)) as (service, _, clock):  # a new deployment, 58 s later
        service.runs["every_2s"] = runs
        await clock.advance(0.1)
        assert [t - T0 for t in runs] == [2]  # nothing fires at start-up
        await clock.advance(2.0)
        assert [t - T0 for t in runs] == [2, 62]


@sync
async def test_stop_gives_a_run_its_grace_then_cancels_it_and_releases_the_lease() -> None:
    clock = FakeClock(at(0.5))
    service = Clocked(clock, {"slow"})
    service.spec = only("slow")  # type: ignore[misc]
    service.attach(Runtime(transport=RecordingTransport()))  # type: ignore[arg-type]
    leases = LocalLeases()
    scheduler = Scheduler([service], leases, clock)
    await scheduler.start()
    await clock.advance(1.0)
    assert len(service.runs["slow"]) == 1  # and it waits on the fake clock: only cancelling ends it
    await asyncio.wait_for(scheduler.stop(0.05), 5)
    lease = leases._leases[0]
    assert lease.name == lease_name(Clocked.spec) == "svcgen.scheduler.svcgentest.sched.Clocked"
    assert not await lease.confirm()


def test_stats_names_every_schedule() -> None:
    service = Clocked(FakeClock(T0), set())
    assert Scheduler([service], LocalLeases()).names == [
        f"svcgentest.sched.Clocked.{h}" for h in ("every_2s", "slow", "slow_overlapping", "flaky")
    ]
