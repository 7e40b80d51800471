"""Where the grammar and templates are: inside the wheel, or in the source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent  # generator/svcgen -> repository root


@cache
def data_dir(name: str) -> Path:
    """`idl` or `templates`: shipped as svcgen/_data/<name> in the wheel, top-level in a checkout."""
    for candidate in (_PACKAGE / "_data" / name, _CHECKOUT / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"svcgen is installed without its {name}/ folder")


def grammar_path() -> Path:
    return data_dir("idl") / "svc.lark"


def templates_dir() -> Path:
    return data_dir("templates")
