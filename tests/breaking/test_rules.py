"""Every rule of `svcgen breaking`: the exact finding of one change, and what does not break."""

from __future__ import annotations

import pytest
from svcgen.breaking.findings import BREAKING_CODES

from .cases import CASES
from .conftest import Versions


def test_every_code_has_a_case() -> None:
    assert sorted(CASES) == sorted(BREAKING_CODES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule(code: str, versions: Versions, capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES[code]
    status, out = versions.run(capsys, case.old, case.new, "--severity=warning")
    assert out.split("\n")[0] == case.header
    assert status == 1


TASKS = """package p;
/// A task.
message Task { id: uuid; title: string @length(1, 100); }
message NewTask { title: string @length(1, 100); priority: Priority = normal; }
enum Priority { low; normal; }
topic task.created: Task;
service S {
  GET /tasks/{id} get(id: uuid) -> Task;
  POST /tasks create(task: NewTask) -> Task status 201;
  every 30s tick;
}
"""

NOT_BREAKING = {
    "optional field in a response": TASKS.replace(
        "title: string @length(1, 100); }", "title: string @length(1, 100); note: string?; }", 1
    ),
    "optional field in a request": TASKS.replace(
        "priority: Priority = normal; }", "priority: Priority = normal; due: date?; }"
    ),
    "field removed from a request": TASKS.replace("priority: Priority = normal; }", "}"),
    "new endpoint": TASKS.replace("  every", "  DELETE /tasks/{id} remove(id: uuid) status 204;\n  every"),
    "new topic": TASKS.replace("topic task.created: Task;", "topic task.created: Task;\ntopic task.seen: Task;"),
    "new enum value in a request": TASKS.replace(
        "enum Priority { low; normal; }", "enum Priority { low; normal; high; }"
    ),
    "docs": TASKS.replace("/// A task.", "/// A unit of work,\n/// with a title."),
    "formatting and comments": TASKS.replace("message Task { id: uuid;", "message Task {\n  id: uuid;  // the key\n "),
    "reordered declarations and fields": TASKS.replace(
        "message Task { id: uuid; title: string @length(1, 100); }\n", ""
    ).replace("service S", "message Task { title: string @length(1, 100); id: uuid; }\nservice S"),
    "a schedule's timing": TASKS.replace("every 30s tick", 'every "0 * * * *" tick'),
    "looser constraint on what clients write": TASKS.replace(
        "NewTask { title: string @length(1, 100)", "NewTask { title: string @length(0, 500)"
    ),
    "new query parameter with a default": TASKS.replace(
        "GET /tasks/{id} get(id: uuid)", "GET /tasks/{id} get(id: uuid, n: int = 1)"
    ),
}


@pytest.mark.parametrize("change", sorted(NOT_BREAKING))
def test_not_breaking(change: str, versions: Versions, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = versions.run(capsys, TASKS, NOT_BREAKING[change], "--severity=warning")
    assert (status, out) == (0, "")


def test_widening_a_parameter_and_narrowing_a_result(versions: Versions, capsys: pytest.CaptureFixture[str]) -> None:
    old = "package p;\nservice S {\n  GET /a a(n: int) -> float;\n}\n"
    new = "package p;\nservice S {\n  GET /a a(n: float) -> int;\n}\n"
    assert versions.run(capsys, old, new, "--severity=warning") == (0, "")
    assert versions.run(capsys, new, old)[1].split("\n")[0] == (
        "a.idl:3:15: error[B306]: parameter 'n' of 'a' changed type from 'float' to 'int'"
    )


def test_direction_flows_through_lists_maps_unions_and_imports(
    versions: Versions, capsys: pytest.CaptureFixture[str]
) -> None:
    common_old = "package c;\nmessage Money { cents: int; currency: string; }\n"
    common_new = "package c;\nmessage Money { cents: int; }\n"
    main = (
        'package p;\nimport "common.idl";\nmessage Line { price: Money; }\nmessage Done { lines: map<string, list<Line>>; }\n'
        "message Failed { why: string; }\nunion Outcome = Done | Failed;\n"
        "service S {\n  GET /o outcome() -> Outcome;\n}\n"
    )
    status, out = versions.run(
        capsys, {"a.idl": main, "common.idl": common_old}, {"a.idl": main, "common.idl": common_new}
    )
    assert status == 1
    assert (
        out.split("\n")[0]
        == "old/common.idl:2:29: error[B101]: field 'Money.currency' was removed, but clients read it"
    )
    assert "--allow B101:c.Money.currency" in out


def test_a_message_used_both_ways_gets_both_rule_sets(versions: Versions, capsys: pytest.CaptureFixture[str]) -> None:
    old = "package p;\nmessage M { a: int @max(10); }\nservice S {\n  POST /m put(m: M) -> M;\n}\n"
    new = old.replace("@max(10)", "@max(5)")
    assert "error[B203]" in versions.run(capsys, old, new)[1]
    assert "error[B104]" in versions.run(capsys, new, old)[1]


def test_deprecated_field_removed_is_a_warning(versions: Versions, capsys: pytest.CaptureFixture[str]) -> None:
    old = 'package p;\nmessage M { a: int; b: int? @deprecated("use a"); }\nservice S {\n  GET /m get() -> M;\n}\n'
    new = "package p;\nmessage M { a: int; }\nservice S {\n  GET /m get() -> M;\n}\n"
    status, out = versions.run(capsys, old, new)
    assert status == 0
    assert out.split("\n")[0] == "old/a.idl:2:21: warning[B101]: field 'M.b' was removed, but clients read it"
    assert out.endswith("\n1 warning\n")
    assert versions.run(capsys, old, new, "--severity=warning")[0] == 1


def test_allow_names_one_finding(versions: Versions, capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES["B101"]
    status, out = versions.run(capsys, case.old, case.new, "--allow=B101:p.M.b")
    assert (status, out) == (0, "\n1 allowed\n")
    status, out = versions.run(capsys, case.old, case.new, "--allow=B101:p.M.a")
    assert status == 1
    assert "svcgen: warning: allowed break B101:p.M.a did not occur; remove it from the list" in out
    assert versions.run(capsys, case.old, case.new, "--allow=B101")[0] == 2
    assert versions.run(capsys, case.old, case.new, "--allow=B999:p.M.b")[0] == 2


def test_allow_in_pyproject(versions: Versions, capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES["B201"]
    (versions.folder / "pyproject.toml").write_text('[tool.svcgen]\nallow-breaking = ["B201:p.M.b"]\n')
    assert versions.run(capsys, case.old, case.new) == (0, "\n1 allowed\n")
    (versions.folder / "pyproject.toml").write_text('[tool.svcgen]\nallow-breaking = "B201:p.M.b"\n')
    status, out = versions.run(capsys, case.old, case.new)
    assert status == 2
    assert "allow-breaking must be a list of strings" in out


def test_json(versions: Versions, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    case = CASES["B101"]
    status, out = versions.run(capsys, case.old, case.new, json=True)
    assert status == 1
    assert json.loads(out) == [
        {
            "file": "old/a.idl",
            "line": 2,
            "column": 21,
            "end_line": 2,
            "end_column": 22,
            "severity": "error",
            "code": "B101",
            "name": "field-removed",
            "message": "field 'M.b' was removed, but clients read it",
            "help": None,
            "side": "old",
            "subject": "p.M.b",
            "allow": "B101:p.M.b",
        }
    ]


def test_full_text_of_a_removal(versions: Versions, capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES["B101"]
    assert versions.run(capsys, case.old, case.new)[1] == (
        "old/a.idl:2:21: error[B101]: field 'M.b' was removed, but clients read it\n"
        "2 | message M { a: int; b: int; }\n"
        "  |                     ^\n"
        "note: quoted from the previous version (old)\n"
        "help: if this break is deliberate: --allow B101:p.M.b\n"
        "\n"
        "1 error\n"
    )


def test_errors_in_the_new_version_are_reported_first(versions: Versions, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = versions.run(capsys, "package p;\n", "package p;\nmessage M { a: Nope; }\n")
    assert status == 1
    assert out.startswith("a.idl:2:16: error[E101]: unknown type 'Nope'")


def test_a_new_file_breaks_nothing(versions: Versions, capsys: pytest.CaptureFixture[str]) -> None:
    versions.write({}, {})
    (versions.folder / "old").mkdir(exist_ok=True)
    assert versions.run(capsys, {}, CASES["B101"].new) == (0, "")
