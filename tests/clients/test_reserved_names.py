"""Handlers named like members of the generated clients' classes (tests/clients/idl/reserved.idl):
the Python clients escape them like keywords (`close_`, `aclose_`, `open_`, `binding_`) so
`async with`/`with` still close the client and `binding` stays the RPC client's binding; the
TypeScript client and sockets keep their fields #private, so `http()` and `options()` are plain
methods. Shown against a generated server, and by mypy --strict and tsc --strict on the build."""

from __future__ import annotations

import asyncio
import inspect
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from clienthelp import HERE, compile_e2e_script, run_node, uvicorn_server, websocket_flags

pytestmark = pytest.mark.slow
SVCGEN = Path(sys.executable).with_name("svcgen")
IDL = HERE / "idl/reserved.idl"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("reserved")
    built = subprocess.run(
        [str(SVCGEN), "build", str(IDL), "--out", str(folder / "reserved_api")], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    shutil.copy(HERE / "apps/reserved_app.py", folder / "reserved_app.py")
    sys.path.insert(0, str(folder))
    try:
        with uvicorn_server(folder, "reserved_app:app", "/openapi.json", "the reserved-names server") as url:
            yield url, folder
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.split(".")[0] == "reserved_api"]:
            del sys.modules[name]


def test_python_clients_escape_the_names_of_their_bases(served: tuple[str, Path]) -> None:
    from reserved_api.reserved.client import DoorClient, DoorSyncClient

    async def scenario() -> tuple[list[str], bool]:
        async with DoorClient(served[0]) as door:
            said = [(await door.close_()).what, (await door.aclose_()).what, (await door.http()).what]
            said.append((await door.url()).what)
        return said, door._http.is_closed  # the base's aclose ran on leaving `async with`

    said, closed = asyncio.run(scenario())
    assert said == ["close", "aclose", "http", "url"] and closed
    with DoorSyncClient(served[0]) as sync_door:
        assert (sync_door.close_().what, sync_door.aclose_().what) == ("close", "aclose")
    assert sync_door._http.is_closed


def test_rpc_client_keeps_its_binding_open_and_url() -> None:
    from reserved_api.reserved.rpc import DoorRpcClient
    from svcgen_runtime.rpc import ServiceBinding
    from svcgen_runtime.rpc.client import RpcClientBase

    assert isinstance(DoorRpcClient.binding, ServiceBinding)
    assert DoorRpcClient.open is RpcClientBase.open and DoorRpcClient.close is RpcClientBase.close
    assert inspect.iscoroutinefunction(DoorRpcClient.open_) and inspect.iscoroutinefunction(DoorRpcClient.binding_)
    assert DoorRpcClient("grpc://127.0.0.1:1").url == "grpc://127.0.0.1:1"


def test_generated_python_passes_mypy_strict(served: tuple[str, Path]) -> None:
    r = subprocess.run(
        [str(SVCGEN.with_name("mypy")), "--strict", "--no-incremental", "-p", "reserved_api"],
        cwd=served[1],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.fixture(scope="module")
def script(served: tuple[str, Path], tsc: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Compiled with tsc --strict (compile_e2e_script fails on any type error)."""
    return compile_e2e_script(
        tsc, tmp_path_factory.mktemp("reserved_ts"), served[1] / "reserved_api", "e2e_reserved.ts"
    )


def test_typescript_client_method_http(served: tuple[str, Path], tsc: list[str], script: Path) -> None:
    said = run_node(tsc[0], [], script, served[0], "http")
    assert said.count("ok: ") == 3, said


def test_typescript_socket_method_options(served: tuple[str, Path], tsc: list[str], script: Path) -> None:
    said = run_node(tsc[0], websocket_flags(tsc[0]), script, served[0], "socket")
    assert "ok: socket method options()" in said, said


def test_the_reserved_sets_name_every_public_member_of_the_bases(served: tuple[str, Path]) -> None:
    """A public method or attribute added to a base later must be added to the generator's set."""
    from reserved_api.client_base import AsyncBaseClient, SyncBaseClient
    from svcgen.naming import PY_HTTP_CLIENT_RESERVED, PY_RPC_CLIENT_RESERVED
    from svcgen_runtime.rpc.client import RpcClientBase

    def public(obj: object) -> set[str]:
        return {n for n in dir(obj) if not n.startswith("_")}

    http = public(AsyncBaseClient(served[0])) | public(SyncBaseClient(served[0]))
    assert http <= PY_HTTP_CLIENT_RESERVED, http - PY_HTTP_CLIENT_RESERVED
    from reserved_api.reserved.rpc import DoorRpcClient

    # the instance's public names but the generated methods, and what the base only annotates (binding)
    own = {n for n in public(DoorRpcClient("grpc://127.0.0.1:1")) if n not in vars(DoorRpcClient)}
    rpc = own | {n for n in RpcClientBase.__annotations__ if not n.startswith("_")}
    assert rpc <= PY_RPC_CLIENT_RESERVED, rpc - PY_RPC_CLIENT_RESERVED
