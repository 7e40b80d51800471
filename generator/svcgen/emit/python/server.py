"""Target python-server: `service.py` (abstract classes, topics, rooms), `http.py` (FastAPI) and `rpc.py`
(typed RPC clients, for packages with RPCs) per package."""

from __future__ import annotations

from pathlib import PurePosixPath

from svcgen import model as m
from svcgen.emit import Options, Output
from svcgen.emit.python import http_view, rpc_view, service_view
from svcgen.emit.python.packages import packages
from svcgen.emit.render import render


def emit(model: m.Model, options: Options) -> Output:
    out: Output = {}
    for pkg in packages(model, options):
        files = list(pkg.files)
        if not any(f.services or f.topics for f in files):
            continue
        folder = PurePosixPath(pkg.folder)
        view = service_view.module(model, pkg.name, files)
        out[folder / "service.py"] = render("python", "service.py.j2", header=pkg.header, module=view)
        if pkg.services:
            hview = http_view.module(model, pkg.name, files)
            out[folder / "http.py"] = render("python", "http.py.j2", header=pkg.header, module=hview)
        rview = rpc_view.module(model, pkg.name, files)
        if rview is not None:
            out[folder / "rpc.py"] = render("python", "rpc.py.j2", header=pkg.header, module=rview)
    return out
