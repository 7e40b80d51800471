"""Worker processes on the real broker: SIGKILL mid-batch loses nothing, SIGTERM finishes in-flight work
within the grace period, and a broker restart is survived with every consumer back."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from amqp_support import Names, queue_state, run

WORKER = Path(__file__).with_name("amqp_worker.py")
BIN = Path(sys.executable).parent


class Worker:
    def __init__(
        self, command: list[str], log: Path, cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.log = log
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stderr=subprocess.DEVNULL)

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def finished(self, queue: str) -> set[int]:
        return {int(line.split()[2]) for line in self.lines() if line.startswith(f"done {queue} ")}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(0.05)


def publish(url: str, package: str, topic: str, numbers: range) -> None:
    async def send() -> None:
        connection = await aio_pika.connect(url)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.declare_exchange(package, aio_pika.ExchangeType.TOPIC, durable=True)
            for n in numbers:
                message = aio_pika.Message(
                    json.dumps({"n": n}).encode(),
                    message_id=str(uuid.uuid4()),
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                )
                await exchange.publish(message, topic)

    run(send(), 60)


# The same service run two ways: the transport alone in a small script, and the real entry point
# (`python -m svcgen_runtime worker TARGET` on a generated service) once the runtime has one.
KINDS = ["script"] + (["entry point"] if importlib.util.find_spec("svcgen_runtime.__main__") else [])

IDL = """\
package {package};

message Job {{
  n: int;
}}

{topics}

service Svc {{
{consumers}
}}
"""

APP = """\
import asyncio

from gen.{module}.service import Svc

LOG = open({log!r}, "a", buffering=1)


class Worker(Svc):
{handlers}

service = Worker()
"""

HANDLER = """\
    async def {topic}(self, message) -> None:
        LOG.write("start {queue} %d\\n" % message.n)
        await asyncio.sleep({handler_s})
        LOG.write("done {queue} %d\\n" % message.n)
"""


def entry_point_worker(cfg: dict[str, Any], folder: Path, log: Path) -> Worker:
    """Build the config's service with `svcgen build`, subclass it in app.py, run the real worker on it."""
    folder.mkdir(exist_ok=True)
    topics = [q["topic"] for q in cfg["queues"]]
    if not (folder / "gen").exists():
        idl = IDL.format(
            package=cfg["package"],
            topics="\n".join(f"topic {t}: Job;" for t in topics),
            consumers="\n".join(f"  on {t} {t};" for t in topics),
        )
        (folder / "svc.idl").write_text(idl)
        subprocess.run(
            [str(BIN / "svcgen"), "build", "svc.idl", "--out", "gen", "--target", "python-server"],
            cwd=folder,
            check=True,
            capture_output=True,
        )
    handlers = "\n".join(
        HANDLER.format(topic=q["topic"], queue=q["queue"], handler_s=cfg["handler_s"]) for q in cfg["queues"]
    )
    module = cfg["package"].replace(".", "_")
    (folder / "app.py").write_text(APP.format(module=module, log=str(log), handlers=handlers))
    env = os.environ | {
        "SVCGEN_AMQP_URL": cfg["url"],
        "SVCGEN_PREFETCH": str(cfg["prefetch"]),
        "SVCGEN_CONCURRENCY": str(cfg["concurrency"]),
        "SVCGEN_SHUTDOWN_GRACE": str(cfg["grace_s"]),
    }
    return Worker([sys.executable, "-m", "svcgen_runtime", "worker", "app:service"], log, cwd=folder, env=env)


def _launcher(kind: str, tmp_path: Path) -> Iterator[Callable[[dict[str, Any]], Worker]]:
    started: list[Worker] = []

    def start(cfg: dict[str, Any]) -> Worker:
        log = tmp_path / f"worker{len(started)}.log"
        if kind == "script":
            worker = Worker([sys.executable, str(WORKER), json.dumps({**cfg, "log": str(log)})], log)
        else:
            worker = entry_point_worker(cfg, tmp_path / "service", log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture(params=KINDS)
def workers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[dict[str, Any]], Worker]]:
    yield from _launcher(request.param, tmp_path)


@pytest.fixture(params=KINDS[-1:])
def one_kind_of_workers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[dict[str, Any]], Worker]]:
    """Only the most complete kind: a broker restart disturbs every other test on the machine, so it runs once."""
    yield from _launcher(request.param, tmp_path)


def config(url: str, names: Names, topics: list[str], **overrides: Any) -> dict[str, Any]:
    queues = [{"queue": names.consumer(t, names.topic(t)).queue, "topic": t} for t in topics]
    return {
        "url": url,
        "package": names.package,
        "queues": queues,
        "name": f"svcgen-test {names.package}",
        "prefetch": 20,
        "concurrency": 4,
        "handler_s": 0.01,
        "grace_s": 3.0,
    } | overrides


