"""The `python-client` target: `client.py` per IDL package with endpoints, and `client_base.py`.

The clients import only httpx, pydantic and the generated models (python-models is implied),
so a consumer needs neither the generator nor svcgen_runtime.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from svcgen import model as m
from svcgen.emit import Options, Output
from svcgen.emit.pyclient.view import module
from svcgen.emit.python.packages import packages
from svcgen.emit.render import PY_HEADER, render

TEMPLATES = "python_client"


def emit(model: m.Model, options: Options) -> Output:
    out: Output = {}
    for pkg in packages(model, options):
        services = [s for s in pkg.services if s.endpoints]
        if services:
            view = module(model, pkg.name, services)
            out[PurePosixPath(pkg.folder) / "client.py"] = render(
                TEMPLATES, "client.py.j2", header=pkg.header, package=pkg.name, module=view
            )
    if out:
        header = PY_HEADER.format(source=options.root_source(model))
        out[PurePosixPath("client_base.py")] = render(TEMPLATES, "client_base.py.j2", header=header)
    return out
