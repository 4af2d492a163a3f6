"""Percentiles, and running many calls a bounded number at a time."""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Awaitable, Iterable
from typing import TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Latencies(BaseModel):
    """Milliseconds."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float

    @staticmethod
    def of(seconds: list[float]) -> Latencies:
        ms = sorted(s * 1000 for s in seconds)
        if len(ms) < 2:
            only = ms[0] if ms else 0.0
            return Latencies(count=len(ms), p50=only, p95=only, p99=only, max=only)
        cuts = statistics.quantiles(ms, n=100, method="inclusive")
        return Latencies(count=len(ms), p50=cuts[49], p95=cuts[94], p99=cuts[98], max=ms[-1])


async def bounded(limit: int, calls: Iterable[Awaitable[T]]) -> list[T]:
    """Await every call, at most `limit` at a time (as that many people acting at once would)."""
    gate = asyncio.Semaphore(limit)

    async def one(call: Awaitable[T]) -> T:
        async with gate:
            return await call

    return await asyncio.gather(*(one(c) for c in calls))
