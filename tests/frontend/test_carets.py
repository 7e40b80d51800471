"""A diagnostic about part of a token marks that part alone: `{order_id}`, not the whole path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from svcgen.source import Span

from .conftest import Workspace, write_files

SVCGEN = Path(sys.executable).with_name("svcgen")


def check(ws: Workspace, text: str) -> str:
    write_files(ws.folder, {"shop.idl": text})
    r = subprocess.run([str(SVCGEN), "check", "shop.idl"], cwd=ws.folder, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    return r.stderr


def test_unknown_path_parameter_is_marked_alone(ws: Workspace) -> None:
    err = check(ws, "package shop;\nservice S {\n  GET /orders/{order_id} get(id: uuid) -> string;\n}\n")
    assert (
        "shop.idl:3:15: error[E301]: path parameter 'order_id' is not a parameter of 'get'\n"
        "3 |   GET /orders/{order_id} get(id: uuid) -> string;\n"
        "  |               ^^^^^^^^^^\n"
    ) in err


def test_a_second_unknown_parameter_of_one_path_is_marked_where_it_is(ws: Workspace) -> None:
    err = check(ws, "package shop;\nservice S {\n  GET /u/{a}/o/{b} get() -> string;\n}\n")
    assert "shop.idl:3:10: error[E301]: path parameter 'a'" in err
    assert "shop.idl:3:16: error[E301]: path parameter 'b'" in err
    assert "  |" + " " * 16 + "^^^\n" in err


def test_an_invalid_segment_is_marked_alone(ws: Workspace) -> None:
    err = check(ws, "package shop;\nservice S {\n  GET /items/x{id} get(id: int) -> string;\n}\n")
    assert "shop.idl:3:14: error[E309]" in err
    assert "  |              ^^^^^\n" in err


def test_a_repeated_parameter_is_marked_where_it_repeats(ws: Workspace) -> None:
    err = check(ws, "package shop;\nservice S {\n  GET /a/{x}/{x} get(x: int) -> string;\n}\n")
    assert "shop.idl:3:14: error[E309]: invalid path '/a/{x}/{x}': a parameter appears twice" in err


def test_a_socket_path_too(ws: Workspace) -> None:
    err = check(ws, "package shop;\nservice S {\n  socket /live/{room} live(id: string);\n}\n")
    assert "shop.idl:3:16: error[E301]: path parameter 'room'" in err


def test_a_span_that_is_not_exactly_the_token_is_kept_whole() -> None:
    span = Span("a.idl", 3, 7, 3, 20)
    assert span.part("/orders/{id}", 8, 12) == span  # 13 columns for a 12-character text: quoted, say
    assert Span("a.idl", 3, 7, 3, 19).part("/orders/{id}", 8, 12) == Span("a.idl", 3, 15, 3, 19)


def test_every_bad_string_literal_is_reported_with_the_escape_at_fault(ws: Workspace) -> None:
    """The literal is marked from its opening quote (where the IDL contract places a string's
    errors); the reason names the escape; a file's bad literals are all reported."""
    text = 'package shop;\nmessage M {\n  s: string = "ab\\qcd";\n}\nmessage N { t: string = "x\\u12"; }\n'
    err = check(ws, text + 'message O { u: string = "a\tb"; }\n')
    assert (
        "shop.idl:3:15: error[E004]: invalid string literal: unknown escape '\\q'"
        ' (known: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)\n'
        '3 |   s: string = "ab\\qcd";\n'
        "  |               ^^^^^^^^\n"
    ) in err
    assert "shop.idl:5:25: error[E004]: invalid string literal: \\u needs four hex digits\n" in err
    assert "shop.idl:6:25: error[E004]: invalid string literal: a control character must be escaped" in err
    assert err.endswith("3 errors\n")
