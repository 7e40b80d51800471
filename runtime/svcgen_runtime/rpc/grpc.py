"""RPC over gRPC: the `grpc.aio` server of `svcgen run grpc` and the `grpc://host:port` channel.

Both read the generated `grpc_service.py` of a service's package (`CODEC`, `SERVICES`), which
sits beside the compiled `<package>_pb2.py` of its `.proto`.

Server: every method decodes its request into the RPC's parameter model (INVALID_ARGUMENT when
it does not validate), calls the handler inside the unit of work (kind "rpc": interceptors,
staged publishing), and answers with the result. A declared error becomes the status mapped from
its HTTP status (`STATUS_CODES`), with its name in the trailing metadata `svcgen-error` and its
JSON body in `svcgen-error-body-bin`; anything else is INTERNAL with `svcgen-error` = the
exception's class name. A call whose deadline passes is cancelled on the server by grpc.
An RPC that requires an auth scheme reads its credential from the call's metadata
(`credentials`) before it parses the request: UNAUTHENTICATED (none, refused by the verifier)
or PERMISSION_DENIED (a scope missing) with the reason as details and no `svcgen-error`; a
verifier that crashes is INTERNAL. The verified claims go into the unit of work.

Channel: the declared timeout is the gRPC deadline of each call. DEADLINE_EXCEEDED raises
RpcTimeout, UNAVAILABLE (refused, reset, server going away) RpcUnavailable, a declared error the
same class with its body, and any other status RemoteError; calls never wait for a server that
is not there (no wait-for-ready). A call's `metadata` (its credential) is sent as gRPC metadata;
UNAUTHENTICATED and PERMISSION_DENIED without `svcgen-error` raise RpcUnauthorized and RpcForbidden.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import typing
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import grpc
from google.protobuf.message import DecodeError
from pydantic import BaseModel, ValidationError

from svcgen_runtime.rpc.channel import (
    RemoteError,
    RpcForbidden,
    RpcTimeout,
    RpcUnauthorized,
    RpcUnavailable,
    ServiceBinding,
)
from svcgen_runtime.rpc.credentials import Refused, authenticate
from svcgen_runtime.rpc.grpc_codec import Codec, GrpcMethod, GrpcService
from svcgen_runtime.service import ServiceBase
from svcgen_runtime.spec import RpcSpec

log = logging.getLogger("svcgen_runtime.rpc.grpc")

MODULE = "grpc_service"  # the generated module beside service.py
ERROR_KEY = "svcgen-error"
BODY_KEY = "svcgen-error-body-bin"

#: HTTP status of a declared error -> gRPC status (Google's HTTP mapping); other 4xx
#: FAILED_PRECONDITION, other 5xx INTERNAL.
STATUS_CODES: dict[int, grpc.StatusCode] = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    409: grpc.StatusCode.ALREADY_EXISTS,
    412: grpc.StatusCode.FAILED_PRECONDITION,
    416: grpc.StatusCode.OUT_OF_RANGE,
    422: grpc.StatusCode.INVALID_ARGUMENT,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    499: grpc.StatusCode.CANCELLED,
    501: grpc.StatusCode.UNIMPLEMENTED,
    503: grpc.StatusCode.UNAVAILABLE,
    504: grpc.StatusCode.DEADLINE_EXCEEDED,
}


def status_code(http_status: int) -> grpc.StatusCode:
    code = STATUS_CODES.get(http_status)
    if code is not None:
        return code
    return grpc.StatusCode.FAILED_PRECONDITION if 400 <= http_status < 500 else grpc.StatusCode.INTERNAL


def generated_module(service: ServiceBase | type[ServiceBase]) -> str:
    """The generated package of a service instance or class: where its generated class's module lives."""
    cls = service if isinstance(service, type) else type(service)
    for klass in cls.__mro__:
        if "spec" in vars(klass) and klass.__module__.endswith(".service"):
            return klass.__module__.rpartition(".")[0]
    raise LookupError(f"{cls.__name__} is not a subclass of a generated service class")


