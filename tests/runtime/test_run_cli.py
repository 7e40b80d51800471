"""`svcgen run` and `python -m svcgen_runtime` as subprocesses: examples/tasks with no broker, exit codes, SIGTERM."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import websockets
from run_support import BIN, ENV, free_port, started, stop, tasks_app


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/tasks built as `tasks_api` beside a copy of its app.py."""
    return tasks_app(tmp_path_factory.mktemp("run_tasks"))


def test_run_all_serves_http_and_consumes_on_the_embedded_bus_then_sigterm_exits_0(app_dir: Path) -> None:
    port = free_port()
    env = ENV | {"SVCGEN_PORT": str(port), "SVCGEN_SHUTDOWN_GRACE": "5"}
    with started(app_dir, [str(BIN / "svcgen"), "run", "all", "app:tasks"], env, "serving HTTP on") as proc:
        url = f"http://127.0.0.1:{port}"

        async def create_and_hear() -> dict[str, object]:
            # audit_task (a consumer of task.*) sends new tasks to their project's live room
            # a browser-style socket passes its token in the query (examples/tasks app.py's DEMO_TOKENS)
            live = url.replace("http", "ws") + "/tasks/live?project=cli&token=demo-reader"
            async with websockets.connect(live) as ws:
                token = {"authorization": "Bearer demo-writer"}
                r = httpx.post(url + "/tasks", json={"title": "from the cli", "tags": ["cli"]}, headers=token)
                assert r.status_code == 201, r.text
                heard: dict[str, object] = json.loads(await asyncio.wait_for(ws.recv(), 5))
                return heard

        heard = asyncio.run(create_and_hear())
        assert heard["type"] == "TaskCreated" and heard["task"]["title"] == "from the cli"  # type: ignore[index]
        code, took = stop(proc)
    assert code == 0 and took < 5, (code, took, proc.log)  # type: ignore[attr-defined]
    assert "consuming 2 queue(s) on the embedded bus" in proc.log  # type: ignore[attr-defined]
    assert "Traceback" not in proc.log  # type: ignore[attr-defined]


def test_worker_stops_on_sigterm_with_exit_0(app_dir: Path) -> None:
    args = [sys.executable, "-m", "svcgen_runtime", "worker", "app:tasks"]
    with started(app_dir, args, ENV, "consuming 2 queue(s)") as proc:
        code, took = stop(proc)
    assert code == 0 and took < 5, (code, took, proc.log)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "args, env, message",
    [
        (["run", "all", "nowhere:tasks"], {}, "no module named 'nowhere'"),
        (["run", "all", "app"], {}, "TARGET must be module:attribute"),
        (["run", "worker", "app:missing"], {}, "has no attribute 'missing'"),
        (["run", "worker", "app:InMemoryTasks"], {}, "is not a service instance"),
        (["run", "http", "app:app"], {}, "is not a service instance"),
        (["run", "sideways", "app:tasks"], {}, "invalid choice: 'sideways'"),
        (["run", "worker", "app:tasks"], {"SVCGEN_CONCURRENCY": "0"}, "SVCGEN_CONCURRENCY must be between"),
        (["run", "http", "app:tasks"], {"SVCGEN_PORT": "http"}, "SVCGEN_PORT must be a number"),
        (["run", "worker", "app:tasks"], {"SVCGEN_AMQP_URL": "localhost"}, "SVCGEN_AMQP_URL must start with"),
        (["dlq", "list", "acme.tasks.Tasks.index_task"], {}, "dlq needs SVCGEN_AMQP_URL"),
        (["declare", "app:tasks"], {}, "declare needs SVCGEN_AMQP_URL"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(app_dir: Path, args: list[str], env: dict[str, str], message: str) -> None:
    r = subprocess.run([str(BIN / "svcgen"), *args], cwd=app_dir, env=ENV | env, capture_output=True, text=True)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert len([line for line in r.stderr.splitlines() if "error" in line]) == 1, r.stderr


def test_help_lists_roles_and_settings(app_dir: Path) -> None:
    for args in ([str(BIN / "svcgen"), "run", "--help"], [sys.executable, "-m", "svcgen_runtime", "--help"]):
        r = subprocess.run(args, cwd=app_dir, env=ENV, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        for word in ("http", "worker", "all", "SVCGEN_AMQP_URL", "SVCGEN_PREFETCH", "SVCGEN_CONCURRENCY"):
            assert word in r.stdout
        assert "SVCGEN_SHUTDOWN_GRACE" in r.stdout and "SVCGEN_HOST" in r.stdout and "SVCGEN_PORT" in r.stdout
