"""The parser: every construct of the language becomes the right model node, in both parsers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from svcgen import model as m
from svcgen.frontend.fastparse import parse_fast
from svcgen.frontend.larkparse import parse_with_lark
from svcgen.frontend.parser import parse
from svcgen.source import SourceFile, Span

EVERYTHING = """\
/// The package doc.
package acme.shop.v1; // trailing comment
// a plain comment line
import "common.idl";

/// Colours.
enum Color {
  /// The red one.
  red;
  green; // not a doc
}

/// A product.
/// Two lines of doc.
message Product {
  /// Its id.
  id: uuid;
  name: string = "a \\"quoted\\" \\u00e9\\n" @length(1, 80) @pattern("^[a-z]");
  price: decimal = "19.99" @min(0) @max(1e6);
  count: int = -3;
  ratio: float = 0.5;
  big: float = 1.5e-3;
  wait: duration = 90s;
  short: duration = 250ms;
  tags: list<string> = ["a", "b",];
  grid: list<list<int?>>? = [[1, null], []];
  index: map<string, list<Color>> = {"x": [red], "y": [],};
  color: Color = green;
  money: common.Money?;
  old: string? @deprecated("use name") @deprecated;
  blob: bytes;
  extra: json = {"k": [1, 2.5, "s", true, null]};
}

union Shape = Product | common.Money;

/// Not found.
error Missing 404 {
  id: uuid;
}

/// Created products.
topic product.created: Product;

