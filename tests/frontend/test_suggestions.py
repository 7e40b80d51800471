"""Did-you-mean hints: only likely typos (scaled to the name's length), declared names before
builtins, and otherwise what would make the name known."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from svcgen.diagnostics import closest, did_you_mean

from .conftest import Workspace, write_files

SVCGEN = Path(sys.executable).with_name("svcgen")


def helps(ws: Workspace, files: dict[str, str | bytes] | str) -> list[str | None]:
    return [d.help for d in ws.compile(files).diagnostics]


def test_an_unrelated_builtin_is_not_suggested_through_the_cli(ws: Workspace) -> None:
    write_files(ws.folder, {"shop.idl": "package shop;\n\nmessage Cart {\n  items: list<Item>;\n}\n"})
    r = subprocess.run([str(SVCGEN), "check", "shop.idl"], cwd=ws.folder, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert "shop.idl:4:15: error[E101]: unknown type 'Item'" in r.stderr
    assert "'time'" not in r.stderr
    assert "help: declare 'Item' (a message, enum, union or error), or import the file that declares it" in r.stderr


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("Usr", "User"),  # one edit in a short name
        ("Taks", "Task"),  # a transposition is one edit
        ("task", "Task"),  # case alone
        ("Mesage", "Message"),
        ("PaymentMethd", "PaymentMethod"),
        ("PaymntMethd", "PaymentMethod"),  # long names allow more edits
        ("strng", "string"),  # a builtin when no declared name is near
    ],
)
def test_likely_typos_are_suggested(ws: Workspace, typo: str, meant: str) -> None:
    idl = (
        "package p;\nmessage User { id: uuid; }\nmessage Task { id: uuid; }\nmessage Message { id: uuid; }\n"
        f"message PaymentMethod {{ id: uuid; }}\nmessage M {{ x: {typo}; }}\n"
    )
    assert helps(ws, idl) == [f"did you mean '{meant}'?"]


def test_a_declared_name_wins_over_an_equally_near_builtin(ws: Workspace) -> None:
    # 'dat' is one edit from the declared 'Cat' and from the builtin 'date': the declared one is named
    assert helps(ws, "package p;\nmessage Cat { id: uuid; }\nmessage M { x: dat; }\n") == ["did you mean 'Cat'?"]
    assert did_you_mean("dat", ["Cat"], ["date"]) == "did you mean 'Cat'?"
    assert did_you_mean("dat", [], ["date"]) == "did you mean 'date'?"


def test_names_too_far_to_be_typos_are_not_suggested() -> None:
    assert closest("Item", ["time"]) is None  # two edits in four characters
    assert closest("Order", ["User"]) is None
    assert closest("Ab", ["int"]) is None


def test_a_name_declared_in_a_file_not_imported_is_named(ws: Workspace) -> None:
    files: dict[str, str | bytes] = {
        "main.idl": 'package main;\nimport "a.idl";\nmessage M { x: Widget; }\n',
        "a.idl": 'package a;\nimport "b.idl";\nmessage A { id: uuid; }\n',
        "b.idl": "package b;\nmessage Widget { id: uuid; }\n",
    }
    assert helps(ws, files) == ["'Widget' is declared in package 'b': import the file that declares it"]
