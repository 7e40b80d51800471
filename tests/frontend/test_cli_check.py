"""`svcgen check`: exit codes 0/1/2, the text and JSON renderings, every error of a run at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from svcgen.cli import app
from typer.testing import CliRunner

from .conftest import Workspace, write_files

ROOT = Path(__file__).resolve().parents[2]

MANY = """\
package p;
import "lib.idl";
message Note {
  author: Usr;
  done: bool = 3;
}
service S {
  GET /n/{id} get(note_id: uuid) -> Note;
}
"""
LIB = "package lib;\nmessage User { id: uuid; }\nmessage Loop { next: Loop; }\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_valid_examples_exit_0() -> None:
    for example in sorted((ROOT / "examples").glob("*/*.idl")):
        code, out, err = run("check", str(example))
        assert (code, out, err) == (0, "", ""), example


def test_usage_errors_exit_2() -> None:
    assert run("check")[0] == 2
    assert run("check", "--format", "yaml", "x.idl")[0] == 2
    assert run("frobnicate")[0] == 2


def test_every_error_at_once_in_source_order_imports_first_named(ws: Workspace) -> None:
    write_files(ws.folder, {"main.idl": MANY, "lib.idl": LIB})
    code, out, err = run("check", "main.idl")
    assert code == 1 and out == ""
    headers = [line for line in err.splitlines() if ": error[" in line]
    assert headers == [
        "main.idl:4:11: error[E101]: unknown type 'Usr'",
        "main.idl:5:16: error[E201]: default 3 does not fit type 'bool'",
        "main.idl:8:10: error[E301]: path parameter 'id' is not a parameter of 'get'",
        "lib.idl:3:9: error[E109]: message 'Loop' can never be built: it requires itself through Loop.next",
    ]
    assert err.rstrip().endswith("4 errors")


def test_text_rendering_has_source_line_caret_and_help(ws: Workspace) -> None:
    write_files(ws.folder, {"a.idl": "package p;\nmessage User { id: uuid; }\nmessage Note { author: Usr; }\n"})
    code, _, err = run("check", "a.idl")
    assert code == 1
    assert err == (
        "a.idl:3:24: error[E101]: unknown type 'Usr'\n"
        "3 | message Note { author: Usr; }\n"
        "  |                        ^^^\n"
        "help: did you mean 'User'?\n"
        "\n"
        "1 error\n"
    )


def test_json_format(ws: Workspace) -> None:
    write_files(ws.folder, {"main.idl": MANY, "lib.idl": LIB})
    code, out, err = run("check", "--format", "json", "main.idl")
    assert code == 1 and err == ""
    items = json.loads(out)
    assert [(d["file"], d["line"], d["column"], d["code"]) for d in items] == [
        ("main.idl", 4, 11, "E101"),
        ("main.idl", 5, 16, "E201"),
        ("main.idl", 8, 10, "E301"),
        ("lib.idl", 3, 9, "E109"),
    ]
    first = items[0]
    assert first == {
        "file": "main.idl",
        "line": 4,
        "column": 11,
        "end_line": 4,
        "end_column": 14,
        "severity": "error",
        "code": "E101",
        "name": "unknown-type",
        "message": "unknown type 'Usr'",
        "help": "did you mean 'User'?",
    }


def test_json_format_when_clean() -> None:
    code, out, _ = run("check", "--format", "json", str(ROOT / "examples/minimal/minimal.idl"))
    assert (code, json.loads(out)) == (0, [])


@pytest.mark.parametrize("name", ["missing.idl", "folder"])
def test_unreadable_roots_exit_1(ws: Workspace, name: str) -> None:
    (ws.folder / "folder").mkdir()
    code, _, err = run("check", name)
    assert code == 1 and f"{name}:1:1: error[E001]" in err


def test_a_file_imported_by_two_roots_reports_once(ws: Workspace) -> None:
    write_files(
        ws.folder,
        {"a.idl": 'package a;\nimport "lib.idl";\n', "b.idl": 'package b;\nimport "lib.idl";\n', "lib.idl": LIB},
    )
    code, _, err = run("check", "a.idl", "b.idl")
    assert code == 1 and err.count("error[E109]") == 1
