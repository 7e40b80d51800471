"""The reference parser: Lark's LALR parser of `idl/svc.lark`, and its syntax diagnostics.

Nothing outside the front end sees a Lark object: the transformer returns model nodes with
references still unresolved, exactly as `fastparse` builds them.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from lark import Lark, Token, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError
from lark.visitors import Transformer_NonRecursive

from svcgen import model as m
from svcgen.diagnostics import Diagnostic, error
from svcgen.frontend.comments import Comment, DocTable
from svcgen.frontend.fastparse import MAX_DEPTH, duration_ms, whole
from svcgen.frontend.fastparse import Fault as _Fault
from svcgen.frontend.parser import ParseResult
from svcgen.frontend.tokens import describe_expected
from svcgen.resources import grammar_path
from svcgen.source import SourceFile, Span


@cache
def _lark() -> Lark:
    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        strict=True,
        cache=True,  # the grammar analysis is cached in the temp folder: 0.5 s -> 0.05 s
        propagate_positions=True,
        maybe_placeholders=True,
        lexer_callbacks={"COMMENT": _on_comment},
        start=["start", "decls"],
    )


def parse_with_lark(source: SourceFile) -> ParseResult:
    """The reference parser: slower, exact about every syntax error."""
    comments: list[Token] = []
    parser = _lark()
    try:
        # Lark builds the tree without recursion; the non-recursive transformer keeps
        # it that way, so deeply nested input cannot exhaust the stack.
        builder = _Builder(source.path)
        file = builder.transform(_parse_with_comments(parser, source.text, comments))
    except UnexpectedInput as exc:
        return ParseResult(None, (), _recover(parser, source, _syntax_diagnostic(source, exc)))
    except _Fault as exc:
        return ParseResult(None, (), (exc.diagnostic,))
    except VisitError as exc:
        if isinstance(exc.orig_exc, _Fault):
            return ParseResult(None, (), (exc.orig_exc.diagnostic,))
        raise
    if builder.faults:
        return ParseResult(None, (), tuple(builder.faults))
    found = tuple(_comment(source, t) for t in comments)
    return ParseResult(_attach_docs(file, found), found, ())


def _parse_with_comments(parser: Lark, text: str, sink: list[Token], start: str = "start") -> Any:
    # lexer_callbacks are fixed when the Lark object is built; route them through a
    # per-call list so the cached parser stays shareable.
    _COMMENT_SINK[0] = sink
    try:
        return parser.parse(text, start=start)
    finally:
        _COMMENT_SINK[0] = None


MAX_SYNTAX_ERRORS = 20
# A line that starts a top-level declaration: a keyword followed by a name. A field named
# like a keyword (`error: string;`) has a ':' there instead, so it never matches.
_RESYNC = re.compile(r"^[ \t]*(?:enum|message|union|error|topic|service|auth)[ \t]+[A-Za-z_]", re.MULTILINE)


def _recover(parser: Lark, source: SourceFile, first: Diagnostic) -> tuple[Diagnostic, ...]:
    """Every syntax error of the file, by panic-mode recovery at top-level declarations.

    After an error, parsing starts again at the next line below it that begins a
    declaration, with everything before that line blanked out (newlines kept, so every
    position stays exact). Each restart goes further down the file, so this ends.
    """
    found = [first]
    text = source.text
    line_starts = [0, *(nl.end() for nl in re.finditer("\n", text))]
    while len(found) < MAX_SYNTAX_ERRORS:
        below = found[-1].span.line  # resume on a line after the last error
        if below >= len(line_starts):
            break
        resync = _RESYNC.search(text, line_starts[below])
        if resync is None:
            break
        rest = re.sub(r"[^\n]", " ", text[: resync.start()]) + text[resync.start() :]
        try:
            _parse_with_comments(parser, rest, [], start="decls")
        except UnexpectedInput as exc:
            found.append(_syntax_diagnostic(SourceFile(source.path, rest), exc))
            continue
        break
    return tuple(found)


_COMMENT_SINK: list[list[Token] | None] = [None]


def _on_comment(token: Token) -> Token:
    sink = _COMMENT_SINK[0]
    if sink is not None:
        sink.append(token)
    return token


def _comment(source: SourceFile, token: Token) -> Comment:
    line, col = token.line or 1, token.column or 1
    before = source.line(line)[: col - 1]
    return Comment(line, col, str(token).rstrip("\r"), before.strip() == "")


def _span(file: str, meta: Any) -> Span:
    return Span(file, meta.line, meta.column, meta.end_line, meta.end_column)


def _tspan(file: str, tok: Token) -> Span:
    return Span(file, tok.line or 1, tok.column or 1, tok.end_line or 1, tok.end_column or 1)


@v_args(inline=True)
class _Builder(Transformer_NonRecursive[Token, Any]):
    """Builds model nodes bottom-up; positions come from Lark's propagated meta."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        #: errors that leave the tree buildable (a bad string literal): every one is reported
        self.faults: list[Diagnostic] = []

    # -- small pieces ---------------------------------------------------------------
    @v_args(inline=False, meta=True)
    def dotted(self, meta: Any, parts: list[Token]) -> tuple[str, Span]:
        return ".".join(parts), _span(self.path, meta)

    @v_args(inline=False, meta=True)
    def pattern(self, meta: Any, parts: list[tuple[str, Span]]) -> tuple[str, Span]:
        return ".".join(p for p, _ in parts), _span(self.path, meta)

    @v_args(inline=True, meta=True)
    def pattern_part(self, meta: Any, tok: Token) -> tuple[str, Span]:
        return str(tok), _tspan(self.path, tok)

    def _string(self, tok: Token) -> str:
        try:
            value = json.loads(str(tok))
        except json.JSONDecodeError as exc:
            # the whole literal is marked (tools and the IDL contract place a string's errors at its
            # opening quote); the reason names the escape at fault
            text = str(tok)
            start = exc.pos - 1 if "uXXXX" in exc.msg else exc.pos  # json points at the u of \uXXXX
            span = _tspan(self.path, tok)
            self.faults.append(error("E004", span, reason=_string_fault(exc.msg, text[start : start + 2])))
            return ""  # building goes on, so the file's other bad literals are reported too
        assert isinstance(value, str)
        return value

    # -- types ----------------------------------------------------------------------
    @v_args(inline=True, meta=True)
    def type(self, meta: Any, base: m.TypeRef, optional: Token | None) -> m.TypeRef:
        ref = replace(base, span=_span(self.path, meta))
        return replace(ref, optional=True) if optional is not None else ref

    def named_type(self, dotted: tuple[str, Span]) -> m.TypeRef:
        name, span = dotted
        if name in m.SCALARS:
            return m.TypeRef("scalar", name, span)
        return m.TypeRef("named", name, span)

    @v_args(inline=True, meta=True)
    def list_type(self, meta: Any, item: m.TypeRef) -> m.TypeRef:
        span = _span(self.path, meta)
        self._depth(item, span)
        return m.TypeRef("list", "list", span, (item,))

    @v_args(inline=True, meta=True)
    def map_type(self, meta: Any, key: m.TypeRef, value: m.TypeRef) -> m.TypeRef:
        span = _span(self.path, meta)
        self._depth(value, span)
        return m.TypeRef("map", "map", span, (key, value))

    def _depth(self, ref: m.TypeRef, span: Span) -> None:
        depth = 1
        while ref.args:
            ref = ref.args[-1]
            depth += 1
            if depth > MAX_DEPTH:
                raise _Fault(error("E005", span, limit=MAX_DEPTH))

    # -- values ---------------------------------------------------------------------
    def int_value(self, tok: Token) -> m.Value:
        span = _tspan(self.path, tok)
        return m.Value("int", span, str(tok), whole(str(tok), span))

    def float_value(self, tok: Token) -> m.Value:
        try:
            number = Decimal(str(tok))
        except InvalidOperation:  # the grammar admits only valid literals; belt and braces
            raise _Fault(error("E003", _tspan(self.path, tok), detail=f"invalid number {tok}")) from None
        return m.Value("float", _tspan(self.path, tok), str(tok), number)

    def string_value(self, tok: Token) -> m.Value:
        return m.Value("string", _tspan(self.path, tok), str(tok), self._string(tok))

    def duration_value(self, tok: Token) -> m.Value:
        span = _tspan(self.path, tok)
        return m.Value("duration", span, str(tok), duration_ms(str(tok), span))

    def name_value(self, tok: Token) -> m.Value:
        return m.Value("name", _tspan(self.path, tok), str(tok), str(tok))

    @v_args(inline=False, meta=True)
    def list_value(self, meta: Any, items: list[m.Value | None]) -> m.Value:
        span = _span(self.path, meta)
        values = tuple(v for v in items if v is not None)
        self._value_depth(values, span)
        return m.Value("list", span, "[...]", items=values)

    @v_args(inline=False, meta=True)
    def map_value(self, meta: Any, entries: list[tuple[m.Value, m.Value] | None]) -> m.Value:
        span = _span(self.path, meta)
        pairs = tuple(e for e in entries if e is not None)
        self._value_depth(tuple(v for _, v in pairs), span)
        return m.Value("map", span, "{...}", entries=pairs)

    def _value_depth(self, values: tuple[m.Value, ...], span: Span) -> None:
        depth, frontier = 1, values
        while frontier:
            depth += 1
            if depth > MAX_DEPTH:
                raise _Fault(error("E005", span, limit=MAX_DEPTH))
            frontier = tuple(x for v in frontier for x in (*v.items, *(e[1] for e in v.entries)))

    def entry(self, key: Token, value: m.Value) -> tuple[m.Value, m.Value]:
        return m.Value("string", _tspan(self.path, key), str(key), self._string(key)), value

    def default(self, value: m.Value) -> m.Value:
        return value

    @v_args(inline=False)
    def annotation_args(self, values: list[m.Value | None]) -> tuple[m.Value, ...]:
        return tuple(v for v in values if v is not None)

    @v_args(inline=True, meta=True)
    def annotation(self, meta: Any, name: Token, args: tuple[m.Value, ...] | None) -> m.Annotation:
        return m.Annotation(str(name), args or (), _span(self.path, meta), has_parens=args is not None)

    # -- fields and parameters ------------------------------------------------------
    @v_args(inline=False, meta=True)
    def field(self, meta: Any, children: list[Any]) -> m.Field:
        name, ref, default, *annotations = children
        return m.Field(str(name), ref, _span(self.path, meta), _tspan(self.path, name), default, tuple(annotations))

    param = field

    @v_args(inline=False)
    def params(self, items: list[m.Field | None]) -> tuple[m.Field, ...]:
        return tuple(p for p in items if p is not None)

    def returns(self, ref: m.TypeRef) -> m.TypeRef:
        return ref

    # -- declarations ---------------------------------------------------------------
    @v_args(inline=True, meta=True)
    def enum_value(self, meta: Any, name: Token) -> m.EnumValue:
        return m.EnumValue(str(name), _span(self.path, meta))

    @v_args(inline=False, meta=True)
    def enum_decl(self, meta: Any, children: list[Any]) -> m.Enum:
        name, *values = children
        return m.Enum(str(name), "", tuple(values), _span(self.path, meta), _tspan(self.path, name))

    @v_args(inline=False, meta=True)
    def message_decl(self, meta: Any, children: list[Any]) -> m.Message:
        name, *fields = children
        return m.Message(str(name), "", tuple(fields), _span(self.path, meta), _tspan(self.path, name))

    @v_args(inline=False, meta=True)
    def union_decl(self, meta: Any, children: list[Any]) -> m.Union_:
        name, *members = children
        return m.Union_(str(name), "", tuple(members), _span(self.path, meta), _tspan(self.path, name))

    @v_args(inline=False, meta=True)
    def error_decl(self, meta: Any, children: list[Any]) -> m.Error:
        name, status, *fields = children
        return m.Error(
            str(name),
            "",
            whole(str(status), _tspan(self.path, status)),
            tuple(fields),
            _span(self.path, meta),
            _tspan(self.path, name),
            _tspan(self.path, status),
        )

    @v_args(inline=True, meta=True)
    def topic_decl(self, meta: Any, dotted: tuple[str, Span], ref: m.TypeRef) -> m.Topic:
        name, span = dotted
        return m.Topic(name, "", ref, _span(self.path, meta), span)

    # -- service members ------------------------------------------------------------
    def status_clause(self, tok: Token) -> tuple[str, Any, Span]:
        return "status", whole(str(tok), _tspan(self.path, tok)), _tspan(self.path, tok)

    @v_args(inline=False, meta=True)
    def throws_clause(self, meta: Any, refs: list[m.TypeRef]) -> tuple[str, Any, Span]:
        return "throws", tuple(refs), _span(self.path, meta)

    @v_args(inline=False, meta=True)
    def emits_clause(self, meta: Any, names: list[tuple[str, Span]]) -> tuple[str, Any, Span]:
        return "emits", tuple(m.TopicRef(n, s) for n, s in names), _span(self.path, meta)

    def timeout_clause(self, tok: Token) -> tuple[str, Any, Span]:
        return "timeout", duration_ms(str(tok), _tspan(self.path, tok)), _tspan(self.path, tok)

    def retry_clause(self, tok: Token) -> tuple[str, Any, Span]:
        return "retry", whole(str(tok), _tspan(self.path, tok)), _tspan(self.path, tok)

    @v_args(inline=True, meta=True)
    def backoff_clause(self, meta: Any, low: Token, high: Token) -> tuple[str, Any, Span]:
        span = _span(self.path, meta)
        return "backoff", (duration_ms(str(low), span), duration_ms(str(high), span)), span

    def _clauses(self, clauses: list[tuple[str, Any, Span]]) -> dict[str, tuple[Any, Span]]:
        """Clauses by keyword; a repeated one is a diagnostic here, since the model keeps one."""
        seen: dict[str, tuple[Any, Span]] = {}
        for keyword, value, span in clauses:
            if keyword in seen:
                raise _Fault(error("E313", span, clause=keyword))
            seen[keyword] = (value, span)
        return seen

    @v_args(inline=False)
    def scopes(self, items: list[Token | None]) -> tuple[m.Value, ...]:
        return tuple(self.string_value(t) for t in items if t is not None)

    @v_args(inline=True, meta=True)
    def requires_clause(self, meta: Any, name: Token, scopes: tuple[m.Value, ...] | None) -> tuple[str, Any, Span]:
        span = _span(self.path, meta)
        req = m.Requirement(str(name), span, _tspan(self.path, name), scopes or (), scopes is not None)
        return "requires", req, span

    @v_args(inline=False, meta=True)
    def public_clause(self, meta: Any, _children: list[Any]) -> tuple[str, Any, Span]:
        return "public", True, _span(self.path, meta)

    @staticmethod
    def _access(c: dict[str, tuple[Any, Span]]) -> dict[str, Any]:
        return {
            "requires": c["requires"][0] if "requires" in c else None,
            "public": "public" in c,
            "public_span": c["public"][1] if "public" in c else None,
        }

    def bearer_kind(self) -> tuple[str, None, None]:
        return "bearer", None, None

    def apikey_kind(self, where: Token, key: Token) -> tuple[str, Token, Token]:
        return "apikey", where, key

    @v_args(inline=True, meta=True)
    def auth_decl(self, meta: Any, name: Token, kind: tuple[Any, Any, Any], claims: m.TypeRef) -> m.AuthScheme:
        what, where, key = kind
        return m.AuthScheme(
            str(name),
            "",
            what,
            claims,
            _span(self.path, meta),
            _tspan(self.path, name),
            location=str(where) if where is not None else None,  # type: ignore[arg-type]
            key=self._string(key) if key is not None else None,
            key_span=_tspan(self.path, key) if key is not None else None,
        )

    @v_args(inline=False, meta=True)
    def endpoint(self, meta: Any, children: list[Any]) -> m.Endpoint:
        method, path, name, params, returns, *rest = children
        c = self._clauses(rest)
        return m.Endpoint(
            method=str(method),
            path=str(path),
            handler=str(name),
            params=params,
            span=_span(self.path, meta),
            path_span=_tspan(self.path, path),
            handler_span=_tspan(self.path, name),
            returns=returns,
            status=c["status"][0] if "status" in c else None,
            status_span=c["status"][1] if "status" in c else None,
            throws=c["throws"][0] if "throws" in c else (),
            emits=c["emits"][0] if "emits" in c else (),
            **self._access(c),
        )

    @v_args(inline=False, meta=True)
    def rpc(self, meta: Any, children: list[Any]) -> m.Rpc:
        name, params, returns, *rest = children
        c = self._clauses(rest)
        return m.Rpc(
            handler=str(name),
            params=params,
            span=_span(self.path, meta),
            handler_span=_tspan(self.path, name),
            returns=returns,
            throws=c["throws"][0] if "throws" in c else (),
            timeout_ms=c["timeout"][0] if "timeout" in c else None,
            timeout_span=c["timeout"][1] if "timeout" in c else None,
            **self._access(c),
        )

    @v_args(inline=False, meta=True)
    def consumer(self, meta: Any, children: list[Any]) -> m.Consumer:
        (pattern, pattern_span), name, *rest = children
        c = self._clauses(rest)
        backoff = c.get("backoff")
        return m.Consumer(
            pattern=pattern,
            handler=str(name),
            span=_span(self.path, meta),
            pattern_span=pattern_span,
            handler_span=_tspan(self.path, name),
            retry=c["retry"][0] if "retry" in c else None,
            retry_span=c["retry"][1] if "retry" in c else None,
            backoff_min_ms=backoff[0][0] if backoff else None,
            backoff_max_ms=backoff[0][1] if backoff else None,
            backoff_span=backoff[1] if backoff else None,
        )

    def overlap(self) -> bool:
        return True

    @v_args(inline=False, meta=True)
    def schedule(self, meta: Any, children: list[Any]) -> m.Schedule:
        when, name, overlap = children
        is_cron = when.type == "STRING"
        return m.Schedule(
            handler=str(name),
            span=_span(self.path, meta),
            when_span=_tspan(self.path, when),
            handler_span=_tspan(self.path, name),
            cron=self._string(when) if is_cron else None,
            interval_ms=None if is_cron else duration_ms(str(when), _tspan(self.path, when)),
            overlap=bool(overlap),
        )

    def sends(self, ref: m.TypeRef) -> tuple[str, m.TypeRef]:
        return "sends", ref

    def receives(self, ref: m.TypeRef) -> tuple[str, m.TypeRef]:
        return "receives", ref

    @v_args(inline=False, meta=True)
    def socket(self, meta: Any, children: list[Any]) -> m.Socket:
        path, name, params, sends, receives, *rest = children
        c = self._clauses(rest)
        return m.Socket(
            path=str(path),
            handler=str(name),
            params=params,
            span=_span(self.path, meta),
            path_span=_tspan(self.path, path),
            handler_span=_tspan(self.path, name),
            sends=sends[1] if sends else None,
            receives=receives[1] if receives else None,
            **self._access(c),
        )

    @v_args(inline=False, meta=True)
    def service_decl(self, meta: Any, children: list[Any]) -> m.Service:
        name, requires, *members = children
        return m.Service(
            str(name),
            "",
            tuple(members),
            _span(self.path, meta),
            _tspan(self.path, name),
            requires=requires[1] if requires is not None else None,
        )

    # -- the file -------------------------------------------------------------------
    def package_decl(self, dotted: tuple[str, Span]) -> tuple[str, Span]:
        return dotted

    @v_args(inline=True, meta=True)
    def import_decl(self, meta: Any, tok: Token) -> m.Import:
        return m.Import(self._string(tok), _span(self.path, meta))

    @v_args(inline=False)
    def start(self, children: list[Any]) -> m.File:
        (package, package_span), *rest = children
        imports = tuple(x for x in rest if isinstance(x, m.Import))
        decls = tuple(replace(d, package=package) for d in rest if not isinstance(d, m.Import))
        return m.File(self.path, package, package_span, imports, decls)


