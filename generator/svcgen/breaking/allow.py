"""Accepted breaks: `CODE:subject` entries from `--allow` and `[tool.svcgen] allow-breaking`.

Each entry names one finding's code and the declaration it is about, as in the previous
version (`B101:shop.Item.note`), so a deliberate break is reviewed line by line; there is
no switch that accepts everything.
"""

from __future__ import annotations

import re
from pathlib import Path

from svcgen.breaking.against import UsageError
from svcgen.breaking.findings import BREAKING_CODES

CONFIG_KEY = "allow-breaking"
_ENTRY = re.compile(r"^(B\d{3}):([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)$")


def parse(entries: list[str], origin: str) -> set[str]:
    allowed: set[str] = set()
    for entry in entries:
        match = _ENTRY.match(entry.strip())
        if match is None:
            raise UsageError(
                f"{origin}: '{entry}' is not CODE:declaration, as in B101:shop.Item.note (one finding per entry)"
            )
        if match.group(1) not in BREAKING_CODES:
            raise UsageError(f"{origin}: unknown code {match.group(1)}; the codes are B101..B605 (idl/README.md)")
        allowed.add(f"{match.group(1)}:{match.group(2)}")
    return allowed


def configured(start: Path) -> set[str]:
    """`allow-breaking` of `[tool.svcgen]` in the nearest pyproject.toml, the same file `svcgen build` reads."""
    from svcgen.build import config

    settings = config(start)
    value = settings.get(CONFIG_KEY, [])
    origin = f"{Path(str(settings.get('_root', '.'))) / 'pyproject.toml'} [tool.svcgen] {CONFIG_KEY}"
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{origin} must be a list of strings")
    return parse([str(v) for v in value], origin)
