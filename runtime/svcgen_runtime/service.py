"""The base of every generated service class: its runtime (bus, hub) and the publish hook."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from svcgen_runtime.bus import LocalBus
from svcgen_runtime.sockets import Hub
from svcgen_runtime.spec import ServiceSpec, Topic

T = TypeVar("T")


class Runtime:
    """What handlers reach through `self`: the bus for `emits`, the hub for sockets."""

    def __init__(self, bus: LocalBus | None = None, hub: Hub | None = None) -> None:
        self.bus = bus or LocalBus()
        self.hub = hub or Hub()


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

    async def publish(self, topic: Topic[T], message: T) -> None:
        """Publish `message` on `topic` (the handler's `emits`); typed by the topic constant."""
        await self.runtime.bus.publish(topic, message)
