"""asyncapi.yaml of every example validates with the official parser (@asyncapi/parser, tests/docs/js),
and says what the model says: a channel per topic on its package's exchange, a receive operation per
consumer on its queue, send operations for what endpoints emit, sockets as channels."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from docs_support import EXAMPLES, ROOT, build, model_of

JS = ROOT / "tests/docs/js"


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    base = tmp_path_factory.mktemp("asyncapi")
    out = {}
    for idl in EXAMPLES:
        folder = build(idl, base / idl.stem, ["docs"])
        out[idl.stem] = sorted(folder.glob("*/asyncapi.yaml"))
    return out


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_official_parser_accepts_every_example(documents: dict[str, list[Path]], guarded: Path) -> None:
    if shutil.which("node") is None or not (JS / "node_modules/@asyncapi/parser").is_dir():
        pytest.skip("node or tests/docs/js/node_modules missing: run scripts/setup.sh")
    files = [str(p) for paths in documents.values() for p in paths] + [str(guarded)]
    assert len(files) >= 3
    proc = subprocess.run(["node", str(JS / "validate.mjs"), *files], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_tasks_channels_and_operations(documents: dict[str, list[Path]]) -> None:
    (path,) = documents["tasks"]
    doc = _load(path)
    assert doc["asyncapi"] == "3.0.0"
    created = doc["channels"]["task.created"]
    assert created["address"] == "task.created"
    assert created["bindings"]["amqp"]["exchange"]["name"] == "acme.tasks"
    assert created["bindings"]["amqp"]["is"] == "routingKey"
    assert created["description"] == "Published after a task is stored."
    queue = doc["channels"]["acme.tasks.Tasks.audit_task"]
    assert queue["bindings"]["amqp"]["queue"]["name"] == "acme.tasks.Tasks.audit_task"
    assert queue["x-svcgen-bindings"] == [
        {"exchange": "acme.tasks", "routingKey": "task.created"},
        {"exchange": "acme.tasks", "routingKey": "task.deleted"},
    ]
    ops = doc["operations"]
    assert ops["Tasks.create_task.task.created"]["action"] == "send"
    assert ops["Tasks.index_task"]["action"] == "receive"
    assert ops["Tasks.index_task"]["channel"] == {"$ref": "#/channels/acme.tasks.Tasks.index_task"}
    assert ops["Tasks.live.send"]["action"] == "send"
    assert doc["channels"]["Tasks.live"]["address"] == "/tasks/live"
    assert doc["channels"]["Tasks.live"]["bindings"]["ws"]["query"]["required"] == ["project"]
    payload = doc["components"]["schemas"]["Task"]
    assert payload["properties"]["title"]["description"] == "Short human title."


@pytest.mark.parametrize("name", ["tasks", "billing"])
def test_every_consumer_and_emit_of_the_model(name: str, documents: dict[str, list[Path]]) -> None:
    model = model_of(ROOT / f"examples/{name}/{name}.idl")
    docs = {p.parent.name: _load(p) for p in documents[name]}
    for f in model.files:
        for svc in f.services:
            doc = docs[f.package.replace(".", "_")]
            for c in svc.consumers:
                op = doc["operations"][f"{svc.name}.{c.handler}"]
                assert op["action"] == "receive"
                channel = doc["channels"][f"{svc.package}.{svc.name}.{c.handler}"]
                assert [(b["exchange"], b["routingKey"]) for b in channel["x-svcgen-bindings"]] == [
                    (t.package, t.name) for t in c.topics
                ]
            for x in svc.endpoints:
                for ref in x.emits:
                    assert ref.target is not None
                    assert doc["operations"][f"{svc.name}.{x.handler}.{ref.target.name}"]["action"] == "send"


def test_deterministic(tmp_path: Path) -> None:
    idl = ROOT / "examples/billing/billing.idl"
    a = build(idl, tmp_path / "a", ["docs"])
    b = build(idl, tmp_path / "b", ["docs"])
    for p in a.rglob("*"):
        if p.is_file():
            assert p.read_bytes() == (b / p.relative_to(a)).read_bytes()


GUARDED = """package guarded;

/// Partner keys.
auth partner = apikey header "X-API-Key" -> Partner;

message Partner { id: string; scopes: list<string> = []; }
message Tick { n: int; }

service Feed requires partner {
  socket /ticks ticks() sends Tick requires partner("feed:read", "feed:live");
  socket /open open() sends Tick public;
}
"""


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The asyncapi.yaml of GUARDED (validated with the examples by the official parser)."""
    base = tmp_path_factory.mktemp("guarded")
    (base / "guarded.idl").write_text(GUARDED, encoding="utf-8")
    (path,) = sorted(build(base / "guarded.idl", base / "out", ["docs"]).glob("*/asyncapi.yaml"))
    return path


def test_a_socket_that_requires_auth_lists_its_security_and_scopes(guarded: Path) -> None:
    """The scheme, and the `token` query parameter browsers use instead; a public socket lists none."""
    doc = _load(guarded)
    ticks = doc["operations"]["Feed.ticks.send"]
    assert ticks["security"] == [
        {"$ref": "#/components/securitySchemes/partner"},
        {"$ref": "#/components/securitySchemes/partner_token_query"},
    ]
    assert ticks["x-svcgen-scopes"] == ["feed:read", "feed:live"]
    assert ticks["description"] == "Requires the scopes `feed:read`, `feed:live`."
    assert "security" not in doc["operations"]["Feed.open.send"]
    schemes = doc["components"]["securitySchemes"]
    assert schemes["partner"] == {
        "type": "httpApiKey",
        "name": "X-API-Key",
        "in": "header",
        "description": "Partner keys.",
    }
    assert schemes["partner_token_query"]["in"] == "query" and schemes["partner_token_query"]["name"] == "token"


def test_the_tasks_live_socket_requires_the_user_token(documents: dict[str, list[Path]]) -> None:
    (path,) = documents["tasks"]
    doc = _load(path)
    assert doc["operations"]["Tasks.live.send"]["security"][0] == {"$ref": "#/components/securitySchemes/user"}
    assert doc["components"]["securitySchemes"]["user"]["type"] == "http"
