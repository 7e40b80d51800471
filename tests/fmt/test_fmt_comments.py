"""Where comments and doc comments end up; none is ever lost."""

from __future__ import annotations

from svcgen.fmt import format_text
from svcgen.frontend.parser import parse
from svcgen.source import SourceFile


def fmt(text: str) -> str:
    out = format_text(text)
    assert format_text(out) == out
    return out


def parsed(text: str):  # type: ignore[no-untyped-def]
    result = parse(SourceFile("t.idl", text))
    assert result.file is not None
    return result.file


def test_comments_before_the_package_and_at_the_end_of_the_file() -> None:
    text = "// header\n\n/// The package.\npackage a;\nmessage M {}\n// the end\n\n\n// really\n"
    assert fmt(text) == ("// header\n\n/// The package.\npackage a;\n\nmessage M {}\n\n// the end\n\n// really\n")


def test_trailing_comments_stay_on_their_line() -> None:
    text = "package a;  // pkg\nmessage M {  // open\n  x: int;   // x\n}  // close\n"
    assert fmt(text) == "package a;  // pkg\n\nmessage M {  // open\n  x: int;  // x\n}  // close\n"


def test_own_line_comments_inside_bodies_and_before_the_closing_brace() -> None:
    text = "package a;\nmessage M {\n// first\n  x: int;\n\n      // second\n  y: int;\n  // last\n}\n"
    assert fmt(text) == "package a;\n\nmessage M {\n  // first\n  x: int;\n\n  // second\n  y: int;\n  // last\n}\n"


def test_a_body_holding_only_a_comment_is_not_collapsed() -> None:
    assert fmt("package a;\nservice S {\n  // nothing yet\n}") == "package a;\n\nservice S {\n  // nothing yet\n}\n"
    assert fmt("package a;\nenum E {  // none\n}") == "package a;\n\nenum E {  // none\n}\n"


def test_comments_between_declarations_keep_their_blank_lines() -> None:
    text = "package a;\nmessage A {}\n// about B\nmessage B {}\n// section\n\nmessage C {}\n"
    assert fmt(text) == "package a;\n\nmessage A {}\n\n// about B\nmessage B {}\n\n// section\n\nmessage C {}\n"


def test_doc_comments_stay_attached() -> None:
    text = "/// P\npackage a;\n/// M\nmessage M {\n  /// x\n  x: int;\n}\nservice S {\n  /// get\n  GET /x get() -> M;\n}\n"
    out = fmt(text)
    assert out == (
        "/// P\npackage a;\n\n/// M\nmessage M {\n  /// x\n  x: int;\n}\n\nservice S {\n  /// get\n  GET /x get() -> M;\n}\n"
    )
    f = parsed(out)
    assert f.package_doc == "P"
    assert f.messages[0].doc == "M" and f.messages[0].fields[0].doc == "x"
    assert f.services[0].members[0].doc == "get"


def test_a_floating_doc_comment_does_not_become_a_doc() -> None:
    text = "package a;\n/// floating\n\nmessage M {}\n"
    out = fmt(text)
    assert out == "package a;\n\n/// floating\n\nmessage M {}\n"
    assert parsed(out).messages[0].doc is None


def test_a_comment_among_parameters_puts_them_one_per_line() -> None:
    text = (
        "package a;\nservice S {\n  /// Make one.\n  POST /x make(a: int,  // the a\n"
        "  /// The b.\n  b: int = 1 @min(0)\n  // before the paren\n  ) -> int throws E;\n}\n"
    )
    out = fmt(text)
    assert out == (
        "package a;\n\nservice S {\n  /// Make one.\n  POST /x make(\n    a: int,  // the a\n"
        "    /// The b.\n    b: int = 1 @min(0)\n    // before the paren\n  ) -> int throws E;\n}\n"
    )
    member = parsed(out).services[0].members[0]
    assert member.doc == "Make one." and member.params[1].doc == "The b."  # type: ignore[union-attr]


def test_a_comment_right_after_the_opening_parenthesis() -> None:
    text = "package a;\nservice S {\n  socket /s s(  // room\n  ) sends M;\n}\n"
    assert fmt(text) == "package a;\n\nservice S {\n  socket /s s(  // room\n  ) sends M;\n}\n"


def test_comments_inside_reflowed_code_move_above_it_and_above_its_doc() -> None:
    text = (
        "package a;\nservice S {\n  /// The doc.\n  rpc r(a: int) // after params\n"
        "    -> int // after type\n    timeout 5s;  // at the end\n}\n"
    )
    out = fmt(text)
    assert out == (
        "package a;\n\nservice S {\n  // after params\n  // after type\n  /// The doc.\n"
        "  rpc r(a: int) -> int timeout 5s;  // at the end\n}\n"
    )
    assert parsed(out).services[0].members[0].doc == "The doc."


def test_comments_inside_a_type_or_value_move_above_the_field() -> None:
    text = "package a;\nmessage M {\n  x: map<string,  // keys\n    int> = {  // empty\n  };\n}\n"
    assert fmt(text) == "package a;\n\nmessage M {\n  // keys\n  // empty\n  x: map<string, int> = {};\n}\n"


def test_a_trailing_doc_inside_a_node_stays_its_doc() -> None:
    # a `///` at the end of a line documents the node that starts on that line (issue 14.2)
    text = "package a;\nmessage M {\n  x: list< /// odd\n  int>;\n}\n"
    assert parsed(text).messages[0].fields[0].doc == "odd"
    out = fmt(text)
    assert out == "package a;\n\nmessage M {\n  x: list<int>;  /// odd\n}\n"
    assert parsed(out).messages[0].fields[0].doc == "odd"


def test_doc_above_package_keyword_split_from_its_name_stays_no_doc() -> None:
    out = fmt("/// doc\npackage\na ;")
    assert out == "/// doc\n\npackage a;\n"
    assert parsed(out).package_doc is None


def test_comment_text_is_kept_verbatim_but_trailing_space() -> None:
    out = fmt("package a;\n//no space   \n////  four\nmessage M {}\n")
    assert "//no space\n////  four\n" in out
