"""The RabbitMQ of the broker tests (tests/messaging, tests/runtime): SVCGEN_TEST_AMQP_URL, default
127.0.0.1:5672 with guest/guest, and whether it answers. Importable as `amqp_broker` from every test
folder (tests/ is on sys.path through tests/conftest.py)."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

URL = os.environ.get("SVCGEN_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


def unreachable(url: str = URL) -> str | None:
    """Why the broker at `url` cannot be used (its port does not answer), or None when it answers."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5672), timeout=2):
            return None
    except OSError as exc:
        return f"no RabbitMQ at {parts.hostname}:{parts.port or 5672} ({exc})"


def broker_url(url: str = URL) -> str:
    """`url` when its broker answers; else the test is skipped with the reason (failed under CI=true)."""
    reason = unreachable(url)
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true needs the broker")
        pytest.skip(reason)
    return url
