"""Worker processes on the real broker: SIGKILL mid-batch loses nothing, SIGTERM finishes in-flight work
within the grace period, and a broker restart is survived with every consumer back."""

from __future__ import annotations

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


class Worker:
    def __init__(self, config: dict[str, Any], log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), json.dumps({**config, "log": str(log)})],
            stderr=subprocess.PIPE,
            text=True,
        )

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


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(config: dict[str, Any]) -> Worker:
        worker = Worker(config, tmp_path / f"worker{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


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


def consuming(worker: Worker, queues: list[str], attachments: int) -> bool:
    wanted = "consumers " + ",".join(f"{q}={attachments}" for q in sorted(queues))
    return wanted in worker.lines()


def test_sigkill_mid_batch_loses_nothing(amqp_url: str, names: Names, workers: Callable[..., Worker]) -> None:
    cfg = config(amqp_url, names, ["job"])
    queue = cfg["queues"][0]["queue"]
    first = workers(cfg)
    wait_until(lambda: consuming(first, [queue], 1), 15, "the first worker to consume")
    publish(amqp_url, names.package, "job", range(300))
    wait_until(lambda: len(first.finished(queue)) >= 60, 20, "the first worker to be mid-batch")
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
    wait_until(lambda: consuming(worker, [queue], 1), 15, "the worker to consume")
    publish(amqp_url, names.package, "job", range(8))
    wait_until(lambda: sum(line.startswith("start") for line in worker.lines()) == 2, 10, "two handlers to start")
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
def test_worker_resumes_after_a_broker_restart(amqp_url: str, names: Names, workers: Callable[..., Worker]) -> None:
    cfg = config(amqp_url, names, ["a", "b", "c"])
    queues = [q["queue"] for q in cfg["queues"]]
    worker = workers(cfg)
    wait_until(lambda: consuming(worker, queues, 1), 15, "the worker to consume")
    for topic in ("a", "b", "c"):
        publish(amqp_url, names.package, topic, range(20))
    wait_until(lambda: all(worker.finished(q) == set(range(20)) for q in queues), 20, "the first batch")
    took = restart_broker_app()
    resumed = time.monotonic()
    wait_until(lambda: consuming(worker, queues, 2), 30, "every consumer back")
    print(f"broker app restart {took:.1f}s; every consumer back {time.monotonic() - resumed:.1f}s after")
    for topic in ("a", "b", "c"):
        publish(amqp_url, names.package, topic, range(20, 40))
    wait_until(lambda: all(worker.finished(q) == set(range(40)) for q in queues), 30, "the second batch")
    for queue in queues:
        assert run(queue_state(amqp_url, queue)) == (0, 1)
    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(10) == 0
