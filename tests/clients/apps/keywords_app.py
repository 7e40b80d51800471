"""A server for tests/clients/idl/keywords.idl (built as `kw_api`) that echoes what it was sent, so
the clients' URL building and socket frames can be checked from the other side. Served with
`uvicorn keywords_app:app`."""

from __future__ import annotations

import uuid

from kw_api.class_default.http import create_app
from kw_api.class_default.models import Function, Kind, Let, Private, PrivateBody
from kw_api.class_default.service import Switch
from svcgen_runtime.sockets import Connection


class EchoSwitch(Switch):
    async def get(self, class_: str, default: int, in_: list[str], type: Kind | None) -> Function:
        if class_ == "private":
            raise Private(PrivateBody(in_=",".join(in_)))
        # what arrived: the path segment as `class`, the list query as `from`, the enum as `yield`
        return Function(class_=class_, default=default, from_=in_, yield_=type or Kind.NONE, import_=type is None)

    async def new(self, delete: uuid.UUID, async_: Function) -> Let:
        return async_.model_copy(update={"class_": str(delete)})

    async def delete(self, import_: int) -> None:
        return None

    async def var(self, connection: Connection[Let, Function], class_: str, from_: str | None) -> None:
        async for message in connection.receive():  # echo each frame back, tagged with the room
            await connection.send(message.model_copy(update={"from_": [class_, from_ or "-", *message.from_]}))


app = create_app(EchoSwitch())
