"""The Types example service: echo handlers, and `area` of a Circle or a Square.

Imported from a build of examples/types/types.idl named `types_api` (the test writes it beside
this file); served with `uvicorn types_app:app`.
"""

from __future__ import annotations

import datetime
import math

from types_api.acme_types.http import create_app
from types_api.acme_types.models import Circle, Color, Containers, Drawing, Scalars, Shape
from types_api.acme_types.service import Types


class EchoTypes(Types):
    """Answers every body with itself, so the wire format is seen both ways."""

    async def echo_scalars(self, value: Scalars) -> Scalars:
        return value

    async def echo_containers(self, value: Containers) -> Containers:
        return value

    async def echo_drawing(self, value: Drawing) -> Drawing:
        return value

    async def echo_query(
        self, flag: bool, count: int, ratio: float, day: datetime.date, color: Color, tags: list[str]
    ) -> str:
        # repr() shows the parsed Python types, not only the text that came in
        return repr((flag, count, ratio, day, color, tags))

    async def area(self, shape: Shape) -> float:
        if isinstance(shape, Circle):
            return math.pi * shape.radius**2
        return shape.side**2


app = create_app(EchoTypes())
