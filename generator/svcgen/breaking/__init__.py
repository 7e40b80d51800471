"""`svcgen breaking FILE... --against REF`: what in a contract change breaks a client, a consumer or a queue.

against.py reads the previous version, directions.py works out which way each type travels,
typerules.py, members.py and access.py hold the rules (codes B101..B605 in diagnostics.CODES),
allow.py the accepted breaks, report.py the output. Exit codes: 0 nothing breaks, 1 something
does (or an input has errors), 2 bad usage.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from svcgen.breaking.findings import Finding
from svcgen.source import Sources

__all__ = ["run"]


def run(files: list[Path], against: str, json: bool, severity: str, allow: list[str]) -> int:
    # Two large models stay alive side by side and nothing here makes cycles: the cyclic
    # collector would only walk them again and again (the front end pauses it the same way).
    gc.disable()
    try:
        return _run(files, against, json, severity, allow)
    finally:
        gc.enable()


def _run(files: list[Path], against: str, json: bool, severity: str, allow: list[str]) -> int:
    from svcgen.breaking.against import UsageError, previous
    from svcgen.breaking.allow import configured, parse
    from svcgen.breaking.compare import compare
    from svcgen.breaking.report import as_json, text
    from svcgen.commands import report
    from svcgen.frontend import compile_file

    try:
        accepted = parse(allow, "--allow") | (configured(files[0].resolve().parent) if files else set())
        olds = [previous(f, against) for f in files]
    except UsageError as exc:
        print(f"svcgen: error: {exc}", file=sys.stderr)
        return 2
    news = [compile_file(f) for f in files]
    if any(r.diagnostics for r in news):  # the new version must be valid before it can be compared
        return report(news, json)
    found: list[tuple[Finding, Sources]] = []
    seen: set[tuple[str, str]] = set()
    used: set[str] = set()
    allowed = 0
    for root, old, new in zip(files, olds, news, strict=True):
        if old.problem is not None:
            print(f"svcgen: error: {old.problem}", file=sys.stderr)
            return 1
        if old.root is None:
            continue  # a new file breaks nobody
        compiled = old.compile(new)
        if compiled.model is None:
            print(
                f"svcgen: error: the version of {root} at '{against}' has errors; it cannot be compared",
                file=sys.stderr,
            )
            report([compiled], json=False)
            return 1
        assert new.model is not None
        for f in compare(compiled.model, new.model):
            key = (f.allow_key, f.diagnostic.message)
            if key in seen:
                continue
            seen.add(key)
            if f.allow_key in accepted:
                used.add(f.allow_key)
                allowed += 1
                continue
            found.append((f, (compiled if f.side == "old" else new).sources))
    for entry in sorted(accepted - used):
        print(f"svcgen: warning: allowed break {entry} did not occur; remove it from the list", file=sys.stderr)
    if json:
        as_json([f for f, _ in found])
    else:
        text(found, allowed, against)
    threshold = {"error"} if severity == "error" else {"error", "warning"}
    return 1 if any(f.severity in threshold for f, _ in found) else 0
