"""Fixtures of the messaging runtime suite: generated code under a run-unique package prefix, and
the transports the behavioural tests run against (the embedded bus always; RabbitMQ when
`svcgen_runtime.amqp` loads and a broker answers, else skipped with the reason, failed under CI=true).

The prefix (`rt<random>.`) goes in front of every IDL package, so exchanges and queues of parallel
runs on one broker never meet; what a run declared on the broker is deleted at its end.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import os
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from amqp_broker import URL, unreachable
from svcgen.build import generate
from svcgen.frontend import compile_file
from svcgen_runtime.embedded import EmbeddedBus
from svcgen_runtime.transport import Transport

ROOT = Path(__file__).resolve().parents[2]
AMQP_URL = URL
PREFIX = f"rt{secrets.token_hex(3)}"


def _build(tmp: Path, name: str, idls: list[Path], main: str) -> Path:
    """Copy the IDLs with every package prefixed, generate Python into tmp/<name>; returns that folder."""
    src = tmp / f"{name}_idl"
    src.mkdir()
    for idl in idls:
        text = idl.read_text(encoding="utf-8").replace("\npackage ", f"\npackage {PREFIX}.")
        if text.startswith("package "):
            text = f"package {PREFIX}." + text[len("package ") :]
        (src / idl.name).write_text(text, encoding="utf-8")
    result = compile_file(src / main)
    assert result.model is not None, [d.message for d in result.diagnostics]
    for rel, text in generate(result.model, src / main, ["python-models", "python-server"]).items():
        target = tmp / name / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return tmp / name


class Generated:
    """Modules of one build, by IDL package without the prefix: `gen.service("acme.tasks")`."""

    def __init__(self, root: str, folder: Path) -> None:
        self.root = root
        self.folder = folder

    def module(self, package: str, kind: str) -> ModuleType:
        folder = f"{PREFIX}.{package}".replace(".", "_")
        return importlib.import_module(f"{self.root}.{folder}.{kind}")


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    tmp = tmp_path_factory.mktemp("runtime_gen")
    billing = ROOT / "examples/billing"
    builds = {
        "billing": _build(tmp, f"{PREFIX}_billing", sorted(billing.glob("*.idl")), "billing.idl"),
        "probe": _build(tmp, f"{PREFIX}_probe", [Path(__file__).parent / "probe.idl"], "probe.idl"),
    }
    sys.path.insert(0, str(tmp))
    return {key: Generated(folder.name, folder) for key, folder in builds.items()}


def _broker_reason() -> str | None:
    if importlib.util.find_spec("aio_pika") is None:
        return "aio-pika is not installed"
    try:
        amqp = importlib.import_module("svcgen_runtime.amqp")
        amqp.AmqpTransport  # noqa: B018
    except (ImportError, AttributeError) as exc:
        return f"svcgen_runtime.amqp.AmqpTransport is not available ({exc})"
    return unreachable(AMQP_URL)


@pytest.fixture(params=["embedded", "amqp"])
def make_transport(request: pytest.FixtureRequest) -> Callable[[], Transport]:
    """A factory of fresh transports of one kind (a test may need two, e.g. publisher and worker)."""
    if request.param == "embedded":
        return lambda: EmbeddedBus(concurrency=4)
    reason = _broker_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true needs the RabbitMQ tests to run")
        pytest.skip(reason)
    from svcgen_runtime.amqp import AmqpTransport

    request.getfixturevalue("amqp_topology")
    return lambda: AmqpTransport(AMQP_URL, prefetch=16, concurrency=4)


@pytest.fixture(scope="session")
def amqp_topology(generated: dict[str, Generated]) -> Iterator[None]:
    """Delete every queue and exchange of this run's prefix from the broker at the end of the session."""
    yield
    asyncio.run(_delete_prefixed(generated))


async def _delete_prefixed(generated: dict[str, Generated]) -> None:
    import aio_pika
    from svcgen_runtime.amqp.topology import retry_delays_ms, retry_queue
    from svcgen_runtime.spec import ServiceSpec
    from svcgen_runtime.transport import dead_letter_queue

    specs: list[ServiceSpec] = []
    for gen in generated.values():
        for path in gen.folder.glob("*/service.py"):
            module = importlib.import_module(f"{gen.root}.{path.parent.name}.service")
            specs += [v.spec for v in vars(module).values() if isinstance(getattr(v, "spec", None), ServiceSpec)]
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        for spec in specs:
            for consumer in spec.consumers:
                names = [consumer.queue, dead_letter_queue(consumer.queue)]
                names += [retry_queue(consumer.queue, ms) for ms in retry_delays_ms(consumer)]
                for name in names:
                    await channel.queue_delete(name)
            await channel.exchange_delete(spec.package)
