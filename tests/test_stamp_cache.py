"""Where the no-op stamps live, when old ones are pruned, and what invalidates them (svcgen.stamp)."""

from __future__ import annotations

import os
import time
from pathlib import Path, PurePosixPath

import pytest
from svcgen import stamp

DAY = 24 * 3600


def test_without_cache_variables_stamps_go_to_home_dot_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SVCGEN_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.py").write_text("x = 1\n")
    stamp.record(tmp_path / "a.idl", out, ["python-models"], {}, [PurePosixPath("a.py")])
    [written] = (tmp_path / ".cache/svcgen/stamps").glob("*.json")
    assert stamp.up_to_date(tmp_path / "a.idl", out, ["python-models"])
    written.unlink()
    assert not stamp.up_to_date(tmp_path / "a.idl", out, ["python-models"])


def fill(folder: Path, count: int, age_s: float) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    when = time.time() - age_s
    for i in range(count):
        path = folder / f"{age_s:.0f}-{i}.json"
        path.write_text("{}")
        os.utime(path, (when, when))
        paths.append(path)
    return paths


def test_up_to_keep_stamps_are_kept_however_old(tmp_path: Path) -> None:
    old = fill(tmp_path, stamp.KEEP, 30 * DAY)
    stamp._prune(tmp_path)
    assert all(p.exists() for p in old)


def test_beyond_keep_stamps_older_than_a_week_are_dropped(tmp_path: Path) -> None:
    recent = fill(tmp_path, stamp.KEEP, 7 * DAY - 3600)  # a week less an hour: kept
    old = fill(tmp_path, 3, 7 * DAY + 60)  # a week and a minute: dropped
    stamp._prune(tmp_path)
    assert all(p.exists() for p in recent)
    assert not any(p.exists() for p in old)


def test_an_edit_anywhere_in_the_generator_data_changes_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Templates live in sub-folders; byte-code caches are not the generator and never count."""
    data = tmp_path / "data"
    (data / "python-models").mkdir(parents=True)
    template = data / "python-models/models.py.j2"
    template.write_text("{{ x }}\n")
    monkeypatch.setattr(stamp, "data_dir", lambda name: data)
    before = stamp._generator()
    (data / "__pycache__").mkdir()
    (data / "__pycache__/x.cpython-311.pyc").write_bytes(b"\0")
    assert stamp._generator() == before
    template.write_text("{{ y }}\n")
    os.utime(template, ns=(0, 0))
    assert stamp._generator() != before
