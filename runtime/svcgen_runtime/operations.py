"""What the command line does: run a role, declare the topology, inspect and requeue dead letters."""

from __future__ import annotations

import asyncio
import json
import logging
import sys

from svcgen_runtime.runner import load_services, make_transport, serve
from svcgen_runtime.settings import Settings

log = logging.getLogger("svcgen_runtime")


class UsageError(ValueError):
    """A command that cannot make sense with these settings."""


def run_role(role: str, target: str) -> int:
    settings = Settings.from_env()  # settings first: a bad value is reported before importing the app
    services = load_services(target)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(serve(role, services, settings))


def _broker_settings(what: str) -> Settings:
    settings = Settings.from_env()
    if settings.amqp_url is None:
        raise UsageError(
            f"{what} needs SVCGEN_AMQP_URL: without it each process has its own embedded in-memory bus, "
            "which no other process can reach"
        )
    return settings


async def declare(target: str) -> int:
    """Create every exchange, consumer queue, binding, retry and dead-letter queue of TARGET."""
    from svcgen_runtime.delivery import exchanges, subscriptions

    settings = _broker_settings("declare")
    services = load_services(target)
    transport = make_transport(settings)
    subs = [sub for service in services for sub in subscriptions(service)]
    try:
        await transport.start()
        await transport.declare(subs, exchanges(services))
    except Exception as exc:
        print(f"svcgen: error: declare failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        await transport.stop(0)
    names = ", ".join(sub.spec.queue for sub in subs) or "no consumer queues"
    print(f"declared {names}")
    return 0


async def dead_letters(action: str, queue: str, limit: int | None) -> int:
    """`list` (one JSON object per line, oldest first), `count`, `requeue` or `purge` the dead letters of QUEUE."""
    transport = make_transport(_broker_settings("dlq"))
    try:
        await transport.start()
        if action == "requeue":
            print(f"requeued {await transport.requeue_dead_letters(queue)}")
        elif action == "purge":
            print(f"purged {await transport.purge_dead_letters(queue)}")
        else:
            letters = await transport.dead_letters(queue, limit if action == "list" else None)
            if action == "count":
                print(len(letters))
            for d in letters if action == "list" else ():
                body = d.body.decode("utf-8", "replace")
                line = {"message_id": d.message_id, "exchange": d.exchange, "routing_key": d.routing_key}
                print(json.dumps(line | {"attempts": d.attempts, "error": d.error, "body": body}))
    except Exception as exc:
        print(f"svcgen: error: dlq {action} {queue}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        await transport.stop(0)
    return 0
