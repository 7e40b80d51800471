"""What generated services import at run time. Imports nothing from the generator.

`spec` (member tables), `service` (the base class and its runtime), `context` (the unit of
work, interceptors, `use_context()`, `use_publisher()`), `transport` (the broker contract),
`embedded` (the in-process bus), `amqp` (RabbitMQ), `delivery` (consumers as subscriptions),
`sockets` (rooms, typed connections, hub), `http` (FastAPI glue), `settings`, `runner` and
`operations` (`python -m svcgen_runtime`: run a role, declare, dead letters).
"""
