"""The tasks example under uvicorn, over real HTTP and websockets; then schemathesis against it."""

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


def test_create_get_list_replace_delete(server: str) -> None:
    c = httpx.Client(base_url=server)
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
    c = httpx.Client(base_url=server)
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
        async with websockets.connect(ws_url) as ws, httpx.AsyncClient(base_url=server) as c:
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


def test_schemathesis_no_server_errors_and_conforming_responses(server: str, tmp_path: Path) -> None:
    r = subprocess.run(
        [
            str(BIN / "schemathesis"),
            "run",
            server + "/openapi.json",
            "--checks",
            "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance",
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
