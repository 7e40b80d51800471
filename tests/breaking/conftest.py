"""Helpers of the `svcgen breaking` tests: the previous version in `old/`, the new one beside it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from svcgen.breaking import run

Files = str | dict[str, str]


class Versions:
    """A temporary working folder holding `old/<files>` and `<files>`; runs the command in-process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, old: Files, new: Files) -> list[Path]:
        for base, files in (("old", old), (".", new)):
            for name, text in ({"a.idl": files} if isinstance(files, str) else files).items():
                path = self.folder / base / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        return [Path("a.idl")]

    def run(
        self, capsys: pytest.CaptureFixture[str], old: Files, new: Files, *options: str, json: bool = False
    ) -> tuple[int, str]:
        """Exit status and what was printed (stderr for text, stdout for JSON)."""
        roots = self.write(old, new)
        severity = "warning" if "--severity=warning" in options else "error"
        allow = [o.removeprefix("--allow=") for o in options if o.startswith("--allow=")]
        status = run(roots, "old", json, severity, allow)
        out = capsys.readouterr()
        return status, out.out if json else out.err


@pytest.fixture
def versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Versions:
    monkeypatch.chdir(tmp_path)
    return Versions(Path(os.curdir))
