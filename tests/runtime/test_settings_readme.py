"""The README's table of `svcgen run` settings and `python -m svcgen_runtime --help` say the same:
every variable, what it sets and its default, word for word (one can't drift from the other)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `(SVCGEN_[A-Z_]+)` \| (.+?) \| (.+?) \|$")


def test_the_readme_table_and_help_agree_on_every_setting() -> None:
    rows = [m.groups() for line in README.read_text(encoding="utf-8").splitlines() if (m := ROW.match(line))]
    assert len(rows) >= 7, rows
    env = {k: v for k, v in os.environ.items() if not k.startswith("SVCGEN_")}  # PYTHONPATH kept
    shown = subprocess.run(
        [sys.executable, "-m", "svcgen_runtime", "--help"], capture_output=True, text=True, timeout=60, env=env
    ).stdout
    listed = re.findall(r"^  (SVCGEN_[A-Z_]+) +(.+) \(default: (.+)\)$", shown, re.MULTILINE)
    assert rows == listed
