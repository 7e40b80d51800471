"""The fast path (unchanged declarations taken from the new model) finds exactly what a full compile finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from svcgen.breaking.compare import compare
from svcgen.breaking.reuse import previous_model
from svcgen.frontend import compile_file

from .cases import CASES
from .conftest import Versions
from .test_rules import NOT_BREAKING, TASKS

PAIRS = {code: (c.old, c.new) for code, c in CASES.items() if isinstance(c.old, str) and isinstance(c.new, str)}
PAIRS |= {change: (TASKS, text) for change, text in NOT_BREAKING.items()}
EXAMPLE = (Path(__file__).resolve().parents[2] / "examples/tasks/tasks.idl").read_text(encoding="utf-8")
PAIRS["example, one field removed"] = (EXAMPLE, EXAMPLE.replace("  done: bool = false;\n", ""))


def _shown(found: list) -> list[tuple[str, object, str, str]]:  # type: ignore[type-arg]
    return [(f.code, tuple(f.diagnostic.span), f.diagnostic.message, f.subject) for f in found]


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_same_findings_as_a_full_compile(name: str, versions: Versions) -> None:
    old_text, new_text = PAIRS[name]
    versions.write(
        {
            "a.idl": old_text,
            "common.idl": "package acme.common;\nmessage UserRef { id: uuid; }\n"
            "message Money { amount: int; }\nerror Forbidden 403 { }\n",
        },
        {
            "a.idl": new_text,
            "common.idl": "package acme.common;\nmessage UserRef { id: uuid; }\nmessage Money { amount: int; }\nerror Forbidden 403 { }\n",
        },
    )
    old = Path("old/a.idl")
    new = compile_file(Path("a.idl"))
    assert new.model is not None
    full = compile_file(old, check=False)
    assert full.model is not None
    fast = previous_model(old, old.read_text(), None, new)
    if fast is None:
        assert len(old_text.split("\n")) < 12, "only a file with a single declaration has nothing to reuse"
        return
    assert fast.model is not None
    assert _shown(compare(fast.model, new.model)) == _shown(compare(full.model, new.model))
    assert fast.sources.get(str(old)).text == old.read_text()  # type: ignore[union-attr]
