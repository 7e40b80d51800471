"""Fixtures of the RabbitMQ tests: a broker at SVCGEN_TEST_AMQP_URL (default 127.0.0.1:5672, guest/guest),
skipped with a visible reason when it does not answer, and a failure then under CI=true.

Every test gets names of its own (package `svcgentest.<random>`), and deletes what it declared."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from amqp_support import Names, delete_topology

URL = os.environ.get("SVCGEN_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


def _answers(url: str) -> str | None:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5672), timeout=2):
            return None
    except OSError as exc:
        return f"no RabbitMQ at {parts.hostname}:{parts.port or 5672} ({exc})"


@pytest.fixture(scope="session")
def amqp_url() -> str:
    reason = _answers(URL)
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true needs the broker")
        pytest.skip(reason)
    return URL


@pytest.fixture
def names(amqp_url: str) -> Iterator[Names]:
    names = Names.fresh()
    yield names
    delete_topology(amqp_url, names)
