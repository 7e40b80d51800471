"""`AmqpRpcChannel`: RPC calls over RabbitMQ with direct reply-to (the wire is in `wire`).

One connection and one channel per client; replies arrive on that channel's consumer of
`amq.rabbitmq.reply-to` (one consumer per client, no queue per call) and are matched to
their call by correlation id, so any number of calls run at once without a lock. The
RPC queue is declared (durable, idempotently) before the first call to it on a connection,
so a request waits for a server that has not started yet, up to its deadline (its
`expiration`). A lost connection fails every waiting call with `RpcUnavailable` (a reply
can only come back on the channel that sent the request); the next call reconnects.
A call's `metadata` (its credential) travels as headers of the request; a reply with status
`unauthorized` or `forbidden` raises RpcUnauthorized or RpcForbidden.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import typing
import uuid
from collections.abc import Mapping
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage
from pydantic import BaseModel, ValidationError

from svcgen_runtime.rpc.channel import (
    RemoteError,
    RpcForbidden,
    RpcTimeout,
    RpcUnauthorized,
    RpcUnavailable,
    ServiceBinding,
)
from svcgen_runtime.rpc.wire import (
    DEADLINE_HEADER,
    ERROR,
    ERROR_HEADER,
    FORBIDDEN,
    OK,
    REPLY_TO,
    STATUS_HEADER,
    UNAUTHORIZED,
    now_ms,
)
from svcgen_runtime.spec import RpcSpec

log = logging.getLogger("svcgen_runtime.rpc")


class _Link:
    """One connection, its channel and the reply consumer; `lost` fails the calls waiting on it."""

    def __init__(self, connection: AbstractConnection, channel: AbstractChannel) -> None:
        self.connection = connection
        self.channel = channel
        self.pending: dict[str, asyncio.Future[AbstractIncomingMessage]] = {}
        self.declared: set[str] = set()
        self.alive = True

    def on_reply(self, message: AbstractIncomingMessage) -> None:
        future = self.pending.get(message.correlation_id or "")
        if future is not None and not future.done():
            future.set_result(message)

    def lose(self, why: str) -> None:
        self.alive = False
        for future in self.pending.values():
            if not future.done():
                future.set_exception(RpcUnavailable(why))


class AmqpRpcChannel:
    """`url` is an `amqp://` or `amqps://` URL; `default_timeout_s` is the deadline of an RPC that declares none."""

    def __init__(
        self, url: str, *, default_timeout_s: float = 30.0, connect_timeout_s: float = 5.0, name: str | None = None
    ) -> None:
        self._url = url
        self._default_timeout_s = default_timeout_s
        self._connect_timeout_s = connect_timeout_s
        self._name = name or f"svcgen rpc client pid {os.getpid()}"
        self._link: _Link | None = None
        self._connecting: asyncio.Lock | None = None
        self._closed = False

    async def open(self) -> None:
        await self._live()

    async def close(self) -> None:
        self._closed = True
        link, self._link = self._link, None
        if link is not None:
            link.lose("the RPC client was closed")
            try:
                await asyncio.wait_for(link.connection.close(), 5.0)
            except Exception:
                log.debug("closing the RPC connection failed", exc_info=True)

    async def _live(self) -> _Link:
        link = self._link
        if link is not None and link.alive:
            return link
        if self._closed:
            raise RpcUnavailable("the RPC client is closed")
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:  # only connecting is serialized, never the calls
            link = self._link
            if link is not None and link.alive:
                return link
            self._link = link = await self._connect()
            return link

    async def _connect(self) -> _Link:
        try:
            connection = await aio_pika.connect(
                self._url, timeout=self._connect_timeout_s, client_properties={"connection_name": self._name}
            )
        except Exception as exc:
            raise RpcUnavailable(f"cannot connect to the AMQP broker: {exc}") from exc
        try:
            channel = await connection.channel(publisher_confirms=False)
            link = _Link(connection, channel)
            reply_queue = await channel.get_queue(REPLY_TO, ensure=False)

            async def on_reply(message: AbstractIncomingMessage) -> None:
                link.on_reply(message)

            await reply_queue.consume(on_reply, no_ack=True)
        except Exception as exc:
            await connection.close()
            raise RpcUnavailable(f"cannot open the RPC reply channel: {exc}") from exc
        connection.close_callbacks.add(lambda *_: link.lose("the AMQP connection was lost while waiting for a reply"))
        channel.close_callbacks.add(lambda *_: link.lose("the AMQP channel was closed while waiting for a reply"))
        return link

    async def call(
        self,
        binding: ServiceBinding,
        rpc: RpcSpec,
        params: BaseModel,
        timeout_s: float | None,
        *,
        metadata: Mapping[str, str] | None = None,
    ) -> Any:
        timeout = self._default_timeout_s if timeout_s is None else timeout_s
        method = f"{binding.full_name}.{rpc.handler}"
        body = params.model_dump_json(by_alias=True).encode()
        loop = asyncio.get_running_loop()
        correlation_id = uuid.uuid4().hex
        link: _Link | None = None
        try:
            async with asyncio.timeout(timeout):
                deadline = now_ms() + int(timeout * 1000)
                link = await self._live()
                future: asyncio.Future[AbstractIncomingMessage] = loop.create_future()
                link.pending[correlation_id] = future
                if rpc.queue not in link.declared:
                    await link.channel.declare_queue(rpc.queue, durable=True)
                    link.declared.add(rpc.queue)
                message = aio_pika.Message(
                    body,
                    content_type="application/json",
                    correlation_id=correlation_id,
                    reply_to=REPLY_TO,
                    headers={**(metadata or {}), DEADLINE_HEADER: deadline},
                    expiration=max(timeout, 0.001),
                    delivery_mode=aio_pika.DeliveryMode.NOT_PERSISTENT,
                )
                await link.channel.default_exchange.publish(message, routing_key=rpc.queue)
                reply = await future
        except TimeoutError:
            raise RpcTimeout(method, timeout) from None
        except RpcUnavailable:
            raise
        except (aio_pika.exceptions.AMQPError, ConnectionError) as exc:
            if link is not None:
                link.lose(str(exc))
            raise RpcUnavailable(f"{method}: {exc}") from exc
        finally:
            if link is not None:
                waiting = link.pending.pop(correlation_id, None)
                if waiting is not None and waiting.done() and not waiting.cancelled():
                    waiting.exception()  # retrieved: a loss that came while publishing is raised above
        return _decode(method, rpc, reply)


def _decode(method: str, rpc: RpcSpec, reply: AbstractIncomingMessage) -> Any:
    headers = reply.headers or {}
    status = _text(headers.get(STATUS_HEADER))
    name = _text(headers.get(ERROR_HEADER))
    try:
        if status == OK:
            return rpc.decode_result(reply.body)
        if status == ERROR:
            cls = rpc.error(name)
            if cls is not None:
                body_type = _body_type(cls)
                raise cls(body_type.model_validate_json(reply.body))
    except ValidationError as exc:
        raise RemoteError(method, "BadReply", f"the reply does not decode: {exc}") from None
    detail = reply.body.decode("utf-8", "replace")
    try:
        parsed = json.loads(detail)
        if isinstance(parsed, dict) and isinstance(parsed.get("detail"), str):
            detail = parsed["detail"]
    except ValueError:
        pass
    if status == UNAUTHORIZED:
        raise RpcUnauthorized(method, detail)
    if status == FORBIDDEN:
        raise RpcForbidden(method, detail)
    if status == ERROR:
        detail = f"undeclared error {name!r}: {detail}"
    elif status != "fail":
        detail = f"a reply with status {status!r}: {detail}"
    return _raise(RemoteError(method, name or "UnknownError", detail))


def _raise(exc: Exception) -> Any:
    raise exc


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


_BODIES: dict[type[Exception], type[BaseModel]] = {}


def _body_type(cls: type[Exception]) -> type[BaseModel]:
    """The body model of a generated error class (its `body` annotation), cached."""
    body = _BODIES.get(cls)
    if body is None:
        hint = typing.get_type_hints(cls).get("body")
        if not (isinstance(hint, type) and issubclass(hint, BaseModel)):
            raise TypeError(f"{cls.__name__} has no body model")
        _BODIES[cls] = body = hint
    return body
