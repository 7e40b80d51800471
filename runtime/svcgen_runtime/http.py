"""FastAPI glue shared by generated `http.py` modules: declared errors, 204s, consumers, apps of services."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol
from urllib.parse import unquote

from fastapi import APIRouter, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, APIWebSocketRoute
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from svcgen_runtime.delivery import exchanges, subscriptions
from svcgen_runtime.service import Runtime, ServiceBase

#: How long an app served on its own (`uvicorn app:app`) lets consumers finish on shutdown.
STANDALONE_GRACE_S = 10.0


class DeclaredError(Protocol):
    status: int
    body: BaseModel


async def _declared_error(request: Request, exc: Exception) -> JSONResponse:
    err: DeclaredError = exc  # type: ignore[assignment]
    return JSONResponse(status_code=err.status, content=err.body.model_dump(mode="json", by_alias=True))


def install_error_handler(app: FastAPI, base: type[Exception]) -> None:
    """Answer every declared error (subclasses of `base`) with its status and typed body,
    a 405 with every method its path serves, and a body that is not JSON with 400; the app's
    routes so far take `/` in a path parameter (see `keep_encoded_slashes`)."""
    app.add_exception_handler(base, _declared_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    keep_encoded_slashes(app)


#: Where `_EncodedSlashes` keeps the decoded path while a request is routed on its raw path.
_DECODED_PATH = "svcgen.decoded_path"


def keep_encoded_slashes(app: FastAPI) -> None:
    """Let the app's HTTP and socket routes (the generated ones: call it after adding them) take a
    path parameter holding `/`, which clients send as `%2F` (docs/wire-format.md).

    The server decodes the path before routing, so `/items/a%2Fb` arrived as `/items/a/b` and
    matched no `/items/{id}`. A request whose raw path has `%2F` is now matched on the raw path
    when one of these routes matches it there, and each of their path parameters is decoded once.
    Other requests, and other routes, are routed as before. Calling it again is harmless.
    """
    for route in app.router.routes:
        if isinstance(route, (APIRoute, APIWebSocketRoute)) and not isinstance(route.app, _DecodePathParams):
            route.app = _DecodePathParams(route.app, frozenset(route.param_convertors))
    if not any(getattr(m, "cls", None) is _EncodedSlashes for m in app.user_middleware):
        app.add_middleware(_EncodedSlashes, router=app.router)


class _DecodePathParams:
    """A route's endpoint that, for a request routed on its raw path, decodes its path parameters."""

    def __init__(self, app: ASGIApp, names: frozenset[str]) -> None:
        self.app = app
        self.names = names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _DECODED_PATH in scope:
            params = {
                k: unquote(v) if k in self.names and isinstance(v, str) else v for k, v in scope["path_params"].items()
            }
            scope = {**scope, "path": scope[_DECODED_PATH], "path_params": params}
        await self.app(scope, receive, send)


class _EncodedSlashes:
    """ASGI middleware: routes a request with `%2F` in its raw path on that raw path when a
    route of `keep_encoded_slashes` matches it there."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path") if scope["type"] in ("http", "websocket") else None
        if raw and (b"%2F" in raw or b"%2f" in raw):
            scope = self._raw(scope, raw.decode("latin-1"))
        await self.app(scope, receive, send)

    def _raw(self, scope: Scope, raw: str) -> Scope:
        if unquote(raw) != scope["path"]:  # not the path the server decoded (a proxy rewrote it): leave it
            return scope
        routed = {**scope, "path": raw, _DECODED_PATH: scope["path"]}
        for route in self.router.routes:
            if (
                isinstance(getattr(route, "app", None), _DecodePathParams)
                and route.matches(routed)[0] is not Match.NONE
            ):
                return routed
        return scope


async def _validation_error(request: Request, exc: Exception) -> Response:
    """FastAPI reports a body that does not parse as JSON as a 422 `json_invalid`; the generated
    OpenAPI and the wire format promise 400 for it. JSON that does not validate stays a 422."""
    assert isinstance(exc, RequestValidationError)
    unparsable = [e for e in exc.errors() if e.get("type") == "json_invalid"]
    if unparsable:
        return JSONResponse(status_code=400, content={"detail": jsonable_encoder(unparsable)})
    return await request_validation_exception_handler(request, exc)


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """Every method some HTTP route of `app` serves at the request's path, sorted."""
    methods: set[str] = set()
    for route in app.router.routes:
        if isinstance(route, BaseRoute) and route.matches(scope)[0] is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette answers a 405 from the first route whose path matched, so `Allow` named only
    that route's methods (`GET` where `GET, POST` are served). RFC 9110 wants them all."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        allowed = allowed_methods(request.app, request.scope)
        if allowed:
            exc = StarletteHTTPException(405, exc.detail, headers={**(exc.headers or {}), "Allow": ", ".join(allowed)})
    return await http_exception_handler(request, exc)


def wire_consumers(services: Sequence[ServiceBase]) -> None:
    """Have each service's consumers run in this process, on its runtime's transport.

    They start with the app (see `lifespan`) unless `svcgen run` manages the runtime.
    """
    for service in services:
        if service not in service.runtime.consumers:
            service.runtime.consumers.append(service)


def lifespan(services: Sequence[ServiceBase]) -> Any:
    """An app served on its own (`uvicorn app:app`) consumes in process on the embedded bus.

    On startup the topology of the runtimes' consumers is declared and they start; on
    shutdown they finish in-flight messages. Under `svcgen run` the runner does that.
    """

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        runtimes: list[Runtime] = []
        for service in services:
            if not service.runtime.managed and service.runtime not in runtimes:
                runtimes.append(service.runtime)
        try:
            for runtime in runtimes:
                runtime.managed = True  # one owner: a second app on this runtime starts nothing
                await start_consumers(runtime, runtime.consumers)
            yield
        finally:
            for runtime in runtimes:
                await runtime.transport.stop(STANDALONE_GRACE_S)
                runtime.managed = False

    return run


async def start_consumers(runtime: Runtime, services: Sequence[ServiceBase]) -> None:
    """Connect, declare the services' topology and start their consumers."""
    subs = [sub for service in services for sub in subscriptions(service)]
    await runtime.transport.start()
    await runtime.transport.declare(subs, exchanges(list(services)))
    if subs:
        await runtime.transport.consume(subs)


def build_app(services: Sequence[ServiceBase]) -> FastAPI:
    """One FastAPI app with the generated routes of every service (what `svcgen run http` serves).

    Each service's routes come from the `http` module beside its generated class, named by
    its spec; declared errors are answered through the build's `ApiError`.
    """
    app = FastAPI(title=", ".join(s.spec.name for s in services))
    installed: list[type[Exception]] = []
    for service in services:
        router, error_base = _generated_http(type(service))
        router(service, app.router)
        if error_base not in installed:
            install_error_handler(app, error_base)
            installed.append(error_base)
    keep_encoded_slashes(app)  # the routes of services added after the first handler was installed
    return app


def _generated_http(cls: type[ServiceBase]) -> tuple[Callable[[Any, APIRouter], APIRouter], type[Exception]]:
    generated: type[ServiceBase] = next(c for c in cls.__mro__ if "spec" in c.__dict__)
    package = generated.__module__.rpartition(".")[0]  # <build>.<idl package>.service -> <build>.<idl package>
    http = importlib.import_module(package + ".http")
    router = getattr(http, generated.spec.router or "", None)
    if router is None:
        raise LookupError(f"{generated.__name__} has no generated HTTP router (rebuild it with this svcgen)")
    root = importlib.import_module(package.rpartition(".")[0] or package)
    return router, root.ApiError
