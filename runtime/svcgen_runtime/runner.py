"""Running services: load a `module:attribute` target, pick the transport, serve a role until SIGTERM.

Roles: `http` serves the generated routes (uvicorn), `worker` consumes, `scheduler` fires the
`every` schedules (once per cluster, see svcgen_runtime.scheduler), `all` does all of them in
one process. Every role declares the topology first (idempotent), so messages published
before a worker starts wait in their queues. On SIGTERM or SIGINT: stop taking requests
and messages, let in-flight ones finish within the grace period, exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from svcgen_runtime.settings import Settings, SettingsError
from svcgen_runtime.transport import Transport

ROLES = ("http", "worker", "scheduler", "grpc", "all")
log = logging.getLogger("svcgen_runtime.runner")


class TargetError(ValueError):
    """TARGET does not name a service instance or a sequence of them."""


def load_services(target: str) -> list[Any]:
    """Import `module:attribute` (the current folder first on sys.path, as uvicorn does) -> services."""
    from svcgen_runtime.service import ServiceBase

    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise TargetError(f"TARGET must be module:attribute (like app:tasks), got {target!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name or module_name.startswith(f"{exc.name}."):
            raise TargetError(f"no module named {module_name!r} (run from the folder that holds it)") from None
        raise TargetError(f"importing {module_name!r} failed: {type(exc).__name__}: {exc}") from None
    except Exception as exc:  # the user's module raised while importing: say what, not a traceback
        raise TargetError(f"importing {module_name!r} failed: {type(exc).__name__}: {exc}") from None
    value: Any = module
    for part in attr.split("."):
        if not hasattr(value, part):
            raise TargetError(f"module {module_name!r} has no attribute {attr!r}")
        value = getattr(value, part)
    services = list(value) if isinstance(value, (list, tuple)) else [value]
    if not services or not all(isinstance(s, ServiceBase) for s in services):
        raise TargetError(
            f"{target} is not a service instance (an object of a subclass of a generated service class) "
            f"or a sequence of them: it is {type(value).__name__}"
        )
    return services


def make_transport(settings: Settings) -> Transport:
    """The embedded bus without SVCGEN_AMQP_URL, else RabbitMQ (imported only then: aio-pika is optional)."""
    if settings.amqp_url is None:
        from svcgen_runtime.embedded import EmbeddedBus

        return EmbeddedBus(concurrency=settings.concurrency)
    try:
        amqp = importlib.import_module("svcgen_runtime.amqp")
        factory = amqp.AmqpTransport
    except (ImportError, AttributeError) as exc:
        raise SettingsError(
            f"SVCGEN_AMQP_URL is set but the AMQP transport cannot load ({exc}); " "install svcgen[amqp]"
        ) from None
    transport: Transport = factory(settings.amqp_url, prefetch=settings.prefetch, concurrency=settings.concurrency)
    return transport


class ListenError(OSError):
    """The HTTP or gRPC port cannot be bound (in use, not permitted): nothing was started."""


async def serve(role: str, services: Sequence[Any], settings: Settings) -> int:
    """Run `role` for `services` until SIGTERM/SIGINT (or the HTTP server stops); returns the exit code.

    The ports are bound before anything starts, so a port in use fails fast (ListenError) without
    having consumed a message. Whatever did start is stopped again on every way out, the last
    started first, all within one grace period counted from the stop signal.
    """
    from svcgen_runtime.delivery import exchanges, subscriptions
    from svcgen_runtime.embedded import EmbeddedBus
    from svcgen_runtime.http import start_consumers

    runtime = services[0].runtime
    for service in services[1:]:  # one process, one runtime: shared transport, hub and interceptors
        service.attach(runtime)
    http_socket = _listen(settings.host, settings.port, "HTTP") if role in ("http", "all") else None
    grpc_server = _build_grpc(services, settings, explicit=role == "grpc") if role in ("grpc", "all") else None
    runtime.transport = make_transport(settings)
    runtime.managed = True
    stop = asyncio.Event()
    grace = _Grace(settings.shutdown_grace_s, stop)
    code = 0
    with _signals(stop), contextlib.ExitStack() as sockets:
        if http_socket is not None:
            sockets.callback(http_socket.close)
        async with contextlib.AsyncExitStack() as running:
            running.callback(log.info, "stopped")
            # stopped last: the scheduler, RPC and gRPC runs that finish publish through it
            running.push_async_callback(lambda: runtime.transport.stop(grace.left()))
            if grpc_server is not None:  # bound already: closed on every way out, started or not
                running.push_async_callback(lambda: grpc_server.server.stop(grace.left()))
            transport_name = "RabbitMQ" if settings.amqp_url else "the embedded bus"
            if role in ("worker", "all"):
                await start_consumers(runtime, services)
                queues = [c.queue for x in services for c in x.spec.consumers]
                log.info("consuming %d queue(s) on %s: %s", len(queues), transport_name, ", ".join(queues) or "-")
            else:  # http: publish only; with the embedded bus no consumer of this process would read queues
                embedded = isinstance(runtime.transport, EmbeddedBus)
                subs = [] if embedded else [s for x in services for s in subscriptions(x)]
                await runtime.transport.start()
                await runtime.transport.declare(subs, exchanges(list(services)))
            if role in ("scheduler", "all"):
                scheduler = await _start_scheduler(services, settings)
                running.push_async_callback(lambda: scheduler.stop(grace.left()))
            if role in ("worker", "all"):
                rpc_server = await _start_rpc(services, settings)
                if rpc_server is not None:
                    running.push_async_callback(lambda: rpc_server.stop(grace.left()))
            if grpc_server is not None:
                await _start_grpc(grpc_server)
            running.callback(lambda: log.info("stopping: in-flight work gets %.3gs", grace.left()))
            if http_socket is not None:
                code = await _serve_http(services, settings, stop, http_socket)
            else:
                await stop.wait()
    return code


class _Grace:
    """One shutdown grace period for every part of a process, counted from the stop signal (or from
    the first question, when the process stops for another reason)."""

    def __init__(self, seconds: float, stop: asyncio.Event) -> None:
        self._seconds = seconds
        self._stop = stop
        self._deadline: float | None = None
        self._watch = asyncio.get_running_loop().create_task(self._started())

    async def _started(self) -> None:
        await self._stop.wait()
        self._deadline = self._deadline or asyncio.get_running_loop().time() + self._seconds

    def left(self) -> float:
        now = asyncio.get_running_loop().time()
        if self._deadline is None:
            self._deadline = now + self._seconds
            self._watch.cancel()
        return max(self._deadline - now, 0.0)


def _where(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _listen(host: str, port: int, what: str) -> socket.socket:
    """A listening TCP socket on host:port (uvicorn serves it), or ListenError naming the port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:
        if exc.errno is not None and exc.errno < 0:  # the resolver's (EAI_*) code: the host has no address
            reason = "the host does not resolve to an address (SVCGEN_HOST)"
        else:
            reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
        raise ListenError(f"cannot listen on {host}:{port} for {what}: {reason}") from None


