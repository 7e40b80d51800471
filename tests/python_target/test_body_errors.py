"""A request body that is not JSON at all is the declared 400 (docs/wire-format.md); JSON that does
not validate stays FastAPI's 422 with details. Over real HTTP, from `create_app` and `build_app`."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator

import httpx
import pytest
from python_target_support import ROOT, python_build, uvicorn_server, write_tree

pytestmark = pytest.mark.slow

RUN_APP = """from app import InMemoryTasks
from svcgen_runtime.http import build_app

app = build_app([InMemoryTasks()])
"""


@pytest.fixture(scope="module", params=["create_app", "build_app"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("tasks_body")
    write_tree(python_build(ROOT / "examples/tasks/tasks.idl"), base / "tasks_api")
    shutil.copy(ROOT / "examples/tasks/app.py", base / "app.py")
    (base / "run_app.py").write_text(RUN_APP)
    with uvicorn_server(base, "app:app" if request.param == "create_app" else "run_app:app") as url:
        yield url


@pytest.mark.parametrize("body", [b"{not json", b'{"title": "t",', b"", b"\xff\xfe"])
def test_a_body_that_is_not_json_is_400(server: str, body: bytes) -> None:
    c = httpx.Client(base_url=server, headers={"authorization": "Bearer demo-writer"})
    declared = c.get("/openapi.json").json()["paths"]["/tasks"]["post"]["responses"]
    assert "400" in declared
    r = c.post("/tasks", content=body, headers={"content-type": "application/json"})
    if body == b"":  # no body at all is a missing body: a validation error
        assert r.status_code == 422, r.text
        return
    assert r.status_code == 400, r.text
    assert [e["type"] for e in r.json()["detail"]] == ["json_invalid"]
    put = c.put(f"/tasks/{uuid.uuid4()}", content=body or b"[", headers={"content-type": "application/json"})
    assert put.status_code == 400, put.text


def test_json_that_does_not_validate_stays_422(server: str) -> None:
    c = httpx.Client(base_url=server, headers={"authorization": "Bearer demo-writer"})
    r = c.post("/tasks", json={"title": ""})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "title"]
    assert c.post("/tasks", json={"title": "fine"}).status_code == 201
