"""What the CLI commands do, apart from argument parsing; returns exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

from svcgen.diagnostics import Diagnostic, render_json, render_text
from svcgen.frontend import Compiled, compile_file


def _compile_all(files: list[Path]) -> list[Compiled]:
    return [compile_file(f) for f in files]


def report(results: list[Compiled], json: bool) -> int:
    """Print every diagnostic of every file; 1 if there was any."""
    seen: set[tuple[str, int, int, str]] = set()
    everything: list[Diagnostic] = []
    rendered: list[str] = []
    for r in results:
        for d in r.diagnostics:
            key = (d.span.file, d.span.line, d.span.col, d.message)
            if key in seen:  # an imported file shared by two roots reports once
                continue
            seen.add(key)
            everything.append(d)
            rendered.append(render_text(d, r.sources))
    if json:
        print(render_json(everything))
    elif rendered:
        print("\n\n".join(rendered), file=sys.stderr)
        count = len(everything)
        print(f"\n{count} error{'s' if count != 1 else ''}", file=sys.stderr)
    return 1 if everything else 0


def run_check(files: list[Path], json: bool = False) -> int:
    return report(_compile_all(files), json)


def run_build(files: list[Path], out: Path | None, targets: list[str], check_only: bool, json: bool) -> int:
    from svcgen.build import build_outputs
    from svcgen.frontend import compile_files

    result = compile_files(files)  # the files of one build are one model (svcgen.build.build_outputs)
    status = report([result], json)
    if status or result.model is None:
        return status or 1
    return build_outputs(result.model, files, out, targets, check_only)


def run_fmt(files: list[Path], check_only: bool) -> int:
    from svcgen.fmt import run as fmt_run

    return fmt_run(files, check_only)
