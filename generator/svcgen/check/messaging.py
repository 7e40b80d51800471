"""Rules on topics, consumers, schedules and RPCs."""

from __future__ import annotations

from collections.abc import Iterator

from svcgen import model as m
from svcgen.diagnostics import Diagnostic, did_you_mean, error
from svcgen.source import Span

CRON_FIELDS_5 = ("minute", "hour", "day-of-month", "month", "day-of-week")
CRON_FIELDS_6 = ("second", *CRON_FIELDS_5)
MAX_RETRY = 1000  # more attempts than this is a loop, not a retry policy
# Intervals, timeouts and backoff delays above a year are typos; they would also overflow
# the timers of some brokers (RabbitMQ's per-message TTL is a 32-bit count of milliseconds).
MAX_DELAY_MS = 365 * 86_400_000


def _members(model: m.Model) -> Iterator[m.Member]:
    for f in model.files:
        for s in f.services:
            yield from s.members


def consumers(model: m.Model) -> Iterator[Diagnostic]:
    """E402 patterns match a topic, E404-E406 retry and backoff."""
    for x in _members(model):
        if not isinstance(x, m.Consumer):
            continue
        if not x.topics:
            names = [t.name for t in model.all_topics]
            yield error(
                "E402",
                x.pattern_span,
                pattern=x.pattern,
                help=did_you_mean(x.pattern, names) or "declare the topic, or import the file that does",
            )
        if x.retry is not None and not 1 <= x.retry <= MAX_RETRY and x.retry_span is not None:
            hint = "leave 'retry' out for a single attempt" if x.retry < 1 else None
            yield error("E404", x.retry_span, help=hint, value=x.retry, limit=MAX_RETRY)
        if x.backoff_span is not None and x.backoff_min_ms is not None and x.backoff_max_ms is not None:
            yield from _too_long("the backoff maximum", x.backoff_max_ms, x.backoff_span)
            if x.backoff_min_ms > x.backoff_max_ms:
                yield error("E405", x.backoff_span, low=_ms(x.backoff_min_ms), high=_ms(x.backoff_max_ms))
            if x.backoff_min_ms == 0:
                yield error("E408", x.backoff_span, what="the backoff minimum")
            if x.retry is None:
                yield error("E406", x.backoff_span, help="add 'retry N' before 'backoff'")


def _ms(value: int) -> str:
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if value % size == 0:
            return f"{value // size}{unit}"
    return f"{value}ms"


def cron_problem(cron: str) -> str | None:
    """Why a cron expression is not 5 fields or 6 (seconds first), checked with croniter."""
    from croniter import croniter

    fields = cron.split()
    if len(fields) not in (5, 6):
        return (
            f"expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), found {len(fields)}"
        )
    names = CRON_FIELDS_6 if len(fields) == 6 else CRON_FIELDS_5
    for i, value in enumerate(fields):
        alone = ["*"] * len(fields)
        alone[i] = value
        if not croniter.is_valid(" ".join(alone), second_at_beginning=len(fields) == 6):
            return f"{names[i]} field '{value}' is not valid"
    if not croniter.is_valid(cron, second_at_beginning=len(fields) == 6):
        return "croniter rejects the combination of fields"
    return None


def schedules(model: m.Model) -> Iterator[Diagnostic]:
    """E407 valid cron, E408 positive intervals."""
    for x in _members(model):
        if isinstance(x, m.Schedule):
            if x.cron is not None:
                problem = cron_problem(x.cron)
                if problem:
                    yield error("E407", x.when_span, cron=x.cron, reason=problem)
            elif x.interval_ms == 0:
                yield error("E408", x.when_span, what="the interval")
            elif x.interval_ms is not None:
                yield from _too_long("the interval", x.interval_ms, x.when_span)
        elif isinstance(x, m.Rpc) and x.timeout_ms is not None and x.timeout_span is not None:
            if x.timeout_ms == 0:
                yield error("E408", x.timeout_span, what="the timeout")
            yield from _too_long("the timeout", x.timeout_ms, x.timeout_span)


def _too_long(what: str, ms: int, span: Span) -> Iterator[Diagnostic]:
    """E413: a delay longer than a year."""
    if ms > MAX_DELAY_MS:
        yield error("E413", span, what=what, value=_ms(ms), limit="365d")


def emits(model: m.Model) -> Iterator[Diagnostic]:
    """E412: an endpoint names each topic it emits once."""
    for x in _members(model):
        if isinstance(x, m.Endpoint):
            seen: set[str] = set()
            for t in x.emits:
                if t.name in seen:
                    yield error("E412", t.span, handler=x.handler, name=t.name, help="remove the repeat")
                seen.add(t.name)


def topic_types(model: m.Model) -> Iterator[Diagnostic]:
    """E410: a topic carries one message or union, so every message has a shape."""
    for f in model.files:
        for t in f.topics:
            ref = t.type
            if ref.kind == "named" and ref.target is None:
                continue
            if ref.optional or ref.decl_kind not in (m.DeclKind.MESSAGE, m.DeclKind.UNION):
                yield error("E410", ref.span, type=str(ref))


RULES = (consumers, schedules, topic_types, emits)
