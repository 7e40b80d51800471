"""The Calc service of tests/grpc/calc.idl, served over gRPC by the tests."""

from __future__ import annotations

import asyncio
import math
import os
import uuid

from calc_api.grpc_calc.models import (
    Broken,
    BrokenBody,
    Circle,
    Measure,
    Missing,
    MissingBody,
    Shape,
    TooMany,
    TooManyBody,
    Unit,
)
from calc_api.grpc_calc.service import Calc

SCALE = {Unit.MM: 10.0, Unit.CM: 1.0, Unit.M: 0.01}


class LiveCalc(Calc):
    async def area(self, shape: Shape, unit: Unit) -> float:
        base = math.pi * shape.radius**2 if isinstance(shape, Circle) else shape.side**2
        return base * SCALE[unit] ** 2

    async def echo(self, measure: Measure, tag: str) -> Measure:
        return measure.model_copy(update={"tags": [*measure.tags, tag]})

    async def fail(self, kind: str, id: uuid.UUID) -> Measure | None:
        if kind == "missing":
            raise Missing(MissingBody(id=id))
        if kind == "too_many":
            raise TooMany(TooManyBody(retry_after_s=7))
        if kind == "broken":
            raise Broken(BrokenBody(reason="on purpose"))
        if kind == "bug":
            raise RuntimeError("an undeclared failure")
        return None

    async def sleep(self, seconds: float) -> int:
        await asyncio.sleep(seconds)
        return os.getpid()

    async def ping(self) -> None:
        return None

    async def add(self, a: int, b: int) -> int:
        await asyncio.sleep(0.01)
        return a + b

    async def sizes(self, names: list[str]) -> dict[str, int]:
        return {n: len(n) for n in names}


calc = LiveCalc()
