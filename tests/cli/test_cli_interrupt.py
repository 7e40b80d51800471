"""Ctrl-C: at a question of `svcgen new` on a terminal, and escaping the command line itself (outside
the command, which typer already turns into exit 130: tests/cli/test_cli_build.py) in the entry point
`svcgen.cli:run` (what the console script calls)."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_support import SVCGEN, svcgen

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


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_ctrl_c_at_a_question_of_svcgen_new_is_exit_130_and_leaves_nothing(tmp_path: Path) -> None:
    """`svcgen new` on a terminal asks its questions; Ctrl-C at the first one creates nothing."""
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [str(SVCGEN), "new", "demo"],
        cwd=tmp_path,
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        env={**os.environ, "TERM": "dumb"},
        start_new_session=True,
    )
    os.close(slave)
    try:
        shown = b""
        deadline = time.monotonic() + 30
        while b"IDL package of the service" not in shown:
            assert proc.poll() is None and time.monotonic() < deadline, shown
            if select.select([master], [], [], 0.1)[0]:
                chunk = os.read(master, 4096)
                shown += chunk
                if b"\x1b[6n" in chunk:  # the prompt asks where the cursor is: answer as a terminal would
                    os.write(master, b"\x1b[1;1R")
        os.write(master, b"\x03")
        code = proc.wait(timeout=30)
        stderr = proc.stderr.read() if proc.stderr else b""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert (code, stderr) == (130, b"svcgen: interrupted: nothing was created\n")
    assert list(tmp_path.iterdir()) == []
