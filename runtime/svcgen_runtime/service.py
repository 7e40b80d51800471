"""The base of every generated service class: its runtime (transport, hub, interceptors) and publish."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import ClassVar, TypeVar

from svcgen_runtime.context import Interceptor, Kind, Publisher, UnitOfWork, current
from svcgen_runtime.embedded import EmbeddedBus
from svcgen_runtime.sockets import Hub
from svcgen_runtime.spec import ServiceSpec, Topic
from svcgen_runtime.transport import Incoming, Transport

T = TypeVar("T")


class Runtime:
    """What handlers reach through `self`: the transport for `emits`, the hub for sockets, and the
    interceptors every unit of work runs (HTTP requests and consumed messages alike).

    `managed` is set by the runner (`svcgen run`): it then owns the transport's lifecycle, and an
    app made by a generated `create_app` does not start consumers of its own.
    """

    def __init__(
        self,
        transport: Transport | None = None,
        hub: Hub | None = None,
        interceptors: Sequence[Interceptor] = (),
    ) -> None:
        self.transport: Transport = transport if transport is not None else EmbeddedBus()
        self.hub = hub or Hub()
        self.interceptors: list[Interceptor] = list(interceptors)
        self.consumers: list[ServiceBase] = []  # services whose consumers run in this process
        self.managed = False

    def intercept(self, interceptor: Interceptor) -> Interceptor:
        """Add an interceptor after those already registered (usable as a decorator)."""
        self.interceptors.append(interceptor)
        return interceptor

    def unit_of_work(
        self,
        service: ServiceBase,
        handler: str,
        kind: Kind = "http",
        incoming: Incoming | None = None,
        claims: tuple[object, object] | None = None,
    ) -> UnitOfWork:
        """The unit of work around one call of `service.handler` (generated routes use this);
        `claims` is (scheme, verified claims) of a member that requires authentication."""
        uow = UnitOfWork(service, handler, kind, incoming)
        if claims is not None:
            uow.context.values["svcgen.claims"] = claims  # svcgen_runtime.auth.CLAIMS_KEY
        return uow


class ServiceBase:
    """Generated service classes derive from this; users subclass those (no __init__ needed)."""

    spec: ClassVar[ServiceSpec]
    _runtime: Runtime | None = None

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            self._runtime = Runtime()
        return self._runtime

    def attach(self, runtime: Runtime) -> None:
        """Share one runtime between services served by one process."""
        self._runtime = runtime

    async def publish(self, topic: Topic[T], message: T, delay: timedelta | None = None) -> None:
        """Publish `message` on `topic` (the handler's `emits`); typed by the topic constant.

        Inside a handler the message is staged and sent once the handler has succeeded;
        outside one (a script) it is sent at once. `delay` holds it back that long.
        """
        await Publisher(self.runtime, current()).publish(topic, message, delay)
