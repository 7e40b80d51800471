"""Generated files get the mode any new file gets under the user's umask; a rebuild keeps a mode the user set."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

SVCGEN = Path(sys.executable).with_name("svcgen")
IDL = "package hello;\n\nmessage Greeting {\n  text: string;\n}\n"


def build(folder: Path, umask: int) -> None:
    env = {**os.environ, "SVCGEN_NO_STAMP": "1"}
    command = [str(SVCGEN), "build", "hello.idl", "--out", "out", "--target", "python-models"]
    r = subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, timeout=120, preexec_fn=lambda: os.umask(umask)
    )
    assert r.returncode == 0, r.stderr


def modes(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): stat.S_IMODE(p.stat().st_mode) for p in sorted(out.rglob("*")) if p.is_file()}


def test_new_files_follow_the_umask(tmp_path: Path) -> None:
    (tmp_path / "hello.idl").write_text(IDL)
    build(tmp_path, 0o022)
    found = modes(tmp_path / "out")
    assert "svcgen-manifest.json" in found and "hello/models.py" in found
    assert set(found.values()) == {0o644}, found
    assert not [p for p in (tmp_path / "out").rglob(".*.tmp")]


def test_a_stricter_umask_is_obeyed(tmp_path: Path) -> None:
    (tmp_path / "hello.idl").write_text(IDL)
    build(tmp_path, 0o027)
    assert set(modes(tmp_path / "out").values()) == {0o640}


def test_a_rebuild_keeps_the_mode_the_user_set(tmp_path: Path) -> None:
    (tmp_path / "hello.idl").write_text(IDL)
    build(tmp_path, 0o022)
    models = tmp_path / "out/hello/models.py"
    models.chmod(0o664)
    (tmp_path / "hello.idl").write_text(IDL.replace("text: string;", "text: string;\n  lang: string;"))
    build(tmp_path, 0o022)
    assert "lang" in models.read_text()  # rewritten ...
    assert stat.S_IMODE(models.stat().st_mode) == 0o664  # ... with the user's mode