def consuming(url: str, queues: list[str]) -> bool:
    """Every queue has exactly one consumer (the broker's count: the same for both kinds of worker)."""

    async def counts() -> list[int]:
        found = []
        for queue in queues:
            try:
                found.append((await queue_state(url, queue))[1])
            except Exception:  # not declared yet
                found.append(0)
        return found

    return run(counts()) == [1] * len(queues)


def test_sigkill_mid_batch_loses_nothing(amqp_url: str, names: Names, workers: Callable[..., Worker]) -> None:
    cfg = config(amqp_url, names, ["job"], handler_s=0.05)  # 300 take 4 s: killed well before the end
    queue = cfg["queues"][0]["queue"]
    first = workers(cfg)
    wait_until(lambda: consuming(amqp_url, [queue]), 15, "the first worker to consume")
    publish(amqp_url, names.package, "job", range(300))
    wait_until(lambda: len(first.finished(queue)) >= 40, 20, "the first worker to be mid-batch")
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(10)
    assert len(first.finished(queue)) < 300
    second = workers(cfg)
    wait_until(lambda: first.finished(queue) | second.finished(queue) == set(range(300)), 30, "all 300 handled")
    second.process.send_signal(signal.SIGTERM)
    assert second.process.wait(10) == 0
    assert run(queue_state(amqp_url, queue)) == (0, 0)


def test_sigterm_finishes_in_flight_within_the_grace(
    amqp_url: str, names: Names, workers: Callable[..., Worker]
) -> None:
    cfg = config(amqp_url, names, ["job"], concurrency=2, handler_s=1.0, grace_s=3.0)
    queue = cfg["queues"][0]["queue"]
    worker = workers(cfg)
    wait_until(lambda: consuming(amqp_url, [queue]), 15, "the worker to consume")
    publish(amqp_url, names.package, "job", range(8))
    wait_until(lambda: sum(line.startswith("start") for line in worker.lines()) == 2, 15, "two handlers to start")
    began = time.monotonic()
    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(10) == 0
    assert time.monotonic() - began < cfg["grace_s"]
    assert len(worker.finished(queue)) == 2 and sum(line.startswith("start") for line in worker.lines()) == 2
    assert run(queue_state(amqp_url, queue)) == (6, 0)  # the rest is left for another worker


def _restartable() -> str | None:
    if shutil.which("rabbitmqctl") is None:
        return "needs rabbitmqctl on this machine"
    if os.environ.get("SVCGEN_TEST_NO_BROKER_RESTART") == "1":
        return "SVCGEN_TEST_NO_BROKER_RESTART=1"
    return None


def restart_broker_app() -> float:
    """`rabbitmqctl stop_app` then `start_app` (the node stays up; every connection drops); returns the
    seconds it took. Always starts the app again, whatever happened."""
    began = time.monotonic()
    try:
        subprocess.run(["rabbitmqctl", "stop_app"], capture_output=True, check=True, timeout=60)
    finally:
        subprocess.run(["rabbitmqctl", "start_app"], capture_output=True, check=True, timeout=120)
        subprocess.run(["rabbitmqctl", "await_startup"], capture_output=True, check=False, timeout=120)
    return time.monotonic() - began


@pytest.mark.slow
@pytest.mark.skipif(_restartable() is not None, reason=str(_restartable()))
def test_worker_resumes_after_a_broker_restart(
    amqp_url: str, names: Names, one_kind_of_workers: Callable[..., Worker]
) -> None:
    workers = one_kind_of_workers
    cfg = config(amqp_url, names, ["a", "b", "c"])
    queues = [q["queue"] for q in cfg["queues"]]
    worker = workers(cfg)
    wait_until(lambda: consuming(amqp_url, queues), 15, "the worker to consume")
    for topic in ("a", "b", "c"):
        publish(amqp_url, names.package, topic, range(20))
    wait_until(lambda: all(worker.finished(q) == set(range(20)) for q in queues), 20, "the first batch")
    took = restart_broker_app()
    resumed = time.monotonic()
    wait_until(lambda: consuming(amqp_url, queues), 30, "every consumer back")
    print(f"broker app restart {took:.1f}s; every consumer back {time.monotonic() - resumed:.1f}s after")
    for topic in ("a", "b", "c"):
        publish(amqp_url, names.package, topic, range(20, 40))
    wait_until(lambda: all(worker.finished(q) == set(range(40)) for q in queues), 30, "the second batch")
    for queue in queues:
        assert run(queue_state(amqp_url, queue)) == (0, 1)
    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(10) == 0
