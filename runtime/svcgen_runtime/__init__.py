"""What generated services import at run time. Imports nothing from the generator.

`spec` (member tables), `service` (the base class and its runtime), `bus` (in-process
topic bus), `sockets` (rooms, typed connections, hub), `http` (FastAPI glue).
"""
