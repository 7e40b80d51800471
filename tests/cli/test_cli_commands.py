"""The command line's own surface through the installed command: help texts, the bare command, the
commands forwarded to the runtime (`run`, `declare`, `dlq`), `breaking` options, usage lines."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_support import copy_tasks, svcgen
from test_cli_stamp import same_size_edit

COMMANDS = ("check", "build", "fmt", "graph", "breaking", "new", "upgrade", "run", "declare", "dlq")


def flat(text: str) -> str:
    return " ".join(text.split())


def test_no_arguments_prints_the_help_and_exits_2() -> None:
    r = svcgen()
    assert r.returncode == 2
    said = r.stdout + r.stderr
    assert "\n  Generate services, clients and documents from a service IDL.\n" in said
    assert "Commands:" in said and all(f"\n  {c} " in said for c in COMMANDS)


@pytest.mark.parametrize(
    ("command", "documented"),
    [
        ("check", ["files... IDL files. [required]", "--format <text|json> How to print diagnostics. [default: text]"]),
        (
            "build",
            [
                "files... IDL files, built as one (default: sources of [tool.svcgen]).",
                "--format <text|json> How to print diagnostics. [default: text]",
                "--check Write nothing; exit 1 and list the stale files if the output is not up to date.",
            ],
        ),
        ("fmt", ["files... IDL files. [required]", "--check Write nothing; exit 1 and name the files"]),
        (
            "new",
            [
                "--http / --no-http HTTP endpoints (asked on a terminal; default with --defaults).",
                "--sockets / --no-sockets WebSockets (asked on a terminal; default with --defaults).",
                "--defaults Ask nothing",
            ],
        ),
    ],
)
def test_help_documents_every_argument_and_option(command: str, documented: list[str]) -> None:
    r = svcgen(command, "--help")
    assert (r.returncode, r.stderr) == (0, "")
    for text in documented:
        assert text in flat(r.stdout), r.stdout


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        ("dlq", "usage: svcgen dlq [-h] [--limit LIMIT] {list,count,requeue,purge} QUEUE\n"),
        ("declare", "usage: svcgen declare [-h] TARGET\n"),
        ("run", "usage: svcgen run [-h] ROLE ...\n"),
    ],
)
def test_forwarded_commands_show_the_runtimes_usage_under_svcgens_name(command: str, usage: str) -> None:
    r = svcgen(command, "--help")
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout.startswith(usage)
    bad = svcgen(command, "--no-such-option")
    assert bad.returncode == 2 and bad.stderr.startswith(usage.split(" [")[0])


def test_build_without_files_or_sources_is_one_line_on_stderr(tmp_path: Path) -> None:
    r = svcgen("build", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == "svcgen: error: name the IDL files, or list them as sources in [tool.svcgen]\n"


IDL = "package shop;\n\nmessage Item {\n  id: uuid;\n  note: string;\n}\n\nservice Shop {\n  GET /items/{id} get_item(id: uuid) -> Item;\n}\n"


def test_breaking_against_a_folder_with_allow_severity_and_json(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old/shop.idl").write_text(IDL)
    (tmp_path / "shop.idl").write_text(IDL.replace("get_item(", "fetch_item("))  # B308, a warning
    assert svcgen("breaking", "shop.idl", "--against", "old", cwd=tmp_path).returncode == 0
    r = svcgen("breaking", "shop.idl", "--against", "old", "--severity", "warning", "--format", "json", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    [found] = json.loads(r.stdout)
    assert found["severity"] == "warning"
    (tmp_path / "shop.idl").write_text(IDL.replace("  note: string;\n", ""))
    r = svcgen("breaking", "shop.idl", "--against", "old", cwd=tmp_path)
    assert r.returncode == 1 and r.stdout == "" and "error[B101]" in r.stderr
    allowed = svcgen("breaking", "shop.idl", "--against", "old", "--allow", "B101:shop.Item.note", cwd=tmp_path)
    assert (allowed.returncode, allowed.stderr) == (0, "\n1 allowed\n")


def test_graph_formats(tmp_path: Path) -> None:
    (tmp_path / "shop.idl").write_text(IDL)
    mermaid = svcgen("graph", "shop.idl", cwd=tmp_path)
    assert svcgen("graph", "shop.idl", "--format", "mermaid", cwd=tmp_path).stdout == mermaid.stdout  # the default
    dot = svcgen("graph", "shop.idl", "--format", "dot", cwd=tmp_path)
    as_json = svcgen("graph", "shop.idl", "--format", "json", cwd=tmp_path)
    assert [r.returncode for r in (mermaid, dot, as_json)] == [0, 0, 0]
    assert mermaid.stdout.startswith(("flowchart", "graph")) and dot.stdout.startswith("digraph")
    assert isinstance(json.loads(as_json.stdout), dict)


def test_fmt_check_through_the_command(tmp_path: Path) -> None:
    (tmp_path / "a.idl").write_text("package a;\nmessage M { n: int; }\n")
    r = svcgen("fmt", "--check", "a.idl", cwd=tmp_path)
    assert r.returncode == 1 and "a.idl" in r.stdout + r.stderr
    assert (tmp_path / "a.idl").read_text() == "package a;\nmessage M { n: int; }\n"
    assert svcgen("fmt", "a.idl", cwd=tmp_path).returncode == 0
    assert svcgen("fmt", "--check", "a.idl", cwd=tmp_path).returncode == 0


def test_new_and_upgrade_errors_are_one_line_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken/keep.txt").write_text("mine\n")
    for args in (("new", "taken", "--defaults"), ("upgrade",)):
        r = svcgen(*args, cwd=tmp_path)
        assert (r.returncode, r.stdout) == (1, ""), r.stderr
        assert r.stderr.startswith("svcgen: error: ") and r.stderr.count("\n") == 1, r.stderr
    r = svcgen("new", "demo", cwd=tmp_path)  # stdin is not a terminal
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == "svcgen: error: not a terminal: pass --defaults (and a flag per answer) to ask nothing\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}


def test_new_takes_every_part_flag_and_a_fresh_project_is_up_to_date(tmp_path: Path) -> None:
    """Each flag the opposite of its default (HTTP, topics and schedules on; RPC and sockets off); with
    every answer given there is nothing to ask, so no terminal and no --defaults are needed."""
    flags = ("--package", "shop.demo", "--no-http", "--no-topics", "--no-schedules", "--rpc", "--sockets")
    r = svcgen("new", "demo", *flags, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Created demo (svcgen build done). Next:\n")
    idl = (tmp_path / "demo/service.idl").read_text()
    assert "\npackage shop.demo;\n" in idl
    code = [line.strip() for line in idl.splitlines() if line.strip() and not line.strip().startswith(("//", "///"))]
    assert any(line.startswith("rpc ") for line in code) and any(line.startswith("socket ") for line in code)
    assert not [line for line in code if line.startswith(("GET ", "POST ", "topic ", "on ", "every "))]
    project = tmp_path / "demo"
    for args in (["add", "-A"], ["commit", "-qm", "new"]):
        subprocess.run(["git", *args], cwd=project, env={**os.environ, **GIT_ENV}, check=True, capture_output=True)
    up = svcgen("upgrade", cwd=project)
    assert (up.returncode, up.stderr) == (0, ""), up.stderr
    assert up.stdout.startswith("demo is up to date (template ") and up.stdout.count("\n") == 1


def test_upgrade_reports_each_changed_file_and_the_conflicts(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    template = tmp_path / "template"
    shutil.copytree(root / "templates/scaffold", template)
    env = {"SVCGEN_SCAFFOLD_TEMPLATE": str(template)}
    assert svcgen("new", "demo", "--defaults", cwd=tmp_path, env=env).returncode == 0
    project = tmp_path / "demo"

    def commit() -> None:
        for args in (["add", "-A"], ["commit", "-qm", "step"]):
            subprocess.run(["git", *args], cwd=project, env={**os.environ, **GIT_ENV}, check=True, capture_output=True)

    commit()
    idl = project / "service.idl"
    idl.write_text(idl.read_text().replace("Greetings served by", "Hellos answered by"))
    commit()
    gitignore = template / "project/.gitignore.jinja"
    gitignore.write_text(gitignore.read_text() + ".tox/\n")
    template_idl = template / "project/service.idl.jinja"
    template_idl.write_text(template_idl.read_text().replace("Greetings served by", "Greetings answered by"))
    r = svcgen("upgrade", cwd=project, env=env)
    assert r.returncode == 1, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert re.fullmatch(r"upgraded demo: template (\S+) -> (\S+)", lines[0]), lines
    assert "  changed   .gitignore" in lines and "  conflict  service.idl" in lines
    assert all(re.fullmatch(r"  (changed |conflict)  \S+", line) for line in lines[1:]), lines
    assert r.stderr == (
        "1 file(s) with conflicts: resolve the <<<<<<< markers in service.idl; then svcgen build and commit\n"
    )
    idl.write_text(
        idl.read_text().split("<<<<<<<")[0] + "".join(idl.read_text().split(">>>>>>>")[1].splitlines(True)[1:])
    )
    commit()
    gitignore.write_text(gitignore.read_text() + ".nox/\n")
    r = svcgen("upgrade", cwd=project, env=env)
    assert (r.returncode, r.stderr) == (0, ""), r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert "  changed   .gitignore" in lines and not [line for line in lines if "conflict" in line]
    assert lines[-1] == "review with git diff, run svcgen build and the tests, then commit"


def test_new_whose_first_build_fails_keeps_the_project_and_says_so(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    template = tmp_path / "template"
    shutil.copytree(root / "templates/scaffold", template)
    idl = template / "project/service.idl.jinja"
    idl.write_text(idl.read_text() + "\nmessage Broken {\n  x: Nope;\n}\n")
    r = svcgen("new", "demo", "--defaults", cwd=tmp_path, env={"SVCGEN_SCAFFOLD_TEMPLATE": str(template)})
    assert r.returncode == 1, r.stdout + r.stderr
    assert "error[E101]: unknown type 'Nope'" in r.stderr
    assert r.stderr.endswith("\nsvcgen: the project is created but its first build failed (exit 1)\n")
    assert (tmp_path / "demo/service.idl").is_file()


def test_the_no_op_shortcut_is_taken_with_targets_and_only_for_text_output(tmp_path: Path) -> None:
    """A hand edit that keeps size and mtime is invisible to the stamp: `--check` then answers 0 only
    when the stamp was consulted (text output, the same --target), and compares otherwise."""
    idl = copy_tasks(tmp_path)
    out = tmp_path / "out"
    build = ("build", str(idl), "--out", str(out), "--target", "python-models")
    assert svcgen(*build).returncode == 0
    same_size_edit(out / "acme_tasks/models.py")
    assert svcgen(*build, "--check").returncode == 0
    r = svcgen(*build, "--check", "--format", "json")
    assert (r.returncode, r.stdout) == (1, "[]\n")
