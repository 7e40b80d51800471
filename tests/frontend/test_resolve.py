"""Resolution: imports, bare and qualified names, scopes, topics and pattern matching."""

from __future__ import annotations

import pytest
from svcgen import model as m
from svcgen.topics import pattern_matches

from .conftest import Workspace

COMMON = "package acme.common;\nmessage Money { cents: int; }\nmessage User { id: uuid; }\ntopic money.moved: Money;\n"
OTHER = "package acme.other;\nmessage Money { units: int; }\n"


@pytest.mark.parametrize(
    ("pattern", "topic", "matches"),
    [
        ("task.created", "task.created", True),
        ("task.created", "task.deleted", False),
        ("task.*", "task.created", True),
        ("task.*", "task", False),
        ("task.*", "task.a.b", False),
        ("*.created", "task.created", True),
        ("#", "task", True),
        ("#", "task.created.v1", True),
        ("task.#", "task", True),
        ("task.#", "task.a.b", True),
        ("#.created", "created", True),
        ("#.created", "a.b.created", True),
        ("#.created", "a.created.b", False),
        ("a.#.z", "a.z", True),
        ("a.#.z", "a.b.c.z", True),
        ("a.*.#", "a", False),
        ("#.#", "a.b", True),
    ],
)
def test_pattern_matching(pattern: str, topic: str, matches: bool) -> None:
    assert pattern_matches(pattern, topic) is matches


def test_bare_and_qualified_names_bind_to_their_declarations(ws: Workspace) -> None:
    root = 'package acme.shop;\nimport "common.idl";\nmessage Order {\n  total: Money;\n  buyer: acme.common.User;\n  self_ref: acme.shop.Order?;\n}\n'
    result = ws.compile({"shop.idl": root, "common.idl": COMMON})
    assert result.model is not None, result.diagnostics
    order = result.model.root.messages[0]
    targets = [str(f.type.target) for f in order.fields]
    assert targets == ["acme.common.Money", "acme.common.User", "acme.shop.Order"]
    assert [f.type.decl_kind for f in order.fields] == [m.DeclKind.MESSAGE] * 3
    assert [f.package for f in result.model.files] == ["acme.common", "acme.shop"]


def test_own_package_wins_over_imports(ws: Workspace) -> None:
    root = 'package acme.shop;\nimport "common.idl";\nmessage Money { x: int; }\nmessage Order { total: Money; }\n'
    result = ws.compile({"shop.idl": root, "common.idl": COMMON})
    assert result.model is not None
    assert str(result.model.root.messages[1].fields[0].type.target) == "acme.shop.Money"


def test_ambiguity_is_resolved_by_qualifying(ws: Workspace) -> None:
    root = 'package s;\nimport "common.idl";\nimport "other.idl";\nmessage O { a: acme.other.Money; b: User; }\n'
    result = ws.compile({"s.idl": root, "common.idl": COMMON, "other.idl": OTHER})
    assert result.model is not None, result.diagnostics
    fields = result.model.root.messages[0].fields
    assert [str(f.type.target) for f in fields] == ["acme.other.Money", "acme.common.User"]
    # the bare name stays ambiguous: both packages declare Money
    bare = ws.headers({"t.idl": root.replace("acme.other.Money", "Money").replace("package s", "package t")})
    assert bare == ["t.idl:4:16: error[E103]: ambiguous name 'Money': declared in 'acme.common', 'acme.other'"]


def test_imports_are_not_transitive_for_names(ws: Workspace) -> None:
    headers = ws.headers(
        {
            "a.idl": 'package a;\nimport "b.idl";\nmessage M { u: User; }\n',
            "b.idl": 'package b;\nimport "common.idl";\n',
            "common.idl": COMMON,
        }
    )
    assert headers == ["a.idl:3:16: error[E101]: unknown type 'User'"]


def test_qualified_name_of_a_package_not_imported_gets_a_hint(ws: Workspace) -> None:
    result = ws.compile(
        {
            "a.idl": 'package a;\nimport "b.idl";\nmessage M { u: acme.common.User; }\n',
            "b.idl": 'package b;\nimport "common.idl";\n',
            "common.idl": COMMON,
        }
    )
    (d,) = result.diagnostics
    assert (d.code, d.help) == ("E101", "import the file that declares package 'acme.common'")


def test_consumers_match_topics_of_imported_packages_in_declaration_order(ws: Workspace) -> None:
    root = (
        'package shop;\nimport "common.idl";\nmessage E { id: uuid; }\n'
        "topic order.placed: E;\ntopic order.paid: E;\n"
        "service S {\n  on order.* a;\n  on # b;\n  on money.moved c;\n  POST /x f() emits money.moved, order.paid;\n}\n"
    )
    result = ws.compile({"shop.idl": root, "common.idl": COMMON})
    assert result.model is not None, result.diagnostics
    a, b, c, f = result.model.root.services[0].members
    assert isinstance(a, m.Consumer) and [str(t) for t in a.topics] == ["shop.order.placed", "shop.order.paid"]
    assert isinstance(b, m.Consumer) and [str(t) for t in b.topics] == [
        "shop.order.placed",
        "shop.order.paid",
        "acme.common.money.moved",
    ]
    assert isinstance(c, m.Consumer) and [str(t) for t in c.topics] == ["acme.common.money.moved"]
    assert isinstance(f, m.Endpoint) and [str(t.target) for t in f.emits] == [
        "acme.common.money.moved",
        "shop.order.paid",
    ]


def test_checks_apply_to_imported_files_and_name_them(ws: Workspace) -> None:
    headers = ws.headers(
        {"a.idl": 'package a;\nimport "lib/b.idl";\n', "lib/": "", "lib/b.idl": "package b;\nenum E { x; x; }\n"}
    )
    assert headers == ["lib/b.idl:2:13: error[E105]: duplicate value 'x' in enum 'E'"]
