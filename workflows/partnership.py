"""One coach-partner pairing moving through the coaching cycle, carried out on Temporal.

Every decision is the domain's (`domain/processes/partnership.py`): this workflow
waits for a request, a message or the process's next wake-up, asks the process,
and carries out the effects. Validators ask the same process first, so a refused
move is never written to history. At each new cycle the run continues as new,
carrying the record forward, so no history grows with a partnership's years.

Its stage stays in search attributes for operators (the Temporal UI and CLI); the
doors answer from the read model the effects publish to.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel
from temporalio import workflow

from workflows import search_attributes as sa
from workflows.dispatch import Dispatch
from workflows.refusals import refusals
from workflows.wake import Clock

with workflow.unsafe.imports_passed_through():
    from domain.cycle import CycleGoal, PartnershipRecord, Stage
    from domain.processes.effects import Effects
    from domain.processes.partnership import (
        CoachingUnlocked,
        GoalRequest,
        MoveRequest,
        MoveResult,
        NoteRequest,
        OutcomeRequest,
        PartnershipProcess,
        PartnershipWithdrawn,
    )
    from domain.program import Program


R = TypeVar("R")


class PartnershipInput(BaseModel):
    record: PartnershipRecord
    program: Program


@workflow.defn
class PartnershipWorkflow:
    @workflow.init
    def __init__(self, input: PartnershipInput) -> None:
        self.record = input.record
        self.process = PartnershipProcess(input.program)
        self.program = input.program
        self.dispatch = Dispatch()
        self.cycle = input.record.cycle  # the cycle this run began in
        self.clock = Clock()
        self._indexed: tuple[Stage, bool] | None = None  # the search attributes last written

    @workflow.run
    async def run(self, input: PartnershipInput) -> PartnershipRecord:
        self._carry_out(self.process.start(self.record, workflow.now()))
        while not self.clock.done and self.record.cycle == self.cycle:
            if await self.clock.next():
                self._carry_out(self.process.wake(self.record, workflow.now()))
        await self.dispatch.settled()
        if not self.clock.done:  # a new cycle: a fresh history, with the whole record (moves and notes)
            workflow.continue_as_new(PartnershipInput(record=self.record, program=self.program))
        return self.record

    @workflow.update
    def move(self, request: MoveRequest) -> MoveResult:
        with refusals():
            effects = self.process.move(self.record, request, workflow.now())
        return self._carry_out(effects)

    @move.validator
    def _validate_move(self, request: MoveRequest) -> None:
        with refusals():
            self.process.check_move(self.record, request)

    @workflow.update
    def add_note(self, request: NoteRequest) -> PartnershipRecord:
        with refusals():
            effects = self.process.add_note(self.record, request, workflow.now())
        return self._carry_out(effects)

    @add_note.validator
    def _validate_note(self, request: NoteRequest) -> None:
        with refusals():
            self.process.check_note(self.record, request)

    @workflow.update
    def set_goal(self, request: GoalRequest) -> CycleGoal:
        with refusals():
            effects = self.process.set_goal(self.record, request, workflow.now())
        return self._carry_out(effects)

    @set_goal.validator
    def _validate_goal(self, request: GoalRequest) -> None:
        with refusals():
            self.process.check_goal(self.record, request)

    @workflow.update
    def record_outcome(self, request: OutcomeRequest) -> CycleGoal:
        with refusals():
            effects = self.process.record_outcome(self.record, request, workflow.now())
        return self._carry_out(effects)

    @record_outcome.validator
    def _validate_outcome(self, request: OutcomeRequest) -> None:
        with refusals():
            self.process.check_outcome(self.record, request)

    @workflow.signal
    def coaching_unlocked(self, message: CoachingUnlocked) -> None:
        self._carry_out(self.process.receive(self.record, message, workflow.now()))

    @workflow.signal
    def withdraw(self, message: PartnershipWithdrawn) -> None:
        self._carry_out(self.process.receive(self.record, message, workflow.now()))

    @workflow.query
    def details(self) -> PartnershipRecord:
        return self.record

    def _carry_out(self, effects: Effects[R]) -> R:
        self.clock.took(effects)
        self._index()
        self.dispatch.carry_out(self.record.cohort, effects)
        return effects.reply

    def _index(self) -> None:
        """Keep the stage in visibility, written only when it changes (each write is a history event)."""
        indexed = (self.record.stage, self.record.stall.stalled_since is not None)
        if indexed != self._indexed:
            self._indexed = indexed
            workflow.upsert_search_attributes([sa.STAGE.value_set(indexed[0].value), sa.STALLED.value_set(indexed[1])])
