"""RPC over gRPC end to end: `svcgen run grpc` as a subprocess, called by a plain grpcio client compiled by
hand from the generated .proto, and by the generated typed client with a grpc:// URL.

Each server is `python -m svcgen_runtime grpc calc_app:calc` in a folder holding the build of calc.idl.
"""

from __future__ import annotations

import asyncio
import datetime
import decimal
import importlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from svcgen.build import generate
from svcgen.frontend import compile_file

HERE = Path(__file__).resolve().parent
IDL = HERE / "calc.idl"
BIN = Path(sys.executable).parent


def _build(folder: Path) -> dict[str, str]:
    result = compile_file(IDL)
    assert result.model is not None, [d.message for d in result.diagnostics]
    files = generate(result.model, IDL, ["python-grpc"])
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    return {str(k): v for k, v in files.items()}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("grpc")
    _build(base / "calc_api")
    shutil.copy(HERE / "calc_app.py", base / "calc_app.py")
    sys.path.insert(0, str(base))
    yield base
    sys.path.remove(str(base))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, work: Path, port: int) -> None:
        self.work = work
        self.port = port
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        env = {**os.environ, "SVCGEN_GRPC_PORT": str(self.port), "SVCGEN_SHUTDOWN_GRACE": "5"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "svcgen_runtime", "grpc", "calc_app:calc"],
            cwd=self.work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.proc.communicate()[0]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the grpc role did not listen within 15 s")

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        assert self.proc is not None
        self.proc.send_signal(sig)
        out, _ = self.proc.communicate(timeout=15)
        code = self.proc.returncode
        self.proc = None
        return code, out


@pytest.fixture(scope="module")
def server(work: Path) -> Iterator[Server]:
    srv = Server(work, free_port())
    srv.start()
    yield srv
    if srv.proc is not None:
        code, out = srv.stop()
        assert code == 0, out


def test_build_is_deterministic_and_only_rpc_packages(tmp_path: Path) -> None:
    one = _build(tmp_path / "a")
    assert one == _build(tmp_path / "b")
    grpc_files = sorted(p for p in one if p.endswith((".proto", "_pb2.py", "grpc_service.py")))
    assert grpc_files == ["grpc_calc/grpc_calc.proto", "grpc_calc/grpc_calc_pb2.py", "grpc_calc/grpc_service.py"]


PLAIN_CLIENT = """
import sys
import grpc
import grpc_calc_pb2 as pb, grpc_calc_pb2_grpc as pbg

channel = grpc.insecure_channel(sys.argv[1])
stub = pbg.CalcStub(channel)
area = stub.Area(pb.AreaRequest(shape=pb.Shape(square=pb.Square(side=3.0)), unit=pb.UNIT_MM), timeout=5)
print("area", area.value)
m = pb.Measure(id="6f1d7a0e-6d7c-4c1e-9a55-0d2c7f1a2b3c", value="2.50", at="2026-01-02T03:04:05Z", blob=b"\\x01")
m.extra.string_value = "x"
echo = stub.Echo(pb.EchoRequest(measure=m), timeout=5)
print("echo", list(echo.tags), echo.unit == pb.UNIT_CM, echo.took, echo.value)
print("add", stub.Add(pb.AddRequest(a=41), timeout=5).value)
try:
    stub.Fail(pb.FailRequest(kind="missing", id="6f1d7a0e-6d7c-4c1e-9a55-0d2c7f1a2b3c"), timeout=5)
except grpc.RpcError as e:
    meta = dict(e.trailing_metadata())
    print("fail", e.code().name, meta["svcgen-error"], meta["svcgen-error-body-bin"].decode())
try:
    stub.Area(pb.AreaRequest(shape=pb.Shape(circle=pb.Circle(radius=-1))), timeout=5)
except grpc.RpcError as e:
    print("invalid", e.code().name)
"""


