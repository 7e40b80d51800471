"""The base of every generated `<Service>RpcClient`: one channel (picked by URL scheme), its lifecycle,
the credentials, `_call`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeAlias

from pydantic import BaseModel

from svcgen_runtime.rpc.channel import RpcChannel, RpcUnauthorized, ServiceBinding, open_channel
from svcgen_runtime.rpc.credentials import credential_metadata
from svcgen_runtime.spec import RpcSpec

if TYPE_CHECKING:
    from svcgen_runtime.auth import AuthScheme

#: A bearer token, or what returns one (a function or a coroutine function): called when first
#: needed, and once more to refresh it when a call is refused as unauthorized.
Token: TypeAlias = str | Callable[[], str | Awaitable[str]]


class RpcClientBase:
    """`async with Client(url) as rpc:` opens the channel and closes it; `open()`/`close()` do the same by hand.

    `token` and `api_key` are the credentials, given once: an RPC that requires a `bearer` scheme
    sends `authorization: Bearer <token>`, one that requires an `apikey` scheme the key under the
    scheme's lower-cased header or query name; a public RPC sends neither. When a call is refused
    as unauthorized and `token` is callable, it is called once more and the call retried once.
    `options` go to the channel's factory (AMQP: `default_timeout_s`, `connect_timeout_s`); `channel`
    replaces the one the URL would pick (tests, a channel shared by several clients).
    """

    binding: ClassVar[ServiceBinding]

    def __init__(
        self,
        url: str,
        *,
        token: Token | None = None,
        api_key: str | None = None,
        channel: RpcChannel | None = None,
        **options: Any,
    ) -> None:
        self.url = url
        self._channel = channel if channel is not None else open_channel(url, **options)
        self._rpcs: dict[str, RpcSpec] = {r.handler: r for r in self.binding.spec.of(RpcSpec)}
        self._token = token
        self._current = token if isinstance(token, str) else None
        self._api_key = api_key
        self._fetching: asyncio.Lock | None = None

    async def open(self) -> None:
        await self._channel.open()

    async def close(self) -> None:
        await self._channel.close()

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _call(self, handler: str, params: BaseModel, timeout: float | None) -> Any:
        rpc = self._rpcs[handler]
        timeout_s = rpc.timeout_s if timeout is None else timeout
        scheme = rpc.auth
        if scheme is None:
            return await self._channel.call(self.binding, rpc, params, timeout_s, metadata={})
        secret = await self._secret(scheme, stale=None)
        try:
            return await self._channel.call(
                self.binding, rpc, params, timeout_s, metadata=credential_metadata(scheme, secret)
            )
        except RpcUnauthorized:
            if scheme.kind != "bearer" or not callable(self._token):
                raise
        secret = await self._secret(scheme, stale=secret)
        return await self._channel.call(
            self.binding, rpc, params, timeout_s, metadata=credential_metadata(scheme, secret)
        )

    async def _secret(self, scheme: AuthScheme[Any], *, stale: str | None) -> str | None:
        """The credential to send under `scheme`. A callable token is called when first needed, and
        again when `stale` (refused as unauthorized) is still the current one; concurrent calls
        share one call of it."""
        if scheme.kind == "apikey":
            return self._api_key
        token = self._token
        if not callable(token):
            return self._current
        if self._current is not None and self._current != stale:
            return self._current
        if self._fetching is None:
            self._fetching = asyncio.Lock()
        async with self._fetching:
            if self._current is None or self._current == stale:
                value = token()
                self._current = value if isinstance(value, str) else await value
        return self._current
