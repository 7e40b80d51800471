"""One AMQP connection, kept up by an owned supervisor task.

Deliberately a plain aio-pika connection, not `connect_robust`: robust connections reopen channel
objects in place, and their known failures are consumers that are never restored (aio-pika issues
#231, #626, #334) and acks sent after a recovery with delivery tags of the dead channel (#98). Here a
lost connection is simply gone, with every channel and every delivery tag of it: the supervisor opens
a new `Session`, and each consumer and the publisher open fresh channels on it. A delivery from a dead
channel can never be acked on a new one; the broker redelivers it.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import aio_pika
from aio_pika.abc import AbstractConnection

from svcgen_runtime.transport import TransportUnavailable

log = logging.getLogger("svcgen_runtime.amqp")

#: Pause after a failed connection attempt, doubling up to the maximum.
RECONNECT_MIN_S = 0.2
RECONNECT_MAX_S = 5.0


class BrokerUnavailable(TransportUnavailable):
    """The broker did not accept a connection within the bound."""


def safe_url(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def why_not_connected(exc: BaseException, url: str) -> str:
    """What a failed first connection means for whoever set SVCGEN_AMQP_URL, in a few words."""
    text = str(exc)
    code = getattr(exc, "errno", None)
    args = getattr(exc, "args", ())
    if code is None and args and isinstance(args[0], int):  # aiormq's AMQPConnectionError(errno, text)
        code = args[0]
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if code == errno.ECONNREFUSED or isinstance(exc, ConnectionRefusedError):  # 111 on Linux, 61 on macOS
        return "connection refused (is the broker running, on that host and port?)"
    if isinstance(code, int) and code < 0:  # the resolver's (EAI_*) codes are negative
        return "the host does not resolve to an address"
    if "ACCESS_REFUSED" in text:
        return "the broker refused the login (the user and password in SVCGEN_AMQP_URL)"
    if "Connection.OpenOk" in text and "Connection.Close" in text:  # closed right after the login
        vhost = unquote(urlsplit(url).path[1:]) or "/"
        return f"the broker refused the virtual host '{vhost}' (it does not exist, or the user may not use it)"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@dataclass(eq=False)
class Session:
    """One live connection; `lost` is set once it closes, whatever the reason."""

    connection: AbstractConnection
    number: int
    lost: asyncio.Event = field(default_factory=asyncio.Event)


class Link:
    def __init__(self, url: str, connect_timeout_s: float, name: str) -> None:
        self._url = url
        self._name = name
        self._connect_timeout_s = connect_timeout_s
        self._session: Session | None = None
        self._ready = asyncio.Event()
        self._number = 0
        self._supervisor: asyncio.Task[None] | None = None
        self._closing = False

    async def start(self) -> None:
        """Connect once within the bound (raising BrokerUnavailable), then keep the connection up."""
        try:
            await self._connect()
        except Exception as exc:
            reason = why_not_connected(exc, self._url)
            raise BrokerUnavailable(f"cannot connect to the AMQP broker at {safe_url(self._url)}: {reason}") from exc
        self._supervisor = asyncio.get_running_loop().create_task(self._supervise(), name="svcgen-amqp-link")

    @property
    def connected(self) -> bool:
        return self._ready.is_set()

    async def session(self) -> Session:
        """The live session, waiting for the supervisor to reconnect if there is none (callers bound it)."""
        while True:
            await self._ready.wait()
            session = self._session
            if session is not None and not session.lost.is_set():
                return session
            await asyncio.sleep(0)

    async def close(self, timeout_s: float = 5.0) -> None:
        self._closing = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            await asyncio.wait([self._supervisor], timeout=timeout_s)
            self._supervisor = None
        session, self._session = self._session, None
        self._ready.clear()
        if session is not None and not session.connection.is_closed:
            try:
                await asyncio.wait_for(session.connection.close(), timeout_s)
            except Exception:  # closing anyway: the broker drops what the connection held unacked
                log.debug("closing the AMQP connection failed", exc_info=True)

    async def _connect(self) -> None:
        connection = await aio_pika.connect(
            self._url, timeout=self._connect_timeout_s, client_properties={"connection_name": self._name}
        )
        self._number += 1
        session = Session(connection, self._number)

        def on_close(*_: Any) -> None:
            session.lost.set()
            if self._session is session:
                self._ready.clear()

        connection.close_callbacks.add(on_close)
        self._session = session
        self._ready.set()

    async def _supervise(self) -> None:
        pause = RECONNECT_MIN_S
        while not self._closing:
            session = self._session
            if session is not None:
                await session.lost.wait()
                if self._closing:
                    return
                log.warning("AMQP connection %d lost; reconnecting", session.number)
            try:
                await self._connect()
                pause = RECONNECT_MIN_S
                log.warning("AMQP connection %d up", self._number)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._session = None
                log.warning("AMQP reconnect failed (%s); next try in %.1fs", exc, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, RECONNECT_MAX_S)
