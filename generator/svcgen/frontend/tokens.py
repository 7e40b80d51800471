"""Readable names for grammar terminals, for syntax diagnostics ("expected ';'")."""

from __future__ import annotations

from collections.abc import Iterable

_NAMES = {
    "SEMICOLON": "';'",
    "COLON": "':'",
    "COMMA": "','",
    "DOT": "'.'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "LESSTHAN": "'<'",
    "MORETHAN": "'>'",
    "EQUAL": "'='",
    "VBAR": "'|'",
    "AT": "'@'",
    "OPTIONAL": "'?'",
    "STAR": "'*'",
    "HASH": "'#'",
    "NAME": "a name",
    "PATH": "a path such as /items/{id}",
    "INT": "an integer",
    "FLOAT": "a number",
    "STRING": "a string",
    "DURATION": "a duration such as 500ms, 30s, 5m, 1h",
    "METHOD": "an HTTP method",
    "APIKEY_IN": "'header' or 'query'",
    "__ANON_0": "'->'",
}


def describe_expected(terminals: Iterable[str]) -> str:
    """'x', 'x or y', or 'one of x, y, z', stable in order: punctuation first, then words."""
    names: list[str] = []
    for t in terminals:
        name = _NAMES.get(t) or _keyword(t)
        if name and name not in names:
            names.append(name)
    names.sort(key=lambda n: (not n.startswith("'"), n))
    if not names:
        return "something else"
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} or {names[1]}"
    return "one of " + ", ".join(names)


def _keyword(terminal: str) -> str | None:
    # Lark names keyword terminals after the keyword itself: "MESSAGE" for "message".
    if terminal.isupper() and terminal.isalpha():
        return f"'{terminal.lower()}'"
    if terminal.startswith("__ANON"):
        return None
    return None
