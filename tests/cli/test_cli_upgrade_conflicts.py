"""`svcgen upgrade` through the installed command when the user's edits and the new template meet in
several files: each is marked a conflict and the one stderr line names them all (sorted), exit 1."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from cli_support import ROOT, svcgen

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}


def test_upgrade_with_conflicts_in_two_files_names_both_on_one_line(tmp_path: Path) -> None:
    template = tmp_path / "template"
    shutil.copytree(ROOT / "templates/scaffold", template)
    env = {"SVCGEN_SCAFFOLD_TEMPLATE": str(template)}
    assert svcgen("new", "demo", "--defaults", cwd=tmp_path, env=env).returncode == 0
    project = tmp_path / "demo"

    def commit() -> None:
        for args in (["add", "-A"], ["commit", "-qm", "step"]):
            subprocess.run(["git", *args], cwd=project, env={**os.environ, **GIT_ENV}, check=True, capture_output=True)

    def edit(path: Path, old: str, new: str) -> None:
        text = path.read_text()
        assert old in text, path
        path.write_text(text.replace(old, new))

    commit()
    edit(project / "service.idl", "Greetings served by", "Hellos answered by")
    edit(project / ".dockerignore", ".pytest_cache\n", ".pytest_cache/\n")
    commit()
    edit(template / "project/service.idl.jinja", "Greetings served by", "Greetings answered by")
    edit(template / "project/.dockerignore", ".pytest_cache\n", ".pytest_cache\n.ruff_cache\n")
    r = svcgen("upgrade", cwd=project, env=env)
    assert r.returncode == 1, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert "  conflict  .dockerignore" in lines and "  conflict  service.idl" in lines, lines
    assert r.stderr == (
        "2 file(s) with conflicts: resolve the <<<<<<< markers in .dockerignore, service.idl; "
        "then svcgen build and commit\n"
    )
