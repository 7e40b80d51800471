"""The seam between a generated `<Service>RpcClient` and a transport: `RpcChannel`.

A generated `rpc.py` opens one channel per client with `open_channel(url)`; the URL's
scheme picks the implementation from a registry (`amqp`, `amqps`: RabbitMQ with direct
reply-to, `svcgen_runtime.rpc.amqp`; `grpc`: `svcgen_runtime.rpc.grpc`), imported only
when used, so a client of one transport never needs the other's library. Another module
can add a scheme with `register_scheme`.

What the generated client hands a channel for one call:
- `binding`: the service (its `ServiceSpec`) and `module`, the dotted name of the generated
  package that holds its `service.py` and `rpc.py` (e.g. `generated.tasks.acme_tasks`). A
  transport that needs generated code of its own (gRPC: the compiled stubs) imports it from
  there by its own file-name convention; the AMQP channel needs nothing but the spec.
- `rpc`: the `RpcSpec` (handler, queue, declared timeout, params model, result type, declared
  error classes).
- `params`: an instance of `rpc.params`, already validated on the client (defaults filled).
- `timeout_s`: the deadline of this call in seconds (the declared timeout unless overridden;
  None: no deadline).
- `metadata`: the credential of an RPC that requires an auth scheme, as lower-case name ->
  value (`authorization: Bearer <token>`, or the API key under its lower-cased name: see
  `credentials`); the AMQP channel sends it as message headers, gRPC as call metadata. Empty
  for a public RPC.

`call` returns the decoded result (an instance of `rpc.result`, or None) and raises:
- a declared error of `rpc.errors`, the same class with its typed body;
- `RpcTimeout` when the deadline passes (the call is abandoned; the server drops a request
  whose deadline has passed);
- `RemoteError` for any failure the contract does not declare (a bug in the handler, an
  undecodable request, an error name the client does not know): never a class looked up by
  a name read off the wire;
- `RpcUnavailable` when the transport cannot reach the server (connection refused or lost
  while the call waited);
- `RpcUnauthorized` when the server refused the call's credential (none, or not accepted by
  its verifier), `RpcForbidden` when the credential lacks a scope the RPC requires.
All of them derive from `RpcError` except the declared errors (which derive from the
generated `ApiError`). Concurrent `call`s on one channel run concurrently.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from pydantic import BaseModel

from svcgen_runtime.spec import RpcSpec, ServiceSpec


class RpcError(Exception):
    """Base of the transport-level RPC failures (not of the declared errors)."""


class RpcTimeout(RpcError, TimeoutError):
    """The call's deadline passed before a reply came."""

    def __init__(self, method: str, timeout_s: float) -> None:
        super().__init__(f"{method}: no reply within {timeout_s:g}s")
        self.method = method
        self.timeout_s = timeout_s


class RemoteError(RpcError):
    """The server failed with an error the contract does not declare (or sent a reply that does not decode).

    `name` is the error name the server sent, as text only (never imported); `detail` its message.
    """

    def __init__(self, method: str, name: str, detail: str) -> None:
        super().__init__(f"{method} failed remotely: {name}: {detail}")
        self.method = method
        self.name = name
        self.detail = detail


class RpcUnavailable(RpcError, ConnectionError):
    """The transport could not reach the server, or lost the connection while the call waited."""


class RpcDenied(RpcError):
    """The server refused the call before running it; `detail` says why (the server's words)."""

    def __init__(self, method: str, detail: str) -> None:
        super().__init__(f"{method}: {detail}")
        self.method = method
        self.detail = detail


class RpcUnauthorized(RpcDenied):
    """No credential, or one the server's verifier does not accept (HTTP's 401; gRPC UNAUTHENTICATED)."""


class RpcForbidden(RpcDenied):
    """A valid credential without a scope the RPC requires (HTTP's 403; gRPC PERMISSION_DENIED)."""


@dataclass(frozen=True)
class ServiceBinding:
    """One service as a client sees it: its spec, and `module`, the generated package holding its code."""

    spec: ServiceSpec
    module: str

    @property
    def full_name(self) -> str:
        """`acme.tasks.Tasks`."""
        return f"{self.spec.package}.{self.spec.name}"


class RpcChannel(Protocol):
    """One client's connection to the services behind a URL; see the module docstring for `call`."""

    async def open(self) -> None:
        """Connect (raises RpcUnavailable when the server or broker cannot be reached)."""

    async def call(
        self,
        binding: ServiceBinding,
        rpc: RpcSpec,
        params: BaseModel,
        timeout_s: float | None,
        *,
        metadata: Mapping[str, str] | None = None,
    ) -> Any:
        """One call: the decoded result, or a declared error, RpcTimeout, RemoteError, RpcUnavailable,
        RpcUnauthorized, RpcForbidden."""

    async def close(self) -> None:
        """Stop: calls still waiting raise RpcUnavailable; idempotent."""


#: A channel factory: the URL and the keyword options of `open_channel`.
ChannelFactory = Callable[..., RpcChannel]

#: Scheme -> "module:attribute" of its factory, imported on first use.
_LAZY: dict[str, str] = {
    "amqp": "svcgen_runtime.rpc.amqp:AmqpRpcChannel",
    "amqps": "svcgen_runtime.rpc.amqp:AmqpRpcChannel",
    "grpc": "svcgen_runtime.rpc.grpc:GrpcRpcChannel",
}
_FACTORIES: dict[str, ChannelFactory] = {}


def register_scheme(scheme: str, factory: ChannelFactory | str) -> None:
    """Make `open_channel` use `factory` (or the "module:attribute" naming it) for URLs of `scheme`."""
    if isinstance(factory, str):
        _LAZY[scheme] = factory
        _FACTORIES.pop(scheme, None)
    else:
        _FACTORIES[scheme] = factory


def open_channel(url: str, **options: Any) -> RpcChannel:
    """The channel for `url` (not yet opened: call `await channel.open()`); ValueError for an unknown scheme."""
    scheme = urlsplit(url).scheme.lower()
    factory = _FACTORIES.get(scheme)
    if factory is None:
        where = _LAZY.get(scheme)
        if where is None:
            known = ", ".join(f"{s}://" for s in sorted({*_LAZY, *_FACTORIES}))
            raise ValueError(f"no RPC transport for the URL scheme of {url!r} (known: {known})")
        module_name, _, attr = where.partition(":")
        try:
            factory = getattr(importlib.import_module(module_name), attr)
        except ImportError as exc:
            raise RpcUnavailable(f"the {scheme}:// RPC transport cannot load ({exc})") from None
        _FACTORIES[scheme] = factory
    channel: RpcChannel = factory(url, **options)
    return channel
