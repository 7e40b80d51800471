"""`svcgen graph`: the JSON form's edges are the model's emits and consumers; billing shows its
subscription to another package's topic; unconsumed topics and unfed patterns stand out; exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from docs_support import ROOT, model_of

BILLING = ROOT / "examples/billing/billing.idl"
SVCGEN = [sys.executable, "-m", "svcgen"]

LONELY = """package lonely;

message Ping { id: uuid; }

topic ping.sent: Ping;
topic pong.got: Ping;

service Lonely {
  POST /ping ping(p: Ping) emits ping.sent;
  on pong.* nobody_feeds;
}
"""


def graph(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SVCGEN, "graph", *args], capture_output=True, text=True, timeout=60)


def test_json_edges_are_the_model() -> None:
    proc = graph(str(BILLING), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    model = model_of(BILLING)
    expected = set()
    for f in model.files:
        for svc in f.services:
            sid = f"service:{svc.package}.{svc.name}"
            for x in svc.endpoints:
                for ref in x.emits:
                    assert ref.target is not None
                    expected.add(("emits", sid, f"topic:{ref.target.package}/{ref.target.name}", x.handler))
            for c in svc.consumers:
                for t in c.topics:
                    expected.add(("consumes", f"topic:{t.package}/{t.name}", sid, c.handler))
    got = {(e["kind"], e["from"], e["to"], e["handler"]) for e in data["edges"]}
    assert got == expected
    assert len(data["edges"]) == len(expected)
    # the cross-package subscription: Billing.bill_task on acme.tasks' task.created, through its own queue
    cross = [e for e in data["edges"] if e["handler"] == "bill_task"]
    assert cross == [
        {
            "kind": "consumes",
            "from": "topic:acme.tasks/task.created",
            "to": "service:acme.billing.v1.Billing",
            "handler": "bill_task",
            "pattern": "task.created",
            "queue": "acme.billing.v1.Billing.bill_task",
        }
    ]
    billing = next(s for s in data["services"] if s["name"] == "Billing")
    assert billing["rpcs"][0]["name"] == "outstanding"
    assert billing["schedules"] == [{"handler": "close_month", "every": "0 2 1 * *", "overlap": False}]
    assert data["unconsumed_topics"] == [] and data["unfed_patterns"] == []


def test_mermaid_default_shows_the_cross_package_edge() -> None:
    proc = graph(str(BILLING))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("flowchart LR\n")
    assert 'n_topic_acme_tasks_task_created -- "bill_task" --> n_service_acme_billing_v1_Billing' in proc.stdout
    assert 'subgraph pkg0["acme.tasks"]' in proc.stdout and '["acme.billing.v1"]' in proc.stdout


def test_unconsumed_and_unfed_stand_out(tmp_path: Path) -> None:
    idl = tmp_path / "lonely.idl"
    idl.write_text(LONELY, encoding="utf-8")
    data = json.loads(graph(str(idl), "--format", "json").stdout)
    assert data["unconsumed_topics"] == ["topic:lonely/ping.sent"]
    assert data["unfed_patterns"] == [
        {
            "service": "service:lonely.Lonely",
            "handler": "nobody_feeds",
            "pattern": "pong.*",
            "queue": "lonely.Lonely.nobody_feeds",
        }
    ]
    mermaid = graph(str(idl)).stdout
    assert "class n_topic_lonely_ping_sent unconsumed" in mermaid
    assert "class n_pattern_lonely_Lonely_nobody_feeds unfed" in mermaid
    dot = graph(str(idl), "--format", "dot").stdout
    assert dot.startswith("digraph topology {") and 'label="pong.*", style="dashed,filled"' in dot


def test_out_file_and_exit_codes(tmp_path: Path) -> None:
    target = tmp_path / "graph.mmd"
    proc = graph(str(BILLING), "--out", str(target))
    assert proc.returncode == 0 and proc.stdout == ""
    assert target.read_text(encoding="utf-8") == graph(str(BILLING)).stdout
    bad = tmp_path / "bad.idl"
    bad.write_text("package bad;\nmessage A { b: Nope; }\n", encoding="utf-8")
    proc = graph(str(bad))
    assert proc.returncode == 1 and "E101" in proc.stderr and proc.stdout == ""
    assert graph(str(BILLING), "--format", "svg").returncode == 2
    assert graph(str(BILLING), "--out", str(tmp_path / "missing" / "g.mmd")).returncode == 2
    assert graph().returncode == 2


def test_build_writes_topology_beside_the_documents(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*SVCGEN, "build", str(BILLING), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SVCGEN_NO_STAMP": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "out/docs/TOPOLOGY.md").read_text(encoding="utf-8")
    assert "```mermaid\n" + graph(str(BILLING)).stdout in text
    assert (tmp_path / "out/docs/acme_billing_v1/asyncapi.yaml").is_file()
