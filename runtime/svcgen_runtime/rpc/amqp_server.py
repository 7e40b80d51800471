"""Serving RPCs over RabbitMQ: one durable queue per RPC, replies by direct reply-to (see `wire`).

The server keeps itself attached like a consumer: on every live session of its own connection
it opens one channel, declares every RPC queue (idempotent), and consumes them with a prefetch of
`concurrency` per queue, which bounds the calls one RPC runs at once. Each request runs inside the
unit of work (kind `rpc`, the runtime's interceptors) and is cancelled when its deadline passes;
a request whose deadline has already passed is dropped. A request is acked after its reply was
sent, so one in flight when a server dies is redelivered to another (within its deadline).
An RPC that requires an auth scheme reads the credential from the request's headers and verifies
it before decoding the parameters (`credentials`); a refusal is replied as `unauthorized` or
`forbidden`, and the verified claims go into the unit of work (`use_claims`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from pydantic import BaseModel, ValidationError

from svcgen_runtime.amqp.connection import Link
from svcgen_runtime.amqp.consumer import _setter
from svcgen_runtime.rpc.credentials import Refused, authenticate, without_credential
from svcgen_runtime.rpc.wire import (
    DEADLINE_HEADER,
    ERROR,
    ERROR_HEADER,
    FAIL,
    FORBIDDEN,
    OK,
    STATUS_HEADER,
    UNAUTHORIZED,
    now_ms,
)
from svcgen_runtime.service import ServiceBase
from svcgen_runtime.spec import RpcSpec
from svcgen_runtime.transport import Incoming

log = logging.getLogger("svcgen_runtime.rpc")

REATTACH_PAUSE_S = 0.5


def rpc_queues(services: Sequence[ServiceBase]) -> list[str]:
    return [r.queue for s in services for r in s.spec.of(RpcSpec)]


def deadline_of(message: AbstractIncomingMessage) -> int | None:
    raw = (message.headers or {}).get(DEADLINE_HEADER)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return int(raw)
    if isinstance(raw, (str, bytes)):
        try:
            return int(raw)
        except ValueError:
            return None
    return None


class AmqpRpcServer:
    """Serves every RPC of `services` from `url` until `stop`."""

    def __init__(
        self,
        url: str,
        services: Sequence[ServiceBase],
        concurrency: int = 32,
        connect_timeout_s: float = 5.0,
        name: str | None = None,
    ) -> None:
        self._link = Link(url, connect_timeout_s, name or f"svcgen rpc pid {os.getpid()}")
        self._routes: dict[str, tuple[ServiceBase, RpcSpec]] = {
            r.queue: (s, r) for s in services for r in s.spec.of(RpcSpec)
        }
        self._concurrency = concurrency
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._channel: AbstractChannel | None = None
        self._tags: list[tuple[Any, str]] = []
        self._stopping = False
        self.attached = asyncio.Event()
        self.served = 0

    @property
    def queues(self) -> list[str]:
        return list(self._routes)

    async def start(self) -> None:
        """Connect (BrokerUnavailable if the broker cannot be reached) and start consuming."""
        await self._link.start()
        self._runner = asyncio.get_running_loop().create_task(self._run(), name="svcgen-rpc-server")
        try:
            await asyncio.wait_for(asyncio.shield(self.attached.wait()), 10.0)
        except TimeoutError:
            log.warning("RPC queues not consuming yet after 10s; still trying")

    async def stop(self, grace_s: float) -> None:
        """Stop taking requests, let running calls finish within `grace_s` (the rest stay unacked), close."""
        self._stopping = True
        channel = self._channel
        if channel is not None and not channel.is_closed:
            for queue, tag in self._tags:
                try:
                    await asyncio.wait_for(queue.cancel(tag), 5.0)
                except Exception:
                    log.debug("cancelling the RPC consumer failed", exc_info=True)
        if self._tasks:
            _, pending = await asyncio.wait(list(self._tasks), timeout=grace_s)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=5.0)
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.wait([self._runner], timeout=5.0)
        if channel is not None and not channel.is_closed:
            try:
                await asyncio.wait_for(channel.close(), 5.0)
            except Exception:
                log.debug("closing the RPC channel failed", exc_info=True)
        await self._link.close(5.0)

    async def _run(self) -> None:
        while not self._stopping:
            session = await self._link.session()
            try:
                channel = await session.connection.channel()
                await channel.set_qos(prefetch_count=self._concurrency)
                lost = asyncio.Event()
                channel.close_callbacks.add(_setter(lost))
                self._tags = []
                for queue_name in self._routes:
                    queue = await channel.declare_queue(queue_name, durable=True)
                    tag = await queue.consume(self._on_message(channel))
                    self._tags.append((queue, tag))
                self._channel = channel
                self.attached.set()
                lost_session = asyncio.ensure_future(session.lost.wait())
                lost_channel = asyncio.ensure_future(lost.wait())
                try:
                    await asyncio.wait([lost_session, lost_channel], return_when=asyncio.FIRST_COMPLETED)
                finally:
                    lost_session.cancel()
                    lost_channel.cancel()
                self.attached.clear()
                if not self._stopping:
                    log.warning("RPC channel lost; attaching again")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.attached.clear()
                if self._stopping:
                    return
                log.warning("RPC server could not attach (%s); retrying", exc)
                await asyncio.sleep(REATTACH_PAUSE_S)

    def _on_message(self, channel: AbstractChannel) -> Callable[[AbstractIncomingMessage], Awaitable[None]]:
        async def on_message(message: AbstractIncomingMessage) -> None:
            task = asyncio.get_running_loop().create_task(self._serve(channel, message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        return on_message

    async def _serve(self, channel: AbstractChannel, message: AbstractIncomingMessage) -> None:
        route = self._routes.get(message.routing_key or "")
        deadline = deadline_of(message)
        try:
            if route is None:  # not one of ours (cannot happen: we consume only our queues)
                return
            if deadline is not None and now_ms() >= deadline:
                log.info("dropped a request to %s: its deadline passed %d ms ago", route[1].queue, now_ms() - deadline)
                return
            reply = await self._call(route[0], route[1], message, deadline)
            if reply is not None and message.reply_to and not channel.is_closed:
                status, name, body = reply
                headers: dict[str, Any] = {STATUS_HEADER: status}
                if name:
                    headers[ERROR_HEADER] = name
                await channel.default_exchange.publish(
                    aio_pika.Message(
                        body,
                        content_type="application/json",
                        correlation_id=message.correlation_id,
                        headers=headers,
                        delivery_mode=aio_pika.DeliveryMode.NOT_PERSISTENT,
                    ),
                    routing_key=message.reply_to,
                )
        except asyncio.CancelledError:
            raise  # stopping past the grace period: unacked, redelivered
        except Exception:
            log.exception("answering a request on %s failed", message.routing_key)
        finally:
            if not channel.is_closed and not asyncio.current_task().cancelling():  # type: ignore[union-attr]
                try:
                    await message.ack()
                except Exception:
                    log.debug("ack failed (channel gone: the broker redelivers)", exc_info=True)
        self.served += 1

    async def _call(
        self, service: ServiceBase, rpc: RpcSpec, message: AbstractIncomingMessage, deadline: int | None
    ) -> tuple[str, str, bytes] | None:
        """(status, error name, body) of the reply, or None when the deadline passed while running."""
        headers = message.headers or {}
        loop = asyncio.get_running_loop()
        when = None if deadline is None else loop.time() + (deadline - now_ms()) / 1000
        timer = asyncio.timeout_at(when)
        try:
            async with timer:
                # before the parameters are decoded: a caller without a valid credential learns nothing else
                claims = await authenticate(service, rpc, headers)
                try:
                    params: BaseModel = rpc.params.model_validate_json(message.body)
                except (ValidationError, ValueError) as exc:
                    detail = f"the request is not valid {rpc.handler} parameters: {exc}"
                    return FAIL, "BadRequest", _fail("BadRequest", detail)
                kwargs = {name: getattr(params, name) for name in type(params).model_fields}
                method = getattr(service, rpc.handler)
                incoming = Incoming(
                    rpc.queue,
                    message.exchange or "",
                    message.routing_key or "",
                    message.body,
                    message.message_id,
                    without_credential(rpc, headers),
                )
                async with service.runtime.unit_of_work(service, rpc.handler, "rpc", incoming, claims):
                    result = await method(**kwargs)
            return OK, "", rpc.encode_result(result)
        except Refused as exc:
            name = "Unauthorized" if exc.status == 401 else "Forbidden"
            log.info("%s refused: %s", rpc.queue, exc.detail)
            return (UNAUTHORIZED if exc.status == 401 else FORBIDDEN), name, _fail(name, exc.detail)
        except TimeoutError:
            if timer.expired():
                log.info("%s ran past its deadline: cancelled, no reply", rpc.queue)
                return None
            return _failure(rpc, TimeoutError("handler timed out"))
        except rpc.errors as exc:
            body = getattr(exc, "body", None)
            data = body.model_dump_json(by_alias=True).encode() if isinstance(body, BaseModel) else b"{}"
            return ERROR, type(exc).__name__, data
        except Exception as exc:  # a crashing verifier too: a failure, never a pass
            return _failure(rpc, exc)


def _failure(rpc: RpcSpec, exc: Exception) -> tuple[str, str, bytes]:
    log.error("%s failed", rpc.queue, exc_info=exc)
    name = type(exc).__name__
    return FAIL, name, _fail(name, str(exc))


def _fail(name: str, detail: str) -> bytes:
    return json.dumps({"error": name, "detail": detail[:1000]}).encode()
