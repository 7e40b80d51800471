"""Comparing two compiled versions of one contract: every finding, in a stable order."""

from __future__ import annotations

from svcgen import model as m
from svcgen.breaking.directions import directions
from svcgen.breaking.findings import Finding
from svcgen.breaking.grpcnumbers import grpc_findings
from svcgen.breaking.match import pair
from svcgen.breaking.members import member_findings
from svcgen.breaking.typerules import type_findings


def compare(old: m.Model, new: m.Model) -> list[Finding]:
    """What breaks a client, consumer or queue built against `old` once `new` is deployed."""
    p = pair(old, new)
    found = [*type_findings(p, directions(old)), *member_findings(p), *grpc_findings(p)]
    unique: dict[tuple[str, str], Finding] = {}
    for f in found:
        unique.setdefault((f.allow_key, f.diagnostic.message), f)
    return sorted(unique.values(), key=_place)


def _place(f: Finding) -> tuple[str, int, int, str, str]:
    s = f.diagnostic.span
    return s.file, s.line, s.col, f.code, f.subject