/// The shop.
service Shop {
  /// List.
  GET /products list(limit: int = 10 @min(1), cursor: string?) -> list<Product>;
  POST /products create(p: Product) -> Product status 201 throws Missing, common.Denied emits product.created;
  DELETE /products/{id} remove(id: uuid) status 204;
  HEAD /ping ping();
  PUT /p/{id} put(id: uuid, p: Product) -> Product emits product.created, product.created throws Missing;
  PATCH /p patch();
  rpc price(id: uuid, full: bool = true) -> decimal throws Missing timeout 5s;
  rpc fire();
  on product.created index retry 5 backoff 1s..60s;
  on product.* audit;
  on # everything;
  on *.created created backoff 1s..2s retry 2;
  every "0 */5 * * * *" purge;
  every 30s refresh overlap;
  socket /live/{room} live(room: string) sends Product receives Color;
  socket /quiet quiet();
}
"""


def both(text: str, path: str = "x.idl") -> m.File:
    """Parse with both parsers, check they agree exactly, return the file."""
    source = SourceFile(path, text)
    fast = parse_fast(source)
    slow = parse_with_lark(source)
    assert fast is not None, "the fast parser gave up on valid input"
    assert not slow.diagnostics, slow.diagnostics
    assert fast[0] == slow.file
    assert fast[1] == slow.comments
    return fast[0]


@pytest.fixture(scope="module")
def f() -> m.File:
    return both(EVERYTHING)


def decl(f: m.File, name: str) -> m.Declaration:
    return next(d for d in f.declarations if d.name == name)


def test_package_imports_and_package_doc(f: m.File) -> None:
    assert f.package == "acme.shop.v1"
    assert f.package_span == Span("x.idl", 2, 9, 2, 21)
    assert f.package_doc == "The package doc."
    assert [i.path for i in f.imports] == ["common.idl"]
    assert f.imports[0].span == Span("x.idl", 4, 1, 4, 21)


def test_enum_values_and_docs(f: m.File) -> None:
    e = decl(f, "Color")
    assert isinstance(e, m.Enum)
    assert e.doc == "Colours."
    assert [(v.name, v.doc) for v in e.values] == [("red", "The red one."), ("green", None)]
    assert e.name_span == Span("x.idl", 7, 6, 7, 11)


def test_message_fields_types_defaults_annotations(f: m.File) -> None:
    p = decl(f, "Product")
    assert isinstance(p, m.Message)
    assert p.doc == "A product.\nTwo lines of doc."
    fields = {x.name: x for x in p.fields}
    assert fields["id"].doc == "Its id." and fields["id"].type.kind == "scalar"
    name = fields["name"]
    assert name.default is not None and name.default.value == 'a "quoted" \u00e9\n'
    assert [(a.name, [v.value for v in a.args]) for a in name.annotations] == [
        ("length", [1, 80]),
        ("pattern", ["^[a-z]"]),
    ]
    assert fields["price"].annotations[1].args[0].value == Decimal("1e6")
    assert fields["count"].default is not None and fields["count"].default.value == -3
    assert fields["big"].default is not None and fields["big"].default.value == Decimal("1.5e-3")
    assert fields["wait"].default is not None and fields["wait"].default.value == 90_000
    assert fields["short"].default is not None and fields["short"].default.value == 250
    tags = fields["tags"].default
    assert tags is not None and [v.value for v in tags.items] == ["a", "b"]
    grid = fields["grid"]
    assert str(grid.type) == "list<list<int?>>?" and grid.type.optional
    assert grid.type.span == Span("x.idl", 26, 9, 26, 26)
    index = fields["index"]
    assert str(index.type) == "map<string, list<Color>>"
    assert index.default is not None and [k.value for k, _ in index.default.entries] == ["x", "y"]
    assert fields["money"].type.kind == "named" and fields["money"].type.name == "common.Money"
    old = fields["old"]
    assert [(a.name, a.has_parens) for a in old.annotations] == [("deprecated", True), ("deprecated", False)]
    extra = fields["extra"].default
    assert extra is not None and extra.kind == "map"
    assert [v.kind for v in extra.entries[0][1].items] == ["int", "float", "string", "name", "name"]


def test_union_error_topic(f: m.File) -> None:
    u = decl(f, "Shape")
    assert isinstance(u, m.Union_) and [r.name for r in u.members] == ["Product", "common.Money"]
    e = decl(f, "Missing")
    assert isinstance(e, m.Error) and e.status == 404 and e.doc == "Not found."
    assert e.status_span == Span("x.idl", 38, 15, 38, 18)
    t = decl(f, "product.created")
    assert isinstance(t, m.Topic) and t.type.name == "Product" and t.doc == "Created products."


def test_service_members(f: m.File) -> None:
    s = decl(f, "Shop")
    assert isinstance(s, m.Service) and s.doc == "The shop."
    x = {x.handler: x for x in s.members}
    lst = x["list"]
    assert isinstance(lst, m.Endpoint) and lst.doc == "List." and lst.method == "GET"
    assert [p.name for p in lst.params] == ["limit", "cursor"] and str(lst.returns) == "list<Product>"
    create = x["create"]
    assert isinstance(create, m.Endpoint) and create.status == 201
    assert [r.name for r in create.throws] == ["Missing", "common.Denied"]
    assert [t.name for t in create.emits] == ["product.created"]
    remove = x["remove"]
    assert isinstance(remove, m.Endpoint) and remove.path_param_names == ("id",) and remove.returns is None
    assert {e.method for e in s.endpoints} == {"GET", "POST", "DELETE", "HEAD", "PUT", "PATCH"}
    price = x["price"]
    assert isinstance(price, m.Rpc) and price.timeout_ms == 5000 and [r.name for r in price.throws] == ["Missing"]
    fire = x["fire"]
    assert isinstance(fire, m.Rpc) and fire.params == () and fire.returns is None
    index = x["index"]
    assert isinstance(index, m.Consumer) and (index.retry, index.backoff_min_ms, index.backoff_max_ms) == (
        5,
        1000,
        60_000,
    )
    assert [c.pattern for c in s.consumers] == ["product.created", "product.*", "#", "*.created"]
    created = x["created"]
    assert (
        isinstance(created, m.Consumer) and created.retry == 2 and created.pattern_span == Span("x.idl", 59, 6, 59, 15)
    )
    purge, refresh = x["purge"], x["refresh"]
    assert isinstance(purge, m.Schedule) and purge.cron == "0 */5 * * * *" and not purge.overlap
    assert isinstance(refresh, m.Schedule) and refresh.interval_ms == 30_000 and refresh.overlap
    live, quiet = x["live"], x["quiet"]
    assert isinstance(live, m.Socket) and live.sends is not None and live.receives is not None
    assert isinstance(quiet, m.Socket) and quiet.sends is None and quiet.receives is None


def test_comments_are_kept_with_their_kind(f: m.File) -> None:
    result = parse(SourceFile("x.idl", EVERYTHING))
    texts = [(c.text, c.own_line, c.is_doc) for c in result.comments]
    assert ("// trailing comment", False, False) in texts
    assert ("// a plain comment line", True, False) in texts
    assert ("/// The red one.", True, True) in texts


def test_doc_needs_to_touch_its_node() -> None:
    f = both("package p;\n/// detached\n\nmessage M { x: int; }\n//// four slashes\nmessage N { x: int; }\n")
    assert [d.doc for d in f.declarations] == [None, None]


def test_doc_belongs_to_the_first_node_on_its_line_only() -> None:
    f = both(
        "/// pkg\npackage p;\n/// colours\nenum E { a; b; }\n"
        "service S {\n  /// op\n  GET /m/{id} get(id: int, q: string?);\n}\n"
    )
    enum, service = f.declarations
    assert f.package_doc == "pkg"
    assert isinstance(enum, m.Enum) and enum.doc == "colours"
    assert [v.doc for v in enum.values] == [None, None]
    assert isinstance(service, m.Service)
    (endpoint,) = service.members
    assert isinstance(endpoint, m.Endpoint) and endpoint.doc == "op"
    assert [p.doc for p in endpoint.params] == [None, None]


@pytest.mark.parametrize(
    "text",
    [
        "package p;",
        "package p;message M{x:int;}",
        "package p;\r\nmessage M {\r\n  x: int;\r\n}\r\n",
        "\ufeffpackage p;",
        "package p;\tmessage M {\f}",
        "package p;\nmessage list { map: int; list: list<int>; status: status; }\n",
        "package p;\nservice S { GET / root(); socket /a/{b}/c-d.e~f:g%20 s(b: int); }\n",
        "package p;\nservice S { on retry retry retry 1; on a.#.b.* x; }\n",
        "package p;\nmessage M { x: int = 1 @min(-1) @max(1) @deprecated(); }\n",
        'package p;\nmessage M { x: json = {}; y: json = []; z: string = "\\/\\b\\t\\\\"; }\n',
        "package p;\nservice S { every 1d a; every 2h b; every 3m c; every 4s d; every 5ms e; }\n",
        "package a.b.c;\nmessage M { x: a.b.c.M?; }\n",
    ],
)
def test_small_forms_parse_the_same_in_both_parsers(text: str) -> None:
    both(text.removeprefix("\ufeff"))


@pytest.mark.parametrize(
    ("text", "header"),
    [
        ("", "unexpected end of file, expected 'package'"),
        ("package p", "unexpected end of file, expected '.' or ';'"),
        ("package p;\nmessage M { x: int }", "expected ';', found '}'"),
        ("package p;\nmessage { }", "expected a name, found '{'"),
        ("package p;\nmessage M { x: list<int; }", "expected '>', found ';'"),
        ("package p;\nservice S { GET notes f(); }", "expected a path such as /items/{id}, found 'notes'"),
        (
            "package p;\nservice S { every 5 f; }",
            "expected a duration such as 500ms, 30s, 5m, 1h or a string, found '5'",
        ),
        ("package p;\nmessage M { x: int = 5min; }", "expected ';', found 'min'"),
        (
            "package p;\nfoo",
            "expected one of 'auth', 'enum', 'error', 'import', 'message', 'service', 'topic', 'union', found 'foo'",
        ),
        ('package p;\nimport "a.idl"\nmessage M { }', "expected ';'"),
        ("package p;\nmessage M { x: int @; }", "expected a name"),
        ('package p;\nmessage M { x: string = "new\nline"; }', "unexpected character"),
        ("package p;\n\u00e9", "unexpected character '\u00e9'"),
    ],
)
def test_syntax_errors_are_e003(text: str, header: str) -> None:
    result = parse(SourceFile("x.idl", text))
    assert result.file is None and len(result.diagnostics) == 1
    d = result.diagnostics[0]
    assert d.code == "E003" and header in d.message


def test_syntax_error_position_and_hint() -> None:
    result = parse(SourceFile("x.idl", "package p;\nmessage M {\n  x: int\n  y: int;\n}\n"))
    d = result.diagnostics[0]
    assert (d.span.line, d.span.col, d.message, d.help) == (
        4,
        3,
        "expected ';', found 'y'",
        "add ';' at the end of line 3",
    )


def test_repeated_clause_is_reported_by_the_reference_parser() -> None:
    source = SourceFile("x.idl", "package p;\nservice S { rpc f() timeout 1s timeout 2s; }\n")
    assert parse_fast(source) is None
    d = parse(source).diagnostics[0]
    assert (d.code, d.span.line, d.span.col) == ("E313", 2, 40)


BROKEN_IN_FOUR_PLACES = """package bad;

