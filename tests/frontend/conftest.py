"""Helpers shared by the front-end tests: write IDL files into a temporary folder and compile."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from svcgen.diagnostics import render_text
from svcgen.frontend import Compiled, compile_file

BIG_FILE_BYTES = 16 * 1024 * 1024 + 1


def write_files(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write the files (a name ending in '/' is a folder; 'big.idl' is sparse, just over the limit)."""
    for name, text in files.items():
        path = folder / name.rstrip("/")
        if name.endswith("/"):
            path.mkdir()
        elif name == "big.idl":
            with open(path, "wb") as f:
                f.truncate(BIG_FILE_BYTES)
        else:
            path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return folder / next(iter(files)).rstrip("/")


class Workspace:
    """A temporary working folder, so diagnostics show short relative paths."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def compile(self, files: dict[str, str | bytes] | str) -> Compiled:
        if isinstance(files, str):
            files = {"a.idl": files}
        return compile_file(write_files(self.folder, files))

    def headers(self, files: dict[str, str | bytes] | str) -> list[str]:
        """The first line of every diagnostic, in order."""
        result = self.compile(files)
        return [render_text(d, result.sources).split("\n")[0] for d in result.diagnostics]


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.chdir(tmp_path)
    return Workspace(Path(os.curdir))
