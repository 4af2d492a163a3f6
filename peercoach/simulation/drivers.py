"""Simulated people, played inside the time-skipping server's timeline.

One driver workflow per person: its timers wait until each planned step, and
its activities act through the same client every door uses (Updates to the
engine's workflows). Driving from inside the timeline matters: the test
server's clock only moves when everything is idle.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import BaseModel
from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from domain.problems import Refused
    from peercoach.client import CoachingClient
    from peercoach.simulation.behaviour import Step, StepKind


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


class StepOrder(BaseModel):
    cohort: str
    step: Step
    request_id: str | None = None


class StepResult(BaseModel):
    outcome: Outcome
    request_id: str | None = None


class DriverInput(BaseModel):
    cohort: str
    steps: list[Step]


@workflow.defn
class PersonDriverWorkflow:
    @workflow.run
    async def run(self, input: DriverInput) -> Outcome:
        total = Outcome()
        requests: dict[str, str] = {}  # partnership -> its release request
        gave_up: set[str] = set()  # a coach refused a move stops trying with that partnership
        for step in input.steps:
            wait = step.at - workflow.now()
            if wait > timedelta(0):
                await workflow.sleep(wait)
            if step.kind == StepKind.decide_release and step.partnership not in requests:
                continue  # the request was refused, so there is nothing to decide
            if step.kind == StepKind.move and step.partnership in gave_up:
                continue
            result: StepResult = await workflow.execute_activity(
                "simulated_step",
                StepOrder(cohort=input.cohort, step=step, request_id=requests.get(step.partnership or "")),
                result_type=StepResult,
                start_to_close_timeout=timedelta(minutes=10),
            )
            if result.request_id and step.partnership:
                requests[step.partnership] = result.request_id
            if result.outcome.moves_refused and step.partnership:
                gave_up.add(step.partnership)
            total += result.outcome
        return total


class SimulatedPeople:
    def __init__(self, coaching: CoachingClient):
        self.coaching = coaching

    @activity.defn(name="simulated_step")
    async def step(self, order: StepOrder) -> StepResult:
        step, cohort, c = order.step, order.cohort, self.coaching
        try:
            if step.kind == StepKind.attendance:
                return StepResult(outcome=await self._attendance(cohort, step))
            if step.kind == StepKind.move:
                assert step.partnership and step.to
                await c.move(cohort, step.partnership, step.actor, step.to)
                return StepResult(outcome=Outcome(moves=1))
            if step.kind == StepKind.ask_release:
                assert step.school and step.days
                day = (activity.info().scheduled_time + timedelta(days=14)).date()
                made = await c.request_release(cohort, step.school, step.actor, step.days, day, "Planning time together", step.partnership)
                return StepResult(outcome=Outcome(release_asked=1), request_id=made.id)
            assert order.request_id is not None
            await c.decide_release(order.request_id, step.actor, bool(step.approve))
            return StepResult(outcome=Outcome(decisions=1))
        except Refused:
            refused = {
                StepKind.move: "moves_refused",
                StepKind.ask_release: "release_refused",
                StepKind.decide_release: "decisions_refused",
            }
            return StepResult(outcome=Outcome(**{refused[step.kind]: 1}))

    async def _attendance(self, cohort: str, step: Step) -> Outcome:
        assert step.session is not None
        gate = asyncio.Semaphore(16)

        async def one(coach: str, status: object) -> bool:
            async with gate:
                try:
                    await self.coaching.record_one(cohort, step.actor, coach, step.session, status)  # type: ignore[arg-type]
                    return True
                except Refused:
                    return False

        done = await asyncio.gather(*(one(coach, status) for coach, status in step.marks.items()))
        return Outcome(attendance_recorded=sum(done), attendance_refused=len(done) - sum(done))
