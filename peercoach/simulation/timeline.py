"""The virtual clock of a simulated year: every event in time order, one at a time.

Events at the same moment happen in the order they were put on the timeline, each
at its moment in UTC (as `now` reaches every process, whatever zone a time came in). A
process has at most one wake-up pending: a new one replaces it, as a workflow's
next wait replaces the timer of the one before.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from datetime import UTC, datetime

from domain.processes.effects import Recipient

Event = Callable[[datetime], None]


class Timeline:
    def __init__(self) -> None:
        self._events: list[tuple[datetime, int, Recipient | None, Event]] = []
        self._order = itertools.count()
        self._wake_ups: dict[Recipient, int] = {}  # each process's pending wake-up, by its place in the order

    def at(self, when: datetime, event: Event) -> None:
        heapq.heappush(self._events, (when.astimezone(UTC), next(self._order), None, event))

    def wake(self, process: Recipient, when: datetime | None, event: Event) -> None:
        """Wake `process` at `when` instead of at any earlier pending wake-up; None: only events wake it."""
        if when is None:
            self._wake_ups.pop(process, None)
            return
        place = next(self._order)
        self._wake_ups[process] = place
        heapq.heappush(self._events, (when.astimezone(UTC), place, process, event))

    def run_until(self, end: datetime) -> None:
        """Happen every event up to and including `end`, and every event they put on the timeline by then."""
        events, wake_ups = self._events, self._wake_ups
        while events and events[0][0] <= end:
            when, place, process, event = heapq.heappop(events)
            if process is not None:
                if wake_ups.get(process) != place:
                    continue  # replaced by a later wake-up, or no longer wanted
                del wake_ups[process]
            event(when)