async def _start_scheduler(services: Sequence[Any], settings: Settings) -> Any:
    from svcgen_runtime.scheduler import Scheduler
    from svcgen_runtime.scheduler_lease import make_leases

    scheduler = Scheduler(services, make_leases(settings))
    await scheduler.start()
    where = "once per cluster (RabbitMQ leases)" if settings.amqp_url else "in this process (embedded)"
    log.info("scheduling %d schedule(s) %s: %s", len(scheduler.names), where, ", ".join(scheduler.names) or "-")
    return scheduler


async def _start_rpc(services: Sequence[Any], settings: Settings) -> Any:
    """The RPC server of the worker role: RabbitMQ only (the embedded bus has no RPC transport)."""
    from svcgen_runtime.spec import RpcSpec

    queues = [r.queue for x in services for r in x.spec.of(RpcSpec)]
    if not queues:
        return None
    if settings.amqp_url is None:
        log.info("not serving %d RPC(s): RPC over AMQP needs SVCGEN_AMQP_URL", len(queues))
        return None
    from svcgen_runtime.rpc.amqp_server import AmqpRpcServer

    server = AmqpRpcServer(settings.amqp_url, services, concurrency=settings.concurrency)
    await server.start()
    log.info("serving %d RPC queue(s) on RabbitMQ: %s", len(queues), ", ".join(queues))
    return server


