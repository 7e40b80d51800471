"""A `///` at the end of a line documents the first node starting on that line; where none
starts it is E007. Both parsers, the generated code and `svcgen fmt` agree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from svcgen import model as m
from svcgen.fmt import format_source, format_text
from svcgen.frontend.fastparse import parse_fast
from svcgen.frontend.larkparse import parse_with_lark
from svcgen.frontend.parser import parse
from svcgen.source import SourceFile

from .conftest import Workspace, write_files

SVCGEN = Path(sys.executable).with_name("svcgen")
IDL = (
    "package p;\n\n/// A note.\nmessage Note {\n  /// Key.\n  id: uuid;  /// the id\n  text: string; /// body\n}\n\n"
    "enum Kind {\n  a;  /// first\n  b;\n}\n\nservice S {\n  GET /n/{id} get(id: uuid) -> Note;  /// one note\n}\n"
)
TAG = "\nmessage Tag { name: string; }  /// A tag.\n"


def docs(text: str, lark: bool) -> dict[str, str | None]:
    source = SourceFile("a.idl", text)
    if lark:
        file = parse_with_lark(source).file
    else:
        fast = parse_fast(source)
        assert fast is not None
        file = fast[0]
    assert file is not None
    note, kind, service = file.declarations
    return {
        "Note": note.doc,
        "id": note.fields[0].doc,  # type: ignore[union-attr]
        "text": note.fields[1].doc,  # type: ignore[union-attr]
        "a": kind.values[0].doc,  # type: ignore[union-attr]
        "b": kind.values[1].doc,  # type: ignore[union-attr]
        "get": service.members[0].doc,  # type: ignore[union-attr]
    }


def test_both_parsers_attach_a_trailing_doc_to_the_node_of_its_line() -> None:
    expected = {"Note": "A note.", "id": "Key.\nthe id", "text": "body", "a": "first", "b": None, "get": "one note"}
    assert docs(IDL, lark=False) == expected
    assert docs(IDL, lark=True) == expected


def test_a_trailing_doc_reaches_the_generated_code(ws: Workspace) -> None:
    write_files(ws.folder, {"a.idl": IDL + TAG})
    r = subprocess.run(
        [str(SVCGEN), "build", "a.idl", "--out", "out", "-t", "python-models", "-t", "python-server"],
        cwd=ws.folder,
        capture_output=True,
        text=True,
        timeout=120,
        env={"SVCGEN_NO_STAMP": "1", "PATH": ""},
    )
    assert r.returncode == 0, r.stderr
    models = (ws.folder / "out/p/models.py").read_text()
    assert 'text: str = Field(description="body")' in models
    assert 'id: uuid.UUID = Field(description="Key. the id")' in models  # after the doc above it
    assert 'class Tag(WireModel):\n    """A tag."""\n' in models  # a class docstring
    assert "class Kind(StrEnum):\n    # first\n" in models
    service = (ws.folder / "out/p/service.py").read_text()
    assert 'async def get(self, id: uuid.UUID) -> Note:\n        """one note\n' in service  # a method docstring


def test_a_trailing_doc_where_nothing_starts_is_an_error(ws: Workspace) -> None:
    write_files(ws.folder, {"a.idl": "package p;\nmessage M {\n  id: uuid;\n}  /// the end\n"})
    r = subprocess.run([str(SVCGEN), "check", "a.idl"], cwd=ws.folder, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert "a.idl:4:4: error[E007]: this doc comment documents nothing" in r.stderr
    assert "  |    " + "^" * len("/// the end") + "\n" in r.stderr


def test_fmt_keeps_a_trailing_doc_on_its_node(ws: Workspace) -> None:
    messy = "package p;\nmessage Note {\n  id:   uuid;  /// the id\n    text: string; /// body\n}\n"
    write_files(ws.folder, {"a.idl": messy})
    r = subprocess.run([str(SVCGEN), "fmt", "a.idl"], cwd=ws.folder, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    text = (ws.folder / "a.idl").read_text()
    assert "  id: uuid;  /// the id\n  text: string;  /// body\n" in text


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('package p;\nimport "b.idl";  /// b\n', 2),  # an import takes no doc
        ("package p;\nunion U =\n  A | B;  /// u\nmessage A {}\nmessage B {}\n", 3),  # nor a union's members
        ("package p;\nservice S {\n  rpc f(a: int\n  ) -> A;  /// f\n}\nmessage A {}\n", 4),
    ],
)
def test_lines_where_no_documented_node_starts(text: str, line: int) -> None:
    result = parse(SourceFile("a.idl", text))
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("E007", line)]
    assert format_source(SourceFile("a.idl", text)).text is None  # fmt leaves the file alone


