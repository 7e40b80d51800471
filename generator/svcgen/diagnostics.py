"""Diagnostics as data, and their two renderings: compiler-style text and JSON.

Every code is listed once in CODES with its slug and message template, so the
language reference and the tests can name them and a code never changes meaning.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from svcgen.source import Sources, Span

# code: (slug, message template). Templates take keyword arguments.
CODES: dict[str, tuple[str, str]] = {
    # E0xx: reading and syntax
    "E001": ("unreadable-file", "cannot read '{path}': {reason}"),
    "E002": ("invalid-encoding", "file is not valid UTF-8 (byte 0x{byte:02x})"),
    "E003": ("syntax-error", "{detail}"),
    "E004": ("invalid-string", "invalid string literal: {reason}"),
    "E005": ("too-deep", "nesting is too deep (more than {limit} levels)"),
    "E006": ("file-too-large", "file is too large ({size} bytes; the limit is {limit})"),
    "E007": ("stray-doc-comment", "this doc comment documents nothing: no declaration starts on its line"),
    # E01x: imports
    "E010": ("unreadable-import", "cannot import '{path}': {reason}"),
    "E011": ("import-cycle", "import cycle: {cycle}"),
    "E012": ("duplicate-import", "'{path}' is imported twice"),
    # E1xx: names and types
    "E101": ("unknown-type", "unknown type '{name}'"),
    "E102": ("duplicate-declaration", "duplicate declaration '{name}' (first declared at {first})"),
    "E103": ("ambiguous-name", "ambiguous name '{name}': declared in {packages}"),
    "E104": ("duplicate-field", "duplicate {what} '{name}' in '{owner}'"),
    "E105": ("duplicate-enum-value", "duplicate value '{name}' in enum '{owner}'"),
    "E106": ("empty-enum", "enum '{name}' has no values"),
    "E107": ("union-member-not-message", "union member '{name}' is {kind}, not a message"),
    "E108": ("duplicate-union-member", "'{name}' appears twice in union '{owner}'"),
    "E109": ("infinite-message", "message '{name}' can never be built: it requires itself through {path}"),
    "E110": ("map-key-not-string", "map keys must be string, not '{key}'"),
    "E111": ("not-a-type", "'{name}' is {kind}, which cannot be used as a field type"),
    "E112": ("reserved-name", "{what} '{name}' is reserved: {reason}"),
    "E113": ("name-collision", "{what} '{name}' and '{other}' both become '{generated}' in generated code"),
    "E115": (
        "union-member-declares-tag",
        "message '{name}' is a member of union '{union}', so it cannot declare a field named '{tag}'",
    ),
    "E116": ("union-tag-collision", "union '{owner}' has two members named '{tag}': {first} and {second}"),
    # E2xx: defaults and annotations
    "E201": ("default-type-mismatch", "default {value} does not fit type '{type}'"),
    "E202": ("unknown-enum-member", "'{name}' is not a value of enum '{enum}'"),
    "E203": ("unknown-annotation", "unknown annotation '@{name}'"),
    "E204": ("annotation-not-applicable", "@{name} does not apply to type '{type}'"),
    "E205": ("annotation-arguments", "@{name} takes {expected}"),
    "E206": ("invalid-pattern", "invalid regular expression: {reason}"),
    "E207": ("default-violates-constraint", "default {value} violates @{name}"),
    "E208": ("duplicate-annotation", "@{name} is given twice"),
    "E209": ("invalid-constraint-range", "@{name}: {reason}"),
    "E210": ("deprecated-required", "{what} '{name}' is deprecated but required, so clients cannot stop sending it"),
    "E211": ("duplicate-map-key", "key {key} appears twice in this map"),
    "E212": ("integer-out-of-range", "{value} does not fit in a 64-bit integer"),
    # E3xx: HTTP endpoints and sockets
    "E301": ("path-param-not-a-parameter", "path parameter '{name}' is not a parameter of '{handler}'"),
    "E302": ("optional-path-param", "path parameter '{name}' cannot be optional"),
    "E303": ("multiple-bodies", "'{handler}' has more than one body parameter: {names}"),
    "E304": ("body-not-allowed", "{method} requests cannot have a body ('{name}')"),
    "E305": ("duplicate-route", "route {method} {path} is already declared by '{other}'"),
    "E306": ("invalid-status", "status {status} is not a success status (200-299)"),
    "E307": ("invalid-error-status", "error status {status} is outside 400-599"),
    "E308": ("throws-not-error", "'{name}' is {kind}, not an error"),
    "E309": ("invalid-path", "invalid path '{path}': {reason}"),
    "E310": ("path-param-type", "path parameter '{name}' must be a scalar or enum, not '{type}'"),
    "E311": ("query-param-type", "query parameter '{name}' must be a scalar, enum or list of them, not '{type}'"),
    "E312": ("status-with-no-content", "status 204 cannot return a body"),
    "E313": ("duplicate-clause", "'{clause}' is given twice"),
    "E314": ("head-returns", "HEAD responses have no body; '{handler}' cannot return a type"),
    "E315": ("duplicate-socket-path", "socket path {path} is already used by '{other}'"),
    "E316": ("socket-param-type", "socket parameter '{name}' must be a scalar or enum, not '{type}'"),
    "E317": ("duplicate-throws", "'{handler}' throws '{name}' twice"),
    # E4xx: messaging, schedules, RPC
    "E401": ("unknown-topic", "unknown topic '{name}'"),
    "E402": ("pattern-matches-nothing", "pattern '{pattern}' matches no topic"),
    "E404": ("invalid-retry", "retry must be between 1 and {limit}, not {value}"),
    "E405": ("invalid-backoff", "backoff minimum {low} is greater than maximum {high}"),
    "E406": ("backoff-without-retry", "backoff needs retry: without retries no delay is ever used"),
    "E407": ("invalid-cron", "invalid cron expression '{cron}': {reason}"),
    "E408": ("zero-duration", "{what} must be longer than zero"),
    "E409": ("duplicate-topic", "duplicate topic '{name}' (first declared at {first})"),
    "E410": ("topic-type", "topic payload must be a message or union, not '{type}'"),
    "E412": ("duplicate-emit", "'{handler}' emits '{name}' twice"),
    "E413": ("duration-too-long", "{what} {value} is longer than the limit of {limit}"),
    # E5xx: services
    "E501": ("duplicate-handler", "duplicate handler name '{name}' in service '{service}'"),
    "E502": ("duplicate-service", "duplicate service '{name}'"),
    "E503": ("duplicate-parameter", "duplicate parameter '{name}' in '{handler}'"),
    "E504": (
        "reserved-handler",
        "handler '{name}' would override '{generated}' of the generated service class '{service}'",
    ),
    # E6xx: authentication and header parameters
    "E601": ("unknown-auth-scheme", "unknown auth scheme '{name}'"),
    "E602": ("claims-not-message", "the claims of auth scheme '{name}' must be a message, not {kind}"),
    "E603": (
        "scopes-without-field",
        "auth scheme '{name}' cannot check scopes: its claims message '{claims}' has no field 'scopes: list<string>'",
    ),
    "E604": ("public-and-requires", "'{handler}' is public, so it cannot also require '{scheme}'"),
    "E605": ("header-not-applicable", "@header does not apply to {what} '{name}'"),
    "E606": ("header-param-type", "header parameter '{name}' must be a scalar or enum, not '{type}'"),
    "E607": ("duplicate-header", "header '{header}' is used twice by '{handler}'"),
    "E608": ("invalid-header-name", "invalid header name '{header}': {reason}"),
    "E609": ("duplicate-auth-scheme", "duplicate auth scheme '{name}' (first declared at {first})"),
    "E611": (
        "handler-is-verifier",
        "handler '{name}' would override the verifier '{generated}' of auth scheme '{scheme}' in service '{service}'",
    ),
    "E612": (
        "key-not-grpc-metadata",
        "auth scheme '{scheme}' is required by rpc '{handler}', but its key '{key}' cannot travel as gRPC"
        " metadata: {reason}",
    ),
    # B1xx-B6xx: breaking changes between two versions of a contract (`svcgen breaking`)
    # B1xx: what clients read (responses, errors, socket `sends`, RPC results, topic payloads)
    "B101": ("field-removed", "field '{owner}.{name}' was removed, but clients read it"),
    "B102": ("field-now-optional", "field '{owner}.{name}' is now optional, but clients that read it expect it"),
    "B103": ("field-type-changed", "field '{owner}.{name}' changed type from '{old}' to '{new}'"),
    "B104": (
        "constraint-loosened",
        "'{owner}.{name}' now allows {new} instead of {old}; clients that validate what they read reject new values",
    ),
    "B105": ("enum-value-added", "enum '{owner}' has a new value '{name}' that clients read; exhaustive matches break"),
    "B106": (
        "union-member-added",
        "union '{owner}' has a new member '{name}' that clients read; exhaustive matches break",
    ),
    "B107": ("error-field-removed", "field '{name}' of error '{owner}' was removed, but clients that catch it read it"),
    "B108": (
        "error-status-changed",
        "error '{owner}' now has status {new} instead of {old}; clients recognise it by it",
    ),
    # B2xx: what clients write (request bodies, query, path and RPC parameters, socket `receives`, topic payloads)
    "B201": ("required-field-added", "'{owner}' has a new required field '{name}' that old clients do not send"),
    "B202": ("field-now-required", "field '{owner}.{name}' is now required, but old clients may leave it out"),
    "B203": (
        "constraint-tightened",
        "'{owner}.{name}' now allows {new} instead of {old}; values old clients send may be rejected",
    ),
    "B204": ("enum-value-removed", "enum '{owner}' lost its value '{name}', which old clients may still send"),
    "B205": (
        "default-changed",
        "the default of '{owner}.{name}' changed from {old} to {new}; an old client that leaves it out now means"
        " something else",
    ),
    "B206": ("union-member-removed", "union '{owner}' lost its member '{name}', which old clients may still send"),
    # B3xx: HTTP endpoints and sockets
    "B301": ("endpoint-removed", "endpoint '{name}' ({route}) was removed"),
    "B302": ("endpoint-moved", "endpoint '{name}' moved from {old} to {new}; old clients still call {old}"),
    "B303": ("status-changed", "endpoint '{name}' now answers {new} instead of {old}"),
    "B304": ("required-parameter-added", "'{name}' has a new required {what} '{param}' that old clients do not send"),
    "B305": ("error-removed", "'{name}' no longer declares error '{error}', which clients may catch"),
    "B306": ("parameter-type-changed", "parameter '{param}' of '{name}' changed type from '{old}' to '{new}'"),
    "B307": ("result-type-changed", "'{name}' now {verb} '{new}' instead of '{old}'"),
    "B308": (
        "handler-renamed",
        "endpoint {route} was renamed from '{old}' to '{new}'; regenerated clients call it by the new name",
    ),
    "B309": ("socket-removed", "socket '{name}' ({path}) was removed"),
    # B4xx: RPC
    "B401": ("rpc-removed", "rpc '{name}' was removed or renamed; callers still send to queue '{queue}'"),
    "B402": ("rpc-parameter-added", "rpc '{name}' has a new required parameter '{param}' that old callers do not send"),
    "B403": ("rpc-result-changed", "rpc '{name}' now returns '{new}' instead of '{old}'"),
    "B404": (
        "rpc-timeout-shorter",
        "rpc '{name}' times out after {new} instead of {old}; calls that used to finish may now fail",
    ),
    "B405": (
        "grpc-number-changed",
        "{what} '{owner}.{name}' moves from number {old} to {new} in the .proto; gRPC peers compiled from the old"
        " one read it as another {what}",
    ),
    "B406": (
        "grpc-number-reused",
        "{what} '{owner}.{name}' takes number {number} in the .proto, which was '{was}'; gRPC peers compiled from"
        " the old one send and read '{was}' there",
    ),
    # B5xx: topics, consumers, exchanges and queues
    "B501": ("topic-removed", "topic '{name}' was removed or renamed; its consumers stop receiving messages"),
    "B502": ("topic-payload-changed", "topic '{name}' now carries '{new}' instead of '{old}'"),
    "B503": (
        "package-renamed",
        "package '{old}' was renamed to '{new}'; its exchange and queues change names, so publishers and consumers"
        " no longer meet",
    ),
    "B504": (
        "consumer-removed",
        "consumer '{name}' was {how}; messages waiting in its queue '{queue}' are stranded",
    ),
    "B505": (
        "service-renamed",
        "service '{old}' was renamed to '{new}'; its queues change names and messages waiting in them are stranded",
    ),
    # B6xx: who may call (requirements, auth schemes, header parameters)
    "B601": (
        "auth-required",
        "{what} '{name}' now requires '{scheme}'; old clients send no credential and are refused ({refusal})",
    ),
    "B602": (
        "auth-scheme-changed",
        "{what} '{name}' now requires '{new}' instead of '{old}'; old clients send the credential of '{old}'",
    ),
    "B603": (
        "scope-added",
        "{what} '{name}' now requires the scope '{scope}'; old clients whose credential lacks it are refused"
        " ({refusal})",
    ),
    "B604": (
        "credential-moved",
        "auth scheme '{name}' now takes its credential {new} instead of {old}; old clients send it where the server"
        " no longer looks",
    ),
    "B605": (
        "header-parameter-moved",
        "parameter '{param}' of '{name}' is now read from {new} instead of {old}; old clients send it where the"
        " server no longer looks",
    ),
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    span: Span
    args: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    help: str | None = None
    severity: str = "error"

    @property
    def slug(self) -> str:
        return CODES[self.code][0]

    @property
    def message(self) -> str:
        return CODES[self.code][1].format(**self.args)


def error(code: str, span: Span, help: str | None = None, **args: object) -> Diagnostic:
    return Diagnostic(code, span, args, help)


def ordered(diagnostics: Iterable[Diagnostic], files: Iterable[str] = ()) -> list[Diagnostic]:
    """Source order, without exact repeats (two rules may notice the same fault).

    Files come in the order of `files` (the order they were read), any others after them by name.
    """
    rank = {path: i for i, path in enumerate(files)}
    seen: set[tuple[str, Span, str]] = set()
    out: list[Diagnostic] = []

    def place(d: Diagnostic) -> tuple[int, str, int, int, str]:
        s = d.span
        return rank.get(s.file, len(rank)), s.file, s.line, s.col, d.code

    for d in sorted(diagnostics, key=place):
        key = (d.code, d.span, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def render_text(d: Diagnostic, sources: Sources) -> str:
    """rustc-style: location and message, the source line, a caret run under the span, help."""
    s = d.span
    lines = [f"{s.file}:{s.line}:{s.col}: {d.severity}[{d.code}]: {d.message}"]
    source = sources.get(s.file)
    text = source.line(s.line) if source else ""
    if text:
        if len(text) > 200:  # a minified or binary line: show only the part around the caret
            start = max(0, s.col - 80)
            shown = text[start : start + 160].expandtabs(1)
            col = s.col - start
        else:
            shown = text.expandtabs(1)
            col = s.col
        width = (s.end_col - s.col) if s.end_line == s.line else len(shown) - col + 1
        width = max(1, min(width, len(shown) - col + 1))
        gutter = " " * len(str(s.line))
        lines.append(f"{s.line} | {shown}")
        lines.append(f"{gutter} | {' ' * (col - 1)}{'^' * width}")
    if d.help:
        lines.append(f"help: {d.help}")
    return "\n".join(lines)


def json_fields(d: Diagnostic) -> dict[str, object]:
    """One diagnostic as `--format json` prints it (also the start of a `svcgen breaking` finding)."""
    return {
        "file": d.span.file,
        "line": d.span.line,
        "column": d.span.col,
        "end_line": d.span.end_line,
        "end_column": d.span.end_col,
        "severity": d.severity,
        "code": d.code,
        "name": d.slug,
        "message": d.message,
        "help": d.help,
    }


def render_json(diagnostics: list[Diagnostic]) -> str:
    return json.dumps([json_fields(d) for d in diagnostics], indent=2)


def typo_distance(name: str) -> int:
    """How many edits still read as a typo of `name`: one per four characters, at least one.

    A third of the length (the old rule) let 'Item' suggest 'time', two edits away: short
    names are close to many unrelated words, so they get one edit only.
    """
    return max(1, len(name) // 4)


def closest(name: str, candidates: Iterable[str], limit: int = 3) -> str | None:
    """The candidate nearest to `name` by edit distance, if it is near enough to be a typo."""
    allowed = min(limit, typo_distance(name))
    best: tuple[int, str] | None = None
    for c in candidates:
        if c == name:
            continue
        dist = _distance(name.lower(), c.lower(), allowed)
        if dist <= allowed and (best is None or (dist, c) < best):
            best = (dist, c)
    return best[1] if best else None


def did_you_mean(name: str, candidates: Iterable[str], fallback: Iterable[str] = ()) -> str | None:
    """'did you mean ...?' for the nearest candidate; `fallback` (builtins, say) only when no
    candidate is near, so a declared name wins over a builtin one."""
    match = closest(name, candidates) or closest(name, fallback)
    return f"did you mean '{match}'?" if match else None


def _distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, giving up above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]
