"""A 405 names every method its path serves in `Allow` (RFC 9110 15.5.6), over real HTTP."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator

import httpx
import pytest
from python_target_support import ROOT, python_build, uvicorn_server, write_tree

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("tasks_allow")
    write_tree(python_build(ROOT / "examples/tasks/tasks.idl"), base / "tasks_api")
    shutil.copy(ROOT / "examples/tasks/app.py", base / "app.py")
    with uvicorn_server(base, "app:app") as url:
        yield url


def allow(response: httpx.Response) -> list[str]:
    assert response.status_code == 405, response.text
    return [m.strip() for m in response.headers["allow"].split(",")]


def test_allow_lists_every_method_of_the_path(server: str) -> None:
    c = httpx.Client(base_url=server)
    # GET /tasks is declared before POST /tasks; the first route alone used to answer
    assert allow(c.options("/tasks")) == ["GET", "POST"]
    assert allow(c.patch("/tasks")) == ["GET", "POST"]
    one = f"/tasks/{uuid.uuid4()}"
    assert allow(c.options(one)) == ["DELETE", "GET", "PUT"]
    assert allow(c.post(one, json={})) == ["DELETE", "GET", "PUT"]


def test_other_errors_are_unchanged(server: str) -> None:
    c = httpx.Client(base_url=server)
    missing = c.get("/nowhere")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    assert "allow" not in missing.headers
    r = c.options("/tasks")
    assert r.json() == {"detail": "Method Not Allowed"}
