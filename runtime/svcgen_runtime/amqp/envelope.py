"""Between an AMQP delivery and the transport's `Incoming`, and the copies sent to retry and dead letters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from svcgen_runtime.amqp.topology import DELAY_EXCHANGE_HEADER, DELAY_MS_HEADER
from svcgen_runtime.transport import (
    ATTEMPT_HEADER,
    ERROR_HEADER,
    ORIGINAL_EXCHANGE_HEADER,
    ORIGINAL_ROUTING_KEY_HEADER,
    Incoming,
)

#: What RabbitMQ's dead-lettering and our delay routing add; a copy starts without them, so headers
#: do not grow with every retry.
_TRANSIENT_HEADERS = frozenset(
    {
        "x-death",
        "x-first-death-exchange",
        "x-first-death-queue",
        "x-first-death-reason",
        "x-last-death-exchange",
        "x-last-death-queue",
        "x-last-death-reason",
        DELAY_EXCHANGE_HEADER,
        DELAY_MS_HEADER,
        ERROR_HEADER,
    }
)
#: Error text kept in a dead letter's header (headers share the frame size with everything else).
MAX_ERROR_CHARS = 2000


def text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes | bytearray) else str(value)


def attempt_of(headers: Mapping[str, Any]) -> int:
    value = headers.get(ATTEMPT_HEADER)
    try:
        attempt = int(text(value)) if value is not None else 1
    except ValueError:
        return 1
    return max(attempt, 1)


def origin_of(message: AbstractIncomingMessage) -> tuple[str, str]:
    """Where the message was first published: the headers win over the delivery, which on a retry is
    the default exchange and the consumer queue."""
    headers = message.headers or {}
    exchange = headers.get(ORIGINAL_EXCHANGE_HEADER)
    routing_key = headers.get(ORIGINAL_ROUTING_KEY_HEADER)
    return (
        text(exchange) if exchange is not None else message.exchange or "",
        text(routing_key) if routing_key is not None else message.routing_key or "",
    )


def incoming(queue: str, message: AbstractIncomingMessage) -> Incoming:
    headers = dict(message.headers or {})
    exchange, routing_key = origin_of(message)
    return Incoming(
        queue=queue,
        exchange=exchange,
        routing_key=routing_key,
        body=message.body,
        message_id=message.message_id,
        headers=headers,
        attempt=attempt_of(headers),
    )


def error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def copy(
    message: AbstractIncomingMessage, extra: Mapping[str, Any], drop: frozenset[str] = frozenset()
) -> aio_pika.Message:
    """A persistent copy for a retry or dead-letter queue: same body and properties, origin recorded."""
    exchange, routing_key = origin_of(message)
    headers = {k: v for k, v in (message.headers or {}).items() if k not in _TRANSIENT_HEADERS and k not in drop}
    headers[ORIGINAL_EXCHANGE_HEADER] = exchange
    headers[ORIGINAL_ROUTING_KEY_HEADER] = routing_key
    headers.update(extra)
    return aio_pika.Message(
        message.body,
        headers=headers,
        content_type=message.content_type,
        content_encoding=message.content_encoding,
        message_id=message.message_id,
        correlation_id=message.correlation_id,
        timestamp=message.timestamp,
        type=message.type,
        app_id=message.app_id,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
