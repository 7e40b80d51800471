"""Helpers of the RabbitMQ tests: unique names, teardown, a cuttable TCP proxy, running coroutines."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aio_pika
import aiormq
from aio_pika.abc import AbstractConnection
from svcgen_runtime.amqp.topology import DELAY_EXCHANGE, retry_delays_ms, retry_queue
from svcgen_runtime.spec import ConsumerSpec, Topic
from svcgen_runtime.transport import Incoming, Subscription, dead_letter_queue

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T], timeout_s: float = 60.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout_s)

    return asyncio.run(bounded())


@dataclass
class Names:
    """The names one test declares: packages `svcgentest.<random>[.n]` and their consumers."""

    package: str
    consumers: list[ConsumerSpec] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)

    @staticmethod
    def fresh() -> Names:
        package = f"svcgentest.t{secrets.token_hex(4)}"  # a segment must start with a letter
        return Names(package=package, packages=[package])

    def other_package(self) -> str:
        package = f"{self.package}.p{len(self.packages)}"
        self.packages.append(package)
        return package

    def topic(self, name: str, package: str | None = None) -> Topic[Any]:
        return Topic(package or self.package, name, dict)

    def consumer(
        self, handler: str, *topics: Topic[Any], retry: int = 0, backoff: tuple[float, float] = (0.1, 1.0)
    ) -> ConsumerSpec:
        spec = ConsumerSpec(
            handler=handler,
            pattern=topics[0].name,
            queue=f"{self.package}.Svc.{handler}",
            topics=topics,
            retry=retry,
            backoff_min_s=backoff[0],
            backoff_max_s=backoff[1],
        )
        self.consumers.append(spec)
        return spec


async def delete_queues(connection: AbstractConnection, queues: Iterable[str]) -> None:
    """Each queue deleted on a channel of its own: a queue that is not there closes its channel, and is passed over."""
    for queue in queues:
        channel = await connection.channel()
        try:
            await channel.queue_delete(queue)
        except aiormq.exceptions.AMQPError:
            pass
        if not channel.is_closed:
            await channel.close()


def delete_topology(url: str, names: Names) -> None:
    async def delete() -> None:
        connection = await aio_pika.connect(url)
        try:
            queues: list[str] = []
            for spec in names.consumers:
                queues += [spec.queue, dead_letter_queue(spec.queue)]
                queues += [retry_queue(spec.queue, ms) for ms in retry_delays_ms(spec)]
            for package in names.packages:
                # delay queues of the usual test delays (x-expires removes any other later)
                queues += [f"{DELAY_EXCHANGE}.{package}.{ms}ms" for ms in (100, 200, 300, 500, 800, 1000, 1500)]
            await delete_queues(connection, queues)
            channel = await connection.channel()
            for package in names.packages:
                await channel.exchange_delete(package)
        finally:
            await connection.close()

    run(delete(), 30)


class Recorder:
    """A subscription handler that records each delivery and runs `behaviour` on it."""

    def __init__(self, behaviour: Callable[[Incoming], Awaitable[None]] | None = None) -> None:
        self.seen: list[tuple[float, Incoming]] = []
        self._behaviour = behaviour
        self._changed = asyncio.Event()

    async def __call__(self, incoming: Incoming) -> None:
        self.seen.append((asyncio.get_running_loop().time(), incoming))
        self._changed.set()
        if self._behaviour is not None:
            await self._behaviour(incoming)

    def subscription(self, spec: ConsumerSpec) -> Subscription:
        return Subscription(spec, self)

    async def wait_for(self, count: int, timeout_s: float = 10.0) -> list[Incoming]:
        async with asyncio.timeout(timeout_s):
            while len(self.seen) < count:
                self._changed.clear()
                await self._changed.wait()
        return [incoming for _, incoming in self.seen]


async def queue_state(url: str, queue: str) -> tuple[int, int]:
    """(messages ready, consumers) of `queue`, from a passive declare."""
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        result = declared.declaration_result
        return result.message_count or 0, result.consumer_count or 0
    finally:
        await connection.close()


class Proxy:
    """A TCP proxy to the broker that a test can cut (every connection dropped, new ones refused) and
    restore, so connection loss is tested without disturbing the broker other tests use."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Drop every connection and refuse new ones until `open` again."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._pipes):
            task.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        loop = asyncio.get_running_loop()
        tasks = [loop.create_task(self._pipe(reader, up_writer)), loop.create_task(self._pipe(up_reader, writer))]
        self._pipes.update(tasks)
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._pipes.difference_update(tasks)
            for w in (writer, up_writer):
                self._writers.discard(w)
                w.transport.abort()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
