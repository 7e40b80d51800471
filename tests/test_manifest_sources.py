"""The manifest and the build stamp record the text that was compiled, not a later re-read of the disk."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from svcgen import stamp
from svcgen.build import build_outputs
from svcgen.frontend import compile_file

COMPILED = "package hello;\n\nmessage Greeting {\n  text: string;\n}\n"
EDITED = COMPILED.replace("text: string;", "text: string;\n  lang: string;")


def test_an_edit_made_during_the_build_is_not_recorded_as_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SVCGEN_NO_STAMP", raising=False)
    monkeypatch.chdir(tmp_path)
    root = Path("hello.idl")
    root.write_text(COMPILED)
    result = compile_file(root)
    assert result.model is not None
    root.write_text(EDITED)  # the user saves while the build runs: after reading, before writing

    assert build_outputs(result.model, [root], Path("out"), ["python-models"], check_only=False) == 0

    manifest = json.loads(Path("out/svcgen-manifest.json").read_text())
    assert manifest["sources"] == {"hello.idl": hashlib.sha256(COMPILED.encode()).hexdigest()}
    assert "lang" not in Path("out/hello/models.py").read_text()
    # the stamp must not claim the edited file was built: the next build compiles it
    assert not stamp.up_to_date(root, Path("out"), ["python-models"])
    root.write_text(COMPILED)
    assert stamp.up_to_date(root, Path("out"), ["python-models"])


def test_a_byte_order_mark_does_not_defeat_the_stamp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SVCGEN_NO_STAMP", raising=False)
    monkeypatch.chdir(tmp_path)
    root = Path("hello.idl")
    root.write_bytes(b"\xef\xbb\xbf" + COMPILED.encode())
    result = compile_file(root)
    assert result.model is not None
    assert build_outputs(result.model, [root], Path("out"), ["python-models"], check_only=False) == 0
    assert stamp.up_to_date(root, Path("out"), ["python-models"])
