"""The build-time openapi.json describes the same API as the running app's /openapi.json, and is valid.

Compared as parsed JSON over every example, the keyword IDLs of the client tests and the shared
contract's valid IDLs: paths, operations, operation ids, parameters, statuses, error bodies, schemas.

Accepted differences (none of them changes what the document says):
- key order and number spelling: compared as data, so `"minimum": 0` (build time, the IDL literal of
  an int field) equals FastAPI's `0.0` (pydantic writes a bound as a float);
- two declarations of one name in different packages used by one package's routes: FastAPI then names
  both components by their Python module path (`acme_tasks__models__Task`); the build-time document
  keeps the IDL name of each, so the second one wins. No example or contract IDL does this.
- a package without HTTP endpoints gets no openapi.json (its app would serve an empty `paths`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docs_support import EXAMPLES, EXTRA, ROOT, VALID, build, runtime_openapi
from openapi_spec_validator import validate

SOURCES = {p.stem: p for p in EXAMPLES} | {f"extra_{p.stem}": p for p in EXTRA} | {f"valid_{p.stem}": p for p in VALID}
# auth schemes, scopes and header parameters: securitySchemes, per-operation security, `in: header`
SOURCES["auth"] = ROOT / "tests/auth/auth.idl"


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("openapi")
    return {
        name: build(idl, base / f"b_{name}", ["python-models", "python-server", "docs"])
        for name, idl in SOURCES.items()
    }


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_same_api_as_the_running_app(name: str, builds: dict[str, Path]) -> None:
    out = builds[name]
    running = runtime_openapi(out)
    assert running, "the build has no http.py"
    for package, served in running.items():
        written = out / "docs" / package / "openapi.json"
        if not served["paths"]:
            assert not written.exists()
            continue
        assert json.loads(written.read_text(encoding="utf-8")) == served, package
    # and no document for a package the app does not serve
    assert {p.parent.name for p in (out / "docs").glob("*/openapi.json")} == {
        p for p, served in running.items() if served["paths"]
    }


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_validates(name: str, builds: dict[str, Path]) -> None:
    files = sorted((builds[name] / "docs").glob("*/openapi.json"))
    for f in files:
        validate(json.loads(f.read_text(encoding="utf-8")))


def test_examples_have_documents(builds: dict[str, Path]) -> None:
    assert (builds["tasks"] / "docs/acme_tasks/openapi.json").is_file()
    assert (builds["billing"] / "docs/acme_billing_v1/openapi.json").is_file()
    assert not (builds["billing"] / "docs/acme_common/openapi.json").exists()  # no services
