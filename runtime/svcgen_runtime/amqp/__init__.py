"""The RabbitMQ transport (needs the `amqp` extra: aio-pika).

Modules: `connection` (one supervised connection), `topology` (the public names and their
declarations), `publisher` (confirmed publishing, delays), `consumer` (one queue: attach, workers,
retry and dead letters), `envelope` (deliveries to `Incoming`, copies), `dead_letters` (the operations
commands), `transport` (`AmqpTransport`, which puts them together).
"""

from svcgen_runtime.amqp.connection import BrokerUnavailable
from svcgen_runtime.amqp.transport import AmqpTransport

__all__ = ["AmqpTransport", "BrokerUnavailable"]
