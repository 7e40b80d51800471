"""The types and billing examples under uvicorn: union bodies, every scalar's wire format, containers
and query parameters over real HTTP (raw httpx and the generated async client), and the receive side
of a socket over a real websocket."""

from __future__ import annotations

import asyncio
import base64
import datetime
import decimal
import importlib
import json
import math
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import websockets
from python_target_support import BIN, ROOT, uvicorn_server

pytestmark = pytest.mark.slow

APPS = Path(__file__).parent / "apps"
WAIT = 5.0  # seconds: the bound of every wait for a frame or an event


@dataclass(frozen=True)
class Served:
    url: str
    folder: Path  # the build, the app module and uvicorn.log


def svcgen_build(idl: Path, out: Path, *targets: str) -> None:
    flags = [arg for target in targets for arg in ("--target", target)]
    done = subprocess.run(
        [str(BIN / "svcgen"), "build", str(idl), "--out", str(out), *flags], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def types_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    base = tmp_path_factory.mktemp("types_example")
    svcgen_build(
        ROOT / "examples/types/types.idl", base / "types_api", "python-models", "python-server", "python-client"
    )
    shutil.copy(APPS / "types_app.py", base / "types_app.py")
    with uvicorn_server(base, "types_app:app") as url:
        yield Served(url, base)


@contextmanager
def imported(folder: Path, *modules: str) -> Iterator[list[ModuleType]]:
    """Import modules of a build in this process; forget them afterwards (other tests build the same names)."""
    sys.path.insert(0, str(folder))
    tops = {m.split(".")[0] for m in modules}
    try:
        yield [importlib.import_module(m) for m in modules]
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.split(".")[0] in tops]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def types_api(types_server: Served) -> Iterator[dict[str, ModuleType]]:
    """The same build imported here: the generated client and models, and the implementation."""
    names = ("types_api.acme_types.client", "types_api.acme_types.models", "types_app")
    with imported(types_server.folder, *names) as (client, models, app):
        yield {"client": client, "models": models, "app": app}


# --- union bodies -------------------------------------------------------------------------------


def test_drawing_keeps_member_order_tags_and_concrete_types(types_server: Served, types_api: dict[str, Any]) -> None:
    sent = {
        "shapes": [
            {"type": "Circle", "radius": 1.5},
            {"type": "Square", "side": 2.0},
            {"type": "Circle", "radius": 0.0},
        ],
        "background": "blue",
    }
    r = httpx.post(types_server.url + "/echo/drawing", json=sent)
    assert r.status_code == 200 and r.json() == sent, r.text
    assert httpx.post(types_server.url + "/echo/drawing", json={}).json() == {"shapes": [], "background": "green"}

    m = types_api["models"]
    drawing = m.Drawing(shapes=[m.Square(side=3.0), m.Circle(radius=0.5)], background=m.Color.RED)

    async def call() -> Any:
        async with types_api["client"].TypesClient(types_server.url) as client:
            return await client.echo_drawing(drawing)

    echoed = asyncio.run(call())
    assert [type(s) for s in echoed.shapes] == [m.Square, m.Circle]
    assert echoed == drawing and echoed.background is m.Color.RED


@pytest.mark.parametrize(
    ("shape", "kind"),
    [
        ({"type": "Triangle", "side": 1.0}, "union_tag_invalid"),
        ({"side": 1.0}, "union_tag_not_found"),
        ({"type": "circle", "radius": 1.0}, "union_tag_invalid"),  # tags are the exact message names
    ],
)
def test_unknown_or_missing_union_tag_is_422_naming_the_discriminator(
    types_server: Served, shape: dict[str, Any], kind: str
) -> None:
    r = httpx.post(types_server.url + "/echo/drawing", json={"shapes": [{"type": "Square", "side": 1.0}, shape]})
    assert r.status_code == 422, r.text
    [detail] = r.json()["detail"]
    assert detail["type"] == kind and detail["loc"] == ["body", "shapes", 1]
    assert detail["ctx"]["discriminator"] == "'type'" and "'type'" in detail["msg"]


