"""Fixtures of the RabbitMQ tests: a broker at SVCGEN_TEST_AMQP_URL (default 127.0.0.1:5672, guest/guest),
skipped with a visible reason when it does not answer, and a failure then under CI=true.

Every test gets names of its own (package `svcgentest.<random>`), and deletes what it declared."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from amqp_broker import broker_url
from amqp_support import Names, delete_topology


@pytest.fixture(scope="session")
def amqp_url() -> str:
    return broker_url()


@pytest.fixture
def names(amqp_url: str) -> Iterator[Names]:
    names = Names.fresh()
    yield names
    delete_topology(amqp_url, names)
