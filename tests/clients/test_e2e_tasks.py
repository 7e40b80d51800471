"""End to end: the example Tasks service (examples/tasks/app.py on uvicorn) called through the
generated async and sync Python clients and, from Node, through the TypeScript client."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from clienthelp import ROOT, compile_e2e_script, run_node, svcgen, uvicorn_server, websocket_flags

pytestmark = pytest.mark.slow
APP = ROOT / "examples/tasks/app.py"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A fresh build of examples/tasks (server and clients) served on a free loopback port."""
    if not APP.is_file():
        pytest.skip("examples/tasks/app.py is not there yet")
    folder = tmp_path_factory.mktemp("tasks")
    built = svcgen("build", str(ROOT / "examples/tasks/tasks.idl"), "--out", str(folder / "tasks_api"))
    assert built.returncode == 0, built.stderr
    shutil.copy(APP, folder / "app.py")
    with uvicorn_server(folder, "app:app", "/health", "the example service") as url:
        yield url, folder


@pytest.fixture(scope="module")
def api(service: tuple[str, Path]) -> Iterator[dict[str, ModuleType]]:
    """The generated client modules of the build, imported from its folder."""
    folder = service[1]
    _forget_tasks_api()  # another test may have imported a build of the same name
    sys.path.insert(0, str(folder))
    try:
        import tasks_api.acme_common.models as common
        import tasks_api.acme_tasks.client as client
        import tasks_api.acme_tasks.models as models
        import tasks_api.client_base as base

        yield {"client": client, "models": models, "common": common, "base": base}
    finally:
        sys.path.remove(str(folder))
        _forget_tasks_api()


def _forget_tasks_api() -> None:
    for name in [n for n in sys.modules if n.split(".")[0] == "tasks_api"]:
        del sys.modules[name]


def test_async_client_covers_every_endpoint(service: tuple[str, Path], api: dict[str, Any]) -> None:
    client, models, common, base = api["client"], api["models"], api["common"], api["base"]
    seen: list[str] = []

    async def sign(request: httpx.Request) -> None:
        request.headers["x-signature"] = str(len(request.content))
        seen.append(request.method)

    async def scenario() -> None:
        async with client.TasksClient(service[0], auth=sign, headers={"x-team": "a"}, token="demo-writer") as tasks:
            assert (await tasks.health()).ok
            created = await tasks.create_task(models.NewTask(title="write docs", tags=["py-async"]))
            again = await tasks.create_task(models.NewTask(title="once"), idempotency_key="py-key")
            assert (await tasks.create_task(models.NewTask(title="once"), idempotency_key="py-key")) == again
            assert isinstance(created, models.Task) and created.title == "write docs"
            assert (await tasks.get_task(created.id)) == created
            page = await tasks.list_tasks(limit=3)
            assert isinstance(page, models.TaskPage) and [t.id for t in page.items][1:] == [created.id]
            replaced = await tasks.replace_task(created.id, models.NewTask(title="locked one", tags=["locked"]))
            assert replaced.title == "locked one" and replaced.id == created.id
            with pytest.raises(common.Forbidden) as forbidden:
                await tasks.replace_task(created.id, models.NewTask(title="nope"))
            assert forbidden.value.status == 403 and forbidden.value.body.reason == "task is locked"
            assert await tasks.delete_task(created.id) is None
            with pytest.raises(models.TaskNotFound) as missing:
                await tasks.get_task(created.id)
            assert isinstance(missing.value.body, models.TaskNotFoundBody) and missing.value.body.id == created.id
            with pytest.raises(base.UnexpectedStatus) as invalid:
                await tasks.list_tasks(limit=0)
            assert invalid.value.status == 422 and "limit" in json.dumps(invalid.value.body)

    asyncio.run(scenario())
    assert seen == ["GET", "POST", "POST", "POST", "GET", "GET", "PUT", "PUT", "DELETE", "GET", "GET"]


def test_sync_client_covers_every_endpoint(service: tuple[str, Path], api: dict[str, Any]) -> None:
    client, models, common, base = api["client"], api["models"], api["common"], api["base"]
    tokens = iter(["demo-reader", "demo-writer"])  # a reader token first: 403 is not refreshed
    with client.TasksSyncClient(service[0], timeout=5, token=lambda: next(tokens)) as tasks:
        created = tasks.create_task(models.NewTask(title="sync", priority=models.Priority.HIGH))
        assert created.priority is models.Priority.HIGH
        assert tasks.get_task(created.id).title == "sync"
        assert created.id in [t.id for t in tasks.list_tasks(limit=500).items]
        assert tasks.replace_task(created.id, models.NewTask(title="sync 2", tags=["locked"])).title == "sync 2"
        with pytest.raises(common.Forbidden):
            tasks.replace_task(created.id, models.NewTask(title="no"))
        with pytest.raises(base.UnexpectedStatus) as denied:
            tasks.delete_task(created.id)
        assert denied.value.status == 403
    with client.TasksSyncClient(service[0], timeout=5, token=lambda: next(tokens)) as tasks:
        tasks.delete_task(created.id)
        with pytest.raises(models.TaskNotFound):
            tasks.delete_task(created.id)
        with pytest.raises(models.TaskNotFound) as missing:
            tasks.replace_task(uuid.uuid4(), models.NewTask(title="ghost"))
        assert missing.value.status == 404
        with pytest.raises(base.UnexpectedStatus) as invalid:
            tasks.list_tasks(limit=501)
        assert invalid.value.status == 422


@pytest.fixture(scope="module")
def compiled_script(service: tuple[str, Path], tsc: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/clients/ts/e2e_tasks.ts compiled with tsc next to the build's TypeScript client."""
    return compile_e2e_script(tsc, tmp_path_factory.mktemp("e2e"), service[1] / "tasks_api", "e2e_tasks.ts")


def test_typescript_client_over_http(service: tuple[str, Path], tsc: list[str], compiled_script: Path) -> None:
    """fetch only: runs on every Node >= 18, whether or not it has a WebSocket."""
    said = run_node(tsc[0], [], compiled_script, service[0], "http")
    assert "ok: declared error TaskNotFound with its body" in said
    assert "ok: the headers function ran once for every request" in said
    assert "ok: the token function is called again once after a 401" in said
    assert said.count("ok: ") == 16, said


def test_typescript_socket_client(service: tuple[str, Path], tsc: list[str], compiled_script: Path) -> None:
    node = tsc[0]
    flags = websocket_flags(node)
    said = run_node(node, flags, compiled_script, service[0], "socket")
    assert "ok: a socket without a token is closed with 4401 (4401)" in said
    assert "ok: socket opened (onOpen ran, readyState OPEN)" in said
    assert "ok: socket message TaskCreated for the new task" in said
