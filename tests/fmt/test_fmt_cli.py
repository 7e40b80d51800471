"""`svcgen fmt FILE... [--check]`: exit codes, what is printed, what is written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from svcgen.cli import app
from typer.testing import CliRunner

UGLY = "package a;message M{x:int;}\n"
PRETTY = "package a;\n\nmessage M {\n  x: int;\n}\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["fmt", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    ugly, pretty = tmp_path / "ugly.idl", tmp_path / "pretty.idl"
    ugly.write_text(UGLY)
    pretty.write_text(PRETTY)
    return ugly, pretty


def test_check_names_files_that_would_change_and_writes_nothing(files: tuple[Path, Path]) -> None:
    ugly, pretty = files
    code, out, _ = run("--check", str(ugly), str(pretty))
    assert code == 1
    assert f"would reformat {ugly}" in out and str(pretty) not in out
    assert ugly.read_text() == UGLY


def test_check_passes_when_everything_is_formatted(files: tuple[Path, Path]) -> None:
    code, out, _ = run("--check", str(files[1]))
    assert (code, out) == (0, "")


def test_fmt_rewrites_changed_files_only(files: tuple[Path, Path]) -> None:
    ugly, pretty = files
    before = pretty.stat().st_mtime_ns
    code, out, _ = run(str(ugly), str(pretty))
    assert code == 0
    assert out == f"reformatted {ugly}\n"
    assert ugly.read_text() == PRETTY
    assert pretty.stat().st_mtime_ns == before
    assert sorted(p.name for p in ugly.parent.iterdir()) == ["pretty.idl", "ugly.idl"]  # no temp file left
    assert run("--check", str(ugly))[0] == 0


def test_a_file_with_syntax_errors_is_reported_and_left_alone(tmp_path: Path) -> None:
    broken = tmp_path / "broken.idl"
    broken.write_text("package a;\nmessage M {\n  x: int\n}\n")
    for args in ([str(broken)], ["--check", str(broken)]):
        code, out, err = run(*args)
        assert code == 1
        assert f"{broken}:4:1: error[E003]: expected ';', found '}}'" in err
        assert "4 | }" in err and "^" in err and err.endswith("\n1 error\n")
        assert broken.read_text() == "package a;\nmessage M {\n  x: int\n}\n"


def test_a_missing_file_exits_2_and_the_others_are_still_formatted(files: tuple[Path, Path], tmp_path: Path) -> None:
    code, out, err = run(str(tmp_path / "nope.idl"), str(files[0]))
    assert code == 2
    assert "nope.idl: no such file" in err
    assert files[0].read_text() == PRETTY


def test_the_installed_command(files: tuple[Path, Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "svcgen", "fmt", "--check", str(files[0])], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (1, f"would reformat {files[0]}\n")
