"""What a generated service declares, as data: the transports read these tables, not the code.

The generator writes one `ServiceSpec` per service; the HTTP app, the in-process bus and
later the AMQP worker, scheduler and RPC server all configure themselves from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import TypeAdapter

if TYPE_CHECKING:  # the auth module needs fastapi; a spec without auth must not
    from svcgen_runtime.auth import AuthScheme

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Topic(Generic[T]):
    """A topic: routing key `name` on the exchange of `package`; `payload` is its type."""

    package: str
    name: str
    payload: Any
    _adapter: list[TypeAdapter[T]] = field(default_factory=list, repr=False)

    @property
    def adapter(self) -> TypeAdapter[T]:
        # built on first use: a TypeAdapter per topic at import time would slow startup
        if not self._adapter:
            self._adapter.append(TypeAdapter(self.payload))
        return self._adapter[0]

    @property
    def key(self) -> tuple[str, str]:
        return (self.package, self.name)

    def encode(self, message: T) -> bytes:
        return self.adapter.dump_json(message, by_alias=True)

    def decode(self, data: bytes | str) -> T:
        return self.adapter.validate_json(data)


@dataclass(frozen=True)
class EndpointSpec:
    handler: str
    method: str
    path: str
    status: int
    emits: tuple[Topic[Any], ...] = ()


@dataclass(frozen=True, eq=False)
class RpcSpec:
    """An RPC: served from `queue` (AMQP); `params` is the generated model of its parameters (fields by
    IDL name), `result` its result type (None: no result), `errors` the declared error classes (each with
    a `body` model), matched by class name on the wire; `timeout_s` the declared deadline.

    `auth` is the scheme a caller must present a credential of (None: a public RPC), `verifier` the
    name of the service's method that verifies it (`verify_user`), `scopes` what the claims must grant.
    """

    handler: str
    queue: str
    timeout_s: float | None = None
    params: Any = None
    result: Any = None
    errors: tuple[type[Exception], ...] = ()
    auth: AuthScheme[Any] | None = None
    verifier: str | None = None
    scopes: tuple[str, ...] = ()
    _adapter: list[TypeAdapter[Any]] = field(default_factory=list, repr=False)

    @property
    def result_adapter(self) -> TypeAdapter[Any]:
        if not self._adapter:  # built on first use, like Topic.adapter
            self._adapter.append(TypeAdapter(self.result))
        return self._adapter[0]

    def encode_result(self, value: Any) -> bytes:
        """The reply body: the result as JSON (`null` for no result)."""
        return self.result_adapter.dump_json(value, by_alias=True)

    def decode_result(self, data: bytes | str) -> Any:
        return self.result_adapter.validate_json(data)

    def error(self, name: str) -> type[Exception] | None:
        """The declared error class called `name`, or None (an undeclared name is never looked up elsewhere)."""
        for cls in self.errors:
            if cls.__name__ == name:
                return cls
        return None


@dataclass(frozen=True)
class ConsumerSpec:
    """`retry` attempts after the first, with delays growing from `backoff_min_s` to `backoff_max_s`."""

    handler: str
    pattern: str
    queue: str
    topics: tuple[Topic[Any], ...]
    retry: int = 0
    backoff_min_s: float = 1.0
    backoff_max_s: float = 60.0


@dataclass(frozen=True)
class ScheduleSpec:
    """Exactly one of `cron` (5 or 6 fields) and `interval_s` is set."""

    handler: str
    cron: str | None = None
    interval_s: float | None = None
    overlap: bool = False


@dataclass(frozen=True)
class SocketSpec:
    """`room` names the socket's rooms; the values of `params` (in order) pick one room."""

    handler: str
    path: str
    room: str
    params: tuple[str, ...] = ()


Member = EndpointSpec | RpcSpec | ConsumerSpec | ScheduleSpec | SocketSpec


@dataclass(frozen=True)
class ServiceSpec:
    """`router` names the function in the generated `http` module beside the service class that adds
    its routes to a router (how `svcgen run http` serves a service instance)."""

    package: str
    name: str
    members: tuple[Member, ...]
    router: str | None = None

    def of(self, kind: type[Any]) -> tuple[Any, ...]:
        return tuple(m for m in self.members if isinstance(m, kind))

    @property
    def consumers(self) -> tuple[ConsumerSpec, ...]:
        return tuple(m for m in self.members if isinstance(m, ConsumerSpec))
