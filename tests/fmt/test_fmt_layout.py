"""The canonical layout, one decision per test."""

from __future__ import annotations

import pytest
from svcgen.fmt import format_text


def fmt(text: str) -> str:
    out = format_text(text)
    assert format_text(out) == out  # every expectation below is also a fixed point
    return out


def test_package_imports_and_declarations_are_separated_by_one_blank_line() -> None:
    text = 'package   a.b ;import "x.idl";\n\n\n\nimport "y.idl";message A{}\n\n\n\nmessage B {}'
    assert fmt(text) == 'package a.b;\n\nimport "x.idl";\n\nimport "y.idl";\n\nmessage A {}\n\nmessage B {}\n'


def test_imports_without_blank_lines_stay_together() -> None:
    assert fmt('package a; import "x.idl";\nimport "y.idl";') == 'package a;\n\nimport "x.idl";\nimport "y.idl";\n'


def test_one_liner_enum_gets_one_value_per_line() -> None:
    assert fmt("package a;\nenum Color { red; green; blue; }") == (
        "package a;\n\nenum Color {\n  red;\n  green;\n  blue;\n}\n"
    )


def test_one_liner_message_is_split_and_gets_its_blank_line() -> None:
    text = "package a;\nmessage Circle { radius: float @min(0); }\nmessage Square { side: float; }\n"
    assert fmt(text) == (
        "package a;\n\nmessage Circle {\n  radius: float @min(0);\n}\n\nmessage Square {\n  side: float;\n}\n"
    )


def test_empty_bodies_stay_on_one_line() -> None:
    assert fmt("package a;\nmessage E {\n\n}\nservice S {   }\nenum N {}") == (
        "package a;\n\nmessage E {}\n\nservice S {}\n\nenum N {}\n"
    )


def test_spacing_inside_a_field() -> None:
    text = 'package a;\nmessage M {\n  x :map<string,list< int >>?={"k":[1,2,],}@length( 1,80 )@x ;\n}'
    assert (
        fmt(text) == 'package a;\n\nmessage M {\n  x: map<string, list<int>>? = {"k": [1, 2]} @length(1, 80) @x;\n}\n'
    )


def test_annotation_parentheses_are_kept_as_written() -> None:
    assert "@deprecated() @x;" in fmt("package a;\nmessage M { x: int @deprecated() @x; }")


def test_literals_keep_their_spelling() -> None:
    text = 'package a;\nmessage M { a: duration = 90s; b: string = "\\u00e9\\"" ; c: float = -1.5e3; d: decimal = "0.10"; }'
    out = fmt(text)
    for literal in ("= 90s;", '= "\\u00e9\\"";', "= -1.5e3;", '= "0.10";'):
        assert literal in out


def test_blank_lines_between_members_are_kept_but_at_most_one() -> None:
    text = "package a;\nmessage M {\n\n\n  a: int;\n\n\n\n  b: int;\n  c: int;\n\n\n}\n"
    assert fmt(text) == "package a;\n\nmessage M {\n  a: int;\n\n  b: int;\n  c: int;\n}\n"


def test_union_and_topic() -> None:
    assert fmt("package a;\nunion U=A|b.B ;\ntopic  x . y :U;") == "package a;\n\nunion U = A | b.B;\n\ntopic x.y: U;\n"


def test_endpoint_clauses_take_their_fixed_order() -> None:
    text = "package a;\nservice S { POST /t  make( x:int ,y : T ) ->T emits t.made throws E ,F status 201 ; }"
    assert fmt(text) == (
        "package a;\n\nservice S {\n  POST /t make(x: int, y: T) -> T status 201 throws E, F emits t.made;\n}\n"
    )


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("rpc r ( ) ->int timeout 5s throws E;", "rpc r() -> int throws E timeout 5s;"),
        ("on task . * h backoff 1s .. 60s retry 3;", "on task.* h retry 3 backoff 1s..60s;"),
        ("on # h;", "on # h;"),
        ('every "0 2 * * *"   close overlap ;', 'every "0 2 * * *" close overlap;'),
        ("every 30s tick;", "every 30s tick;"),
        (
            "socket /live/{p} live( p:string ) sends A  receives B;",
            "socket /live/{p} live(p: string) sends A receives B;",
        ),
        ("GET /x x() -> list< map<string ,int > >;", "GET /x x() -> list<map<string, int>>;"),
    ],
)
def test_members(member: str, expected: str) -> None:
    assert fmt(f"package a;\nservice S {{\n  {member}\n}}") == f"package a;\n\nservice S {{\n  {expected}\n}}\n"


def test_long_parameter_lists_stay_on_one_line() -> None:
    params = ", ".join(f"p{i}: int" for i in range(20))
    spread = params.replace(", ", ",\n    ")
    text = f"package a;\nservice S {{\n  GET /x x(\n    {spread}\n  ) -> int;\n}}\n"
    assert f"  GET /x x({params}) -> int;\n" in fmt(text)


def test_crlf_tabs_and_trailing_space_are_normalised() -> None:
    text = "package a;\r\n\r\nmessage M {\r\n\tx: int;   \r\n}\r\n"
    assert fmt(text) == "package a;\n\nmessage M {\n  x: int;\n}\n"


def test_syntax_error_is_reported_not_formatted() -> None:
    with pytest.raises(ValueError, match="expected ';'"):
        format_text("package a;\nmessage M { x: int }")
