"""Golden files: the whole `svcgen build` output of each example, byte for byte.

Regenerate after a deliberate change with `SVCGEN_UPDATE_GOLDEN=1 pytest tests/test_golden.py`,
then read the diff (`git diff golden/`) before committing it.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path, PurePosixPath

import pytest
from svcgen.build import generate
from svcgen.frontend import compile_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {
    "tasks": ROOT / "examples/tasks/tasks.idl",
    "billing": ROOT / "examples/billing/billing.idl",
    "types": ROOT / "examples/types/types.idl",
    "minimal": ROOT / "examples/minimal/minimal.idl",
}
UPDATE = os.environ.get("SVCGEN_UPDATE_GOLDEN") == "1"


def generated(example: str) -> dict[PurePosixPath, str]:
    result = compile_file(EXAMPLES[example])
    assert result.model is not None, [d.message for d in result.diagnostics]
    return generate(result.model, EXAMPLES[example], [])


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_golden(example: str) -> None:
    files = generated(example)
    folder = ROOT / "golden" / example
    if UPDATE:
        shutil.rmtree(folder, ignore_errors=True)
        for rel, text in files.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(text.encode())
    expected = {
        PurePosixPath(p.relative_to(folder).as_posix()): p.read_bytes().decode()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
    problems: list[str] = []
    for rel in sorted(set(expected) - set(files)):
        problems.append(f"missing from the build (golden has it): {rel}")
    for rel in sorted(set(files) - set(expected)):
        problems.append(f"extra in the build (not in golden): {rel}")
    for rel in sorted(set(files) & set(expected)):
        if files[rel] != expected[rel]:
            diff = difflib.unified_diff(
                expected[rel].splitlines(keepends=True),
                files[rel].splitlines(keepends=True),
                f"golden/{example}/{rel}",
                f"build/{rel}",
            )
            problems.append("".join(diff))
    assert not problems, (
        "\n".join(problems)
        + "\nIf the change is intended: SVCGEN_UPDATE_GOLDEN=1 pytest tests/test_golden.py, then review git diff golden/"
    )
