"""FastAPI glue shared by generated `http.py` modules: declared errors, 204s, consumers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from svcgen_runtime.service import ServiceBase


class DeclaredError(Protocol):
    status: int
    body: BaseModel


async def _declared_error(request: Request, exc: Exception) -> JSONResponse:
    err: DeclaredError = exc  # type: ignore[assignment]
    return JSONResponse(status_code=err.status, content=err.body.model_dump(mode="json", by_alias=True))


def install_error_handler(app: FastAPI, base: type[Exception]) -> None:
    """Answer every declared error (subclasses of `base`) with its status and typed body."""
    app.add_exception_handler(base, _declared_error)


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
