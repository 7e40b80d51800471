"""The meaning check fmt runs before writing: blind to layout, not to content."""

from __future__ import annotations

from svcgen.fmt.same import same
from svcgen.frontend.parser import parse
from svcgen.source import SourceFile

BASE = (
    "package a;\n/// M\nmessage M {\n  x: int = 1 @min(0);  // c\n}\nservice S {\n  GET /x/{id} g(id: uuid) -> M;\n}\n"
)


def check(a: str, b: str) -> bool:
    sa, sb = SourceFile("a.idl", a), SourceFile("b.idl", b)
    return same(parse(sa), sa, parse(sb), sb)


def test_layout_and_file_name_do_not_matter() -> None:
    other = "package a;\n\n\n/// M\nmessage   M{x:int=1@min(0);// c\n}service S{GET /x/{id} g(\nid:uuid)->M;}"
    assert check(BASE, other)


def test_content_matters() -> None:
    assert not check(BASE, BASE.replace("x: int", "x: float"))
    assert not check(BASE, BASE.replace("= 1", "= 2"))
    assert not check(BASE, BASE.replace("@min(0)", "@min()"))
    assert not check(BASE, BASE.replace("/x/{id}", "/y/{id}"))
    assert not check(BASE, BASE.replace("/// M", "/// N"))


def test_comments_matter_docs_too() -> None:
    assert not check(BASE, BASE.replace("  // c", ""))
    assert not check(BASE, BASE.replace("  // c", "  // d"))
    assert not check(BASE, BASE.replace("/// M\nmessage", "/// M\n\nmessage"))  # no longer a doc


def test_doc_copies_on_one_liners_do_not_count() -> None:
    # the parser gives the enum's doc to `a` and `b` too, since they stand on its line
    assert check("package a;\n/// E\nenum E { a; b; }\n", "package a;\n/// E\nenum E {\n  a;\n  b;\n}\n")
