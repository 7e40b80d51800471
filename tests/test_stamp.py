"""No-op rebuilds (svcgen.stamp): skipped only while the IDL, the output and the generator are untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from svcgen import stamp
from svcgen.build import destination

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("SVCGEN_CACHE_DIR", raising=False)  # this file tests the XDG_CACHE_HOME location
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SVCGEN_NO_STAMP", raising=False)
    for name in ("tasks.idl", "common.idl"):
        shutil.copy(ROOT / "examples/tasks" / name, tmp_path / name)
    return tmp_path


def build(project: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "svcgen",
        "build",
        "tasks.idl",
        "--out",
        "out",
        "--target",
        "python-models",
        *extra,
    ]
    r = subprocess.run(command, cwd=project, capture_output=True, text=True, env=os.environ.copy(), timeout=120)
    assert r.returncode == 0, r.stderr
    return r


def fresh(project: Path, targets: list[str] | None = None) -> bool:
    root = project / "tasks.idl"
    return stamp.up_to_date(root, *destination(root, project / "out", targets or ["python-models"]))


def test_untouched_output_is_up_to_date_and_rebuild_is_silent(project: Path) -> None:
    assert not fresh(project)
    assert "written" in build(project).stderr
    assert fresh(project)
    assert build(project).stderr == ""
    assert not fresh(project, ["typescript"])  # other targets: another build


def test_an_edited_import_means_a_full_build(project: Path) -> None:
    build(project)
    with (project / "common.idl").open("a") as fh:
        fh.write("\nmessage Extra { n: int; }\n")
    assert not fresh(project)
    build(project)
    assert "class Extra" in (project / "out/acme_common/models.py").read_text()
    assert fresh(project)


@pytest.mark.parametrize("damage", ["edit", "delete"])
def test_a_touched_output_file_is_restored(project: Path, damage: str) -> None:
    build(project)
    models = project / "out/acme_tasks/models.py"
    original = models.read_text()
    if damage == "edit":
        models.write_text(original + "# hand edit\n")
    else:
        models.unlink()
    assert not fresh(project)
    build(project)
    assert models.read_text() == original


def test_the_shortcut_can_be_turned_off(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(project)
    monkeypatch.setenv("SVCGEN_NO_STAMP", "1")
    assert not fresh(project)


def test_old_stamps_are_pruned_once_there_are_many(project: Path) -> None:
    folder = project / "cache/svcgen/stamps"
    folder.mkdir(parents=True)
    old = [folder / f"old{i}.json" for i in range(stamp.KEEP + 1)]
    for path in old:
        path.write_text("{}")
        os.utime(path, (0, 0))
    build(project)
    assert not any(p.exists() for p in old)
    assert fresh(project)