def test_constraint_inside_a_union_member_is_422(types_server: Served) -> None:
    r = httpx.post(types_server.url + "/echo/drawing", json={"shapes": [{"type": "Circle", "radius": -0.1}]})
    assert r.status_code == 422, r.text
    [detail] = r.json()["detail"]
    assert detail["type"] == "greater_than_equal" and detail["loc"] == ["body", "shapes", 0, "Circle", "radius"]


def test_area_rpc_is_declared_by_the_generated_service_and_takes_the_union_from_the_wire(
    types_api: dict[str, Any],
) -> None:
    """What the generated code says about `rpc area(shape: Shape) -> float`: its spec (handler and
    queue), an abstract handler a subclass must write, and the Shape union parsed from its wire form
    to the concrete member the handler gets."""
    from pydantic import TypeAdapter

    m = types_api["models"]
    service = sys.modules["types_api.acme_types.service"]  # imported by the app, from the build
    [rpc] = [s for s in service.Types.spec.members if type(s).__name__ == "RpcSpec"]
    assert (rpc.handler, rpc.queue) == ("area", "acme.types.Types.area")
    assert "area" in service.Types.__abstractmethods__
    incomplete = type("NoArea", (service.Types,), {})
    with pytest.raises(TypeError, match="area"):
        incomplete()
    impl = types_api["app"].EchoTypes()
    shapes = TypeAdapter(m.Shape)
    circle = shapes.validate_json('{"type": "Circle", "radius": 2}')
    square = shapes.validate_json('{"type": "Square", "side": 3}')
    assert type(circle) is m.Circle and type(square) is m.Square
    assert asyncio.run(impl.area(circle)) == pytest.approx(4 * math.pi)
    assert asyncio.run(impl.area(square)) == 9.0
    with pytest.raises(ValueError, match="radius"):
        shapes.validate_json('{"type": "Circle", "radius": -1}')  # @min(0) inside the member


# --- scalars ------------------------------------------------------------------------------------

# Every field in the documented wire spelling, chosen so that the canonical output is the same text.
SCALARS = {
    "flag": False,
    "count": 9007199254740993,  # 2**53 + 1: not a float on the way
    "ratio": 0.1,
    "price": "1234.5000",  # a string; trailing zeros kept
    "name": 'it\'s "quoted" \\ ünï ✓',
    "blob": base64.b64encode(b"\x00\xff\x10bin").decode(),
    "key": "3f1c9b2e-8d4a-4e6f-9a0b-1c2d3e4f5a6b",
    "day": "2024-02-29",
    "at": "23:59:58.250000",
    "when": "2024-02-29T13:14:15.123456+05:30",
    "wait": "P1DT2H3M4.5S",
    "extra": {"a": [1, None, "x", True, {"b": 1.5}], "c": "d"},
}


def test_every_scalar_round_trips_in_its_wire_format(types_server: Served) -> None:
    r = httpx.post(types_server.url + "/echo/scalars", json=SCALARS)
    assert r.status_code == 200 and r.json() == SCALARS, r.text
    # defaults come back in the same spellings
    required = {k: SCALARS[k] for k in ("blob", "key", "day", "at", "when", "extra")}
    r = httpx.post(types_server.url + "/echo/scalars", json=required)
    assert r.status_code == 200, r.text
    assert r.json() == required | {
        "flag": True,
        "count": -3,
        "ratio": 0.5,
        "price": "19.99",
        "name": 'it\'s "quoted"',
        "wait": "PT1M30S",
    }
    for extra in (None, [], "text", 0):  # json is any JSON value
        r = httpx.post(types_server.url + "/echo/scalars", json=required | {"extra": extra})
        assert r.status_code == 200 and r.json()["extra"] == extra, r.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("when", "2024-02-29T13:14:15"),  # naive datetimes are rejected
        ("blob", "%%% not base64"),
        ("key", "not-a-uuid"),
        ("day", "2024-02-30"),
        ("at", "25:00:00"),
        ("wait", "ninety seconds"),
        ("price", "1,5"),
    ],
)
def test_scalar_not_in_its_wire_format_is_422(types_server: Served, field: str, value: str) -> None:
    r = httpx.post(types_server.url + "/echo/scalars", json=SCALARS | {field: value})
    assert r.status_code == 422, r.text
    assert [d["loc"] for d in r.json()["detail"]] == [["body", field]]


