"""The documents target: per IDL package `openapi.json` (its HTTP API) and `asyncapi.yaml` (its topics,
consumers and sockets on RabbitMQ and WebSocket), and `TOPOLOGY.md` for the whole build (`svcgen graph`).

Written from the model alone, never by importing generated code. In a build with other targets they go
into `docs/`: `docs/<package>/openapi.json`, `docs/<package>/asyncapi.yaml`, `docs/TOPOLOGY.md`.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from svcgen import model as m
from svcgen.emit import Options, Output
from svcgen.naming import py_package


def emit(model: m.Model, options: Options) -> Output:
    from svcgen.emit.docs import asyncapi, openapi
    from svcgen.graph import topology, topology_markdown

    grouped: dict[str, list[m.File]] = {}
    for f in model.files:
        grouped.setdefault(f.package, []).append(f)
    out: Output = {}
    for package, files in grouped.items():
        folder = PurePosixPath(py_package(package))
        services = tuple(s for f in files for s in f.services)
        source = ", ".join(options.source_name(f.path) for f in files)
        if any(s.endpoints for s in services):
            out[folder / "openapi.json"] = openapi.render(model, package, services)
        text = asyncapi.render(model, package, files, source)
        if text is not None:
            out[folder / "asyncapi.yaml"] = text
    out[PurePosixPath("TOPOLOGY.md")] = topology_markdown(topology(model), options.root_source(model))
    return out