def load(package: str) -> Any:
    """The generated `grpc_service` module of `package`; LookupError when it was not built."""
    try:
        return importlib.import_module(f"{package}.{MODULE}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{package}.{MODULE}":
            raise
        raise LookupError(
            f"{package} has no {MODULE}.py: build with the python-grpc target (the default builds it)"
        ) from None


def service_of(impl: ServiceBase) -> GrpcService | None:
    """The gRPC service of one instance (None when it has no RPCs)."""
    if not impl.spec.of(RpcSpec):
        return None
    module = load(generated_module(impl))
    methods: tuple[GrpcMethod, ...] = module.SERVICES[impl.spec.name]
    return GrpcService(impl, module.CODEC, f"{impl.spec.package}.{impl.spec.name}", methods)


# -- server ---------------------------------------------------------------------------------------


def _handler(service: GrpcService, method: GrpcMethod, rpc: RpcSpec) -> Any:
    impl = service.impl
    codec = service.codec
    handler = getattr(impl, rpc.handler)
    params_model: type[BaseModel] = rpc.params
    names = tuple(params_model.model_fields)
    path = f"/{service.name}/{method.method}"
    request_cls = codec.message_class(method.request)

    async def call(request_bytes: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        # the credential first, the request only then: a caller without a valid credential learns nothing else
        failure: tuple[grpc.StatusCode, str, str, bytes] | None = None
        claims: tuple[object, object] | None = None
        try:
            if rpc.auth is not None:
                claims = await authenticate(impl, rpc, dict(context.invocation_metadata() or ()))
        except Refused as exc:
            code = grpc.StatusCode.UNAUTHENTICATED if exc.status == 401 else grpc.StatusCode.PERMISSION_DENIED
            failure = (code, "", exc.detail, b"")
        except Exception as exc:  # a crashing verifier fails the call; it never lets it through
            log.exception("%s: the verifier failed", path)
            failure = (grpc.StatusCode.INTERNAL, type(exc).__name__, str(exc), b"")
        if failure is None:
            try:
                # the model's own validator, as model_validate calls it (its Python wrapper costs as much as the codec)
                params = params_model.__pydantic_validator__.validate_python(
                    codec.decode(request_cls.FromString(request_bytes))
                )
            except (DecodeError, ValidationError, ValueError, KeyError) as exc:
                failure = (grpc.StatusCode.INVALID_ARGUMENT, "", f"{path}: invalid request: {exc}", b"")
        if failure is None:
            try:
                async with impl.runtime.unit_of_work(impl, rpc.handler, "rpc", claims=claims):
                    result = await handler(**{n: getattr(params, n) for n in names})
            except rpc.errors as err:
                body: BaseModel = getattr(err, "body")  # noqa: B009 - declared errors carry their body model
                status = int(getattr(err, "status", 500))
                name = type(err).__name__
                failure = (
                    status_code(status),
                    name,
                    f"{name}: {body.model_dump_json()}",
                    body.model_dump_json().encode(),
                )
            except Exception as exc:  # undeclared: one remote error, logged here with its traceback
                log.exception("%s failed", path)
                failure = (grpc.StatusCode.INTERNAL, type(exc).__name__, str(exc), b"")
        if failure is not None:
            code, name, details, body_bytes = failure
            metadata: list[tuple[str, str | bytes]] = [(ERROR_KEY, name)] if name else []
            if body_bytes:
                metadata.append((BODY_KEY, body_bytes))
            if metadata:
                context.set_trailing_metadata(tuple(metadata))
            await context.abort(code, details)
        # TypeAdapter.dump_python's own call, without its Python wrapper
        data = rpc.result_adapter.serializer.to_python(result, mode="json", by_alias=True)
        return codec.encode(method.response, {"value": data} if method.wrapped else data)

    # no request_deserializer: the handler parses the request after the credential was verified
    return grpc.unary_unary_rpc_method_handler(call, response_serializer=_serialize)


def _serialize(message: Any) -> bytes:
    data: bytes = message.SerializeToString()
    return data


def generic_handler(service: GrpcService) -> grpc.GenericRpcHandler:
    rpcs = {r.handler: r for r in service.impl.spec.of(RpcSpec)}
    handlers = {m.method: _handler(service, m, rpcs[m.handler]) for m in service.methods}
    return grpc.method_handlers_generic_handler(service.name, handlers)


def build_server(services: Sequence[GrpcService], host: str, port: int) -> tuple[grpc.aio.Server, int]:
    """A grpc.aio server with every service, bound to host:port (the port actually bound is returned)."""
    server = grpc.aio.server()
    server.add_generic_rpc_handlers(tuple(generic_handler(s) for s in services))
    bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise OSError(f"cannot listen on {host}:{port} for gRPC")
    return server, bound


# -- channel --------------------------------------------------------------------------------------


class GrpcRpcChannel:
    """`grpc://host:port`: one HTTP/2 channel; concurrent calls are multiplexed on it."""

    def __init__(self, url: str, *, connect_timeout_s: float = 5.0, **_: Any) -> None:
        parts = urlsplit(url)
        if parts.scheme != "grpc" or not parts.hostname:
            raise ValueError(f"a gRPC URL is grpc://host:port, got {url!r}")
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        self.target = f"{host}:{parts.port or 50051}"
        self.connect_timeout_s = connect_timeout_s
        self._channel: grpc.aio.Channel | None = None
        self._calls: dict[tuple[str, str], tuple[Any, Codec, GrpcMethod]] = {}

    async def open(self) -> None:
        if self._channel is not None:
            return
        channel = grpc.aio.insecure_channel(self.target)
        try:
            await asyncio.wait_for(channel.channel_ready(), self.connect_timeout_s)
        except (TimeoutError, grpc.aio.AioRpcError) as exc:
            await channel.close()
            raise RpcUnavailable(f"gRPC server at {self.target} is not reachable ({type(exc).__name__})") from None
        self._channel = channel

    async def close(self) -> None:
        channel, self._channel = self._channel, None
        self._calls.clear()
        if channel is not None:
            await channel.close()

    def _callable(self, binding: ServiceBinding, rpc: RpcSpec) -> tuple[Any, Codec, GrpcMethod]:
        key = (binding.full_name, rpc.handler)
        found = self._calls.get(key)
        if found is None:
            if self._channel is None:
                raise RpcUnavailable(f"gRPC channel to {self.target} is not open")
            module = load(binding.module)
            codec: Codec = module.CODEC
            method = next(m for m in module.SERVICES[binding.spec.name] if m.handler == rpc.handler)
            stub = self._channel.unary_unary(
                f"/{binding.full_name}/{method.method}",
                request_serializer=_serialize,
                response_deserializer=codec.message_class(method.response).FromString,
            )
            found = self._calls[key] = (stub, codec, method)
        return found

    async def call(
        self,
        binding: ServiceBinding,
        rpc: RpcSpec,
        params: BaseModel,
        timeout_s: float | None,
        *,
        metadata: Mapping[str, str] | None = None,
    ) -> Any:
        stub, codec, method = self._callable(binding, rpc)
        # model_dump(mode="json", by_alias=True) without its Python wrapper: the same serializer call
        request = codec.encode(
            method.request, params.__pydantic_serializer__.to_python(params, mode="json", by_alias=True)
        )
        path = f"{binding.full_name}.{rpc.handler}"
        try:
            response = await stub(request, timeout=timeout_s, metadata=tuple(metadata.items()) if metadata else None)
        except grpc.aio.AioRpcError as exc:
            raise _error(exc, rpc, path, timeout_s) from None
        except asyncio.CancelledError:
            raise
        except grpc.aio.UsageError as exc:  # the channel was closed under the call
            raise RpcUnavailable(f"{path}: {exc}") from None
        data = codec.decode(response)
        try:
            # TypeAdapter.validate_python's own call, without its Python wrapper
            return rpc.result_adapter.validator.validate_python(data.get("value") if method.wrapped else data)
        except ValidationError as exc:
            raise RemoteError(path, "InvalidReply", str(exc)) from None


def _error(exc: grpc.aio.AioRpcError, rpc: RpcSpec, path: str, timeout_s: float | None) -> Exception:
    code = exc.code()
    meta = {k: v for k, v in (exc.trailing_metadata() or ())}
    name = meta.get(ERROR_KEY)
    if isinstance(name, str) and code not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        cls = rpc.error(name)
        body = meta.get(BODY_KEY)
        if cls is not None and isinstance(body, bytes):
            try:
                model = typing.get_type_hints(cls)["body"]
                return cls(model.model_validate_json(body))
            except (ValidationError, KeyError, NameError, json.JSONDecodeError) as bad:
                return RemoteError(path, name, f"undecodable error body: {bad}")
        return RemoteError(path, name, exc.details() or "")
    # a refusal of the credential carries no `svcgen-error` (a declared 401/403 error does)
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return RpcUnauthorized(path, exc.details() or "unauthenticated")
    if code == grpc.StatusCode.PERMISSION_DENIED:
        return RpcForbidden(path, exc.details() or "permission denied")
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return RpcTimeout(path, timeout_s if timeout_s is not None else 0.0)
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED):  # refused, reset, server stopping
        return RpcUnavailable(f"{path}: gRPC server unavailable: {exc.details()}")
    return RemoteError(path, code.name, exc.details() or "")
