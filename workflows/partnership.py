"""One coach-partner pairing moving through the coaching cycle.

The coach moves it with the `move` Update; the validator asks the domain machine
and refuses before anything is written to history. A stall timer restarts on
every move: when it fires, the next link of the stall chain goes out. At each
new cycle the run continues as new, carrying the record forward.

Its latest summary is published to the read model, which the doors answer from (and
the cohort's year-end summary waits for); its stage stays in search attributes for
operators (the Temporal UI and CLI).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow

from activities.names import PUBLISH_PARTNERSHIP, PartnershipPublished
from workflows import search_attributes as sa
from workflows.dispatch import Dispatch
from workflows.refusals import refusals

with workflow.unsafe.imports_passed_through():
    from domain import notices
    from domain.cohort import PartnershipSummary
    from domain.cycle import (
        Move,
        PartnershipRecord,
        Stage,
        add_note,
        allowed_moves,
        apply_move,
        check_move,
        check_note,
        unlock_coaching,
    )
    from domain.program import Program, StallStep
    from domain.stall import next_stall_step, record_stall_step, stall_audience


class PartnershipInput(BaseModel):
    record: PartnershipRecord
    program: Program


class MoveRequest(BaseModel):
    actor: str
    to: Stage
    note: str | None = None


class MoveResult(BaseModel):
    move: Move
    stage: Stage
    allowed: list[Stage]


class NoteRequest(BaseModel):
    author: str
    text: str
    link: str | None = None


@workflow.defn
class PartnershipWorkflow:
    @workflow.init
    def __init__(self, input: PartnershipInput) -> None:
        self.record = input.record
        self.program = input.program
        self.dispatch = Dispatch()
        self._changes = 0  # bumped on every change, so the stall timer restarts
        self._new_cycle = False
        self._indexed: tuple[Stage, bool] | None = None  # the search attributes last written

    @workflow.run
    async def run(self, input: PartnershipInput) -> PartnershipRecord:
        self._announce()
        while self.record.is_open and not self._new_cycle:
            seen = self._changes
            due = next_stall_step(self.record, self.program)
            timeout = None if due is None else max(due[0] - workflow.now(), timedelta(seconds=1))
            try:
                await workflow.wait_condition(self._changed_since(seen), timeout=timeout)
            except TimeoutError:
                assert due is not None
                self._stalled(due[1])
        await self.dispatch.settled()
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._new_cycle and self.record.is_open:
            # A new cycle starts a fresh history; the record (all moves and notes) goes with it.
            workflow.continue_as_new(self.resume_input())
        return self.record

    def _changed_since(self, seen: int) -> Callable[[], bool]:
        return lambda: self._changes != seen

    def _stalled(self, step: StallStep) -> None:
        days = (workflow.now() - (self.record.stage_since or workflow.now())).days
        record_stall_step(self.record, step, workflow.now())
        self.dispatch.notify(notices.stall(self.record, step.kind, stall_audience(self.record, step), days))
        self._announce()

    # -- the coach moves the partnership -----------------------------------------

    @workflow.update
    def move(self, request: MoveRequest) -> MoveResult:
        with refusals():
            move = apply_move(self.record, request.actor, request.to, workflow.now(), request.note)
        self._changes += 1
        if move.source == Stage.reflect and move.target == Stage.initiate:
            self._new_cycle = True
        if move.target != Stage.withdrawn:
            self.dispatch.notify(notices.stage_moved(self.record, move))
        self._announce()
        return MoveResult(move=move, stage=self.record.stage, allowed=allowed_moves(self.record, request.actor))

    @move.validator
    def _validate_move(self, request: MoveRequest) -> None:
        with refusals():
            check_move(self.record, request.actor, request.to, request.note)

    @workflow.update
    def add_note(self, request: NoteRequest) -> PartnershipRecord:
        with refusals():
            add_note(self.record, request.author, request.text, request.link, workflow.now())
        return self.record

    @add_note.validator
    def _validate_note(self, request: NoteRequest) -> None:
        with refusals():
            check_note(self.record, request.author, request.text, request.link)

    # -- the coach's training (unlock) and the cohort (withdrawal) tell it about the coach ----

    @workflow.signal
    def coaching_unlocked(self) -> None:
        if unlock_coaching(self.record, workflow.now()):
            self._changes += 1
            self._announce()

    @workflow.signal
    def withdraw(self, actor: str) -> None:
        if Stage.withdrawn in allowed_moves(self.record, actor):
            apply_move(self.record, actor, Stage.withdrawn, workflow.now(), "withdrawn from the cohort")
            self._changes += 1
            self._announce()

    @workflow.query
    def details(self) -> PartnershipRecord:
        return self.record

    @workflow.query
    def resume_input(self) -> PartnershipInput:
        """The input that resumes this partnership where it stands: the one it continues as new with."""
        return PartnershipInput(record=self.record, program=self.program)

    def _announce(self) -> None:
        """Keep the read model, visibility (and, once it ends, the cohort) in step with the record."""
        r = self.record
        r.revision += 1
        indexed = (r.stage, r.stall.stalled_since is not None)
        if indexed != self._indexed:
            self._indexed = indexed
            workflow.upsert_search_attributes([sa.STAGE.value_set(r.stage.value), sa.STALLED.value_set(indexed[1])])
        summary = PartnershipSummary(
            id=r.id,
            coach=r.coach,
            partners=r.partners,
            school=r.school,
            stage=r.stage,
            stage_since=r.stage_since,
            cycle=r.cycle,
            cycles_completed=r.cycles_completed,
            stalled_since=r.stall.stalled_since,
            follow_ups=r.stall.follow_ups,
            escalations=r.stall.escalations,
            as_of=workflow.now(),
            focus=r.focus,
            revision=r.revision,
        )
        self.dispatch.publish(PUBLISH_PARTNERSHIP, PartnershipPublished(cohort=r.cohort, summary=summary))
