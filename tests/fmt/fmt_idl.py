"""Random valid IDL for the formatter's property tests, and an independent model comparison.

The IDL is built as a token list, then joined with random gaps: spaces, tabs, newlines,
blank lines and `//`, `///`, `////` comments, so comments land everywhere the grammar
allows white space (between parameters, inside types, between clauses...).
"""

from __future__ import annotations

import dataclasses
import random

from hypothesis import strategies as st
from svcgen import model as m
from svcgen.frontend.parser import ParseResult, parse
from svcgen.source import SourceFile, Span

NAMES = ["a", "b", "id", "task", "Item", "value_2", "Money", "x"]
SCALARS = ["int", "string", "uuid", "float", "bool", "datetime", "json"]
PUNCT = set("{}();:,=<>?|@.*#[]") | {"->", ".."}

names = st.sampled_from(NAMES)
dotted = st.lists(names, min_size=1, max_size=3).map(lambda xs: [t for x in xs for t in (".", x)][1:])


@st.composite
def types(draw: st.DrawFn, depth: int = 0) -> list[str]:
    kind = draw(st.sampled_from(["scalar", "named", "list", "map"] if depth < 3 else ["scalar", "named"]))
    if kind == "scalar":
        out = [draw(st.sampled_from(SCALARS))]
    elif kind == "named":
        out = draw(dotted)
    elif kind == "list":
        out = ["list", "<", *draw(types(depth + 1)), ">"]
    else:
        out = ["map", "<", "string", ",", *draw(types(depth + 1)), ">"]
    return out + (["?"] if draw(st.booleans()) else [])


strings = st.sampled_from(['""', '"hi"', '"it\'s \\"q\\""', '"\\u00e9"', '"a\\\\b"', '"x // not a comment"'])
scalars = st.one_of(
    st.sampled_from(["0", "-3", "42", "0.5", "-1.25e3", "1e9", "90s", "500ms", "2h", "true", "null", "red"]), strings
)


@st.composite
def values(draw: st.DrawFn, depth: int = 0) -> list[str]:
    kind = draw(st.sampled_from(["scalar", "list", "map"] if depth < 2 else ["scalar"]))
    if kind == "scalar":
        return [draw(scalars)]
    if kind == "list":
        items = draw(st.lists(values(depth + 1), max_size=3))
        out = ["["]
        for i, item in enumerate(items):
            out += ([","] if i else []) + item
        return out + ([","] if items and draw(st.booleans()) else []) + ["]"]
    entries = draw(st.lists(st.tuples(strings, values(depth + 1)), max_size=3))
    out = ["{"]
    for i, (key, value) in enumerate(entries):
        out += ([","] if i else []) + [key, ":", *value]
    return out + ([","] if entries and draw(st.booleans()) else []) + ["}"]


@st.composite
def annotation(draw: st.DrawFn) -> list[str]:
    out = ["@", draw(st.sampled_from(["min", "max", "length", "deprecated", "header", "x"]))]
    if draw(st.booleans()):
        args = draw(st.lists(values(1), max_size=3))
        out.append("(")
        for i, a in enumerate(args):
            out += ([","] if i else []) + a
        out.append(")")
    return out


@st.composite
def field(draw: st.DrawFn) -> list[str]:
    out = [draw(names), ":", *draw(types())]
    if draw(st.booleans()):
        out += ["=", *draw(values())]
    for a in draw(st.lists(annotation(), max_size=2)):
        out += a
    return out


@st.composite
def params(draw: st.DrawFn) -> list[str]:
    out = ["("]
    for i, p in enumerate(draw(st.lists(field(), max_size=3))):
        out += ([","] if i else []) + p
    return out + [")"]


def _clauses(draw: st.DrawFn, options: dict[str, st.SearchStrategy[list[str]]]) -> list[str]:
    chosen = draw(st.lists(st.sampled_from(sorted(options)), unique=True, max_size=len(options)))
    return [t for key in chosen for t in draw(options[key])]  # random order: the formatter sorts them


