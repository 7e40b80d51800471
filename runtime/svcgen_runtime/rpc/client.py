"""The base of every generated `<Service>RpcClient`: one channel (picked by URL scheme), its lifecycle, `_call`."""

from __future__ import annotations

from types import TracebackType
from typing import Any, ClassVar, Self

from pydantic import BaseModel

from svcgen_runtime.rpc.channel import RpcChannel, ServiceBinding, open_channel
from svcgen_runtime.spec import RpcSpec


class RpcClientBase:
    """`async with Client(url) as rpc:` opens the channel and closes it; `open()`/`close()` do the same by hand.

    `options` go to the channel's factory (AMQP: `default_timeout_s`, `connect_timeout_s`); `channel`
    replaces the one the URL would pick (tests, a channel shared by several clients).
    """

    binding: ClassVar[ServiceBinding]

    def __init__(self, url: str, *, channel: RpcChannel | None = None, **options: Any) -> None:
        self.url = url
        self._channel = channel if channel is not None else open_channel(url, **options)
        self._rpcs: dict[str, RpcSpec] = {r.handler: r for r in self.binding.spec.of(RpcSpec)}

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
        return await self._channel.call(self.binding, rpc, params, rpc.timeout_s if timeout is None else timeout)
