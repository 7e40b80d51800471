"""A hand-written recursive-descent parser for the IDL: the fast path of `parser.parse`.

Lark's LALR parser in pure Python needs about 25 µs per token (3.6 s for a 2,000-message
API); this one reads the same language about ten times faster. `idl/svc.lark` stays the
definition of the language: this parser accepts a subset of what Lark accepts and builds the
very same model nodes (spans included). Whenever it meets anything it does not accept (any
syntax error, an invalid string, nesting deeper than a real API needs, a repeated clause) it
gives up and the Lark parser runs instead, so syntax diagnostics always come from one place.
tests/frontend/test_fastparse.py checks that both parsers agree on every example and on
random mutations of them.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import NoReturn

from svcgen import model as m
from svcgen.diagnostics import Diagnostic, error
from svcgen.frontend.comments import Comment, DocTable
from svcgen.source import SourceFile, Span

MAX_DEPTH = 64  # type and value nesting; deeper input is surely not a real service description
MAX_DIGITS = 30  # longer integer literals are rejected before int() (Python caps it at 4,300 digits)

# One match per token, white space before it skipped; applied line by line, so the line
# number is the loop's and the column the match's (Lark counts lines the same way: by "\n").
_TOKEN = re.compile(
    r"""[ \t\r\f]*(?:
    (?P<COMMENT>//.*)
  | (?P<DURATION>[0-9]+(?:ms|s|m|h|d)(?![A-Za-z0-9_]))
  | (?P<FLOAT>-?[0-9]+(?:\.[0-9]+(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+))
  | (?P<INT>-?[0-9]+)
  | (?P<NAME>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<STRING>"(?:[^"\\]|\\.)*")
  | (?P<PATH>/(?![/*])[A-Za-z0-9_\-.~{}/:%]*)
  | (?P<P>->|\.\.|[{}()<>\[\];:,.=|@?*\#])
  | (?P<BAD>[^ \t\r\f])
    )""",
    re.VERBOSE | re.DOTALL,
)
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"})
_UNITS_MS = (("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000))

# A token: (kind, text, line, column); kind is a group name above, P for punctuation.
Token = tuple[str, str, int, int]


class Bail(Exception):
    """The input is outside what this parser accepts; the Lark parser decides."""


class Fault(Exception):
    """Input that parses but cannot be taken (too deep, a number too long): one diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _bail() -> NoReturn:
    raise Bail


def whole(text: str, span: Span) -> int:
    """An integer literal's value; E212 for one too long to be any 64-bit number."""
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise Fault(error("E212", span, value=text if len(text) < 40 else text[:20] + "..."))
    return int(text)


def tokenize(text: str) -> tuple[list[Token], list[Comment]]:
    finditer = _TOKEN.finditer
    lines = text.split("\n")
    found = [
        (mt.lastgroup, mt[mt.lastgroup], n, mt.start(mt.lastgroup) + 1)  # type: ignore[index, arg-type]
        for n, line in enumerate(lines, 1)
        for mt in finditer(line)
    ]
    comments: list[Comment] = []
    tokens: list[Token] = found  # type: ignore[assignment]
    if any(t[0] in ("COMMENT", "BAD") for t in found):
        tokens = []
        for t in found:
            kind, value, line, col = t
            if kind == "COMMENT":
                own_line = lines[line - 1][: col - 1].strip() == ""
                comments.append(Comment(line, col, value.rstrip("\r"), own_line))
            elif kind == "BAD":
                _bail()
            else:
                tokens.append(t)  # type: ignore[arg-type]
    tokens.append(("END", "", len(lines), len(lines[-1]) + 1))
    return tokens, comments


def duration_ms(text: str, span: Span) -> int:
    for unit, size in _UNITS_MS:
        if text.endswith(unit) and text[: -len(unit)].isdigit():
            return whole(text[: -len(unit)], span) * size
    raise ValueError(text)


class _Parser:
    def __init__(self, path: str, tokens: list[Token], docs: DocTable) -> None:
        self.path = path
        self.toks = tokens
        self.i = 0
        self.depth = 0
        self.docs = docs

    def deeper(self, tok: Token) -> None:
        """One level further into a type or value; E005 past MAX_DEPTH (the stack stays small)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Fault(error("E005", self.tspan(tok), limit=MAX_DEPTH))

    def doc(self, first: Token) -> str | None:
        """The doc comment right above the node whose first token is `first`."""
        return self.docs.take(first[2]) if self.docs else None

    # -- tokens and spans --------------------------------------------------------------
    def peek(self) -> Token:
        return self.toks[self.i]

    def take(self) -> Token:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, kind: str, text: str | None = None) -> Token:
        tok = self.toks[self.i]
        if tok[0] != kind or (text is not None and tok[1] != text):
            _bail()
        self.i += 1
        return tok

    def punct(self, text: str) -> Token:
        tok = self.toks[self.i]
        if tok[0] != "P" or tok[1] != text:
            _bail()
        self.i += 1
        return tok

    def at(self, text: str) -> bool:
        """The next token is this punctuation or keyword.

        Comparing the text is enough: no string, number or path token can spell ';' or 'status'.
        """
        return self.toks[self.i][1] == text

    def word(self, text: str) -> bool:
        tok = self.toks[self.i]
        return tok[0] == "NAME" and tok[1] == text

    def tspan(self, tok: Token) -> Span:
        return Span(self.path, tok[2], tok[3], tok[2], tok[3] + len(tok[1]))

    def span(self, first: Token, last: Token) -> Span:
        return Span(self.path, first[2], first[3], last[2], last[3] + len(last[1]))

    def last(self) -> Token:
        return self.toks[self.i - 1]

    def string(self, tok: Token) -> str:
        text = tok[1]
        try:
            value = json.loads(text)
        except ValueError:
            _bail()
        if not isinstance(value, str):
            _bail()
        return value

    # -- names and types -----------------------------------------------------------------
    def dotted(self) -> tuple[str, Span]:
        toks, i = self.toks, self.i
        first = toks[i]
        if first[0] != "NAME":
            _bail()
        if toks[i + 1][1] != ".":  # the usual case: one word
            self.i = i + 1
            return first[1], Span(self.path, first[2], first[3], first[2], first[3] + len(first[1]))
        self.i = i + 1
        parts = [first[1]]
        while self.at(".") and self.toks[self.i + 1][0] == "NAME":
            self.i += 1
            parts.append(self.take()[1])
        return ".".join(parts), self.span(first, self.last())

    def named_type(self) -> m.TypeRef:
        name, span = self.dotted()
        return m.TypeRef("scalar" if name in m.SCALARS else "named", name, span)

    def type(self) -> m.TypeRef:
        first = self.peek()
        if first[0] != "NAME":
            _bail()
        if first[1] == "list":
            self.deeper(first)
            self.i += 1
            self.punct("<")
            item = self.type()
            self.punct(">")
            ref = m.TypeRef("list", "list", self.span(first, self.last()), (item,))
            self.depth -= 1
        elif first[1] == "map":
            self.deeper(first)
            self.i += 1
            self.punct("<")
            key = self.type()
            self.punct(",")
            value = self.type()
            self.punct(">")
            ref = m.TypeRef("map", "map", self.span(first, self.last()), (key, value))
            self.depth -= 1
        else:
            ref = self.named_type()
        if self.at("?"):
            self.i += 1
            return m.TypeRef(ref.kind, ref.name, self.span(first, self.last()), ref.args, True)
        return ref

    # -- values --------------------------------------------------------------------------
    def value(self) -> m.Value:
        tok = self.take()
        kind, text = tok[0], tok[1]
        if kind == "INT":
            span = self.tspan(tok)
            return m.Value("int", span, text, whole(text, span))
        if kind == "FLOAT":
            try:
                return m.Value("float", self.tspan(tok), text, Decimal(text))
            except InvalidOperation:
                _bail()
        if kind == "STRING":
            return m.Value("string", self.tspan(tok), text, self.string(tok))
        if kind == "DURATION":
            span = self.tspan(tok)
            return m.Value("duration", span, text, duration_ms(text, span))
        if kind == "NAME":
            return m.Value("name", self.tspan(tok), text, text)
        if kind != "P" or text not in ("[", "{"):
            _bail()
        self.deeper(tok)
        if text == "[":
            items: list[m.Value] = []
            while not self.at("]"):
                items.append(self.value())
                if not self.at(","):
                    break
                self.i += 1
            self.punct("]")
            self.depth -= 1
            return m.Value("list", self.span(tok, self.last()), "[...]", items=tuple(items))
        entries: list[tuple[m.Value, m.Value]] = []
        while not self.at("}"):
            key = self.expect("STRING")
            self.punct(":")
            decoded = m.Value("string", self.tspan(key), key[1], self.string(key))
            entries.append((decoded, self.value()))
            if not self.at(","):
                break
            self.i += 1
        self.punct("}")
        self.depth -= 1
        return m.Value("map", self.span(tok, self.last()), "{...}", entries=tuple(entries))

    def annotation(self) -> m.Annotation:
        first = self.punct("@")
        name = self.expect("NAME")
        if not self.at("("):
            return m.Annotation(name[1], (), self.span(first, name), False)
        self.i += 1
        args: list[m.Value] = []
        if not self.at(")"):
            args.append(self.value())
            while self.at(","):
                self.i += 1
                args.append(self.value())
        self.punct(")")
        return m.Annotation(name[1], tuple(args), self.span(first, self.last()), True)

    # -- fields and parameters -----------------------------------------------------------
    def field(self, semicolon: bool) -> m.Field:
        name = self.expect("NAME")
        self.punct(":")
        ref = self.type()
        default = None
        if self.at("="):
            self.i += 1
            default = self.value()
        annotations: list[m.Annotation] = []
        while self.at("@"):
            annotations.append(self.annotation())
        if semicolon:
            self.punct(";")
        span = self.span(name, self.last())
        return m.Field(name[1], ref, span, self.tspan(name), default, tuple(annotations), self.doc(name))

    def fields(self) -> tuple[m.Field, ...]:
        self.punct("{")
        out: list[m.Field] = []
        while not self.at("}"):
            out.append(self.field(semicolon=True))
        self.punct("}")
        return tuple(out)

    def params(self) -> tuple[m.Field, ...]:
        self.punct("(")
        out: list[m.Field] = []
        if not self.at(")"):
            out.append(self.field(semicolon=False))
            while self.at(","):
                self.i += 1
                out.append(self.field(semicolon=False))
        self.punct(")")
        return tuple(out)

    def returns(self) -> m.TypeRef | None:
        if self.at("->"):
            self.i += 1
            return self.type()
        return None

    # -- declarations --------------------------------------------------------------------
    def declaration(self, package: str) -> m.Declaration:
        first = self.expect("NAME")
        keyword = first[1]
        doc = self.doc(first)
        if keyword == "message":
            name = self.expect("NAME")
            fields = self.fields()
            return m.Message(name[1], package, fields, self.span(first, self.last()), self.tspan(name), doc)
        if keyword == "enum":
            name = self.expect("NAME")
            self.punct("{")
            values: list[m.EnumValue] = []
            while not self.at("}"):
                value = self.expect("NAME")
                self.punct(";")
                values.append(m.EnumValue(value[1], self.span(value, self.last()), self.doc(value)))
            self.punct("}")
            return m.Enum(name[1], package, tuple(values), self.span(first, self.last()), self.tspan(name), doc)
        if keyword == "union":
            name = self.expect("NAME")
            self.punct("=")
            options = [self.named_type()]
            while self.at("|"):
                self.i += 1
                options.append(self.named_type())
            self.punct(";")
            return m.Union_(name[1], package, tuple(options), self.span(first, self.last()), self.tspan(name), doc)
        if keyword == "error":
            name = self.expect("NAME")
            status = self.expect("INT")
            fields = self.fields()
            span = self.span(first, self.last())
            return m.Error(
                name[1],
                package,
                whole(status[1], self.tspan(status)),
                fields,
                span,
                self.tspan(name),
                self.tspan(status),
                doc,
            )
        if keyword == "topic":
            topic, topic_span = self.dotted()
            self.punct(":")
            ref = self.type()
            self.punct(";")
            return m.Topic(topic, package, ref, self.span(first, self.last()), topic_span, doc)
        if keyword == "auth":
            name = self.expect("NAME")
            self.punct("=")
            kind = self.expect("NAME")
            location = key = None
            if kind[1] == "apikey":
                location = self.expect("NAME")
                if location[1] not in ("header", "query"):
                    _bail()
                key = self.expect("STRING")
            elif kind[1] != "bearer":
                _bail()
            self.punct("->")
            claims = self.named_type()
            self.punct(";")
            return m.AuthScheme(
                name[1],
                package,
                "apikey" if key is not None else "bearer",
                claims,
                self.span(first, self.last()),
                self.tspan(name),
                location=location[1] if location is not None else None,  # type: ignore[arg-type]
                key=self.string(key) if key is not None else None,
                key_span=self.tspan(key) if key is not None else None,
                doc=doc,
            )
        if keyword == "service":
            name = self.expect("NAME")
            requires = self.requirement() if self.word("requires") else None
            self.punct("{")
            members: list[m.Member] = []
            while not self.at("}"):
                members.append(self.member())
            self.punct("}")
            return m.Service(
                name[1], package, tuple(members), self.span(first, self.last()), self.tspan(name), doc, requires
            )
        _bail()

    # -- service members -----------------------------------------------------------------
    def requirement(self) -> m.Requirement:
        first = self.take()  # `requires`
        name = self.expect("NAME")
        scopes: list[m.Value] = []
        parens = self.at("(")
        if parens:
            self.i += 1
            if not self.at(")"):
                while True:
                    tok = self.expect("STRING")
                    scopes.append(m.Value("string", self.tspan(tok), tok[1], self.string(tok)))
                    if not self.at(","):
                        break
                    self.i += 1
            self.punct(")")
        return m.Requirement(name[1], self.span(first, self.last()), self.tspan(name), tuple(scopes), parens)

    @staticmethod
    def access(c: dict[str, tuple[object, Span]]) -> dict[str, object]:
        public = c.get("public")
        return {
            "requires": c["requires"][0] if "requires" in c else None,
            "public": public is not None,
            "public_span": public[1] if public else None,
        }

    def clauses(self, allowed: tuple[str, ...]) -> dict[str, tuple[object, Span]]:
        found: dict[str, tuple[object, Span]] = {}
        while True:
            tok = self.peek()
            keyword = tok[1]
            if tok[0] != "NAME" or keyword not in allowed:
                return found
            if keyword in found:
                _bail()  # E313 is reported by the Lark path
            if keyword == "requires":
                req = self.requirement()
                found[keyword] = (req, req.span)
                continue
            self.i += 1
            if keyword == "public":
                found[keyword] = (True, self.tspan(tok))
            elif keyword in ("status", "retry"):
                number = self.expect("INT")
                found[keyword] = (whole(number[1], self.tspan(number)), self.tspan(number))
            elif keyword == "timeout":
                when = self.expect("DURATION")
                found[keyword] = (duration_ms(when[1], self.tspan(when)), self.tspan(when))
            elif keyword == "throws":
                refs = [self.named_type()]
                while self.at(","):
                    self.i += 1
                    refs.append(self.named_type())
                found[keyword] = (tuple(refs), self.span(tok, self.last()))
            elif keyword == "emits":
                topics = [m.TopicRef(*self.dotted())]
                while self.at(","):
                    self.i += 1
                    topics.append(m.TopicRef(*self.dotted()))
                found[keyword] = (tuple(topics), self.span(tok, self.last()))
            else:  # backoff
                low = self.expect("DURATION")
                self.punct("..")
                high = self.expect("DURATION")
                span = self.span(tok, high)
                found[keyword] = ((duration_ms(low[1], span), duration_ms(high[1], span)), span)

    def member(self) -> m.Member:
        first = self.expect("NAME")
        keyword = first[1]
        doc = self.doc(first)
        if keyword in METHODS:
            path = self.expect("PATH")
            name = self.expect("NAME")
            params = self.params()
            returns = self.returns()
            c = self.clauses(("status", "throws", "emits", "requires", "public"))
            self.punct(";")
            status = c.get("status")
            return m.Endpoint(
                method=keyword,
                path=path[1],
                handler=name[1],
                params=params,
                span=self.span(first, self.last()),
                path_span=self.tspan(path),
                handler_span=self.tspan(name),
                returns=returns,
                status=status[0] if status else None,  # type: ignore[arg-type]
                status_span=status[1] if status else None,
                throws=c["throws"][0] if "throws" in c else (),  # type: ignore[arg-type]
                emits=c["emits"][0] if "emits" in c else (),  # type: ignore[arg-type]
                doc=doc,
                **self.access(c),  # type: ignore[arg-type]
            )
        if keyword == "rpc":
            name = self.expect("NAME")
            params = self.params()
            returns = self.returns()
            c = self.clauses(("throws", "timeout", "requires", "public"))
            self.punct(";")
            timeout = c.get("timeout")
            return m.Rpc(
                handler=name[1],
                params=params,
                span=self.span(first, self.last()),
                handler_span=self.tspan(name),
                returns=returns,
                throws=c["throws"][0] if "throws" in c else (),  # type: ignore[arg-type]
                timeout_ms=timeout[0] if timeout else None,  # type: ignore[arg-type]
                timeout_span=timeout[1] if timeout else None,
                doc=doc,
                **self.access(c),  # type: ignore[arg-type]
            )
        if keyword == "on":
            parts = [self.pattern_part()]
            while self.at(".") and (self.toks[self.i + 1][0] == "NAME" or self.toks[self.i + 1][1] in ("*", "#")):
                self.i += 1
                parts.append(self.pattern_part())
            name = self.expect("NAME")
            c = self.clauses(("retry", "backoff"))
            self.punct(";")
            retry, backoff = c.get("retry"), c.get("backoff")
            return m.Consumer(
                pattern=".".join(p[1] for p in parts),
                handler=name[1],
                span=self.span(first, self.last()),
                pattern_span=self.span(parts[0], parts[-1]),
                handler_span=self.tspan(name),
                retry=retry[0] if retry else None,  # type: ignore[arg-type]
                retry_span=retry[1] if retry else None,
                backoff_min_ms=backoff[0][0] if backoff else None,  # type: ignore[index]
                backoff_max_ms=backoff[0][1] if backoff else None,  # type: ignore[index]
                backoff_span=backoff[1] if backoff else None,
                doc=doc,
            )
        if keyword == "every":
            when = self.take()
            if when[0] not in ("STRING", "DURATION"):
                _bail()
            name = self.expect("NAME")
            overlap = self.word("overlap")
            if overlap:
                self.i += 1
            self.punct(";")
            is_cron = when[0] == "STRING"
            return m.Schedule(
                handler=name[1],
                span=self.span(first, self.last()),
                when_span=self.tspan(when),
                handler_span=self.tspan(name),
                cron=self.string(when) if is_cron else None,
                interval_ms=None if is_cron else duration_ms(when[1], self.tspan(when)),
                overlap=overlap,
                doc=doc,
            )
        if keyword == "socket":
            path = self.expect("PATH")
            name = self.expect("NAME")
            params = self.params()
            sends = receives = None
            if self.word("sends"):
                self.i += 1
                sends = self.type()
            if self.word("receives"):
                self.i += 1
                receives = self.type()
            c = self.clauses(("requires", "public"))
            self.punct(";")
            return m.Socket(
                path=path[1],
                handler=name[1],
                params=params,
                span=self.span(first, self.last()),
                path_span=self.tspan(path),
                handler_span=self.tspan(name),
                sends=sends,
                receives=receives,
                doc=doc,
                **self.access(c),  # type: ignore[arg-type]
            )
        _bail()

    def pattern_part(self) -> Token:
        tok = self.take()
        if tok[0] == "NAME" or (tok[0] == "P" and tok[1] in ("*", "#")):
            return tok
        _bail()

    # -- the file ------------------------------------------------------------------------
    def file(self) -> m.File:
        self.expect("NAME", "package")
        package, package_span = self.dotted()
        package_doc = self.docs.take(package_span.line) if self.docs else None
        self.punct(";")
        imports: list[m.Import] = []
        while self.word("import"):
            first = self.take()
            target = self.expect("STRING")
            self.punct(";")
            imports.append(m.Import(self.string(target), self.span(first, self.last())))
        decls: list[m.Declaration] = []
        while self.peek()[0] != "END":
            decls.append(self.declaration(package))
        return m.File(self.path, package, package_span, tuple(imports), tuple(decls), package_doc)


def parse_fast(source: SourceFile) -> tuple[m.File, tuple[Comment, ...]] | None:
    """The file (doc comments attached) and its comments, or None when the Lark parser must decide.

    Raises Fault for input that is well formed but beyond a limit.
    """
    try:
        tokens, comments = tokenize(source.text)
        return _Parser(source.path, tokens, DocTable(comments)).file(), tuple(comments)
    except (Bail, IndexError, RecursionError):
        return None
