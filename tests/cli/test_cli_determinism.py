"""Generated code is the same bytes whatever the process: two builds in separate processes with
different hash seeds (set iteration order, dict order of anything keyed by a str hash) must match,
for every shared valid IDL and the keyword-named one."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from cli_support import KEYWORDS, ROOT, SHARED_VALID, SVCGEN

SOURCES = sorted(SHARED_VALID.glob("*.idl")) + [KEYWORDS]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_shared_idl_files_are_there() -> None:
    """The shared contract sits beside the checkout (as in CI); without it the test below is thin."""
    if not (ROOT.parent / "shared").is_dir():
        pytest.skip("../shared is not mounted here")
    assert len(SOURCES) >= 5


@pytest.mark.parametrize("idl", SOURCES, ids=lambda p: p.name)
def test_builds_in_processes_with_different_hash_seeds_are_identical(idl: Path, tmp_path: Path) -> None:
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "SVCGEN_NO_STAMP": "1"}
        out = tmp_path / f"seed{seed}"
        command = [str(SVCGEN), "build", str(idl), "--out", str(out)]
        runs.append((out, subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
    trees = []
    for out, proc in runs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()
        trees.append(tree(out))
    assert any(name.endswith(".py") for name in trees[0]) and any(name.endswith(".ts") for name in trees[0])
    for other in trees[1:]:
        assert sorted(other) == sorted(trees[0])
        assert [name for name in trees[0] if other[name] != trees[0][name]] == []