def _type_list(draw: st.DrawFn) -> list[str]:
    out: list[str] = []
    for i, d in enumerate(draw(st.lists(dotted, min_size=1, max_size=3))):
        out += ([","] if i else []) + d
    return out


durations = st.sampled_from(["1s", "500ms", "5m", "60s", "1h", "2d"])
scopes = st.lists(st.sampled_from(['"read"', '"tasks:write"', '"a\\u0062"']), max_size=2)


@st.composite
def requirement(draw: st.DrawFn) -> list[str]:
    out = ["requires", draw(names)]
    if draw(st.booleans()):
        out.append("(")
        for i, s in enumerate(draw(scopes)):
            out += ([","] if i else []) + [s]
        out.append(")")
    return out


def _access() -> dict[str, st.SearchStrategy[list[str]]]:
    return {"requires": requirement(), "public": st.just(["public"])}


paths = st.sampled_from(["/", "/tasks", "/tasks/{id}", "/a/b-c/{x}/d.e"])


@st.composite
def member(draw: st.DrawFn) -> list[str]:
    kind = draw(st.sampled_from(["endpoint", "rpc", "consumer", "schedule", "socket"]))
    returns = ["->", *draw(types())] if draw(st.booleans()) else []
    if kind == "endpoint":
        head = [draw(st.sampled_from(["GET", "POST", "DELETE"])), draw(paths), draw(names), *draw(params()), *returns]
        clauses = {
            "status": st.sampled_from([["status", "201"], ["status", "204"]]),
            "throws": st.just(["throws", *_type_list(draw)]),
            "emits": st.just(["emits", *_type_list(draw)]),
            **_access(),
        }
        return head + _clauses(draw, clauses) + [";"]
    if kind == "rpc":
        clauses = {
            "throws": st.just(["throws", *_type_list(draw)]),
            "timeout": durations.map(lambda d: ["timeout", d]),
            **_access(),
        }
        return ["rpc", draw(names), *draw(params()), *returns] + _clauses(draw, clauses) + [";"]
    if kind == "consumer":
        parts = draw(st.lists(st.sampled_from(["task", "a", "*", "#"]), min_size=1, max_size=3))
        pattern = [t for p in parts for t in (".", p)][1:]
        clauses = {
            "retry": st.sampled_from([["retry", "3"], ["retry", "1"]]),
            "backoff": st.tuples(durations, durations).map(lambda d: ["backoff", d[0], "..", d[1]]),
        }
        return ["on", *pattern, draw(names)] + _clauses(draw, clauses) + [";"]
    if kind == "schedule":
        when = draw(st.one_of(durations, st.sampled_from(['"0 */5 * * * *"', '"* * * * *"'])))
        return ["every", when, draw(names)] + (["overlap"] if draw(st.booleans()) else []) + [";"]
    out = ["socket", draw(paths), draw(names), *draw(params())]
    if draw(st.booleans()):
        out += ["sends", *draw(types())]
    if draw(st.booleans()):
        out += ["receives", *draw(types())]
    return out + _clauses(draw, _access()) + [";"]


@st.composite
def declaration(draw: st.DrawFn) -> list[str]:
    kind = draw(st.sampled_from(["enum", "message", "error", "union", "topic", "service", "auth"]))
    name = draw(names)
    if kind == "enum":
        return ["enum", name, "{", *[t for v in draw(st.lists(names, max_size=4)) for t in (v, ";")], "}"]
    if kind in ("message", "error"):
        head = ["message", name] if kind == "message" else ["error", name, draw(st.sampled_from(["404", "409"]))]
        body = [t for f in draw(st.lists(field(), max_size=4)) for t in (*f, ";")]
        return [*head, "{", *body, "}"]
    if kind == "union":
        out = ["union", name, "="]
        for i, d in enumerate(draw(st.lists(dotted, min_size=1, max_size=3))):
            out += (["|"] if i else []) + d
        return out + [";"]
    if kind == "topic":
        return ["topic", *draw(dotted), ":", *draw(types()), ";"]
    if kind == "auth":
        how = draw(st.sampled_from([["bearer"], ["apikey", "header", '"X-Key"'], ["apikey", "query", '"key"']]))
        return ["auth", name, "=", *how, "->", *draw(dotted), ";"]
    head = draw(requirement()) if draw(st.booleans()) else []
    return ["service", name, *head, "{", *[t for x in draw(st.lists(member(), max_size=4)) for t in x], "}"]


