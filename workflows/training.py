"""One coach's training year, carried out on Temporal.

Every decision is the domain's (`domain/processes/training.py`): this workflow waits
for attendance, a message from the cohort or the process's next wake-up (the next
event of the year's calendar), asks the process, and carries out the effects: the
reminders and follow-ups, the summary the doors answer from, and telling the coach's
partnerships when coaching unlocks. The validator asks the same process first, so
refused attendance is never written to history.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio import workflow

from workflows.dispatch import Dispatch
from workflows.ids import partnership_id
from workflows.partnership import PartnershipWorkflow
from workflows.refusals import refusals
from workflows.wake import Clock

with workflow.unsafe.imports_passed_through():
    from domain.processes.effects import Effects, Message, ProcessKind
    from domain.processes.partnership import CoachingUnlocked
    from domain.processes.training import AttendanceUpdate, PartnershipAdded, SessionChanged, TrainingProcess, TrainingWithdrawn
    from domain.program import Program
    from domain.training import TrainingRecord

R = TypeVar("R")


class TrainingInput(BaseModel):
    record: TrainingRecord
    program: Program


def _route(cohort: str, message: Message) -> tuple[str, Any]:
    """The workflow and signal method that take a message a training sends."""
    if message.to.kind == ProcessKind.partnership and isinstance(message.event, CoachingUnlocked):
        return partnership_id(cohort, message.to.key), PartnershipWorkflow.coaching_unlocked
    raise TypeError(f"a training sends no {type(message.event).__name__} to a {message.to.kind}")


@workflow.defn
class TrainingWorkflow:
    @workflow.init
    def __init__(self, input: TrainingInput) -> None:
        self.record = input.record
        self.process = TrainingProcess(input.program)
        self.dispatch = Dispatch()
        self.clock = Clock()

    @workflow.run
    async def run(self, input: TrainingInput) -> TrainingRecord:
        self._carry_out(self.process.start(self.record, workflow.now()))
        while not self.clock.done:
            if await self.clock.next():
                self._carry_out(self.process.wake(self.record, workflow.now()))
        await self.dispatch.settled()
        return self.record

    @workflow.update
    def record_attendance(self, update: AttendanceUpdate) -> TrainingRecord:
        with refusals():
            effects = self.process.record_attendance(self.record, update, workflow.now())
        return self._carry_out(effects)

    @record_attendance.validator
    def _validate_attendance(self, update: AttendanceUpdate) -> None:
        with refusals():
            self.process.check_attendance(self.record, update, workflow.now())

    @workflow.signal
    def withdraw(self, message: TrainingWithdrawn) -> None:
        self._carry_out(self.process.receive(self.record, message, workflow.now()))

    @workflow.signal
    def partnership_added(self, message: PartnershipAdded) -> None:
        self._carry_out(self.process.receive(self.record, message, workflow.now()))

    @workflow.signal
    def session_changed(self, message: SessionChanged) -> None:
        self._carry_out(self.process.receive(self.record, message, workflow.now()))

    @workflow.query
    def details(self) -> TrainingRecord:
        return self.record

    def _carry_out(self, effects: Effects[R]) -> R:
        self.clock.took(effects)
        self.dispatch.carry_out(self.record.cohort, effects, _route)
        return effects.reply
