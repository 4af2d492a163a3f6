"""Simulated people, acting at their planned moments through the client every door uses.

The time-skipping server's clock stands still while this client holds it. The
people let it run to their next planned moment (`Clock.skip_to` in year.py: the server skips
through every timer of the engine on the way, each only once the engine is idle,
and stops there); then everyone due at that moment acts at once, each person's
steps in their planned order, through the Updates a door would send. Nothing of
the simulation itself runs in Temporal: the server and the worker only do the
engine's own work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta

from pydantic import BaseModel

from domain.problems import Refused
from domain.training import Attendance
from peercoach.client import CoachingClient
from peercoach.simulation.behaviour import Plan, Step, StepKind

AT_ONCE = 32  # Updates in flight at a time: the worker, not this client, is the bottleneck


class Outcome(BaseModel):
    """What happened when the plan met the engine's rules."""

    attendance_recorded: int = 0
    attendance_refused: int = 0
    moves: int = 0
    moves_refused: int = 0
    release_asked: int = 0
    release_refused: int = 0
    decisions: int = 0
    decisions_refused: int = 0

    def __add__(self, other: Outcome) -> Outcome:
        return Outcome(**{k: getattr(self, k) + getattr(other, k) for k in Outcome.model_fields})


def moments(plan: Plan) -> Iterator[tuple[datetime, dict[str, list[Step]]]]:
    """The plan as moments in time order, each with the steps every person takes then (in order)."""
    due: dict[datetime, dict[str, list[Step]]] = {}
    for who, steps in [("coordinator", plan.coordinator), *plan.coaches.items()]:
        for step in steps:
            due.setdefault(step.at, {}).setdefault(who, []).append(step)
    for at in sorted(due):
        yield at, due[at]


class People:
    """Everyone in the simulated cohort, and what each remembers between their steps."""

    def __init__(self, coaching: CoachingClient, cohort: str):
        self.coaching = coaching
        self.cohort = cohort
        self.requests: dict[str, str] = {}  # partnership -> its release request
        self.gave_up: set[str] = set()  # a coach refused a move stops trying with that partnership
        self.gate = asyncio.Semaphore(AT_ONCE)

    async def act(self, due: dict[str, list[Step]]) -> Outcome:
        """Everyone due at this moment acts: people at once, each person's steps in order."""
        done = await asyncio.gather(*(self._in_turn(steps) for steps in due.values()))
        return sum(done, Outcome())

    async def _in_turn(self, steps: list[Step]) -> Outcome:
        total = Outcome()
        for step in steps:
            total += await self._step(step)
        return total

    async def _step(self, step: Step) -> Outcome:
        if step.kind == StepKind.attendance:
            return await self._attendance(step)
        p = step.partnership or ""
        if step.kind == StepKind.move and p in self.gave_up:
            return Outcome()
        if step.kind == StepKind.decide_release and p not in self.requests:
            return Outcome()  # the request was refused, so there is nothing to decide
        c, cohort = self.coaching, self.cohort
        try:
            async with self.gate:
                if step.kind == StepKind.move:
                    assert step.to is not None
                    await c.move(cohort, p, step.actor, step.to)
                    return Outcome(moves=1)
                if step.kind == StepKind.ask_release:
                    assert step.school and step.days
                    day = (step.at + timedelta(days=14)).date()
                    made = await c.request_release(cohort, step.school, step.actor, step.days, day, "Planning time together", p or None)
                    self.requests[p] = made.id
                    return Outcome(release_asked=1)
                await c.decide_release(self.requests[p], step.actor, bool(step.approve))
                return Outcome(decisions=1)
        except Refused:
            if step.kind == StepKind.move:
                self.gave_up.add(p)
                return Outcome(moves_refused=1)
            return Outcome(release_refused=1) if step.kind == StepKind.ask_release else Outcome(decisions_refused=1)

    async def _attendance(self, step: Step) -> Outcome:
        assert step.session is not None
        session = step.session

        async def one(coach: str, status: Attendance) -> bool:
            async with self.gate:
                try:
                    await self.coaching.record_one(self.cohort, step.actor, coach, session, status)
                    return True
                except Refused:
                    return False

        done = await asyncio.gather(*(one(coach, status) for coach, status in step.marks.items()))
        return Outcome(attendance_recorded=sum(done), attendance_refused=len(done) - sum(done))
