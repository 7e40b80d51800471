"""Several IDL files given to one `svcgen build` (or listed in [tool.svcgen]) are one build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SVCGEN = Path(sys.executable).with_name("svcgen")

FILES = {
    "common.idl": "package acme.common;\n\nmessage Money {\n  cents: int;\n}\n",
    "orders.idl": (
        'package acme.orders;\n\nimport "common.idl";\n\nmessage Order {\n  id: uuid;\n  total: Money;\n}\n\n'
        "service Orders {\n  GET /orders/{id} get_order(id: uuid) -> Order;\n}\n"
    ),
    "billing.idl": 'package acme.billing;\n\nimport "common.idl";\n\nmessage Invoice {\n  amount: Money;\n}\n',
    "minimal.idl": "package hello;\n\nservice Hello {\n  GET /hello/{name} greet(name: string) -> string;\n}\n",
}
ROOTS = ["orders.idl", "billing.idl", "minimal.idl"]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def svcgen(project: Path, *args: str, stamp: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(project / "cache")}
    env.pop("SVCGEN_NO_STAMP", None)
    if not stamp:
        env["SVCGEN_NO_STAMP"] = "1"
    return subprocess.run([str(SVCGEN), *args], cwd=project, env=env, capture_output=True, text=True, timeout=120)


def manifest(folder: Path) -> dict[str, list[str]]:
    data = json.loads((folder / "svcgen-manifest.json").read_text())
    return {"sources": sorted(data["sources"]), "files": data["files"]}


def test_files_of_one_build_are_one_output(project: Path) -> None:
    r = svcgen(project, "build", *ROOTS, "--out", "gen", "--target", "python-models")
    assert r.returncode == 0, r.stderr
    assert "0 deleted" in r.stderr and r.stderr.count("written") == 1
    found = manifest(project / "gen")
    assert found["sources"] == ["billing.idl", "common.idl", "minimal.idl", "orders.idl"]
    for folder in ("acme_common", "acme_orders", "acme_billing", "hello"):
        assert f"{folder}/models.py" in found["files"]
        assert (project / "gen" / folder / "models.py").is_file()
    assert "from orders.idl, billing.idl, minimal.idl" in (project / "gen/__init__.py").read_text()
    # the union imports: every subpackage next to the others
    check = "import gen.acme_orders.models, gen.acme_billing.models, gen.hello.models"
    subprocess.run([sys.executable, "-c", check], cwd=project, check=True)
    # a second build of the same files changes nothing
    again = svcgen(project, "build", *ROOTS, "--out", "gen", "--target", "python-models")
    assert (again.returncode, again.stderr) == (0, "")


def test_check_treats_the_files_as_one_build(project: Path) -> None:
    assert svcgen(project, "build", *ROOTS, "--out", "gen").returncode == 0
    ok = svcgen(project, "build", *ROOTS, "--out", "gen", "--check")
    assert (ok.returncode, ok.stderr) == (0, "")
    (project / "billing.idl").write_text(
        FILES["billing.idl"].replace("amount: Money;", "amount: Money;\n  paid: bool;")
    )
    stale = svcgen(project, "build", *ROOTS, "--out", "gen", "--check")
    assert stale.returncode == 1
    assert "stale: gen/acme_billing/models.py" in stale.stderr
    assert "gen/acme_orders" not in stale.stderr and "gen/hello" not in stale.stderr


def test_the_stamp_treats_the_files_as_one_build(project: Path) -> None:
    first = svcgen(project, "build", *ROOTS, "--out", "gen", "-t", "python-models", stamp=True)
    assert first.returncode == 0 and "written" in first.stderr
    assert svcgen(project, "build", *ROOTS, "--out", "gen", "-t", "python-models", stamp=True).stderr == ""
    # one file of the build is another build: it must not be taken as up to date, and it replaces the output
    alone = svcgen(project, "build", "minimal.idl", "--out", "gen", "-t", "python-models", stamp=True)
    assert alone.returncode == 0 and "deleted" in alone.stderr and "0 deleted" not in alone.stderr
    back = svcgen(project, "build", *ROOTS, "--out", "gen", "-t", "python-models", stamp=True)
    assert back.returncode == 0 and "written" in back.stderr


def test_sources_of_tool_svcgen_are_one_build(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.svcgen]\nsources = ["orders.idl", "billing.idl", "minimal.idl"]\nout = "gen"\n'
    )
    r = svcgen(project, "build")
    assert r.returncode == 0, r.stderr
    assert manifest(project / "gen")["sources"] == ["billing.idl", "common.idl", "minimal.idl", "orders.idl"]
    ok = svcgen(project, "build", "--check")
    assert (ok.returncode, ok.stderr) == (0, "")


def test_no_files_and_no_sources_is_a_usage_error(project: Path) -> None:
    r = svcgen(project, "build")
    assert r.returncode == 2
    assert "sources" in r.stderr and "Traceback" not in r.stderr
