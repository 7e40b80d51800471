"""Sockets: rooms, typed connections and the in-process hub that fans messages out.

A room is (socket, values of its parameters). The hub is the embedded default; a Redis
hub with the same interface will fan out across instances.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect

S = TypeVar("S")
R = TypeVar("R")
RoomKey = tuple[str, tuple[str, ...]]
log = logging.getLogger("svcgen_runtime.sockets")


class Connection(Generic[S, R]):
    """One client: typed `send`, typed `receive()` (an async iterator of incoming messages)."""

    def __init__(self, websocket: WebSocket, sends: TypeAdapter[S] | None, receives: TypeAdapter[R] | None) -> None:
        self.websocket = websocket
        self._sends = sends
        self._receives = receives
        self.closed = False  # the client left, or we closed it: nothing more can be read

    async def send(self, message: S) -> None:
        assert self._sends is not None, "this socket declares no `sends` type"
        await self.websocket.send_text(self._sends.dump_json(message, by_alias=True).decode())

    async def send_raw(self, text: str) -> None:
        await self.websocket.send_text(text)

    async def receive(self) -> AsyncIterator[R]:
        """Incoming messages until the client disconnects.

        Frames are JSON text. An invalid frame (not JSON, not of the declared type, or a
        binary frame) closes the connection with 1007 and a reason; the iteration then ends.
        """
        while not self.closed:
            # The raw ASGI message: receive_text() would raise on a binary frame, and on a
            # socket that is already gone, instead of saying so.
            event = await self.websocket.receive()
            if event["type"] == "websocket.disconnect":
                self.closed = True
                return
            text = event.get("text")
            if text is None:
                await self._reject("binary frames are not accepted: send JSON text")
                return
            if self._receives is None:
                continue
            try:
                message = self._receives.validate_json(text)
            except ValidationError as exc:
                await self._reject(str(exc.errors()[0].get("msg", "invalid")))
                return
            yield message

    async def _reject(self, reason: str) -> None:
        self.closed = True
        await self.websocket.close(code=1007, reason=reason[:120])


class Hub:
    """In-process rooms: who is connected where, and broadcast of encoded frames."""

    def __init__(self) -> None:
        self._rooms: dict[RoomKey, set[Connection[Any, Any]]] = {}

    def join(self, room: RoomKey, conn: Connection[Any, Any]) -> None:
        self._rooms.setdefault(room, set()).add(conn)

    def leave(self, room: RoomKey, conn: Connection[Any, Any]) -> None:
        members = self._rooms.get(room)
        if members is not None:
            members.discard(conn)
            if not members:
                del self._rooms[room]

    def size(self, room: RoomKey) -> int:
        return len(self._rooms.get(room, ()))

    async def broadcast(self, room: RoomKey, text: str) -> int:
        """Send one frame to every member; returns how many got it (dead connections leave)."""
        sent = 0
        for conn in list(self._rooms.get(room, ())):
            try:
                await conn.send_raw(text)
                sent += 1
            except Exception:  # a closed socket must not stop the others
                self.leave(room, conn)
        return sent


class Room(Generic[S]):
    """The typed way to reach one socket's rooms from any handler: `await room.send(key, msg)`."""

    def __init__(self, hub: Hub, name: str, sends: Any) -> None:
        self._hub = hub
        self._name = name
        self._adapter: TypeAdapter[S] = TypeAdapter(sends)

    async def send_to(self, key: tuple[str, ...], message: S) -> int:
        text = self._adapter.dump_json(message, by_alias=True).decode()
        return await self._hub.broadcast((self._name, key), text)


async def serve(
    websocket: WebSocket,
    hub: Hub,
    room: RoomKey,
    conn: Connection[S, R],
    handler: Callable[[Connection[S, R]], Awaitable[None]],
) -> None:
    """Accept, join the room, run the handler, then keep the connection until the client leaves."""
    await websocket.accept()
    hub.join(room, conn)
    try:
        await handler(conn)
        async for _ in conn.receive():  # the handler did not read: drain until the client leaves
            pass
    except WebSocketDisconnect:  # a send to a client that had already gone
        pass
    finally:
        hub.leave(room, conn)
