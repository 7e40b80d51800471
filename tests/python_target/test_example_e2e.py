"""The tasks example under uvicorn, over real HTTP and websockets; then schemathesis against it.

Every member of the example but /health requires a `user` bearer token (app.py's DEMO_TOKENS):
`demo-writer` has the `tasks:write` scope that DELETE needs, `demo-reader` does not."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from python_target_support import BIN, ROOT, python_build, uvicorn_server, write_tree

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("tasks_example")
    write_tree(python_build(ROOT / "examples/tasks/tasks.idl"), base / "tasks_api")
    shutil.copy(ROOT / "examples/tasks/app.py", base / "app.py")
    with uvicorn_server(base, "app:app") as url:
        yield url


WRITER = {"authorization": "Bearer demo-writer"}
READER = {"authorization": "Bearer demo-reader"}


def test_create_get_list_replace_delete(server: str) -> None:
    c = httpx.Client(base_url=server, headers=WRITER)
    r = c.post("/tasks", json={"title": "write tests", "tags": ["alpha"], "due": "2030-01-01T10:00:00+02:00"})
    assert r.status_code == 201, r.text
    task = r.json()
    assert task["priority"] == "normal" and task["done"] is False and task["subtasks"] == []
    assert task["due"] == "2030-01-01T10:00:00+02:00"
    assert c.get(f"/tasks/{task['id']}").json() == task

    page = c.get("/tasks").json()  # limit defaults to 50
    assert task["id"] in [t["id"] for t in page["items"]]
    assert c.get("/tasks", params={"limit": 1}).json()["items"][0]["id"] == task["id"]

    r = c.put(f"/tasks/{task['id']}", json={"title": "renamed", "priority": "high", "tags": ["locked"]})
    assert r.status_code == 200 and r.json()["title"] == "renamed" and r.json()["priority"] == "high"
    r = c.put(f"/tasks/{task['id']}", json={"title": "again"})
    assert r.status_code == 403 and r.json() == {"reason": "task is locked"}

    r = c.delete(f"/tasks/{task['id']}")
    assert r.status_code == 204 and r.content == b""
    missing = c.get(f"/tasks/{task['id']}")
    assert missing.status_code == 404 and missing.json() == {"id": task["id"]}
    assert c.delete(f"/tasks/{task['id']}").status_code == 404
    assert c.put(f"/tasks/{task['id']}", json={"title": "x"}).status_code == 404


def test_validation_errors_are_422_with_details(server: str) -> None:
    c = httpx.Client(base_url=server, headers=READER)
    for params, field in (({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"limit": "many"}, "limit")):
        r = c.get("/tasks", params=params)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", field], r.text
    r = c.post("/tasks", json={"title": ""})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "title"]
    r = c.post("/tasks", json={"title": "x", "priority": "urgent"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "priority"]
    r = c.post("/tasks", json={"title": "x", "due": "2030-01-01T10:00:00"})  # no offset
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "due"]
    assert c.get("/tasks/not-a-uuid").status_code == 422


def test_openapi_lists_declared_errors(server: str) -> None:
    spec = httpx.get(server + "/openapi.json").json()
    put = spec["paths"]["/tasks/{id}"]["put"]
    assert put["operationId"] == "replace_task" and put["summary"] == "Replace a task."
    assert {"200", "403", "404", "422"} <= set(put["responses"])
    assert put["responses"]["404"]["content"]["application/json"]["schema"]["$ref"].endswith("TaskNotFoundBody")
    assert spec["paths"]["/tasks"]["post"]["responses"].keys() >= {"201"}
    assert "204" in spec["paths"]["/tasks/{id}"]["delete"]["responses"]
    limit = next(p for p in spec["paths"]["/tasks"]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["minimum"] == 1 and limit["schema"]["maximum"] == 500 and limit["schema"]["default"] == 50
    assert spec["components"]["schemas"]["Task"]["properties"]["legacy_code"]["deprecated"] is True


def test_websocket_room_receives_tagged_union_members(server: str) -> None:
    async def scenario() -> list[dict[str, object]]:
        ws_url = server.replace("http", "ws") + "/tasks/live?project=beta"
        connect = websockets.connect(ws_url, additional_headers=WRITER)
        async with connect as ws, httpx.AsyncClient(base_url=server, headers=WRITER) as c:
            await asyncio.sleep(0.05)  # the server has joined us to the room once accepted
            other = (await c.post("/tasks", json={"title": "elsewhere", "tags": ["gamma"]})).json()
            created = (await c.post("/tasks", json={"title": "live", "tags": ["beta"]})).json()
            await c.delete(f"/tasks/{created['id']}")
            frames = [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(2)]
            assert other["id"] not in json.dumps(frames)
            return frames

    created, deleted = asyncio.run(scenario())
    assert created["type"] == "TaskCreated" and created["task"]["title"] == "live"  # type: ignore[index]
    assert deleted == {"type": "TaskDeleted", "id": created["task"]["id"]}  # type: ignore[index]


def test_health_is_public_and_every_other_route_wants_a_token(server: str) -> None:
    c = httpx.Client(base_url=server)
    assert c.get("/health").json() == {"ok": True}
    for r in (c.get("/tasks"), c.get("/tasks", headers={"authorization": "Bearer guessed"})):
        assert r.status_code == 401 and r.headers["www-authenticate"] == 'Bearer realm="user"'
    task = c.post("/tasks", json={"title": "read-only"}, headers=READER).json()
    r = c.delete(f"/tasks/{task['id']}", headers=READER)
    assert r.status_code == 403 and "tasks:write" in r.json()["detail"]
    assert c.get(f"/tasks/{task['id']}", headers=READER).status_code == 200  # not deleted


def test_socket_refuses_a_connect_without_a_token(server: str) -> None:
    async def close_code() -> int | None:
        async with websockets.connect(server.replace("http", "ws") + "/tasks/live?project=p") as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
            return closed.value.rcvd.code if closed.value.rcvd else None

    assert asyncio.run(close_code()) == 4401


def test_idempotency_key_header_returns_the_first_task_to_the_same_caller(server: str) -> None:
    c = httpx.Client(base_url=server)
    key = {"Idempotency-Key": "k-1"}
    first = c.post("/tasks", json={"title": "once"}, headers={**WRITER, **key})
    again = c.post("/tasks", json={"title": "once"}, headers={**WRITER, **key})
    assert (first.status_code, again.status_code) == (201, 201) and again.json() == first.json()
    other_caller = c.post("/tasks", json={"title": "once"}, headers={**READER, **key}).json()
    no_key = c.post("/tasks", json={"title": "once"}, headers=WRITER).json()
    assert len({first.json()["id"], other_caller["id"], no_key["id"]}) == 3


@pytest.mark.parametrize("token", ["demo-writer", "demo-reader", None])
def test_schemathesis_no_server_errors_and_conforming_responses(server: str, tmp_path: Path, token: str | None) -> None:
    """With the writer's token every operation is reachable; `ignored_auth` also calls each one
    without it (and with a wrong one) and fails if a protected operation answers anyway. With the
    reader's (no `tasks:write`) or none, the 403 and 401 answers must be the documented ones."""
    credentials = ["--header", f"Authorization: Bearer {token}"] if token else []
    r = subprocess.run(
        [
            str(BIN / "schemathesis"),
            "run",
            server + "/openapi.json",
            *credentials,
            "--checks",
            "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance,"
            "ignored_auth",
            "--max-examples",
            "25",
            "--phases",
            "examples,fuzzing",
            "--generation-deterministic",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # it leaves a .schemathesis/ folder
    )
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
