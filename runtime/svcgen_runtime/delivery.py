"""The delivery adapter: one `Subscription` per consumer of a service, for any transport.

A delivery's (exchange, routing key) picks the topic among those the consumer's pattern
resolved to; the body is decoded against that topic's type (a failure is `Undeliverable`:
dead-lettered at once, never retried) and the handler runs inside the unit of work, whose
staged messages are published once it has succeeded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError

from svcgen_runtime.service import ServiceBase
from svcgen_runtime.spec import ConsumerSpec, Topic
from svcgen_runtime.transport import Incoming, Subscription, Undeliverable


def subscriptions(service: ServiceBase) -> list[Subscription]:
    """A subscription for each consumer the service declares, in declaration order."""
    return [Subscription(spec, _handler(service, spec)) for spec in service.spec.consumers]


def exchanges(services: list[ServiceBase]) -> list[str]:
    """Every exchange the services publish to or consume from: their packages and their topics' packages."""
    names: dict[str, None] = {}
    for service in services:
        names[service.spec.package] = None
        for member in service.spec.members:
            for topic in getattr(member, "topics", ()) + getattr(member, "emits", ()):
                names[topic.package] = None
    return list(names)


def _handler(service: ServiceBase, spec: ConsumerSpec) -> Callable[[Incoming], Awaitable[None]]:
    topics: dict[tuple[str, str], Topic[Any]] = {t.key: t for t in spec.topics}
    method: Callable[[Any], Awaitable[None]] = getattr(service, spec.handler)

    async def handle(incoming: Incoming) -> None:
        topic = topics.get((incoming.exchange, incoming.routing_key))
        if topic is None:
            raise Undeliverable(
                f"{spec.queue} takes no topic {incoming.routing_key!r} on exchange {incoming.exchange!r}"
            )
        try:
            message = topic.decode(incoming.body)
        except (ValidationError, ValueError, UnicodeDecodeError) as exc:
            raise Undeliverable(f"body is not a valid {topic.name}: {_first_error(exc)}") from exc
        async with service.runtime.unit_of_work(service, spec.handler, "message", incoming):
            await method(message)

    return handle


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and exc.errors():
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        return f"{where}: {err.get('msg')}" if where else str(err.get("msg"))
    return str(exc)
