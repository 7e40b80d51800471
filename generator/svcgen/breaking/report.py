"""Printing findings like `svcgen check` prints errors: text to stderr, or JSON to stdout."""

from __future__ import annotations

import json
import sys

from svcgen.breaking.findings import Finding
from svcgen.diagnostics import json_fields, render_text
from svcgen.source import Sources


def text(findings: list[tuple[Finding, Sources]], allowed: int, ref: str) -> None:
    """Each finding rendered against the sources of its side (a removal quotes the previous version)."""
    if not findings and not allowed:
        return
    blocks = []
    for f, sources in findings:
        block = render_text(f.diagnostic, sources)
        if f.side == "old":
            block += f"\nnote: quoted from the previous version ({ref})"
        blocks.append(block + f"\nhelp: if this break is deliberate: --allow {f.allow_key}")
    if blocks:
        print("\n\n".join(blocks), file=sys.stderr)
    print("\n" + summary([f for f, _ in findings], allowed), file=sys.stderr)


def summary(findings: list[Finding], allowed: int) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    parts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((errors, "error"), (warnings, "warning")) if n]
    if allowed:
        parts.append(f"{allowed} allowed")
    return ", ".join(parts) if parts else "no breaking changes"


def as_json(findings: list[Finding]) -> None:
    """The fields of `svcgen check --format json`, and `side`, `subject` and the `allow` entry that accepts it."""
    print(
        json.dumps(
            [
                {**json_fields(f.diagnostic), "side": f.side, "subject": f.subject, "allow": f.allow_key}
                for f in findings
            ],
            indent=2,
        )
    )
