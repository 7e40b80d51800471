"""The seam between the unit of work and a message broker.

A transport moves bytes: it publishes `Outgoing` messages and feeds each `Incoming`
delivery to a `Subscription`. It knows nothing of handlers, models or services; the
unit of work (svcgen_runtime.context) decodes, runs interceptors and the handler, and
stages what the handler publishes. Two implementations honour the same contract and one
behavioural test suite runs against both: the embedded bus (svcgen_runtime.embedded) and
RabbitMQ (svcgen_runtime.amqp).

The contract every transport keeps:
- A subscription's `handle` returning normally means success: the delivery is done
  (acked). `Undeliverable` means the body can never succeed: it goes to the dead letters
  at once, without retry. Any other exception is a failed attempt: retried after a delay
  inside the consumer's backoff while attempts remain (attempt numbers start at 1 and
  `retry` extra attempts follow the first), else dead-lettered with the error text.
- Retry and delay state travels with the message (the `ATTEMPT_HEADER`), never in a
  worker's memory, so it survives restarts and is shared by every worker.
- `publish` returns only once the broker has taken every message (publisher confirms)
  and raises `PublishError` within a bound when it cannot.
- Header names below are public: other teams' hand-written peers read and write them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from svcgen_runtime.spec import ConsumerSpec

#: 1-based number of the attempt a delivery is (absent means 1).
ATTEMPT_HEADER = "x-svcgen-attempt"
#: On a dead letter: why the last attempt failed (exception type and message).
ERROR_HEADER = "x-svcgen-error"
#: On a dead letter: the exchange and routing key the message was first published with.
ORIGINAL_EXCHANGE_HEADER = "x-svcgen-original-exchange"
ORIGINAL_ROUTING_KEY_HEADER = "x-svcgen-original-routing-key"

HeaderValue = str | int | float | bool


class TransportUnavailable(ConnectionError):
    """The broker cannot be reached or refuses the connection; the message says why, in one line
    (`svcgen run` prints it and exits 1)."""


class PublishError(RuntimeError):
    """The broker did not take a message (unreachable, refused, not confirmed in time)."""


class Undeliverable(ValueError):
    """A body that can never be handled (not JSON, or not the topic's type): dead-letter it at once."""


@dataclass(frozen=True)
class Outgoing:
    """One message to publish: `exchange` is the IDL package, `routing_key` the topic name."""

    exchange: str
    routing_key: str
    body: bytes
    message_id: str
    headers: Mapping[str, HeaderValue] = field(default_factory=dict)
    delay_s: float = 0.0
    content_type: str = "application/json"


@dataclass(frozen=True)
class Incoming:
    """One delivery to a consumer's queue.

    `exchange` and `routing_key` are always where the message was first published, also
    on a retry or a requeued dead letter (the transport restores them from the headers),
    so the unit of work can tell which topic of a pattern consumer the body belongs to.
    """

    queue: str
    exchange: str
    routing_key: str
    body: bytes
    message_id: str | None
    headers: Mapping[str, Any]
    attempt: int = 1


@dataclass(frozen=True)
class Subscription:
    """A consumer's queue (from its spec) and the callable that runs one delivery through the unit of work."""

    spec: ConsumerSpec
    handle: Callable[[Incoming], Awaitable[None]]


@dataclass(frozen=True)
class DeadLetter:
    """A message in `<queue>.dlq`, as the operations commands and tests see it."""

    queue: str
    exchange: str
    routing_key: str
    body: bytes
    message_id: str | None
    error: str
    attempts: int
    headers: Mapping[str, Any] = field(default_factory=dict)


def dead_letter_queue(queue: str) -> str:
    """Where the dead letters of consumer queue `queue` go (public name)."""
    return f"{queue}.dlq"


def retry_delay_s(spec: ConsumerSpec, failed_attempt: int) -> float:
    """Delay before the attempt after `failed_attempt` (1-based): doubling from min, capped at max."""
    return float(min(spec.backoff_min_s * 2 ** (failed_attempt - 1), spec.backoff_max_s))


class Transport(Protocol):
    """What the runner needs of a broker; the embedded bus and RabbitMQ both provide it."""

    async def start(self) -> None:
        """Connect (a no-op for the embedded bus)."""

    async def declare(self, subscriptions: Sequence[Subscription], exchanges: Sequence[str]) -> None:
        """Create exchanges, consumer queues, their bindings, retry and dead-letter queues (idempotent)."""

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        """Send every message, confirmed by the broker, or raise PublishError."""

    async def consume(self, subscriptions: Sequence[Subscription]) -> None:
        """Start delivering to the subscriptions; returns once every consumer is running."""

    async def stop(self, grace_s: float) -> None:
        """Stop taking deliveries, let in-flight handlers finish within `grace_s`, leave the rest
        unacknowledged (redelivered to another worker), then close."""

    async def dead_letters(self, queue: str, limit: int | None = None) -> list[DeadLetter]:
        """The dead letters of consumer queue `queue`, oldest first, left in place."""

    async def requeue_dead_letters(self, queue: str) -> int:
        """Publish every dead letter of `queue` again to the queue (body and routing key kept, attempts
        reset); returns how many."""

    async def purge_dead_letters(self, queue: str) -> int:
        """Drop every dead letter of `queue`; returns how many."""