def test_scalars_through_the_generated_client(types_server: Served, types_api: dict[str, Any]) -> None:
    m = types_api["models"]
    sent = m.Scalars(
        flag=False,
        count=-(2**60),
        ratio=-2.5e-8,
        price=decimal.Decimal("-0.000"),
        name="\u0000 and \u2028",
        blob=bytes(range(256)),
        key=uuid.UUID(SCALARS["key"]),
        day=datetime.date(1999, 12, 31),
        at=datetime.time(0, 0, 0, 1),
        when=datetime.datetime(2030, 1, 1, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-3, minutes=-30))),
        wait=datetime.timedelta(microseconds=1),
        extra={"nested": [{"deep": None}]},
    )

    async def call() -> Any:
        async with types_api["client"].TypesClient(types_server.url) as client:
            return await client.echo_scalars(sent)

    echoed = asyncio.run(call())
    assert echoed == sent
    assert echoed.when.utcoffset() == datetime.timedelta(hours=-3, minutes=-30)
    assert str(echoed.price) == "-0.000" and echoed.blob == bytes(range(256))


# --- containers ---------------------------------------------------------------------------------

IDS = ["3f1c9b2e-8d4a-4e6f-9a0b-1c2d3e4f5a6b", "00000000-0000-4000-8000-000000000000"]


def test_containers_round_trip(types_server: Served, types_api: dict[str, Any]) -> None:
    sent = {
        "numbers": [],
        "matrix": [[1.5, -2.0], [], [0.25]],
        "index": {"both": IDS, "none": [], "": [IDS[1]]},
        "colors": {"sky": "blue", "grass": "green", "rose": "red"},
        "maybe_list": None,
        "list_of_maybe": ["x", None, "", None],
        "nested": SCALARS,
    }
    r = httpx.post(types_server.url + "/echo/containers", json=sent)
    assert r.status_code == 200 and r.json() == sent, r.text
    assert list(r.json()["colors"]) == ["sky", "grass", "rose"]  # map order is kept
    r = httpx.post(types_server.url + "/echo/containers", json={"maybe_list": []})
    assert r.json() == {
        "numbers": [1, 2, 3],
        "matrix": [],
        "index": {},
        "colors": {"sky": "blue"},
        "maybe_list": [],
        "list_of_maybe": [],
        "nested": None,
    }

    for bad, loc in (
        ({"colors": {"sky": "purple"}}, ["body", "colors", "sky"]),
        ({"index": {"k": [IDS[0], "nope"]}}, ["body", "index", "k", 1]),
        ({"matrix": [[1.0], 2.0]}, ["body", "matrix", 1]),
        ({"numbers": [1, None]}, ["body", "numbers", 1]),
    ):
        r = httpx.post(types_server.url + "/echo/containers", json=bad)
        assert r.status_code == 422 and [d["loc"] for d in r.json()["detail"]] == [loc], r.text

    m = types_api["models"]
    model = m.Containers(
        matrix=[[0.5]],
        index={"k": [uuid.UUID(i) for i in IDS]},
        colors={"a": m.Color.GREEN},
        maybe_list=["q"],
        list_of_maybe=[None, "z"],
    )

    async def call() -> Any:
        async with types_api["client"].TypesClient(types_server.url) as client:
            return await client.echo_containers(model)

    echoed = asyncio.run(call())
    assert echoed == model and echoed.colors["a"] is m.Color.GREEN and isinstance(echoed.index["k"][0], uuid.UUID)


# --- query parameters ---------------------------------------------------------------------------


def test_query_parameters_parse_to_their_types(types_server: Served, types_api: dict[str, Any]) -> None:
    params = [("flag", "true"), ("count", "-7"), ("ratio", "2.5e-1"), ("day", "2024-02-29"), ("color", "blue")]
    r = httpx.get(types_server.url + "/echo/query", params=params + [("tags", "a b"), ("tags", ""), ("tags", "c")])
    assert r.status_code == 200, r.text
    assert r.json() == "(True, -7, 0.25, datetime.date(2024, 2, 29), <Color.BLUE: 'blue'>, ['a b', '', 'c'])"
    r = httpx.get(types_server.url + "/echo/query", params=[("flag", "false")] + params[1:])
    assert r.json() == "(False, -7, 0.25, datetime.date(2024, 2, 29), <Color.BLUE: 'blue'>, [])"

    m = types_api["models"]

    async def call() -> str:
        async with types_api["client"].TypesClient(types_server.url) as client:
            result: str = await client.echo_query(
                flag=False, count=3, ratio=-1.5, day=datetime.date(2000, 1, 1), color=m.Color.RED, tags=["x", "&y="]
            )
            return result

    assert asyncio.run(call()) == "(False, 3, -1.5, datetime.date(2000, 1, 1), <Color.RED: 'red'>, ['x', '&y='])"


