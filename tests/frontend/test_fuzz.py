"""Fuzzing: no input makes the front end raise, and the two parsers never disagree.

Two kinds of seeded mutations of the example IDL files: breaking ones (delete, duplicate, swap or
replace tokens and characters) give inputs that are almost valid, which is where error recovery
goes wrong; syntax-keeping ones (other whitespace and comments, consistent renames, other numbers,
duplicated, deleted or swapped statements) give inputs the fast parser accepts, which is where the
two parsers can disagree. Hypothesis adds arbitrary text and bytes. For each input: `compile_file`
returns (never raises) with a model exactly when there is no diagnostic, and whenever the fast
parser accepts a text, the Lark parser accepts it too and builds the very same file.
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
EXAMPLES = sorted((ROOT / "examples").glob("*/*.idl")) + [ROOT / "tests" / "auth" / "auth.idl"]
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


SPACES = [" ", "  ", "\n", "\t", " \n\n  ", "\r\n", " // a comment\n", '\n// } ; { " not code\n  ']
WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
NAMED = re.compile(r"\b(?:message|enum|error|union|service)\s+(\w+)|[({;,]\s*(\w+)\s*:")
STATEMENT = re.compile(
    r"^[ \t]+[^\n]*;[ \t]*$", re.M
)  # an indented line ending with ';': a field, a value, an endpoint


def keep_syntax(text: str, rnd: random.Random) -> str:
    """A mutation that keeps the text parseable, most of the time (a rename can hit a keyword)."""
    for _ in range(rnd.randint(1, 4)):
        op = rnd.randrange(6)
        pieces = PIECES.findall(text)
        if op == 0:  # other whitespace, comments included, where there was whitespace
            spaces = [i for i, p in enumerate(pieces) if p.isspace()]
            for i in rnd.sample(spaces, min(len(spaces), rnd.randint(1, 5))):
                pieces[i] = rnd.choice(SPACES) if "\n" not in pieces[i] else rnd.choice(SPACES[2:])
            text = "".join(pieces)
        elif op == 1:  # whitespace after a separator
            seps = [i for i, p in enumerate(pieces[:-1]) if p in (";", ",") or (p == "{" and pieces[i + 1].isspace())]
            i = rnd.choice(seps)
            pieces[i] += rnd.choice(SPACES)
            text = "".join(pieces)
        elif op == 2:  # a consistent rename of one declared name (a field, parameter or declaration)
            words = [p for p in pieces if WORD.fullmatch(p)]
            names = {m.group(1) or m.group(2) for m in NAMED.finditer(text)} & set(words)
            word = rnd.choice(sorted(names))
            text = "".join(p + "_z" if p == word else p for p in pieces)
        elif op == 3:  # other numbers
            numbers = [i for i, p in enumerate(pieces) if p.isdigit()]
            if numbers:
                pieces[rnd.choice(numbers)] = str(rnd.choice([0, 1, 7, 42, 999, 65535]))
                text = "".join(pieces)
        else:  # duplicate, delete or swap whole statements
            lines = text.split("\n")
            statements = [i for i, line in enumerate(lines) if STATEMENT.fullmatch(line)]
            if len(statements) < 2:
                continue
            i = rnd.choice(statements)
            if op == 4:
                lines.insert(i, lines[i])
            elif op == 5 and i + 1 in statements:  # neighbours: the same block
                lines[i], lines[i + 1] = lines[i + 1], lines[i]
            elif op == 5 and len(statements) > 2:
                del lines[i]
            text = "\n".join(lines)
    return text


def agree(text: str) -> bool:
    """The fast parser accepts only what Lark accepts, and builds the same file from it.
    True when the fast parser accepted the text (so the two were compared)."""
    source = SourceFile("f.idl", text)
    try:
        fast = parse_fast(source)
    except Fault:
        return False  # a limit (depth, digits): reported without a parse by either parser
    if fast is None:
        return False
    slow = parse_with_lark(source)
    assert not slow.diagnostics, f"fast parser accepted what Lark rejects: {slow.diagnostics[0].message}\n{text}"
    assert fast[0] == slow.file, text
    assert fast[1] == slow.comments, text
    return True


def compiles_or_reports(path: Path, text: str) -> None:
    """`compile_file` never raises: a model exactly when there is no diagnostic."""
    path.write_text(text, encoding="utf-8")
    result = compile_file(path)
    assert (result.model is None) == bool(result.diagnostics), text


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
        compiles_or_reports(target, text)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_syntax_keeping_mutations_parse_the_same_in_both_parsers(example: Path, tmp_path: Path) -> None:
    rnd = random.Random("keep" + example.name)
    original = example.read_text(encoding="utf-8")
    for sibling in example.parent.glob("*.idl"):
        (tmp_path / sibling.name).write_text(sibling.read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / example.name
    compared = 0
    seen: set[str] = set()
    for _ in range(60):
        text = keep_syntax(original, rnd)
        seen.add(text)
        compared += agree(text)
        compiles_or_reports(target, text)
    assert compared >= 54, f"only {compared} of 60 mutations were accepted by the fast parser"
    assert len(seen - {original}) >= 30, "the mutations hardly change the file"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(EXAMPLES), st.randoms(use_true_random=False))
def test_syntax_keeping_mutations_found_by_hypothesis(example: Path, rnd: random.Random) -> None:
    text = keep_syntax(example.read_text(encoding="utf-8"), rnd)
    agree(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list('package p;message M{x:int=1?}<>list,map"\\@#*./\n \t-0s')), max_size=120))
def test_token_soup_never_raises(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    folder = tmp_path_factory.mktemp("soup")
    for n, variant in enumerate((text, "package p;\n" + text)):
        agree(variant)
        compiles_or_reports(folder / f"soup{n}.idl", variant)


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
