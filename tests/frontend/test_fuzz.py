"""Fuzzing: no input makes the front end raise, and the two parsers never disagree.

Seeded mutations of the example IDL files (delete, duplicate, swap or replace tokens and
characters) give inputs that are almost valid, which is where parsers go wrong; hypothesis
adds arbitrary text. For each input: `compile_file` returns (never raises), and whenever the
fast parser accepts a text, the Lark parser accepts it too and builds the very same file.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from svcgen.frontend import compile_file
from svcgen.frontend.fastparse import Fault, parse_fast
from svcgen.frontend.larkparse import parse_with_lark
from svcgen.source import SourceFile

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/*.idl"))
PIECES = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|[A-Za-z_0-9]+|\s+|.', re.S)
ODD = [
    "",
    ";",
    "}",
    "{",
    "?",
    "<",
    ">",
    "list<",
    "..",
    "->",
    "@",
    "#",
    "*",
    '"',
    "\\",
    "\x00",
    "\u00e9",
    "\n",
    "9" * 40,
]


def mutate(text: str, rnd: random.Random) -> str:
    pieces = PIECES.findall(text)
    for _ in range(rnd.randint(1, 4)):
        i = rnd.randrange(len(pieces))
        op = rnd.randrange(5)
        if op == 0:
            pieces[i] = ""
        elif op == 1:
            pieces.insert(i, pieces[rnd.randrange(len(pieces))])
        elif op == 2:
            j = rnd.randrange(len(pieces))
            pieces[i], pieces[j] = pieces[j], pieces[i]
        elif op == 3:
            pieces[i] = rnd.choice(ODD)
        else:
            pieces[i] = pieces[i][: rnd.randint(0, len(pieces[i]))]
    return "".join(pieces)


def agree(text: str) -> None:
    """The fast parser accepts only what Lark accepts, and builds the same file from it."""
    source = SourceFile("f.idl", text)
    try:
        fast = parse_fast(source)
    except Fault:
        return  # a limit (depth, digits): reported without a parse by either parser
    if fast is None:
        return
    slow = parse_with_lark(source)
    assert not slow.diagnostics, f"fast parser accepted what Lark rejects: {slow.diagnostics[0].message}\n{text}"
    assert fast[0] == slow.file, text
    assert fast[1] == slow.comments, text


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_mutated_examples_never_raise_and_parsers_agree(example: Path, tmp_path: Path) -> None:
    rnd = random.Random(example.name)
    original = example.read_text(encoding="utf-8")
    for sibling in example.parent.glob("*.idl"):
        (tmp_path / sibling.name).write_text(sibling.read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / example.name
    for _ in range(60):
        text = mutate(original, rnd)
        agree(text)
        target.write_text(text, encoding="utf-8")
        result = compile_file(target)
        assert (result.model is None) == bool(result.diagnostics)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list('package p;message M{x:int=1?}<>list,map"\\@#*./\n \t-0s')), max_size=120))
def test_token_soup_never_raises(text: str) -> None:
    agree(text)
    agree("package p;\n" + text)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_raise(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "x.idl"
    path.write_bytes(data)
    result = compile_file(path)
    assert result.diagnostics


def test_cli_prints_no_traceback_for_hostile_inputs(tmp_path: Path) -> None:
    files = {
        "empty.idl": b"",
        "nul.idl": b"package p;\x00\n",
        "latin1.idl": "package p; // caf\u00e9\n".encode("latin-1"),
        "deep.idl": b"package p;\nmessage M { x: " + b"list<" * 20_000 + b"int" + b">" * 20_000 + b"; }\n",
        "deepvalue.idl": b"package p;\nmessage M { x: json = " + b"[" * 20_000 + b"]" * 20_000 + b"; }\n",
        "unclosed.idl": b"package p;\nmessage M { x: json = " + b"[" * 20_000 + b"\n",
        "longline.idl": b"package p; " + b"message M { x: int; } " * 3_000 + b"\n",
        "digits.idl": b"package p;\nerror E " + b"9" * 5000 + b" { }\n",
        "imports.idl": b'package p;\nimport "missing.idl";\nimport "dir";\n',
    }
    (tmp_path / "dir").mkdir()
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    names = [*files, "dir", "nothere.idl"]
    svcgen = Path(sys.executable).with_name("svcgen")
    result = subprocess.run([str(svcgen), "check", *names], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for name in names:
        assert f"\n{name}:" in "\n" + result.stderr, name
