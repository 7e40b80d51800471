"""The classification agrees with the wire: generated clients fail against a changed server exactly when told.

For each single-declaration change of examples/tasks, the old generated Python client calls
every endpoint of a server generated from the new IDL (in process, httpx.ASGITransport), and
the new client calls the old server. A call fails when the client raises (a 4xx from the
server's validation, a response the client's models reject, a route that is gone). Each
direction must fail exactly when `svcgen breaking` reports a wire-visible finding for it:
old -> new for the first, new -> old for the reverse. Values are chosen at the edges that
the rules are about: the largest number and longest text a constraint allows, the last enum
value, null for every optional field. RPC, topics and sockets have no HTTP client to try.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import inspect
import sys
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter
from svcgen import model as m
from svcgen.breaking.compare import compare
from svcgen.breaking.directions import Direction, directions
from svcgen.build import generate
from svcgen.frontend import compile_file

ROOT = Path(__file__).resolve().parents[2]
TASKS = (ROOT / "examples/tasks/tasks.idl").read_text(encoding="utf-8")
COMMON = (ROOT / "examples/tasks/common.idl").read_text(encoding="utf-8")

# Findings that make some generated client call fail on the wire; the others (a default that now
# means something else, a renamed handler, a status, RPC and messaging, a scope or another scheme
# the accept-all verifier below lets through) are not visible to this test.
WIRE = {"B101", "B102", "B103", "B104", "B105", "B106", "B201", "B202", "B203", "B204", "B206"}
WIRE |= {"B301", "B302", "B304", "B306", "B307"}
WIRE |= {"B601", "B604"}  # an old client sends no credential, or sends it where the server no longer looks


def _swap(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return change


MUTATIONS: dict[str, Callable[[str], str]] = {
    "remove a response field": _swap("  title: string @length(1, 200);\n  done", "  done"),
    "add a required request field": _swap("message NewTask {\n", "message NewTask {\n  project: string;\n"),
    "add an optional response field": _swap("  done: bool = false;\n", "  done: bool = false;\n  note: string?;\n"),
    "change a field's type": _swap("  done: bool = false;", '  done: string = "no";'),
    "make a response field optional": _swap("  id: uuid;\n  /// Short", "  id: uuid?;\n  /// Short"),
    "tighten a request constraint": _swap(
        "message NewTask {\n  title: string @length(1, 200);", "message NewTask {\n  title: string @length(1, 20);"
    ),
    "remove an enum value": _swap("  normal;\n  high;\n", "  normal;\n"),
    "add an enum value": _swap("  normal;\n  high;\n", "  normal;\n  high;\n  urgent;\n"),
    "rename a handler": _swap("get_task(id: uuid)", "fetch_task(id: uuid)"),
    "move an endpoint": _swap("GET /tasks/{id} get_task", "GET /task/{id} get_task"),
    "remove an endpoint": _swap(
        "  /// Remove a task and announce it.\n  DELETE /tasks/{id} delete_task(id: uuid) throws TaskNotFound"
        ' emits task.deleted requires user("tasks:write");\n',
        "",
    ),
    "add a required query parameter": _swap("list_tasks(limit", "list_tasks(project: string, limit"),
    "change a path parameter's type": _swap(
        "DELETE /tasks/{id} delete_task(id: uuid)", "DELETE /tasks/{id} delete_task(id: int)"
    ),
    "change a result type": _swap("get_task(id: uuid) -> Task", "get_task(id: uuid) -> TaskPage"),
    "change a default": _swap("limit: int = 50", "limit: int = 20"),
    "edit docs": _swap("/// A unit of work.", "/// A unit of work that someone does."),
    # Auth, as far as this test sees it: every client passes token="t" (no api_key) and sends it only
    # to the members its IDL protects; the server accepts any credential it finds, with every scope.
    # So a member that starts (or stops) requiring a credential, and a credential that moves, show on
    # the wire; a new scope or scheme of the same transport does not, nor a header moved (an optional one).
    "require auth on a public endpoint": _swap("health() -> Health public;", "health() -> Health;"),
    "make an endpoint public": _swap(
        "get_task(id: uuid) -> Task throws TaskNotFound;", "get_task(id: uuid) -> Task throws TaskNotFound public;"
    ),
    "move the credential to an API key header": _swap(
        "auth user = bearer -> UserClaims;", 'auth user = apikey header "X-Api-Key" -> UserClaims;'
    ),
}


# ------------------------------------------------------------------ sample values at the edges


def sample(ref: m.TypeRef, model: m.Model, f: m.Field | None = None, inside: frozenset[str] = frozenset()) -> Any:
    """A JSON value of the type; a list or map of a message already being built is empty (Task.subtasks)."""
    if ref.optional:
        return None
    if ref.kind in ("list", "map"):
        item = ref.args[-1]
        if item.kind == "named" and item.target is not None and item.target.name in inside:
            return [] if ref.kind == "list" else {}
        value = sample(item, model, None, inside)
        return [value] if ref.kind == "list" else {"k": value}
    if ref.kind == "named":
        decl = model.lookup(ref)
        if isinstance(decl, m.Enum):
            return decl.values[-1].name
        if isinstance(decl, m.Union_):
            member = decl.members[0]
            return {"type": member.name.rsplit(".", 1)[-1], **sample(member, model, None, inside)}
        assert isinstance(decl, m.Message)
        deeper = inside | {decl.name}
        return {g.name: sample(g.type, model, g, deeper) for g in decl.fields}
    return _scalar(ref.name, f)


def _scalar(name: str, f: m.Field | None) -> Any:
    def arg(annotation: str, index: int) -> Any:
        a = f.annotation(annotation) if f else None
        return a.args[index].value if a and len(a.args) > index else None

    if name in ("int", "float", "decimal"):
        top = arg("max", 0)
        value = top if top is not None else 7
        return str(value) if name == "decimal" else (int(value) if name == "int" else float(value))
    if name == "string":
        if arg("pattern", 0) is not None:
            return "EUR"  # the one pattern of the example: three capitals
        length = f.annotation("length") if f else None
        most = int(length.args[-1].value) if length and length.args else 3  # type: ignore[arg-type]
        return "x" * min(most, 300)
    return {
        "bool": True,
        "bytes": base64.b64encode(b"abc").decode(),
        "uuid": "00000000-0000-4000-8000-000000000001",
        "date": "2024-01-31",
        "time": "13:45:00",
        "datetime": "2024-01-31T13:45:00Z",
        "duration": "PT1S",
        "json": {"k": 1},
    }[name]


# ------------------------------------------------------------------ builds


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str, str], tuple[m.Model, str]]]:
    """Build a variant of tasks.idl (python-models, -server, -client) as an importable package; cached."""
    base = tmp_path_factory.mktemp("wire")
    sys.path.insert(0, str(base))
    made: dict[str, tuple[m.Model, str]] = {}

    def build(name: str, text: str) -> tuple[m.Model, str]:
        if text not in made:
            src = base / f"src_{name}"
            src.mkdir()
            (src / "tasks.idl").write_text(text, encoding="utf-8")
            (src / "common.idl").write_text(COMMON, encoding="utf-8")
            result = compile_file(src / "tasks.idl")
            assert result.model is not None, [d.message for d in result.diagnostics]
            package = f"wire_{name}"
            for rel, body in generate(
                result.model, src / "tasks.idl", ["python-models", "python-server", "python-client"]
            ).items():
                path = base / package / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(body, encoding="utf-8")
            made[text] = (result.model, package)
        return made[text]

    yield build
    sys.path.remove(str(base))


def _service(model: m.Model) -> m.Service:
    return model.root.services[0]


def server(model: m.Model, package: str) -> Any:
    """The generated app of `package`, every handler answering a sample of its result."""
    service_mod = importlib.import_module(f"{package}.acme_tasks.service")
    http_mod = importlib.import_module(f"{package}.acme_tasks.http")
    base = service_mod.Tasks
    results = {x.handler: x.returns for x in _service(model).members if isinstance(x, (m.Endpoint, m.Rpc))}

    def handler(name: str) -> Callable[..., Any]:
        hint = typing.get_type_hints(getattr(base, name)).get("return")
        ref = results.get(name)

        async def answer(self: Any, *args: Any, **kwargs: Any) -> Any:
            if ref is None or hint is None or hint is type(None):
                return None
            return TypeAdapter(hint).validate_python(sample(ref, model))

        return answer

    def verifier(scheme: m.AuthScheme) -> Callable[..., Any]:
        """Any credential passes, with every scope the service asks for: auth is not what this test is about."""
        service = _service(model)
        needs = [service.requirement(x) for x in service.members]
        scopes = sorted({str(v.value) for r in needs if r is not None for v in r.scopes})
        hint = typing.get_type_hints(getattr(base, f"verify_{scheme.name}"))["return"]

        async def verify(self: Any, token: str) -> Any:
            claims = sample(scheme.claims, model) | {"scopes": scopes}
            return TypeAdapter(hint).validate_python(claims)

        return verify

    methods = {name: handler(name) for name in base.__abstractmethods__}
    methods |= {f"verify_{a.name}": verifier(a) for a in model.root.auth_schemes}
    impl = type("Impl", (base,), methods)
    return http_mod.create_app(impl())


async def _calls(client_model: m.Model, client_package: str, app: Any) -> list[str]:
    """Call every endpoint of the client's contract; the handlers whose call failed."""
    client_mod = importlib.import_module(f"{client_package}.acme_tasks.client")
    base_mod = importlib.import_module(f"{client_package}.client_base")
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
    client = client_mod.TasksClient("http://test", http_client=http, retry=base_mod.Retry(attempts=1), token="t")
    failed = []
    for ep in _service(client_model).endpoints:
        method = getattr(client, ep.handler)
        hints = typing.get_type_hints(method)
        args = {p.name: TypeAdapter(hints[p.name]).validate_python(sample(p.type, client_model, p)) for p in ep.params}
        assert set(args) <= set(inspect.signature(method).parameters)
        try:
            await method(**args)
        except Exception:  # noqa: BLE001 - any failure of the call is what this test looks for
            failed.append(ep.handler)
    await http.aclose()
    return failed


