"""A breaking change found between two versions: a diagnostic, the side it points into, its subject."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from svcgen.diagnostics import CODES, Diagnostic
from svcgen.source import Span

#: Codes that are warnings unless a rule says otherwise: they break some clients' code, not the wire.
WARNINGS = frozenset({"B105", "B106", "B308", "B404"})

BREAKING_CODES = tuple(code for code in CODES if code.startswith("B"))

Side = Literal["old", "new"]


@dataclass(frozen=True, slots=True)
class Finding:
    """`subject` names what changed as in the previous version (`shop.Item.note`); `--allow CODE:subject` accepts it."""

    diagnostic: Diagnostic
    side: Side
    subject: str

    @property
    def code(self) -> str:
        return self.diagnostic.code

    @property
    def severity(self) -> str:
        return self.diagnostic.severity

    @property
    def allow_key(self) -> str:
        return f"{self.code}:{self.subject}"


def finding(code: str, side: Side, span: Span, subject: str, /, **args: object) -> Finding:
    """A finding with the code's usual severity; `warning=True` among `args` lowers it (a deprecated field removed)."""
    warning = bool(args.pop("warning", False))
    severity = "warning" if warning or code in WARNINGS else "error"
    return Finding(Diagnostic(code, span, args, None, severity), side, subject)
