"""`svcgen run scheduler` processes on the real broker: once per cluster, takeover after SIGKILL, no overlap;
and one without a broker (the embedded scheduler).

A small IDL of its own (package `svcgentest.s<random>`) is built with `svcgen build` into tmp; each run
writes a line per fire to a file (`tick PID TICK WALL`). Skipped with the reason without a broker at
SVCGEN_TEST_AMQP_URL (default 127.0.0.1:5672, guest/guest), failed then under CI=true.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from amqp_broker import URL, broker_url

BIN = Path(sys.executable).parent
PACKAGE = f"svcgentest.s{secrets.token_hex(4)}"

IDL = f"""package {PACKAGE};

service Ticker {{
  every 1s tick;
}}

service Slow {{
  every "* * * * * *" crawl;
}}
"""

APP = """import asyncio, os, time

from svcgen_runtime.context import use_context
from svcgen_runtime.scheduler import TICK

from sched_api.{folder}.service import Slow, Ticker

RECORD = os.environ["SCHED_RECORD"]


def record(what: str) -> None:
    tick = use_context().values[TICK].timestamp()
    with open(RECORD, "a") as f:
        f.write(f"{{what}} {{os.getpid()}} {{tick:.3f}} {{time.time():.3f}}\\n")


class TickerImpl(Ticker):
    async def tick(self) -> None:
        record("tick")


class SlowImpl(Slow):
    async def crawl(self) -> None:
        record("start")
        await asyncio.sleep(1.5)
        record("end")