def _fails(client: tuple[m.Model, str], server_side: tuple[m.Model, str]) -> list[str]:
    return asyncio.run(_calls(client[0], client[1], server(*server_side)))


def _wire(old: m.Model, new: m.Model) -> list[str]:
    """Findings an HTTP client can run into: wire codes (errors, or a new enum value or union member the
    server sends), and for a type's rules only the directions its HTTP uses give it (not a topic's)."""
    ways = directions(old, topics=False, members=(m.Endpoint,))
    need = {"1": Direction.READ, "2": Direction.WRITE}
    out = []
    for f in compare(old, new):
        if f.code not in WIRE or (f.severity != "error" and f.code not in ("B105", "B106")):
            continue
        if f.code[1] in need:
            owner = f.subject.rsplit(".", 1)[0]
            if not any(str(name) == owner and need[f.code[1]] in way for name, way in ways.items()):
                continue
        out.append(f.allow_key)
    return sorted(out)


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_findings_agree_with_the_wire(mutation: str, builds: Callable[[str, str], tuple[m.Model, str]]) -> None:
    old = builds("base", TASKS)
    new = builds(str(sorted(MUTATIONS).index(mutation)), MUTATIONS[mutation](TASKS))
    assert _fails(old, old) == []  # the unchanged pair works
    forward, backward = _fails(old, new), _fails(new, old)
    assert bool(forward) == bool(_wire(old[0], new[0])), (forward, _wire(old[0], new[0]))
    assert bool(backward) == bool(_wire(new[0], old[0])), (backward, _wire(new[0], old[0]))
