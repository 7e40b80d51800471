"""Target python-models: `models.py` per IDL package, plus the package `__init__.py` files."""

from __future__ import annotations

from pathlib import PurePosixPath

from svcgen import model as m
from svcgen.emit import Options, Output
from svcgen.emit.python.models_view import module
from svcgen.emit.python.packages import packages
from svcgen.emit.render import PY_HEADER, render


def emit(model: m.Model, options: Options) -> Output:
    root_source = options.root_source(model)
    out: Output = {
        PurePosixPath("__init__.py"): render(
            "python", "root_init.py.j2", header=PY_HEADER.format(source=root_source), source=root_source
        )
    }
    for pkg in packages(model, options):
        folder = PurePosixPath(pkg.folder)
        out[folder / "__init__.py"] = render("python", "package_init.py.j2", header=pkg.header, package=pkg.name)
        view = module(model, pkg.name, list(pkg.files), pkg.header)
        out[folder / "models.py"] = render("python", "models.py.j2", header=pkg.header, module=view)
    return out
