"""`svcgen breaking --against REV` in a real git repository, through the installed command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SVCGEN = str(Path(sys.executable).parent / "svcgen")
IDL = """package shop;

message Item {
  id: uuid;
  note: string;
}

service Shop {
  GET /items/{id} get_item(id: uuid) -> Item;
}
"""
COMMON = "package shop.common;\n\nmessage Money {\n  cents: int;\n}\n"


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t"}
    env["GIT_COMMITTER_EMAIL"] = "t@t"
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def breaking(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SVCGEN, "breaking", *args], cwd=repo, capture_output=True, text=True, timeout=60)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "api").mkdir()
    (tmp_path / "api/shop.idl").write_text(IDL)
    git(tmp_path, "add", "api/shop.idl")
    git(tmp_path, "commit", "-q", "-m", "v1")
    return tmp_path


def test_against_head(repo: Path) -> None:
    idl = repo / "api/shop.idl"
    idl.write_text(IDL.replace("  note: string;\n", ""))
    result = breaking(repo, "api/shop.idl", "--against", "HEAD")
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(
        "api/shop.idl:5:3: error[B101]: field 'Item.note' was removed, but clients read it\n"
    )
    assert "5 |   note: string;\n" in result.stderr  # the line quoted from HEAD, not from the working tree
    assert "note: quoted from the previous version (HEAD)" in result.stderr
    assert idl.read_text() == IDL.replace("  note: string;\n", "")  # the working tree is untouched
    idl.write_text(IDL)
    result = breaking(repo, "api/shop.idl", "--against", "HEAD")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_imports_are_read_at_the_revision(repo: Path) -> None:
    (repo / "api/common.idl").write_text(COMMON)
    (repo / "api/shop.idl").write_text(IDL.replace("package shop;\n", 'package shop;\n\nimport "common.idl";\n', 1))
    git(repo, "add", "api")
    git(repo, "commit", "-q", "-m", "v2")
    (repo / "api/common.idl").write_text(COMMON.replace("cents: int", "cents: string"))
    (repo / "api/shop.idl").write_text(
        IDL.replace("package shop;\n", 'package shop;\n\nimport "common.idl";\n', 1).replace(
            "note: string;", "note: string;\n  price: Money;"
        )
    )
    # price is new (so not compared) but Money is not reached by anything at HEAD: nothing breaks
    assert breaking(repo, "api/shop.idl", "--against", "HEAD").returncode == 0
    git(repo, "add", "api")
    git(repo, "commit", "-q", "-m", "v3")
    (repo / "api/common.idl").write_text(COMMON)
    result = breaking(repo, "api/shop.idl", "--against", "HEAD", "--format", "json")
    assert result.returncode == 1
    [found] = json.loads(result.stdout)
    assert (found["file"], found["line"], found["code"]) == ("api/common.idl", 4, "B103")
    assert found["message"] == "field 'Money.cents' changed type from 'string' to 'int'"


def test_bad_usage(repo: Path) -> None:
    assert breaking(repo, "api/shop.idl", "--against", "no-such-rev").returncode == 2
    assert "'x' is neither a folder nor a git revision" in breaking(repo, "api/shop.idl", "--against", "x").stderr
    assert breaking(repo, "api/shop.idl").returncode == 2  # --against is required
    assert breaking(repo, "api/shop.idl", "--against", "HEAD", "--severity", "fatal").returncode == 2
