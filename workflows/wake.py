"""A process's clock inside a workflow: wait for the next event or the process's next wake-up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.processes.effects import SOONEST, Effects


class Clock:
    """Remembers what the latest effects said: when to wake the process next, and whether it is done."""

    def __init__(self) -> None:
        self.wake_at: datetime | None = None
        self.done = False
        self._events = 0  # bumped by every event, so a wait for the next wake-up starts again

    def took(self, effects: Effects[Any]) -> None:
        self._events += 1
        self.wake_at, self.done = effects.wake_at, effects.done

    async def next(self, or_else: Callable[[], bool] = lambda: False) -> bool:
        """Wait until an event comes in, `or_else()` holds, or the wake-up is due; True if the wake-up came first."""
        seen = self._events
        timeout = None if self.wake_at is None else max(self.wake_at - workflow.now(), SOONEST)
        try:
            await workflow.wait_condition(lambda: self._events != seen or or_else(), timeout=timeout)
        except TimeoutError:
            return True
        return False