@pytest.mark.parametrize(
    ("name", "value"),
    [("color", "purple"), ("color", "RED"), ("count", "1.5"), ("flag", "maybe"), ("day", "29.02.2024")],
)
def test_bad_query_parameter_is_422(types_server: Served, name: str, value: str) -> None:
    good = {"flag": "true", "count": "1", "ratio": "1", "day": "2024-02-29", "color": "red"}
    r = httpx.get(types_server.url + "/echo/query", params=good | {name: value})
    assert r.status_code == 422, r.text
    assert [d["loc"] for d in r.json()["detail"]] == [["query", name]]


def test_missing_query_parameter_is_422(types_server: Served) -> None:
    r = httpx.get(
        types_server.url + "/echo/query", params={"flag": "true", "count": "1", "ratio": "1", "day": "2024-02-29"}
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "color"], r.text


# --- billing: endpoints, consumers and the socket's receive path --------------------------------


@pytest.fixture(scope="module")
def billing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    base = tmp_path_factory.mktemp("billing_example")
    # named tasks_api: the billing build holds the generated acme.tasks package under the name
    # examples/tasks/app.py imports, so its InMemoryTasks runs beside Billing (see billing_app.py)
    svcgen_build(ROOT / "examples/billing/billing.idl", base / "tasks_api", "python-models", "python-server")
    shutil.copy(APPS / "billing_app.py", base / "billing_app.py")
    shutil.copy(ROOT / "examples/tasks/app.py", base / "tasks_app.py")
    with uvicorn_server(base, "billing_app:app") as url:
        yield Served(url, base)


# The tasks routes of examples/tasks require a user token (its app.py's DEMO_TOKENS); billing's do not.
TASKS_TOKEN = {"authorization": "Bearer demo-writer"}


def ws_url(served: Served) -> str:
    return served.url.replace("http://", "ws://") + "/invoices/live"


