"""`svcgen check` of several roots through the installed command: every diagnostic once, none lost."""

from __future__ import annotations

from pathlib import Path

from cli_support import svcgen

LIB = "package lib;\n\nmessage Loop {\n  next: Loop;\n}\n"
OTHER = "package other;\n\nmessage Note {\n  owner: Usr;\n}\n"


def test_a_shared_import_reports_once_and_the_diagnostics_after_it_still_come(tmp_path: Path) -> None:
    (tmp_path / "lib.idl").write_text(LIB)
    (tmp_path / "other.idl").write_text(OTHER)
    (tmp_path / "a.idl").write_text('package a;\n\nimport "lib.idl";\n')
    (tmp_path / "b.idl").write_text('package b;\n\nimport "lib.idl";\nimport "other.idl";\n')
    r = svcgen("check", "a.idl", "b.idl", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (1, "")
    headers = [line for line in r.stderr.splitlines() if ": error[" in line]
    assert headers == [
        "lib.idl:3:9: error[E109]: message 'Loop' can never be built: it requires itself through Loop.next",
        "other.idl:4:10: error[E101]: unknown type 'Usr'",
    ]
    assert r.stderr.endswith("\n2 errors\n")