def _syntax_diagnostic(source: SourceFile, exc: UnexpectedInput) -> Diagnostic:
    line, col = max(1, exc.line or 1), max(1, exc.column or 1)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        last = source.text.rstrip()
        lines = last.split("\n")
        line, col = len(lines), len(lines[-1]) + 1
        # `accepts` is what the parser state really takes; `expected` also holds what LALR's
        # merged lookaheads would allow after a reduction, which reads as noise.
        accepts = getattr(exc, "accepts", None) or getattr(exc, "expected", None) or set()
        expected = describe_expected(accepts)
        return error("E003", Span.point(source.path, line, col), detail=f"unexpected end of file, expected {expected}")
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        accepts = exc.accepts or exc.expected
        found = f"'{tok}'" if str(tok) else tok.type
        span = _tspan(source.path, tok)
        if "SEMICOLON" in accepts:
            # The usual slip: a forgotten ';'. Say that first, and where it goes: at the end
            # of the previous line when the unexpected token starts its own line.
            starts_line = not source.line(line)[: col - 1].strip()
            where = _previous_code_line(source, line) if starts_line else None
            hint = f"add ';' at the end of line {where}" if where else None
            return error("E003", span, help=hint, detail=f"expected ';', found {found}")
        return error("E003", span, detail=f"expected {describe_expected(accepts)}, found {found}")
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        char = source.text[pos] if pos < len(source.text) else "?"
        shown = repr(char)[1:-1] if not char.isprintable() else char
        allowed = describe_expected(exc.allowed or set())
        return error(
            "E003",
            Span.point(source.path, line, col),
            detail=f"unexpected character '{shown}'" + (f", expected {allowed}" if allowed else ""),
        )
    return error("E003", Span.point(source.path, line, col), detail="syntax error")


