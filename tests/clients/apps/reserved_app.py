"""A server for tests/clients/idl/reserved.idl (built as `reserved_api`): each endpoint answers its own name."""

from __future__ import annotations

from typing import Never

from reserved_api.reserved.http import create_app
from reserved_api.reserved.models import Said
from reserved_api.reserved.service import Door
from svcgen_runtime.sockets import Connection


class NamedDoor(Door):
    async def close(self) -> Said:
        return Said(what="close")

    async def aclose(self) -> Said:
        return Said(what="aclose")

    async def http(self) -> Said:
        return Said(what="http")

    async def url(self) -> Said:
        return Said(what="url")

    async def open(self) -> Said:
        return Said(what="open")

    async def binding(self) -> Said:
        return Said(what="binding")

    async def options(self, connection: Connection[Said, Never], room: str) -> None:
        await connection.send(Said(what=f"options {room}"))


app = create_app(NamedDoor())