ticker = TickerImpl()
slow = SlowImpl()
"""


@pytest.fixture(scope="module")
def amqp_url() -> str:
    return broker_url()


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("sched")
    (base / "sched.idl").write_text(IDL, encoding="utf-8")
    build = [str(BIN / "svcgen"), "build", "sched.idl", "--out", "sched_api"]
    env = os.environ | {"SVCGEN_NO_STAMP": "1"}
    subprocess.run([*build, "--target", "python-models", "--target", "python-server"], cwd=base, env=env, check=True)
    (base / "app.py").write_text(APP.format(folder=PACKAGE.replace(".", "_")), encoding="utf-8")
    yield base
    if _declared:
        asyncio.run(_delete(URL))


_declared: list[str] = []  # set by a broker test: the package's exchange is then to be deleted


async def _delete(url: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        await channel.exchange_delete(PACKAGE)  # the scheduler role declares the package's exchange


class Fires:
    def __init__(self, path: Path) -> None:
        self.path = path

    def lines(self, what: str = "tick") -> list[tuple[int, float, float]]:
        if not self.path.exists():
            return []
        rows = [line.split() for line in self.path.read_text().splitlines()]
        return [(int(r[1]), float(r[2]), float(r[3])) for r in rows if len(r) == 4 and r[0] == what]


class Scheduler:
    def __init__(self, cwd: Path, target: str, record: Path, url: str | None) -> None:
        self.log = cwd / f"scheduler-{time.monotonic_ns()}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SVCGEN_")}
        env |= {"SVCGEN_SHUTDOWN_GRACE": "3", "SCHED_RECORD": str(record)}
        if url is not None:
            _declared.append(url)
            env["SVCGEN_AMQP_URL"] = url
        with self.log.open("wb") as out:
            command = [str(BIN / "svcgen"), "run", "scheduler", target]
            self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.process.pid

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


@pytest.fixture
def schedulers(app_dir: Path, amqp_url: str) -> Iterator[Callable[[str, Path], Scheduler]]:
    started: list[Scheduler] = []

    def start(target: str, record: Path) -> Scheduler:
        started.append(Scheduler(app_dir, target, record, amqp_url))
        return started[-1]

    yield start
    for s in started:
        s.kill()


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str, logs: list[Scheduler]) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout_s}s waiting for {what}\n" + "\n".join(s.text() for s in logs)
            )
        time.sleep(0.05)


def lease_exists(url: str, name: str) -> bool:
    import aio_pika
    import aiormq

    async def check() -> bool:
        connection = await aio_pika.connect(url)
        async with connection:
            channel = await connection.channel()
            try:
                await channel.declare_queue(name, passive=True)
            except aiormq.exceptions.ChannelClosed:  # 404 not found; 405 would mean held by a live connection
                return False
            return True

    return asyncio.run(check())


def test_without_a_broker_the_embedded_scheduler_fires_in_process_and_sigterm_exits_0(app_dir: Path) -> None:
    fires = Fires(app_dir / "embedded.fires")
    scheduler = Scheduler(app_dir, "app:ticker", fires.path, None)
    try:
        wait_until(lambda: len(fires.lines()) >= 2, 15, "two fires", [scheduler])
        scheduler.process.send_signal(signal.SIGTERM)
        assert scheduler.process.wait(10) == 0, scheduler.text()
    finally:
        scheduler.kill()
    assert "in this process (embedded)" in scheduler.text()
    ticks = [tick for _, tick, _ in fires.lines()]
    assert ticks[1] - ticks[0] == 1.0 and ticks[0] == int(ticks[0])  # whole seconds, one apart


def test_two_schedulers_fire_each_tick_once_and_the_standby_takes_over_after_sigkill(
    app_dir: Path, schedulers: Callable[[str, Path], Scheduler], amqp_url: str
) -> None:
    fires = Fires(app_dir / "ticker.fires")
    a, b = schedulers("app:ticker", fires.path), schedulers("app:ticker", fires.path)
    both = [a, b]
    wait_until(lambda: "lease" in a.text() and "lease" in b.text(), 15, "both schedulers at their lease", both)
    wait_until(lambda: len(fires.lines()) >= 1, 5, "a first fire", both)

    start = time.time()
    time.sleep(10)
    window = [tick for _, tick, _ in fires.lines() if start < tick <= start + 10]
    assert 9 <= len(window) <= 11, fires.lines()
    ticks = [tick for _, tick, _ in fires.lines()]
    assert len(ticks) == len(set(ticks)), f"a tick fired twice: {fires.lines()}"
    active_pids = {pid for pid, _, _ in fires.lines()}
    assert len(active_pids) == 1, fires.lines()  # one holder all along
    active, standby = (a, b) if a.pid in active_pids else (b, a)
    assert "held by another process; standing by" in standby.text()

    killed_at = time.time()
    active.kill()  # SIGKILL: no release, the broker frees the lease when the connection drops
    wait_until(lambda: any(pid == standby.pid for pid, _, _ in fires.lines()), 10, "the standby's first fire", both)
    first = min(wall for pid, _, wall in fires.lines() if pid == standby.pid)
    takeover_s = first - killed_at
    print(f"fires in 10 s: {len(window)}; takeover after SIGKILL: {takeover_s:.2f} s")
    assert takeover_s < 10
    ticks = [tick for _, tick, _ in fires.lines()]
    assert len(ticks) == len(set(ticks)), f"a tick fired twice around the takeover: {fires.lines()}"

    standby.process.send_signal(signal.SIGTERM)
    assert standby.process.wait(10) == 0, standby.text()
    assert not lease_exists(amqp_url, f"svcgen.scheduler.{PACKAGE}.Ticker")  # released, nothing left behind


def test_a_run_longer_than_its_period_skips_ticks_across_processes(
    app_dir: Path, schedulers: Callable[[str, Path], Scheduler]
) -> None:
    fires = Fires(app_dir / "slow.fires")
    both = [schedulers("app:slow", fires.path), schedulers("app:slow", fires.path)]
    wait_until(lambda: len(fires.lines("start")) >= 3, 15, "three runs", both)
    starts = sorted(wall for _, _, wall in fires.lines("start"))
    ends = sorted(wall for _, _, wall in fires.lines("end"))
    for i, end in enumerate(ends):  # each run ended before the next started: never two at once
        if i + 1 < len(starts):
            assert end <= starts[i + 1], (starts, ends)
    assert all(later - earlier >= 1.5 for earlier, later in itertools.pairwise(starts)), starts
    assert "skipped, the previous run still runs" in "".join(s.text() for s in both)
    for s in both:
        s.process.send_signal(signal.SIGTERM)
    for s in both:
        assert s.process.wait(10) == 0, s.text()
