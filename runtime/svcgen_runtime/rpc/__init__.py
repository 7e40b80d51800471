"""RPC: the channel interface and its errors (`channel`), RabbitMQ (`amqp`: server and channel), gRPC (`grpc`).

A generated `<Service>RpcClient` (in the package's `rpc.py`) opens a channel by URL scheme.
"""

from svcgen_runtime.rpc.channel import (
    RemoteError,
    RpcChannel,
    RpcDenied,
    RpcError,
    RpcForbidden,
    RpcTimeout,
    RpcUnauthorized,
    RpcUnavailable,
    ServiceBinding,
    open_channel,
    register_scheme,
)

__all__ = [
    "RemoteError",
    "RpcChannel",
    "RpcDenied",
    "RpcError",
    "RpcForbidden",
    "RpcTimeout",
    "RpcUnauthorized",
    "RpcUnavailable",
    "ServiceBinding",
    "open_channel",
    "register_scheme",
]
