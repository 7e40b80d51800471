"""Clients committed in another repository: `svcgen build --check` tells when they are stale,
and a one-field change to the IDL changes only the lines that mention that field."""

from __future__ import annotations

import difflib
import shutil
import subprocess
from pathlib import Path

from clienthelp import ROOT, svcgen

TARGETS = ["--target", "python-client", "--target", "typescript"]


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _copy_idl(into: Path) -> Path:
    into.mkdir(parents=True)
    for name in ("tasks.idl", "common.idl"):
        shutil.copy(ROOT / "examples/tasks" / name, into / name)
    return into / "tasks.idl"


def test_only_consumer_files_are_written(tmp_path: Path) -> None:
    idl = _copy_idl(tmp_path / "idl")
    assert svcgen("build", str(idl), "--target", "typescript", "--out", str(tmp_path / "ts")).returncode == 0
    ts = sorted(p.relative_to(tmp_path / "ts").as_posix() for p in (tmp_path / "ts").rglob("*") if p.is_file())
    assert ts == [
        "acme_common/client.ts",
        "acme_common/types.ts",
        "acme_tasks/client.ts",
        "acme_tasks/sockets.ts",
        "acme_tasks/types.ts",
        "runtime.ts",
        "svcgen-manifest.json",
    ]
    assert svcgen("build", str(idl), "--target", "python-client", "--out", str(tmp_path / "py")).returncode == 0
    py = sorted(p.relative_to(tmp_path / "py").as_posix() for p in (tmp_path / "py").rglob("*") if p.is_file())
    assert py == [
        "__init__.py",
        "acme_common/__init__.py",
        "acme_common/models.py",
        "acme_tasks/__init__.py",
        "acme_tasks/client.py",
        "acme_tasks/models.py",
        "client_base.py",
        "svcgen-manifest.json",
    ]


def test_check_names_stale_and_extra_files(tmp_path: Path) -> None:
    repo = tmp_path / "consumer"
    idl = _copy_idl(tmp_path / "api")
    out = repo / "clients"
    _git(tmp_path, "init", "-q", str(repo))
    assert svcgen("build", str(idl), *TARGETS, "--out", str(out)).returncode == 0
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "clients")
    assert svcgen("build", str(idl), *TARGETS, "--out", str(out), "--check").returncode == 0

    # A new field changes the models and the TypeScript types; the service is untouched.
    text = idl.read_text().replace("  next_cursor: string?;\n", "  next_cursor: string?;\n  total: int = 0;\n")
    idl.write_text(text)
    stale = svcgen("build", str(idl), *TARGETS, "--out", str(out), "--check")
    assert stale.returncode == 1
    assert f"stale: {out / 'acme_tasks/models.py'}" in stale.stderr
    assert f"stale: {out / 'typescript/acme_tasks/types.ts'}" in stale.stderr
    assert "client.py" not in stale.stderr and "client.ts" not in stale.stderr
    assert _git(repo, "status", "--porcelain") == ""  # --check writes nothing

    # Sockets removed: their file is extra, not only stale.
    idl.write_text(text.replace("  socket /tasks/live live(project: string) sends TaskEvent;\n", ""))
    extra = svcgen("build", str(idl), *TARGETS, "--out", str(out), "--check")
    assert extra.returncode == 1 and f"extra: {out / 'typescript/acme_tasks/sockets.ts'}" in extra.stderr

    assert svcgen("build", str(idl), *TARGETS, "--out", str(out)).returncode == 0
    assert svcgen("build", str(idl), *TARGETS, "--out", str(out), "--check").returncode == 0
    assert not (out / "typescript/acme_tasks/sockets.ts").exists()


def test_one_field_changes_only_its_lines(tmp_path: Path) -> None:
    idl = _copy_idl(tmp_path / "api")
    before, after = tmp_path / "before", tmp_path / "after"
    assert svcgen("build", str(idl), *TARGETS, "--out", str(before)).returncode == 0
    idl.write_text(idl.read_text().replace("  done: bool = false;\n", "  done: bool = false;\n  points: int = 0;\n"))
    assert svcgen("build", str(idl), *TARGETS, "--out", str(after)).returncode == 0

    changed: list[str] = []
    for path in sorted(after.rglob("*")):
        rel = path.relative_to(after)
        if not path.is_file() or rel.name == "svcgen-manifest.json":
            continue
        old = (before / rel).read_text().splitlines()
        for line in difflib.unified_diff(old, path.read_text().splitlines(), lineterm="", n=0):
            if line.startswith(("+", "-")) and not line.startswith(("+++", "---")):
                changed.append(f"{rel}: {line}")
    assert changed, "the new field appears nowhere"
    assert all("points" in line for line in changed), "\n".join(changed)
    assert {c.split(":")[0] for c in changed} == {"acme_tasks/models.py", "typescript/acme_tasks/types.ts"}
