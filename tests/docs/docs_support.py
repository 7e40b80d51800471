"""Shared by the documents tests: builds, the running app's OpenAPI, and the accepted differences."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from svcgen.build import generate
from svcgen.frontend import compile_file, compile_files

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*/*.idl") if p.stem == p.parent.name)
# Keyword-heavy IDLs of the client tests, and the shared contract's valid IDLs when they are beside the checkout.
EXTRA = sorted((ROOT / "tests/clients/idl").glob("*.idl"))
VALID = sorted(p for p in (ROOT.parent / "shared/idl/valid").glob("*.idl") if p.name != "common.idl")

# Prints {package folder: app.openapi()} for every generated http.py of the build at argv[1] (package argv[2]):
# each service class is instantiated with its abstract methods cleared; nothing is called.
_DUMP = r"""
import importlib, inspect, json, pkgutil, sys
build, name = sys.argv[1], sys.argv[2]
sys.path.insert(0, build)
root = importlib.import_module(name)
out = {}
for info in sorted(pkgutil.iter_modules(root.__path__), key=lambda i: i.name):
    try:
        http = importlib.import_module(f"{name}.{info.name}.http")
    except ModuleNotFoundError:
        continue
    svc = importlib.import_module(f"{name}.{info.name}.service")
    impls = []
    for params in inspect.signature(http.create_app).parameters.values():
        cls = params.annotation if not isinstance(params.annotation, str) else getattr(svc, params.annotation)
        concrete = type("Impl" + cls.__name__, (cls,), {})
        concrete.__abstractmethods__ = frozenset()
        impls.append(concrete())
    out[info.name] = http.create_app(*impls).openapi()
print(json.dumps(out))
"""


def build(idl: Path, out: Path, targets: list[str]) -> Path:
    """Build `idl` into `out` (a Python package of that name) and return `out`."""
    result = compile_file(idl)
    assert result.model is not None, [d.message for d in result.diagnostics]
    for rel, text in generate(result.model, idl, targets).items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
    return out


def runtime_openapi(out: Path) -> dict[str, Any]:
    """{package folder: the running app's /openapi.json} of a build that holds python-server."""
    proc = subprocess.run(
        [sys.executable, "-c", _DUMP, str(out.parent), out.name], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stdout))


def model_of(*idl: Path) -> Any:
    result = compile_files(list(idl))
    assert result.model is not None
    return result.model