@dataclass(frozen=True)
class _GrpcServer:
    server: Any  # grpc.aio.Server, bound, not yet started
    where: str  # host:port actually bound
    names: str  # the services it serves


def _build_grpc(services: Sequence[Any], settings: Settings, explicit: bool) -> _GrpcServer | None:
    """The gRPC server of the services with RPCs, bound to SVCGEN_HOST:SVCGEN_GRPC_PORT but not yet
    started (role `grpc`; `all` when the gRPC code was built)."""
    from svcgen_runtime.spec import RpcSpec

    if not any(x.spec.of(RpcSpec) for x in services):
        if explicit:
            raise SettingsError("the grpc role has nothing to serve: no service of TARGET declares an rpc")
        return None
    try:
        grpc_rpc = importlib.import_module("svcgen_runtime.rpc.grpc")
        grpc_services = [s for s in (grpc_rpc.service_of(x) for x in services) if s is not None]
    except (ImportError, LookupError) as exc:
        if explicit:
            raise SettingsError(
                f"cannot serve gRPC: {exc} (install svcgen[grpc], build the python-grpc target)"
            ) from None
        log.info("not serving RPCs over gRPC: %s", exc)
        return None
    if settings.grpc_port:  # say why in one line (grpc only logs it, then raises a bare "Failed to bind")
        _listen(settings.host, settings.grpc_port, "gRPC").close()
    try:
        server, port = grpc_rpc.build_server(grpc_services, settings.host, settings.grpc_port)
    except (OSError, RuntimeError):  # grpc raises RuntimeError("Failed to bind ...") and logs why itself
        raise ListenError(
            f"cannot listen on {settings.host}:{settings.grpc_port} for gRPC: address in use or not permitted"
        ) from None
    return _GrpcServer(server, f"{settings.host}:{port}", ", ".join(s.name for s in grpc_services))


async def _start_grpc(grpc: _GrpcServer) -> None:
    await grpc.server.start()
    log.info("serving gRPC on %s: %s", grpc.where, grpc.names)


async def _serve_http(services: Sequence[Any], settings: Settings, stop: asyncio.Event, sock: socket.socket) -> int:
    import uvicorn

    from svcgen_runtime.http import build_app

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield  # the runner owns SIGTERM/SIGINT: it stops the consumers too

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:  # uvicorn says where it runs only when it bound the socket itself
                log.info("serving HTTP on http://%s", _where(sock))

    config = uvicorn.Config(
        build_app(services),
        host=settings.host,
        port=settings.port,
        lifespan="off",
        timeout_graceful_shutdown=max(int(settings.shutdown_grace_s), 1),
    )
    server = Server(config)

    async def shutdown_on_stop() -> None:
        await stop.wait()
        server.should_exit = True  # stop accepting, finish in-flight requests (uvicorn's graceful shutdown)

    watcher = asyncio.get_running_loop().create_task(shutdown_on_stop())
    try:
        # awaited here, not in a task: uvicorn calls sys.exit when it cannot bind, and a SystemExit
        # raised inside a task would escape the event loop instead of reaching this handler
        await server.serve(sockets=[sock])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    return 0 if stop.is_set() else 1


@contextlib.contextmanager
def _signals(stop: asyncio.Event) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        yield
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
