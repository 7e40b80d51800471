"""Settings of a running service, from environment variables with documented names.

Unset means the embedded default: no `SVCGEN_AMQP_URL`, the in-process bus. Kept free of
heavy imports: `--help` and the error path read it before anything else loads.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

N = TypeVar("N", int, float)

#: (variable, what it sets, default) for `--help` and the README.
VARIABLES: tuple[tuple[str, str, str], ...] = (
    ("SVCGEN_AMQP_URL", "RabbitMQ URL (amqp:// or amqps://); unset: the embedded in-process bus", "unset"),
    ("SVCGEN_PREFETCH", "unacknowledged messages a worker holds per consumer (AMQP)", "128"),
    ("SVCGEN_CONCURRENCY", "messages one consumer handles at the same time", "32"),
    ("SVCGEN_SHUTDOWN_GRACE", "seconds in-flight work gets to finish after SIGTERM/SIGINT", "30"),
    ("SVCGEN_HOST", "address the http, grpc and all roles listen on", "127.0.0.1"),
    ("SVCGEN_PORT", "port the http and all roles serve HTTP on", "8000"),
    ("SVCGEN_GRPC_PORT", "port the grpc and all roles serve gRPC on (at SVCGEN_HOST)", "50051"),
)


class SettingsError(ValueError):
    """A setting has a value that cannot work; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    amqp_url: str | None = None
    prefetch: int = 128
    concurrency: int = 32
    shutdown_grace_s: float = 30.0
    host: str = "127.0.0.1"
    port: int = 8000
    grpc_port: int = 50051

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the `SVCGEN_*` variables of `env` (default: the process environment); raises SettingsError."""
        env = os.environ if env is None else env
        url = env.get("SVCGEN_AMQP_URL") or None
        if url is not None and not url.startswith(("amqp://", "amqps://")):
            raise SettingsError(f"SVCGEN_AMQP_URL must start with amqp:// or amqps://, got {url!r}")
        if url is not None:
            try:
                urlsplit(url).port  # noqa: B018 - parsing it is the check
            except ValueError:
                raise SettingsError("SVCGEN_AMQP_URL has a port that is not a number from 0 to 65535") from None
        return cls(
            amqp_url=url,
            prefetch=_number(env, "SVCGEN_PREFETCH", int, 128, 1, 65535),
            concurrency=_number(env, "SVCGEN_CONCURRENCY", int, 32, 1, 10_000),
            shutdown_grace_s=_number(env, "SVCGEN_SHUTDOWN_GRACE", float, 30.0, 0.0, 86_400.0),
            host=env.get("SVCGEN_HOST") or "127.0.0.1",
            port=_number(env, "SVCGEN_PORT", int, 8000, 0, 65535),
            grpc_port=_number(env, "SVCGEN_GRPC_PORT", int, 50051, 0, 65535),
        )


def _number(env: Mapping[str, str], name: str, kind: Callable[[str], N], default: N, low: N, high: N) -> N:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {raw!r}")
    return value


def describe() -> str:
    """The settings as lines for `--help`."""
    width = max(len(name) for name, _, _ in VARIABLES)
    return "\n".join(f"  {name:<{width}}  {what} (default: {default})" for name, what, default in VARIABLES)