def _previous_code_line(source: SourceFile, line: int) -> int | None:
    """The last line before `line` holding anything but white space and comments."""
    n = line - 1
    while n >= 1:
        text = source.line(n).strip()
        if text and not text.startswith("//"):
            return n
        n -= 1
    return None


def _attach_docs(file: m.File, comments: tuple[Comment, ...]) -> m.File:
    """Give each node the `///` lines directly above its first line (no blank line between)."""
    docs = DocTable(comments)
    if not docs:
        return file

    def fields(items: tuple[m.Field, ...]) -> tuple[m.Field, ...]:
        return tuple(replace(f, doc=docs.take(f.span.line)) for f in items)

    def member(x: m.Member) -> m.Member:
        doc = docs.take(x.span.line)
        if isinstance(x, (m.Endpoint, m.Rpc, m.Socket)):
            return replace(x, doc=doc, params=fields(x.params))
        return replace(x, doc=doc)

    package_doc = docs.take(file.package_span.line)  # first: it stands first in the file
    decls: list[m.Declaration] = []
    for d in file.declarations:
        doc = docs.take(d.span.line)
        if isinstance(d, (m.Message, m.Error)):
            decls.append(replace(d, doc=doc, fields=fields(d.fields)))
        elif isinstance(d, m.Enum):
            values = tuple(replace(v, doc=docs.take(v.span.line)) for v in d.values)
            decls.append(replace(d, doc=doc, values=values))
        elif isinstance(d, m.Service):
            decls.append(replace(d, doc=doc, members=tuple(member(x) for x in d.members)))
        else:
            decls.append(replace(d, doc=doc))
    return replace(file, declarations=tuple(decls), package_doc=package_doc)


def _string_fault(json_message: str, at: str) -> str:
    """Why a string literal (JSON's syntax) does not decode, in the IDL's words."""
    if "uXXXX" in json_message:
        return "\\u needs four hex digits"
    if "escape" in json_message:
        return f"unknown escape '{at}' (known: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"
    if "control character" in json_message:
        return "a control character must be escaped (\\t, \\n, \\uXXXX)"
    return json_message.lower()