async def billed_task(c: httpx.AsyncClient, title: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Create a task and wait (bounded) until the `task.created` consumer has billed it."""
    task = (await c.post("/tasks", json={"title": title})).json()
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        invoices = (await c.get(f"/tasks/{task['id']}/invoices")).json()
        if invoices:
            return task, invoices[0]
        await asyncio.sleep(0.02)
    raise AssertionError(f"task {task['id']} was not billed within {WAIT} s")


def test_billing_endpoints_and_consumer(billing_server: Served) -> None:
    async def scenario() -> None:
        async with httpx.AsyncClient(base_url=billing_server.url, headers=TASKS_TOKEN) as c:
            task, invoice = await billed_task(c, "bill me")
            assert invoice["task_id"] == task["id"] and invoice["state"] == "draft"
            assert invoice["total"] == {"amount": 9000, "currency": "EUR"} and invoice["notes"] is None
            assert (await c.get(f"/invoices/{invoice['id']}")).json() == invoice
            assert (await c.get(f"/tasks/{task['id']}/invoices", params={"state": "paid"})).json() == []

            paid = await c.post(f"/invoices/{invoice['id']}/pay")
            assert paid.status_code == 200 and paid.json() == invoice | {"state": "paid"}, paid.text
            listed = (await c.get(f"/tasks/{task['id']}/invoices", params={"state": "paid"})).json()
            assert listed == [paid.json()]
            assert (await c.post(f"/invoices/{invoice['id']}/pay")).json() == paid.json()  # idempotent

            unknown = await c.get(f"/invoices/{uuid.uuid4()}")
            assert unknown.status_code == 403 and unknown.json() == {"reason": "not your invoice"}
            assert (await c.post(f"/invoices/{uuid.uuid4()}/pay")).status_code == 403
            bad_state = await c.get(f"/tasks/{task['id']}/invoices", params={"state": "lost"})
            assert bad_state.status_code == 422 and bad_state.json()["detail"][0]["loc"] == ["query", "state"]

    asyncio.run(scenario())


def test_subscribe_frame_gets_typed_invoice_paid_replies(billing_server: Served) -> None:
    async def scenario(models: ModuleType) -> None:
        async with (
            httpx.AsyncClient(base_url=billing_server.url, headers=TASKS_TOKEN) as c,
            websockets.connect(ws_url(billing_server)) as ws,
        ):
            _, early = await billed_task(c, "paid before the client asks")
            _, later = await billed_task(c, "paid while the client watches")
            _, other = await billed_task(c, "paid but not watched")
            paid_early = (await c.post(f"/invoices/{early['id']}/pay")).json()
            assert paid_early["state"] == "paid"

            # a Subscribe frame is answered with what was paid already (unknown ids are ignored)
            await ws.send(models.Subscribe(invoice_ids=[uuid.uuid4(), uuid.UUID(early["id"])]).model_dump_json())
            reply = models.InvoicePaid.model_validate_json(await asyncio.wait_for(ws.recv(), WAIT))
            assert str(reply.invoice_id) == early["id"] and reply.paid_at.utcoffset() == datetime.timedelta(0)

            # a second Subscribe on the same connection adds to what it watches
            await ws.send(json.dumps({"invoice_ids": [later["id"]]}))
            await c.post(f"/invoices/{other['id']}/pay")  # not watched: never pushed
            await c.post(f"/invoices/{later['id']}/pay")
            pushed = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
            assert set(pushed) == {"invoice_id", "paid_at"} and pushed["invoice_id"] == later["id"]
            assert models.InvoicePaid.model_validate(pushed).paid_at > reply.paid_at

    with imported(billing_server.folder, "tasks_api.acme_billing_v1.models") as [models]:
        asyncio.run(scenario(models))


async def closed_by(frame: str | bytes, served: Served) -> tuple[int | None, str]:
    """Send one frame on a fresh connection; the close code and reason the server answers with."""
    async with websockets.connect(ws_url(served)) as ws:
        await ws.send(frame)
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), WAIT)
        return ws.close_code, ws.close_reason or ""


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ("not json", "Invalid JSON"),
        ('{"invoice_ids": ["nope"]}', "Input should be a valid UUID"),
        ('{"ids": []}', "Field required"),
        ("[]", "Input should be an object"),
    ],
)
def test_malformed_text_frame_closes_with_1007_and_the_first_error(
    billing_server: Served, frame: str, reason: str
) -> None:
    # sockets.Connection.receive: an invalid frame closes with 1007, reason the first error's message (<= 120)
    code, text = asyncio.run(closed_by(frame, billing_server))
    assert code == 1007 and text.startswith(reason) and len(text) <= 120, (code, text)


def test_malformed_frame_leaves_no_error_on_the_server(billing_server: Served) -> None:
    log = billing_server.folder / "uvicorn.log"
    before = len(log.read_text())
    code, _ = asyncio.run(closed_by("not json", billing_server))
    assert code == 1007
    deadline = time.monotonic() + 0.5  # the handler ends within milliseconds of the close it sent
    while time.monotonic() < deadline and "Traceback" not in log.read_text()[before:]:
        time.sleep(0.02)
    assert "Traceback" not in log.read_text()[before:], log.read_text()[before:]


def test_binary_frame_closes_with_1007(billing_server: Served) -> None:
    code, reason = asyncio.run(closed_by(b'{"invoice_ids": []}', billing_server))
    assert (code, reason) == (1007, "binary frames are not accepted: send JSON text")


def test_socket_still_serves_after_a_bad_client(billing_server: Served) -> None:
    async def scenario() -> None:
        await closed_by("garbage", billing_server)
        async with (
            httpx.AsyncClient(base_url=billing_server.url, headers=TASKS_TOKEN) as c,
            websockets.connect(ws_url(billing_server)) as ws,
        ):
            _, invoice = await billed_task(c, "after the bad client")
            await c.post(f"/invoices/{invoice['id']}/pay")
            await ws.send(json.dumps({"invoice_ids": [invoice["id"]]}))
            reply = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
            assert reply["invoice_id"] == invoice["id"]

    asyncio.run(scenario())
