"""The entry point `svcgen.cli:run` (what the console script calls) when an interrupt escapes the
command line itself, outside the command that typer already turns into exit 130 (tests/cli/test_cli_build.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from cli_support import svcgen

ESCAPING = """
import sys
import svcgen.cli

def interrupted(*args, **kwargs):
    raise KeyboardInterrupt

svcgen.cli.app = interrupted  # Ctrl-C while the command line is being set up, before any command runs
sys.argv = ["svcgen", "check", "x.idl"]
svcgen.cli.run()
"""


def test_an_interrupt_outside_a_command_is_exit_130_and_one_line_without_a_traceback(tmp_path: Path) -> None:
    r = svcgen(python=[sys.executable, "-c", ESCAPING], cwd=tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (130, "", "svcgen: interrupted\n")
