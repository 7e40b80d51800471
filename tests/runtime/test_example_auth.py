"""examples/tasks as a user runs it: `svcgen run all app:tasks` (HTTP, gRPC and the embedded bus in
one process), every entry point behind its `user` scheme. A task created over HTTP with the
writer's token is estimated over gRPC through the generated `TasksRpcClient` with the reader's;
the same rpc without a token, or with one the verifier refuses, is RpcUnauthorized."""

from __future__ import annotations

import asyncio
import importlib
import sys
import uuid
from collections.abc import Iterator
from types import ModuleType

import httpx
import pytest
from run_support import BIN, ENV, free_port, started, stop, tasks_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, ModuleType]]:
    """(HTTP base URL, gRPC URL, the generated rpc module) of `svcgen run all app:tasks`."""
    targets = ("python-models", "python-server", "python-grpc")
    base = tasks_app(tmp_path_factory.mktemp("example_auth"), targets)
    http_port, grpc_port = free_port(), free_port()
    env = ENV | {"SVCGEN_PORT": str(http_port), "SVCGEN_GRPC_PORT": str(grpc_port), "SVCGEN_SHUTDOWN_GRACE": "2"}
    for name in [n for n in sys.modules if n.split(".")[0] == "tasks_api"]:
        del sys.modules[name]
    sys.path.insert(0, str(base))
    try:
        with started(base, [str(BIN / "svcgen"), "run", "all", "app:tasks"], env, "serving HTTP on") as proc:
            yield f"http://127.0.0.1:{http_port}", f"grpc://127.0.0.1:{grpc_port}", importlib.import_module(
                "tasks_api.acme_tasks.rpc"
            )
            code, _ = stop(proc)
            assert code == 0, proc.log  # type: ignore[attr-defined]
    finally:
        sys.path.remove(str(base))
        for name in [n for n in sys.modules if n.split(".")[0] == "tasks_api"]:
            del sys.modules[name]


def test_rpc_over_grpc_needs_the_token_http_needs(served: tuple[str, str, ModuleType]) -> None:
    http_url, grpc_url, rpc = served
    created = httpx.post(
        http_url + "/tasks", json={"title": "estimate me"}, headers={"authorization": "Bearer demo-writer"}
    )
    assert created.status_code == 201, created.text
    task_id = uuid.UUID(created.json()["id"])
    from svcgen_runtime.rpc import RpcUnauthorized

    async def calls() -> None:
        async with rpc.TasksRpcClient(grpc_url, token="demo-reader") as client:
            estimate = await client.estimate(task_id=task_id)
            assert estimate.task_id == task_id and estimate.cost.amount == 9000
        for token in (None, "guessed"):
            async with rpc.TasksRpcClient(grpc_url, token=token) as client:
                with pytest.raises(RpcUnauthorized):
                    await client.estimate(task_id=task_id)

    asyncio.run(calls())