def fmt_docs(text: str) -> tuple[str, list[str | None], list[str | None]]:
    """The formatted text, and the docs of every node before and after formatting."""

    def all_docs(source: str) -> list[str | None]:
        file = parse(SourceFile("a.idl", source)).file
        assert file is not None
        out = [file.package_doc]
        for d in file.declarations:
            out.append(d.doc)
            for node in (*getattr(d, "fields", ()), *getattr(d, "values", ())):
                out.append(node.doc)
            for x in d.members if isinstance(d, m.Service) else ():
                out.append(x.doc)
                out.extend(p.doc for p in getattr(x, "params", ()))
        return out

    out = format_text(text)
    assert format_text(out) == out
    return out, all_docs(text), all_docs(out)


def test_fmt_keeps_a_trailing_doc_on_a_node_that_starts_after_other_code() -> None:
    # the case that held the fix back: a doc above a line where a node starts after other code,
    # and a trailing doc on that line. The node keeps the trailing doc; the one above was never
    # on a node of its own line and stays a comment where it stood.
    out, before, after = fmt_docs("package a;\nmessage M {\n  x: list<\n  /// above\n  int>; y: int;  /// trail\n}\n")
    assert out == "package a;\n\nmessage M {\n  /// above\n\n  x: list<int>;\n  y: int;  /// trail\n}\n"
    assert before[-1] == "above\ntrail" and after[-1] == "trail"
    out, before, after = fmt_docs("package a;\nmessage M {\n  x: int;\n} enum E { a; }  /// e\n")
    assert out == "package a;\n\nmessage M {\n  x: int;\n}\n\nenum E {  /// e\n  a;\n}\n"
    assert before == after == [None, None, None, "e", None]


def test_fmt_gives_a_parameter_its_own_line_to_keep_its_trailing_doc() -> None:
    out, before, after = fmt_docs(
        "package a;\nservice S {\n  GET /a f(a: int,\n    b: int) -> T;  /// the b\n}\nmessage T {}\n"
    )
    assert "  GET /a f(\n    a: int,\n    b: int  /// the b\n  ) -> T;\n" in out
    assert before == after == [None, None, None, None, "the b", None]


def test_fmt_keeps_a_trailing_doc_on_the_package_name() -> None:
    out, before, after = fmt_docs("package\n  a.b;  /// the package\nmessage M {}\n")
    assert out.startswith("package a.b;  /// the package\n")
    assert before == after == ["the package", None]
    out, before, after = fmt_docs('package a;\nimport "c.idl"; message M {}  /// m\n')
    assert 'import "c.idl";\n\nmessage M {}  /// m\n' in out
    assert before == after == [None, "m"]


def test_a_trailing_doc_leaves_no_comment_behind_in_a_body_or_parameter_list() -> None:
    # found by the fmt property test: the doc moves to its node, so `{}` and `(...)` stay folded
    out, before, after = fmt_docs("package a;\nenum E {\na ; } error R 404 {///d\n\n} // end\n")
    assert out == "package a;\n\nenum E {\n  a;  ///d\n}\n\nerror R 404 {}  // end\n"
    assert before == after == [None, None, "d", None]
    out, before, after = fmt_docs("package a;\nmessage R {}\nservice S {\n  GET /a f( /// d\n a: int) -> R;\n}\n")
    assert "  GET /a f(a: int) -> R;  /// d\n" in out
    assert before == after == [None, None, None, "d", None]
    # a plain comment at the end of a node whose first line carries its trailing doc goes below it
    out, before, after = fmt_docs("package a;\nerror R\t404  /// r\n\n{ // c\n  }")
    assert out == "package a;\n\nerror R 404 {  /// r\n  // c\n}\n"
    assert before == after == [None, "r"]