COMMENT_CHARS = "abc XY/*{};!é\t"


def gap(rnd: random.Random, before: str, after: str) -> str:
    """White space (or a comment) between two tokens; empty only where the tokens cannot run together.

    Drawn from one seeded Random per file: a hypothesis draw per gap made generation
    ten times slower than formatting. Failures still replay; they shrink by tokens.
    """
    roll = rnd.randrange(100)
    may_touch = (before in PUNCT or after in PUNCT) and not before.startswith("/")
    if roll < 60:
        return " "
    if roll < 68:
        return "" if may_touch else "\t"
    if roll < 78:
        return "\n" + rnd.choice(["", "  ", "\t"])
    if roll < 84:
        return "\n\n" + rnd.choice(["", "    "])
    mark = rnd.choice(["//", "///", "///", "////"])
    pre = rnd.choice(["", " ", "\n", "\n  ", "\n\n"] if not before.startswith("/") else [" ", "\n"])
    post = rnd.choice(["", "  ", "\n", "\n  "])
    text = "".join(rnd.choice(COMMENT_CHARS) for _ in range(rnd.randrange(12)))
    return pre + mark + text + "\n" + post


@st.composite
def idl_files(draw: st.DrawFn) -> str:
    tokens = ["package", *draw(dotted), ";"]
    for _ in range(draw(st.integers(0, 2))):
        tokens += ["import", draw(st.sampled_from(['"common.idl"', '"a/b.idl"'])), ";"]
    for d in draw(st.lists(declaration(), max_size=5)):
        tokens += d
    rnd = draw(st.randoms(use_true_random=True))
    text = rnd.choice(["", "\n", "// head\n", "/// doc\n"])
    for i, tok in enumerate(tokens):
        text += tok
        if i + 1 < len(tokens):
            text += gap(rnd, tok, tokens[i + 1])
    return text + rnd.choice(["", "\n", "\n// tail\n", " // end\n\n"])


# -- models without positions ---------------------------------------------------------
_NOWHERE = Span("", 0, 0, 0, 0)


def strip(node: object, source: SourceFile, trailing: frozenset[int] | None = None) -> object:
    """The node rebuilt without positions; a doc kept whole only on a node that starts its line,
    elsewhere only its trailing `///` (which documents the first node on its line wherever it stands)."""
    if trailing is None:
        trailing = frozenset(c.line for c in parse(source).comments if c.is_trailing_doc)
    if isinstance(node, tuple):
        return tuple(strip(x, source, trailing) for x in node)
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    changes: dict[str, object] = {}
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, Span):
            changes[f.name] = _NOWHERE
        elif f.name == "doc" and value is not None:
            span = node.span  # type: ignore[attr-defined]
            starts = not source.line(span.line)[: span.col - 1].strip()
            changes[f.name] = _kept(value, starts, span.line in trailing)
        else:
            changes[f.name] = strip(value, source, trailing)
    if isinstance(node, m.File):
        changes["path"] = ""
        if node.package_doc is not None:
            line = node.package_span.line
            head = source.line(line)[: node.package_span.col - 1].strip()
            changes["package_doc"] = _kept(node.package_doc, head == "package", line in trailing)
    return dataclasses.replace(node, **changes)  # type: ignore[type-var]


def _kept(doc: str, whole: bool, trailing: bool) -> str | None:
    if not whole:
        if not trailing:
            return None
        doc = doc.rsplit("\n", 1)[-1]  # the trailing `///` comes last
    return "\n".join(x.rstrip() for x in doc.split("\n"))


def comment_texts(result: ParseResult) -> list[str]:
    return sorted(c.text.rstrip() for c in result.comments)