message A {
  x: int
}

message B {
  y: string;
  error: int;
}

enum C { a; b c; }

message D {
  z: list<int;
}

service S {
  GET /x f() -> A
}
"""


def test_every_syntax_error_of_a_file_is_reported_in_order() -> None:
    result = parse(SourceFile("x.idl", BROKEN_IN_FOUR_PLACES))
    assert result.file is None
    got = [(d.code, d.span.line, d.span.col, d.message, d.help) for d in result.diagnostics]
    assert got == [
        ("E003", 5, 1, "expected ';', found '}'", "add ';' at the end of line 4"),
        ("E003", 12, 15, "expected ';', found 'c'", None),
        ("E003", 15, 14, "expected '>', found ';'", None),
        ("E003", 20, 1, "expected ';', found '}'", "add ';' at the end of line 19"),
    ]


def test_recovery_does_not_restart_at_a_field_named_like_a_keyword() -> None:
    text = "package p;\nmessage A {\n  x: int\n  error: string;\n  message: int;\n}\n"
    result = parse(SourceFile("x.idl", text))
    assert [(d.span.line, d.span.col) for d in result.diagnostics] == [(4, 3)]


def test_recovery_stops_after_a_bounded_number_of_errors() -> None:
    from svcgen.frontend.larkparse import MAX_SYNTAX_ERRORS

    text = "package p;\n" + "".join(f"message M{i} {{ x: int }}\n" for i in range(MAX_SYNTAX_ERRORS + 10))
    result = parse(SourceFile("x.idl", text))
    assert len(result.diagnostics) == MAX_SYNTAX_ERRORS
    assert [d.span.line for d in result.diagnostics] == list(range(2, 2 + MAX_SYNTAX_ERRORS))
