"""A worker process on AmqpTransport alone, for the process-level tests (SIGKILL, SIGTERM, broker restart).

`python amqp_worker.py CONFIG_JSON`; it appends `start N`, `done N` and `consumers Q=K,...` lines to the
log file of the config (flushed at once) and exits 0 after SIGTERM once `stop(grace)` returns."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from typing import Any

from svcgen_runtime.amqp import AmqpTransport
from svcgen_runtime.spec import ConsumerSpec, Topic
from svcgen_runtime.transport import Incoming, Subscription


async def main(config: dict[str, Any]) -> None:
    log = open(config["log"], "a", buffering=1)  # noqa: SIM115 (open for the whole run)
    transport = AmqpTransport(
        config["url"], prefetch=config["prefetch"], concurrency=config["concurrency"], name=config["name"]
    )

    async def handle(incoming: Incoming) -> None:
        n = json.loads(incoming.body)["n"]
        log.write(f"start {incoming.queue} {n}\n")
        await asyncio.sleep(config["handler_s"])
        log.write(f"done {incoming.queue} {n}\n")

    subscriptions = [
        Subscription(
            ConsumerSpec(q["topic"], q["topic"], q["queue"], (Topic(config["package"], q["topic"], dict),)), handle
        )
        for q in config["queues"]
    ]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await transport.start()
    await transport.consume(subscriptions)
    last: dict[str, int] = {}
    while not stop.is_set():
        if transport.consumers() != last:
            last = transport.consumers()
            log.write("consumers " + ",".join(f"{q}={k}" for q, k in sorted(last.items())) + "\n")
        try:
            await asyncio.wait_for(stop.wait(), 0.1)
        except TimeoutError:
            pass
    log.write("stopping\n")
    await transport.stop(config["grace_s"])
    log.write("stopped\n")
    log.close()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
