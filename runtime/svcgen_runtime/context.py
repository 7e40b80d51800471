"""The unit of work: one context around every HTTP request and every consumed message.

Each entry point adapts its input into a `Context` and runs the handler inside
`unit_of_work(...)`: the runtime's interceptors (ordered async context managers) wrap
the handler, hooks (`use_context()`, `use_publisher()`) read the current context, and
what the handler publishes is staged and sent only once the handler and every
interceptor have finished without an exception. A handler that raises publishes nothing.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from datetime import timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from svcgen_runtime.spec import Topic
from svcgen_runtime.transport import Incoming, Outgoing

if TYPE_CHECKING:
    from svcgen_runtime.service import Runtime, ServiceBase

T = TypeVar("T")
Kind = Literal["http", "message", "schedule", "rpc"]


@dataclass
class Context:
    """What one unit of work knows: who runs, why, and what it has staged so far.

    `incoming` is the delivery for a consumed message (None for HTTP); `values` is free
    room for interceptors (a session, a span, a user) that hooks of their own can read.
    """

    service: ServiceBase
    handler: str
    kind: Kind
    incoming: Incoming | None = None
    staged: list[Outgoing] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    closed: bool = False

    @property
    def runtime(self) -> Runtime:
        return self.service.runtime


#: An interceptor gets the context and returns an async context manager wrapped around the handler.
Interceptor = Callable[[Context], AbstractAsyncContextManager[None]]

_current: ContextVar[Context | None] = ContextVar("svcgen_unit_of_work", default=None)


def current() -> Context | None:
    """The open unit of work of this task, if any (a finished one does not count)."""
    ctx = _current.get()
    return ctx if ctx is not None and not ctx.closed else None


def use_context() -> Context:
    """The current unit of work; raises LookupError outside one (a script, a background task)."""
    ctx = current()
    if ctx is None:
        raise LookupError("use_context() called outside a unit of work (no request or message is being handled)")
    return ctx


def outgoing(topic: Topic[T], message: T, delay: timedelta | None = None) -> Outgoing:
    """The wire form of one message: exchange = package, routing key = topic name, a fresh id."""
    delay_s = 0.0 if delay is None else max(delay.total_seconds(), 0.0)
    return Outgoing(topic.package, topic.name, topic.encode(message), uuid.uuid4().hex, delay_s=delay_s)


class Publisher:
    """Publishes through a unit of work (staged) or, without one, at once through `runtime`."""

    def __init__(self, runtime: Runtime, context: Context | None) -> None:
        self._runtime = runtime
        self._context = context

    async def publish(self, topic: Topic[T], message: T, delay: timedelta | None = None) -> None:
        out = outgoing(topic, message, delay)
        ctx = self._context
        if ctx is not None and not ctx.closed:
            ctx.staged.append(out)
        else:  # no unit of work (a script), or it has ended: nothing would ever flush a staged message
            await self._runtime.transport.publish([out])


def use_publisher() -> Publisher:
    """A publisher that stages into the current unit of work (raises LookupError outside one)."""
    ctx = use_context()
    return Publisher(ctx.runtime, ctx)


class UnitOfWork:
    """Run the body as one unit of work of `service.handler`, then flush what it staged.

    The flush comes after every interceptor has exited, so an interceptor that commits a
    transaction has committed before anything is announced. If the body raises, the staged
    messages are dropped and the exception propagates even if an interceptor would swallow
    it: the entry point (HTTP, the transport's retry) must see the failure. `__aexit__`
    returns None so type checkers know no exception is swallowed here.
    """

    def __init__(self, service: ServiceBase, handler: str, kind: Kind, incoming: Incoming | None = None) -> None:
        self.context = Context(service, handler, kind, incoming)
        self._stack: AsyncExitStack | None = None  # only when there are interceptors to enter
        self._token: Token[Context | None] | None = None

    async def __aenter__(self) -> Context:
        ctx = self.context
        self._token = _current.set(ctx)
        interceptors = ctx.service.runtime.interceptors
        if interceptors:
            self._stack = AsyncExitStack()
            try:
                for interceptor in interceptors:
                    await self._stack.enter_async_context(interceptor(ctx))
            except BaseException:
                await self._close(*sys.exc_info())
                raise
        return ctx

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._close(exc_type, exc, tb)
        if exc is not None:
            return  # the exception propagates: nothing staged is published
        ctx = self.context
        staged, ctx.staged = ctx.staged, []
        if staged:
            await ctx.service.runtime.transport.publish(staged)

    async def _close(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._stack is not None:
                await self._stack.__aexit__(exc_type, exc, tb)
        finally:
            self.context.closed = True  # from here on, publish() sends at once instead of staging
            if self._token is not None:
                _current.reset(self._token)
                self._token = None


def unit_of_work(service: ServiceBase, handler: str, kind: Kind, incoming: Incoming | None = None) -> UnitOfWork:
    """`async with unit_of_work(...) as ctx:` around one handler call (see UnitOfWork)."""
    return UnitOfWork(service, handler, kind, incoming)