def test_plain_grpcio_client_from_the_proto_compiled_by_hand(work: Path, server: Server, tmp_path: Path) -> None:
    out = tmp_path / "plain"
    out.mkdir()
    shutil.copy(work / "calc_api/grpc_calc/grpc_calc.proto", out / "grpc_calc.proto")
    protoc = [sys.executable, "-m", "grpc_tools.protoc", f"-I{out}", f"--python_out={out}", f"--grpc_python_out={out}"]
    r = subprocess.run([*protoc, "grpc_calc.proto"], cwd=out, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    (out / "client.py").write_text(textwrap.dedent(PLAIN_CLIENT), encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "client.py", f"127.0.0.1:{server.port}"], cwd=out, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "area 900.0"
    assert lines[1] == "echo ['seen'] True PT1S 2.50"  # IDL defaults for unset optional fields: unit cm, took 1s
    assert lines[2] == "add 42"  # b = 1, its IDL default
    assert lines[3] == 'fail NOT_FOUND Missing {"id":"6f1d7a0e-6d7c-4c1e-9a55-0d2c7f1a2b3c"}'
    assert lines[4] == "invalid INVALID_ARGUMENT"


def _client(port: int) -> Any:
    return importlib.import_module("calc_api.grpc_calc.rpc").CalcRpcClient(f"grpc://127.0.0.1:{port}")


def test_typed_client_results_errors_timeout_concurrency(work: Path, server: Server) -> None:
    md = importlib.import_module("calc_api.grpc_calc.models")
    from svcgen_runtime.rpc import RemoteError, RpcTimeout

    async def main() -> None:
        async with _client(server.port) as rpc:
            assert await rpc.area(shape=md.Circle(radius=1.0)) == pytest.approx(3.14159265)
            assert await rpc.area(shape=md.Square(side=2.0), unit=md.Unit.M) == pytest.approx(0.0004)
            m = md.Measure(
                id=uuid.uuid4(),
                value=decimal.Decimal("1.50"),
                at=datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
                took=datetime.timedelta(minutes=1, seconds=30),
                blob=b"\x00\xff",
                extra={"a": [1.5, None, "x"], "b": True},
                matrix=[[1.0, 2.0], []],
                index={"k": [uuid.uuid4()], "empty": []},
                maybe=["a", None],
                note="n",
                shapes=[md.Circle(radius=2), md.Square(side=1)],
                unit=md.Unit.MM,
            )
            echoed = await rpc.echo(measure=m, tag="t")
            assert echoed == m.model_copy(update={"tags": ["t"]})
            assert await rpc.ping() is None
            assert await rpc.add(a=2) == 3
            assert await rpc.sizes(names=["ab", "c"]) == {"ab": 2, "c": 1}
            assert await rpc.fail(kind="none", id=uuid.uuid4()) is None

            ident = uuid.uuid4()
            with pytest.raises(md.Missing) as missing:
                await rpc.fail(kind="missing", id=ident)
            assert missing.value.body == md.MissingBody(id=ident)
            with pytest.raises(md.TooMany) as many:
                await rpc.fail(kind="too_many", id=ident)
            assert many.value.body.retry_after_s == 7
            with pytest.raises(md.Broken) as broken:
                await rpc.fail(kind="broken", id=ident)
            assert broken.value.body.reason == "on purpose"
            with pytest.raises(RemoteError) as bug:
                await rpc.fail(kind="bug", id=ident)
            assert bug.value.name == "RuntimeError" and "undeclared" in bug.value.detail

            started = time.monotonic()
            with pytest.raises(RpcTimeout):
                await rpc.sleep(seconds=3)  # declared timeout 1s
            assert 0.9 < time.monotonic() - started < 2.0
            with pytest.raises(RpcTimeout):  # an override shorter than the run (a 1 µs deadline could still be met)
                await rpc.sleep(seconds=1, timeout=0.1)
            assert isinstance(await rpc.sleep(seconds=0.2, timeout=3), int)

            results = await asyncio.gather(*(rpc.add(a=i, b=i) for i in range(100)))
            assert results == [2 * i for i in range(100)]

    asyncio.run(main())


def test_unreachable_server_is_a_clear_error(work: Path) -> None:
    from svcgen_runtime.rpc import RpcUnavailable

    async def main() -> None:
        client = _client(free_port())
        with pytest.raises(RpcUnavailable):
            await client.open()

    asyncio.run(main())


def test_server_restart_during_calls(work: Path) -> None:
    """SIGTERM lets running calls finish (exit 0); a SIGKILL fails them at once; none outlives its deadline."""
    from svcgen_runtime.rpc import RpcError

    srv = Server(work, free_port())
    srv.start()

    async def call(rpc: Any, i: int) -> tuple[str, float]:
        started = time.monotonic()
        try:
            await rpc.sleep(seconds=0.3, timeout=2.0)
            outcome = "ok"
        except RpcError as exc:
            outcome = type(exc).__name__
        return outcome, time.monotonic() - started

    async def main() -> None:
        async with _client(srv.port) as rpc:
            calls = [asyncio.create_task(call(rpc, i)) for i in range(20)]
            await asyncio.sleep(0.1)
            code, out = await asyncio.to_thread(srv.stop, signal.SIGTERM)
            assert code == 0, out
            graceful = await asyncio.gather(*calls)
            assert [o for o, _ in graceful] == ["ok"] * 20  # in flight at SIGTERM: finished within the grace
            outcome, took = await call(rpc, 0)  # nobody listening
            assert outcome == "RpcUnavailable" and took < 2.5

            await asyncio.to_thread(srv.start)
            calls = [asyncio.create_task(call(rpc, i)) for i in range(20)]
            await asyncio.sleep(0.1)
            await asyncio.to_thread(srv.stop, signal.SIGKILL)
            killed = await asyncio.gather(*calls)
            assert all(o in ("ok", "RpcUnavailable", "RpcTimeout") for o, _ in killed), killed
            assert all(took < 2.5 for _, took in killed), killed
            await asyncio.to_thread(srv.start)
            deadline = time.monotonic() + 10
            while True:  # the channel reconnects by itself
                outcome, _ = await call(rpc, 0)
                if outcome == "ok" or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
            assert outcome == "ok"

    try:
        asyncio.run(main())
    finally:
        if srv.proc is not None:
            srv.stop(signal.SIGKILL)


def test_generated_code_passes_mypy_ruff_black(work: Path) -> None:
    r = subprocess.run(
        [str(BIN / "mypy"), "--strict", "--no-incremental", "--python-version", "3.11", "-p", "calc_api"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run(
        [str(BIN / "ruff"), "check", "--no-cache", "--select", "E,F,W,I,UP,B", "--ignore", "E501", "calc_api"],
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout
    r = subprocess.run([str(BIN / "black"), "--check", "-q", "calc_api"], cwd=work, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
