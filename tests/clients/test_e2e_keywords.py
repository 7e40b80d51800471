"""End to end for the keyword-named IDL (tests/clients/idl/keywords.idl): its TypeScript client run
under Node against a generated server (tests/clients/apps/keywords_app.py, which echoes what it got),
so URL building (reserved characters, spaces, unicode, lists, null) and socket `send` are shown by
behaviour; and the server's declared 400 for a body that is not JSON."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from clienthelp import HERE, KEYWORDS, compile_e2e_script, run_node, uvicorn_server, websocket_flags

pytestmark = pytest.mark.slow
SVCGEN = Path(sys.executable).with_name("svcgen")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("keywords")
    built = subprocess.run(
        [str(SVCGEN), "build", str(KEYWORDS), "--out", str(folder / "kw_api")], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    shutil.copy(HERE / "apps/keywords_app.py", folder / "keywords_app.py")
    with uvicorn_server(folder, "keywords_app:app", "/openapi.json", "the keywords server") as url:
        yield url, folder


@pytest.fixture(scope="module")
def script(served: tuple[str, Path], tsc: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return compile_e2e_script(tsc, tmp_path_factory.mktemp("kw_ts"), served[1] / "kw_api", "e2e_keywords.ts")


def test_typescript_url_building_against_the_server(served: tuple[str, Path], tsc: list[str], script: Path) -> None:
    said = run_node(tsc[0], [], script, served[0], "http")
    assert said.count("ok: path segment ") == 9, said
    assert "ok: a list query of awkward values, in order" in said
    assert "ok: DELETE 204 resolves to nothing" in said


def test_typescript_path_segments_with_a_slash_or_dots(served: tuple[str, Path], tsc: list[str], script: Path) -> None:
    """'/' travels as %2F and arrives (the server matches generated routes on the raw path); '.', '..'
    and '' cannot travel as a segment (URLs resolve them away), so the client refuses them."""
    said = run_node(tsc[0], [], script, served[0], "slash")
    assert said.count("ok: path segment") == 3, said
    assert said.count("ok: refused path value") == 3, said


def test_python_client_path_segments_with_a_slash_or_dots(
    served: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(served[1]))
    from kw_api.class_default.client import SwitchSyncClient  # built by the `served` fixture

    with SwitchSyncClient(base_url=served[0]) as client:
        for segment in ["a/b", "/", "a%2Fb/c", "%2F", "two words/ü"]:
            assert client.get(segment).class_ == segment
        for segment in ["..", ".", ""]:
            with pytest.raises(ValueError, match="path parameter 'class' cannot be"):
                client.get(segment)
    # a raw request too: %2F stays inside its segment, other escapes decode once, a real '/' still splits
    assert httpx.get(served[0] + "/items/a%2fb%252F").json()["class"] == "a/b%2F"
    assert httpx.get(served[0] + "/items/a/b").status_code == 404


def test_typescript_socket_send_reaches_the_server(served: tuple[str, Path], tsc: list[str], script: Path) -> None:
    flags = websocket_flags(tsc[0])
    said = run_node(tsc[0], flags, script, served[0], "socket")
    assert "ok: send: the first frame reached the server, in its room, with its query" in said
    assert "ok: send: the second frame, in order" in said


@pytest.mark.parametrize("body", [b"{not json", b'{"class": "c",'])
def test_a_body_that_is_not_json_is_the_declared_400(served: tuple[str, Path], body: bytes) -> None:
    url = served[0]
    declared = httpx.get(url + "/openapi.json").json()["paths"]["/items/{delete}"]["post"]["responses"]
    assert "400" in declared
    r = httpx.post(
        url + "/items/3f1c9b2e-8d4a-4e6f-9a0b-1c2d3e4f5a6b", content=body, headers={"content-type": "application/json"}
    )
    assert r.status_code == 400, r.text
    # valid JSON of the wrong shape is a validation error instead, not a 400
    wrong = httpx.post(url + "/items/3f1c9b2e-8d4a-4e6f-9a0b-1c2d3e4f5a6b", json={"class": 1})
    assert wrong.status_code == 422
