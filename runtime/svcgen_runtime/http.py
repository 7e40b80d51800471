"""FastAPI glue shared by generated `http.py` modules: declared errors, 204s, consumers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from svcgen_runtime.service import ServiceBase


class DeclaredError(Protocol):
    status: int
    body: BaseModel


async def _declared_error(request: Request, exc: Exception) -> JSONResponse:
    err: DeclaredError = exc  # type: ignore[assignment]
    return JSONResponse(status_code=err.status, content=err.body.model_dump(mode="json", by_alias=True))


def install_error_handler(app: FastAPI, base: type[Exception]) -> None:
    """Answer every declared error (subclasses of `base`) with its status and typed body,
    and a 405 with every method its path serves."""
    app.add_exception_handler(base, _declared_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


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
    """Subscribe each service's consumers on its runtime's bus."""
    for service in services:
        for spec in service.spec.consumers:
            service.runtime.bus.subscribe(spec, getattr(service, spec.handler))


def lifespan(services: Sequence[ServiceBase]) -> Any:
    """Drain in-flight deliveries on shutdown so no emitted message is cut off."""

    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        yield
        for service in services:
            await service.runtime.bus.drain()

    return run
