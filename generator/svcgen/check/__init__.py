"""The checker: every semantic rule of the language, each reporting under its own code.

Rules are grouped by subject in the modules of this package; each is a function
`(model) -> Iterable[Diagnostic]` listed in RULES. All of them run, whatever the
others found, so one run reports every error (unbound references were already
reported by the resolver and are skipped here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from svcgen import model as m
from svcgen.check import auth, declarations, http, messaging, naming, values
from svcgen.diagnostics import Diagnostic

Rule = Callable[[m.Model], Iterable[Diagnostic]]

RULES: tuple[Rule, ...] = (
    *declarations.RULES,
    *values.RULES,
    *http.RULES,
    *messaging.RULES,
    *naming.RULES,
    *auth.RULES,
)


def check(model: m.Model) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for rule in RULES:
        found.extend(rule(model))
    return found
