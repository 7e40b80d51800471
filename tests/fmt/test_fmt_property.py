"""Property: for random valid IDL (random layout and comments), fmt is idempotent and keeps the meaning."""

from __future__ import annotations

from fmt_idl import comment_texts, idl_files, strip
from hypothesis import HealthCheck, given, settings
from svcgen.fmt import format_source
from svcgen.frontend.parser import parse
from svcgen.source import SourceFile


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(idl_files())
def test_fmt_is_idempotent_and_keeps_model_and_comments(text: str) -> None:
    source = SourceFile("t.idl", text)
    before = parse(source)
    assert before.file is not None, [d.message for d in before.diagnostics]
    if before.diagnostics:  # a trailing `///` where no node starts: fmt leaves the file alone
        assert {d.code for d in before.diagnostics} == {"E007"}
        assert format_source(source).text is None
        # then test the file as its hint fixes it (about half the drawn files have one)
        lines = text.split("\n")
        for d in before.diagnostics:
            line = lines[d.span.line - 1]
            assert line[d.span.col - 1 : d.span.col + 2] == "///"
            lines[d.span.line - 1] = line[: d.span.col - 1] + "//" + line[d.span.col + 2 :]
        source = SourceFile("t.idl", "\n".join(lines))
        before = parse(source)
        assert before.file is not None and not before.diagnostics

    # verify=False: the oracle here is the test's own comparison, not the formatter's check
    out = format_source(source, verify=False).text
    assert out is not None
    formatted = SourceFile("t.idl", out)
    after = parse(formatted)
    assert after.file is not None, (out, [d.message for d in after.diagnostics])

    assert strip(after.file, formatted) == strip(before.file, source)
    assert comment_texts(after) == comment_texts(before)
    assert format_source(formatted, verify=False).text == out
    assert out.endswith("\n") and not out.endswith("\n\n")
    assert all(line == line.rstrip() and "\t" not in line.split("//")[0] for line in out.split("\n"))
    lines = out.split("\n")
    for before, blank, after in zip(lines, lines[1:], lines[2:], strict=False):
        if blank == "":  # at most one blank line, never right inside brackets
            assert before != "" and after != "}"
            assert "//" in before or not before.endswith(("{", "("))
