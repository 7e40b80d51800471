"""The delivery adapter (svcgen_runtime.delivery) on the embedded bus: a body that does not decode is
dead-lettered at once with a reason naming the topic and the first field at fault, a delivery of
a topic its consumer does not take is undeliverable, and `exchanges` (what `svcgen declare` creates)
names every package a service consumes from or emits to.
"""

from __future__ import annotations

import asyncio
import importlib
import secrets
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from svcgen.build import generate
from svcgen.frontend import compile_file
from svcgen_runtime.delivery import exchanges, subscriptions
from svcgen_runtime.embedded import EmbeddedBus
from svcgen_runtime.http import start_consumers
from svcgen_runtime.service import Runtime, ServiceBase
from svcgen_runtime.transport import Incoming, Outgoing, Undeliverable

if TYPE_CHECKING:  # a plain `from conftest import` picks whichever conftest.py is first on sys.path
    from tests.runtime.conftest import Generated


def concrete(cls: type[ServiceBase]) -> ServiceBase:
    """An instance of a generated service class whose handlers do nothing."""

    async def nothing(self: Any, *args: Any, **kwargs: Any) -> None:
        return None

    abstract: frozenset[str] = getattr(cls, "__abstractmethods__", frozenset())
    instance: ServiceBase = type(f"Idle{cls.__name__}", (cls,), {name: nothing for name in abstract})()
    return instance


def tasks_service(generated: dict[str, Generated]) -> tuple[Any, ServiceBase]:
    module = generated["billing"].module("acme.tasks", "service")
    return module, concrete(module.Tasks)


def test_a_body_that_does_not_decode_is_dead_lettered_at_once_naming_the_topic_and_the_first_field(
    generated: dict[str, Generated],
) -> None:
    module, tasks = tasks_service(generated)
    package = module.TASK_CREATED.package
    queue = f"{package}.Tasks.index_task"  # retry 5: a failed decode must not be retried
    bodies = {
        "nested": b'{"task": {"id": "%s"}}' % str(uuid.uuid4()).encode(),  # no task.title
        "flat": b"{}",  # no task
        "garbage": b"\xff\x00 not json",
    }

    async def scenario() -> dict[str | None, Any]:
        bus = EmbeddedBus(sleep=lambda s: asyncio.sleep(0))
        tasks.attach(Runtime(transport=bus))
        await start_consumers(tasks.runtime, [tasks])
        await bus.publish([Outgoing(package, "task.created", body, name) for name, body in bodies.items()])
        await bus.drain()
        letters = {d.message_id: d for d in await bus.dead_letters(queue)}
        await bus.stop(1)
        return letters

    letters = asyncio.run(asyncio.wait_for(scenario(), 20))
    assert {name: d.attempts for name, d in letters.items()} == {"nested": 1, "flat": 1, "garbage": 1}
    assert letters["nested"].error == "Undeliverable: body is not a valid task.created: task.title: Field required"
    assert letters["flat"].error == "Undeliverable: body is not a valid task.created: task: Field required"
    # pydantic's own words follow (they may change between its versions); no field is at fault here
    assert letters["garbage"].error.startswith("Undeliverable: body is not a valid task.created: Invalid JSON")


def test_a_delivery_of_a_topic_the_consumer_does_not_take_is_undeliverable(generated: dict[str, Generated]) -> None:
    """As a message put straight into the queue on RabbitMQ (default exchange, another routing key) arrives."""
    module, tasks = tasks_service(generated)
    package = module.TASK_CREATED.package
    [index] = [s for s in subscriptions(tasks) if s.spec.handler == "index_task"]
    incoming = Incoming(
        index.spec.queue, package, "task.deleted", b'{"id": "%s"}' % str(uuid.uuid4()).encode(), "m1", {}
    )
    with pytest.raises(Undeliverable) as info:
        asyncio.run(asyncio.wait_for(index.handle(incoming), 10))
    assert str(info.value) == f"{index.spec.queue} takes no topic 'task.deleted' on exchange '{package}'"


EVENTS = "package shop.events;\n\nmessage Sold {\n  id: uuid;\n}\n\ntopic item.sold: Sold;\n"
API = (
    'package shop.api;\n\nimport "events.idl";\n\nmessage Item {\n  id: uuid;\n}\n\nservice Api {\n'
    "  POST /items/{id}/sell sell(id: uuid) -> Item emits item.sold;\n}\n"
)


def test_exchanges_are_each_services_package_then_the_packages_of_what_it_consumes_and_emits(
    generated: dict[str, Generated], tmp_path: Path
) -> None:
    billing_module = generated["billing"].module("acme.billing.v1", "service")
    tasks_module, tasks = tasks_service(generated)
    billing = concrete(billing_module.Billing)
    billing_package, tasks_package = billing_module.Billing.spec.package, tasks_module.Tasks.spec.package
    # Billing emits invoice.paid (its own) and consumes task.created (acme.tasks)
    assert exchanges([billing]) == [billing_package, tasks_package]
    assert exchanges([tasks, billing]) == [tasks_package, billing_package]

    # a service that only emits another package's topic: that exchange must exist for its publishes
    (tmp_path / "idl").mkdir()
    (tmp_path / "idl/events.idl").write_text(EVENTS, encoding="utf-8")
    (tmp_path / "idl/api.idl").write_text(API, encoding="utf-8")
    result = compile_file(tmp_path / "idl/api.idl")
    assert result.model is not None, [d.message for d in result.diagnostics]
    root = f"emits{secrets.token_hex(3)}"
    for rel, text in generate(result.model, tmp_path / "idl/api.idl", ["python-models", "python-server"]).items():
        (tmp_path / root / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / root / rel).write_text(text, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        api = concrete(importlib.import_module(f"{root}.shop_api.service").Api)
    finally:
        sys.path.remove(str(tmp_path))
    assert exchanges([api]) == ["shop.api", "shop.events"]
