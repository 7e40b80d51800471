"""The scheduler role: fire each service's `every` schedules, once per cluster, never overlapping.

Each service's schedules fire only in the process holding that service's lease (see
`scheduler_lease`); the holder confirms the lease with whoever grants it right before every tick.
A tick runs the handler inside the unit of work, like a request or a message: the interceptors wrap
it and what it publishes is sent once it has succeeded. A tick that comes while the previous run of
the same schedule still runs is skipped and counted (unless the schedule declares `overlap`); a
failing run is logged and counted, and the next tick fires as usual.

Ticks are points in time shared by the whole cluster: cron expressions in UTC (5 fields, or 6 with
seconds first), intervals at whole multiples of the interval since the Unix epoch. A scheduler
starts with the first tick after now: ticks missed while no scheduler ran are not replayed, and a
fresh deployment fires nothing until each schedule's next tick. Time comes from a `Clock`, so tests
drive it instead of sleeping.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from croniter import croniter

from svcgen_runtime.scheduler_lease import Lease, Leases, lease_name
from svcgen_runtime.service import ServiceBase
from svcgen_runtime.spec import ScheduleSpec

log = logging.getLogger("svcgen_runtime.scheduler")

#: Key of the tick (an aware UTC datetime) in `use_context().values` during a scheduled run.
TICK = "svcgen.tick"


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock time, seconds since the Unix epoch."""

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time."""


class SystemClock:
    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class Timetable:
    """When one schedule's ticks are: `next_after(t)` is the first tick strictly after `t`."""

    def __init__(self, spec: ScheduleSpec) -> None:
        self._interval = spec.interval_s
        self._cron: str | None = None
        if spec.cron is not None:
            fields = spec.cron.split()
            if len(fields) == 6:  # the IDL puts seconds first; croniter's 6-field form puts them last
                fields = fields[1:] + fields[:1]
            elif len(fields) != 5:
                raise ValueError(f"cron expression {spec.cron!r} must have 5 or 6 fields")
            self._cron = " ".join(fields)
            croniter(self._cron)  # invalid expressions fail at start-up, not at the first tick
        elif self._interval is None or self._interval <= 0:
            raise ValueError(f"schedule {spec.handler} has neither a cron expression nor a positive interval")

    def next_after(self, t: float) -> float:
        if self._cron is not None:
            start = datetime.fromtimestamp(t, UTC)
            return float(croniter(self._cron, start).get_next(float))
        interval = self._interval
        assert interval is not None
        return (math.floor(t / interval) + 1) * interval


@dataclass
class ScheduleStats:
    """Counters of one schedule in this process: runs started, how they ended, ticks skipped."""

    fired: int = 0
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0


@dataclass(eq=False)
class _Entry:
    service: ServiceBase
    spec: ScheduleSpec
    timetable: Timetable
    stats: ScheduleStats = field(default_factory=ScheduleStats)
    running: int = 0

    @property
    def name(self) -> str:
        return f"{self.service.spec.package}.{self.service.spec.name}.{self.spec.handler}"


class _LeaseLost(Exception):
    pass


class Scheduler:
    """Fires the schedules of `services` while holding their leases; `start`, then `stop(grace_s)`."""

    def __init__(self, services: Sequence[ServiceBase], leases: Leases, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        self._leases = leases
        self._groups: list[tuple[Lease, list[_Entry]]] = []
        for service in services:
            entries = [_Entry(service, s, Timetable(s)) for s in service.spec.of(ScheduleSpec)]
            if entries:
                self._groups.append((leases.lease(lease_name(service.spec)), entries))
        self.stats: dict[str, ScheduleStats] = {e.name: e.stats for _, group in self._groups for e in group}
        self._leaders: list[asyncio.Task[None]] = []
        self._runs: set[asyncio.Task[None]] = set()

    @property
    def names(self) -> list[str]:
        """`<package>.<Service>.<handler>` of every schedule, in declaration order."""
        return list(self.stats)

    async def start(self) -> None:
        """Connect the leases and start contending for them (returns at once; firing starts once held)."""
        await self._leases.start()
        loop = asyncio.get_running_loop()
        for lease, entries in self._groups:
            self._leaders.append(loop.create_task(self._lead(lease, entries), name=f"svcgen-scheduler {lease.name}"))

    async def stop(self, grace_s: float) -> None:
        """Fire no more ticks, give running runs `grace_s` to finish, cancel the rest, release the leases."""
        for task in self._leaders:
            task.cancel()
        await asyncio.gather(*self._leaders, return_exceptions=True)
        self._leaders.clear()
        if self._runs:
            log.info("waiting up to %.3gs for %d scheduled run(s)", grace_s, len(self._runs))
            _, pending = await asyncio.wait(list(self._runs), timeout=grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self._leases.close()

    async def _lead(self, lease: Lease, entries: list[_Entry]) -> None:
        while True:
            await lease.acquire()
            log.info("scheduler lease %s taken: firing %s", lease.name, ", ".join(e.spec.handler for e in entries))
            try:
                async with asyncio.TaskGroup() as group:
                    group.create_task(self._watch(lease))
                    for entry in entries:
                        group.create_task(self._ticks(lease, entry))
            except* _LeaseLost:
                log.warning("scheduler lease %s lost: no more ticks here until it is taken again", lease.name)
            except* Exception as group:  # a bug, not a lease problem: say so, give the lease up, try again
                log.error("scheduler of %s failed", lease.name, exc_info=group.exceptions[0])
                await lease.release()
                await self.clock.sleep(1.0)

    @staticmethod
    async def _watch(lease: Lease) -> None:
        await lease.lost()
        raise _LeaseLost

    async def _ticks(self, lease: Lease, entry: _Entry) -> None:
        tick = entry.timetable.next_after(self.clock.now())
        while True:
            delay = tick - self.clock.now()
            if delay > 0:
                await self.clock.sleep(delay)
                continue  # re-read the clock: a sleep may end early, or the wall clock may have moved
            if not await lease.confirm():
                raise _LeaseLost
            self._fire(entry, tick)
            # late (a long pause, a confirmation that took a while)? the ticks already past are not replayed
            tick = entry.timetable.next_after(max(tick, self.clock.now()))

    def _fire(self, entry: _Entry, tick: float) -> None:
        at = datetime.fromtimestamp(tick, UTC)
        if entry.running and not entry.spec.overlap:
            entry.stats.skipped += 1
            log.warning(
                "%s: tick %s skipped, the previous run still runs (%d skipped so far)",
                entry.name,
                at.isoformat(),
                entry.stats.skipped,
            )
            return
        entry.running += 1
        entry.stats.fired += 1
        task = asyncio.get_running_loop().create_task(self._run(entry, at), name=f"svcgen-run {entry.name}")
        self._runs.add(task)
        task.add_done_callback(self._runs.discard)

    async def _run(self, entry: _Entry, at: datetime) -> None:
        service = entry.service
        method: Callable[[], Awaitable[None]] = getattr(service, entry.spec.handler)
        try:
            async with service.runtime.unit_of_work(service, entry.spec.handler, "schedule") as ctx:
                ctx.values[TICK] = at
                await method()
        except Exception:
            entry.stats.failed += 1
            log.exception(
                "%s: the run of tick %s failed (%d failed so far)", entry.name, at.isoformat(), entry.stats.failed
            )
        else:
            entry.stats.succeeded += 1
        finally:
            entry.running -= 1
