"""Leases: which scheduler process of a cluster fires a service's schedules.

A lease is held by one process at a time. The scheduler fires only while it holds the lease of a
service, and asks the holder to `confirm` right before each tick, so a process that lost it
(partitioned, its connection dead) does not fire. Two implementations:

- `LocalLeases`: without SVCGEN_AMQP_URL, every lease is held at once by this process (the embedded
  scheduler; several such processes each fire everything: nothing is shared between them).
- `svcgen_runtime.amqp.lease.AmqpLeases`: one exclusive RabbitMQ queue per service,
  `svcgen.scheduler.<package>.<Service>`; the broker gives it to one connection and frees it the
  moment that connection dies.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import Protocol

from svcgen_runtime.settings import Settings, SettingsError
from svcgen_runtime.spec import ServiceSpec

#: Prefix of the public lease names (`svcgen.scheduler.acme.tasks.Tasks`).
LEASE_PREFIX = "svcgen.scheduler"


def lease_name(spec: ServiceSpec) -> str:
    """The public name of the lease of one service's schedules (an exclusive queue on RabbitMQ)."""
    return f"{LEASE_PREFIX}.{spec.package}.{spec.name}"


class Lease(Protocol):
    name: str

    async def acquire(self) -> None:
        """Wait until this process holds the lease (retrying for as long as it takes)."""

    async def lost(self) -> None:
        """Return once the lease is no longer held (the connection holding it is gone)."""

    async def confirm(self) -> bool:
        """Whether the lease is still held, asked of whoever grants it; False when unsure."""

    async def release(self) -> None:
        """Give the lease up (idempotent); another process can then take it."""


class Leases(Protocol):
    async def start(self) -> None:
        """Connect (raising when the broker cannot be reached at all)."""

    def lease(self, name: str) -> Lease:
        """The lease called `name` (not yet acquired)."""

    async def close(self) -> None:
        """Release every lease and disconnect."""


class LocalLease:
    """Always held: the embedded scheduler has no one to share with."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._released = asyncio.Event()

    async def acquire(self) -> None:
        self._released.clear()

    async def lost(self) -> None:
        await self._released.wait()

    async def confirm(self) -> bool:
        return not self._released.is_set()

    async def release(self) -> None:
        self._released.set()


class LocalLeases:
    def __init__(self) -> None:
        self._leases: list[LocalLease] = []

    async def start(self) -> None:
        return None

    def lease(self, name: str) -> Lease:
        lease = LocalLease(name)
        self._leases.append(lease)
        return lease

    async def close(self) -> None:
        for lease in self._leases:
            await lease.release()


def make_leases(settings: Settings) -> Leases:
    """In-process leases without SVCGEN_AMQP_URL, else RabbitMQ exclusive queues (aio-pika imported only then)."""
    if settings.amqp_url is None:
        return LocalLeases()
    try:
        factory = importlib.import_module("svcgen_runtime.amqp.lease").AmqpLeases
    except (ImportError, AttributeError) as exc:
        raise SettingsError(
            f"SVCGEN_AMQP_URL is set but the AMQP scheduler lease cannot load ({exc}); install svcgen[amqp]"
        ) from None
    leases: Leases = factory(settings.amqp_url)
    return leases
