"""`svcgen graph`: the messaging topology of a model across every package it imports.

Nodes are services and topics; an `emits` edge goes from a service to a topic (labelled with the
endpoint that publishes it), a `consumes` edge from a topic to a service (labelled with the consumer
and, when it is a wildcard, its pattern). Topics nobody consumes and patterns no emitter feeds
are listed apart and drawn in their own style (a pattern is unfed when no endpoint in scope emits any
topic it matches; a pattern that matches no topic at all is already an error of `svcgen check`). Schedules and RPCs are listed on their service.
Rendered as Mermaid (default), Graphviz DOT or JSON; the docs target writes the Mermaid form into
`TOPOLOGY.md`.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from svcgen import model as m


@dataclass
class Topology:
    services: list[dict[str, Any]] = field(default_factory=list)
    topics: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    unconsumed_topics: list[str] = field(default_factory=list)
    unfed_patterns: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "services": self.services,
            "topics": self.topics,
            "edges": self.edges,
            "unconsumed_topics": self.unconsumed_topics,
            "unfed_patterns": self.unfed_patterns,
        }


def service_id(svc: m.Service) -> str:
    return f"service:{svc.package}.{svc.name}"


def topic_id(name: m.QualifiedName) -> str:
    return f"topic:{name.package}/{name.name}"


def _every(s: m.Schedule) -> str:
    if s.cron is not None:
        return s.cron
    ms = s.interval_ms or 0
    for unit, size in (("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def topology(model: m.Model) -> Topology:
    t = Topology()
    consumed: set[str] = set()
    consumers: list[tuple[str, m.Consumer, str]] = []
    services = [s for f in model.files for s in f.services]
    for topic in model.all_topics:
        t.topics.append(
            {
                "id": topic_id(m.QualifiedName(topic.package, topic.name)),
                "package": topic.package,
                "name": topic.name,
                "type": str(topic.type),
            }
        )
    for svc in services:
        sid = service_id(svc)
        t.services.append(
            {
                "id": sid,
                "package": svc.package,
                "name": svc.name,
                "endpoints": [f"{x.method} {x.path} {x.handler}" for x in svc.endpoints],
                "rpcs": [
                    {"name": r.handler, "queue": f"{svc.package}.{svc.name}.{r.handler}", "timeout_ms": r.timeout_ms}
                    for r in svc.rpcs
                ],
                "schedules": [{"handler": s.handler, "every": _every(s), "overlap": s.overlap} for s in svc.schedules],
                "sockets": [f"{s.path} {s.handler}" for s in svc.sockets],
            }
        )
        for x in svc.endpoints:
            for ref in x.emits:
                if ref.target is not None:
                    t.edges.append({"kind": "emits", "from": sid, "to": topic_id(ref.target), "handler": x.handler})
        for c in svc.consumers:
            queue = f"{svc.package}.{svc.name}.{c.handler}"
            consumers.append((sid, c, queue))
            for name in c.topics:
                tid = topic_id(name)
                consumed.add(tid)
                edge = {"kind": "consumes", "from": tid, "to": sid, "handler": c.handler, "pattern": c.pattern}
                t.edges.append({**edge, "queue": queue})
    emitted = {e["to"] for e in t.edges if e["kind"] == "emits"}
    t.unconsumed_topics = [node["id"] for node in t.topics if node["id"] not in consumed]
    for node in t.topics:
        node["consumed"] = node["id"] in consumed
        node["emitted"] = node["id"] in emitted
    for sid, c, queue in consumers:  # no endpoint in scope emits any topic the pattern matches
        if not any(topic_id(name) in emitted for name in c.topics):
            t.unfed_patterns.append({"service": sid, "handler": c.handler, "pattern": c.pattern, "queue": queue})
    return t


def _node(id_: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9]", "_", id_)


def _mm(text: str) -> str:
    """Text inside a quoted Mermaid label."""
    return text.replace("&", "&amp;").replace('"', "#quot;").replace("<", "&lt;").replace(">", "&gt;")


def _service_lines(svc: dict[str, Any]) -> list[str]:
    lines = [f"{svc['name']}"]
    lines += [f"rpc {r['name']}" for r in svc["rpcs"]]
    lines += [f"every {s['every']}: {s['handler']}" for s in svc["schedules"]]
    return lines


def _edge_label(e: dict[str, Any]) -> str:
    if e["kind"] == "consumes" and e["pattern"] != e["to"] and ("*" in e["pattern"] or "#" in e["pattern"]):
        return f"{e['handler']} ({e['pattern']})"
    return str(e["handler"])


def mermaid(t: Topology) -> str:
    out = ["flowchart LR"]
    packages: dict[str, list[str]] = {}
    for svc in t.services:
        label = "<br/>".join(_mm(x) for x in _service_lines(svc))
        packages.setdefault(svc["package"], []).append(f'{_node(svc["id"])}["{label}"]')
    for topic in t.topics:
        packages.setdefault(topic["package"], []).append(f'{_node(topic["id"])}(["{_mm(topic["name"])}"])')
    for p in t.unfed_patterns:
        pid = f"pattern:{p['queue']}"
        packages.setdefault(p["service"].split(":", 1)[1].rsplit(".", 1)[0], []).append(
            f'{_node(pid)}{{{{"{_mm(p["pattern"])}"}}}}'
        )
    for i, (package, nodes) in enumerate(packages.items()):
        out.append(f'  subgraph pkg{i}["{_mm(package)}"]')
        out.extend(f"    {n}" for n in nodes)
        out.append("  end")
    for e in t.edges:
        out.append(f'  {_node(e["from"])} -- "{_mm(_edge_label(e))}" --> {_node(e["to"])}')
    for p in t.unfed_patterns:
        out.append(f'  {_node("pattern:" + p["queue"])} -. "{_mm(p["handler"])}" .-> {_node(p["service"])}')
    out.append("  classDef service fill:#e8f0fe,stroke:#1a56db")
    out.append("  classDef topic fill:#f3f4f6,stroke:#6b7280")
    out.append("  classDef unconsumed fill:#fef3c7,stroke:#d97706,stroke-dasharray:4 3")
    out.append("  classDef unfed fill:#fee2e2,stroke:#dc2626,stroke-dasharray:4 3")
    if t.services:
        out.append("  class " + ",".join(_node(s["id"]) for s in t.services) + " service")
    consumed = [x for x in t.topics if x["consumed"]]
    if consumed:
        out.append("  class " + ",".join(_node(x["id"]) for x in consumed) + " topic")
    if t.unconsumed_topics:
        out.append("  class " + ",".join(_node(x) for x in t.unconsumed_topics) + " unconsumed")
    if t.unfed_patterns:
        out.append("  class " + ",".join(_node("pattern:" + p["queue"]) for p in t.unfed_patterns) + " unfed")
    return "\n".join(out) + "\n"


def _dq(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(t: Topology) -> str:
    out = ["digraph topology {", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    packages: dict[str, list[str]] = {}
    for svc in t.services:
        label = "\\n".join(x.replace("\\", "\\\\").replace('"', '\\"') for x in _service_lines(svc))
        packages.setdefault(svc["package"], []).append(f'{_dq(svc["id"])} [shape=box, label="{label}"];')
    unconsumed = set(t.unconsumed_topics)
    for topic in t.topics:
        style = ', style="dashed,filled", fillcolor="#fef3c7"' if topic["id"] in unconsumed else ""
        packages.setdefault(topic["package"], []).append(
            f'{_dq(topic["id"])} [shape=ellipse, label={_dq(topic["name"])}{style}];'
        )
    for p in t.unfed_patterns:
        packages.setdefault(p["service"].split(":", 1)[1].rsplit(".", 1)[0], []).append(
            f'{_dq("pattern:" + p["queue"])} [shape=hexagon, label={_dq(p["pattern"])}, '
            'style="dashed,filled", fillcolor="#fee2e2"];'
        )
    for i, (package, nodes) in enumerate(packages.items()):
        out.append(f"  subgraph cluster_{i} {{")
        out.append(f"    label={_dq(package)};")
        out.extend(f"    {n}" for n in nodes)
        out.append("  }")
    for e in t.edges:
        out.append(f'  {_dq(e["from"])} -> {_dq(e["to"])} [label={_dq(_edge_label(e))}];')
    for p in t.unfed_patterns:
        out.append(
            f'  {_dq("pattern:" + p["queue"])} -> {_dq(p["service"])} [label={_dq(p["handler"])}, style=dashed];'
        )
    out.append("}")
    return "\n".join(out) + "\n"


def render(t: Topology, format: str) -> str:
    if format == "json":
        return json.dumps(t.as_json(), indent=2) + "\n"
    if format == "dot":
        return dot(t)
    return mermaid(t)


def topology_markdown(t: Topology, source: str) -> str:
    """TOPOLOGY.md: the Mermaid graph and the lists that need attention."""
    lines = [
        f"<!-- Generated by svcgen from {source}. Do not edit: changes are overwritten on the next build. -->",
        "# Topology",
        "",
        "Services, the topics they emit (solid arrows from a service) and consume (from a topic, through the",
        "consumer's pattern); amber topics are consumed by nobody, red patterns are fed by no emitting endpoint.",
        "",
        "```mermaid",
        mermaid(t).rstrip("\n"),
        "```",
        "",
    ]
    if t.unconsumed_topics:
        lines.append("Topics nobody consumes: " + ", ".join(f"`{x.split(':', 1)[1]}`" for x in t.unconsumed_topics))
        lines.append("")
    if t.unfed_patterns:
        lines.append(
            "Patterns no topic feeds: " + ", ".join(f"`{p['pattern']}` ({p['queue']})" for p in t.unfed_patterns)
        )
        lines.append("")
    return "\n".join(lines)


def run_graph(files: list[Path], format: str, out: Path | None) -> int:
    """`svcgen graph`: 0 drawn, 1 errors in the input (reported as `svcgen check` does), 2 unwritable --out."""
    from svcgen.commands import report
    from svcgen.frontend import compile_files

    result = compile_files(files)
    status = report([result], json=False)
    if status or result.model is None:
        return status or 1
    text = render(topology(result.model), format)
    if out is None:
        sys.stdout.write(text)
        return 0
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"svcgen: error: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0
