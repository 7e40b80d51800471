"""The RabbitMQ names and declarations of svcgen's topology (all public: hand-written peers bind to them).

- `<package>`: durable topic exchange of an IDL package; routing key = topic name.
- `<queue>` (`<package>.<Service>.<handler>`): durable consumer queue, bound to the exchange of every
  topic it consumes (other packages' exchanges included).
- `<queue>.dlq`: durable dead letters of a consumer queue.
- `<queue>.retry.<ms>ms`: one retry queue per distinct retry delay of a consumer. Its TTL holds a
  failed message for the delay, then dead-lettering sends it back to `<queue>` through the default
  exchange. A queue-wide TTL, not a per-message one: RabbitMQ expires messages only at the head of a
  queue, so mixed per-message delays in one queue would wait behind each other.
- `svcgen.delay` (headers exchange) and `svcgen.delay.<package>.<ms>ms`: delayed publishing. A delayed
  message goes to `svcgen.delay` with the topic as routing key and the `svcgen-delay-exchange` and
  `svcgen-delay-ms` headers; the matching queue holds it for its TTL, then dead-letters it to
  `<package>` keeping the routing key. A headers exchange because a queue dead-letters with the routing
  key the message arrived with: sent straight to the queue it would arrive under the queue's name.
  These queues expire when unused (`x-expires`), so arbitrary delays leave nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable

from aio_pika import ExchangeType
from aio_pika.abc import AbstractChannel

from svcgen_runtime.spec import ConsumerSpec
from svcgen_runtime.transport import dead_letter_queue, retry_delay_s

DELAY_EXCHANGE = "svcgen.delay"
#: Headers of a delayed message on `svcgen.delay` (binding arguments may not start with `x-`).
DELAY_EXCHANGE_HEADER = "svcgen-delay-exchange"
DELAY_MS_HEADER = "svcgen-delay-ms"
#: An unused delay queue lives this much longer than its TTL (see `delay_queue_expires_ms`).
_DELAY_QUEUE_SLACK_MS = 10 * 60 * 1000


def to_ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def retry_queue(queue: str, delay_ms: int) -> str:
    return f"{queue}.retry.{delay_ms}ms"


def delay_queue(exchange: str, delay_ms: int) -> str:
    return f"{DELAY_EXCHANGE}.{exchange}.{delay_ms}ms"


def delay_queue_expires_ms(delay_ms: int) -> int:
    return 2 * delay_ms + _DELAY_QUEUE_SLACK_MS


def retry_delays_ms(spec: ConsumerSpec) -> list[int]:
    """The distinct delays (ms) a consumer's retries use, in order of first use."""
    delays: list[int] = []
    for failed in range(1, spec.retry + 1):
        ms = to_ms(retry_delay_s(spec, failed))
        if ms not in delays:
            delays.append(ms)
    return delays


async def declare_exchanges(channel: AbstractChannel, names: Iterable[str]) -> None:
    for name in dict.fromkeys(names):
        await channel.declare_exchange(name, ExchangeType.TOPIC, durable=True)


async def declare_consumer(channel: AbstractChannel, spec: ConsumerSpec) -> None:
    """The consumer's queue with its bindings, its dead-letter queue and its retry queues (idempotent)."""
    await declare_exchanges(channel, (topic.package for topic in spec.topics))
    queue = await channel.declare_queue(spec.queue, durable=True)
    for topic in spec.topics:
        await queue.bind(topic.package, routing_key=topic.name)
    await channel.declare_queue(dead_letter_queue(spec.queue), durable=True)
    for ms in retry_delays_ms(spec):
        await channel.declare_queue(
            retry_queue(spec.queue, ms),
            durable=True,
            arguments={"x-message-ttl": ms, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": spec.queue},
        )


async def declare_delay(channel: AbstractChannel, exchange: str, delay_ms: int) -> None:
    """The queue that holds messages for `exchange` for `delay_ms`, bound on `svcgen.delay` (idempotent)."""
    await channel.declare_exchange(DELAY_EXCHANGE, ExchangeType.HEADERS, durable=True)
    await declare_exchanges(channel, [exchange])
    queue = await channel.declare_queue(
        delay_queue(exchange, delay_ms),
        durable=True,
        arguments={
            "x-message-ttl": delay_ms,
            "x-dead-letter-exchange": exchange,
            "x-expires": delay_queue_expires_ms(delay_ms),
        },
    )
    await queue.bind(
        DELAY_EXCHANGE,
        arguments={"x-match": "all", DELAY_EXCHANGE_HEADER: exchange, DELAY_MS_HEADER: str(delay_ms)},
    )
