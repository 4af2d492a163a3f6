"""A partnership's life as a process: the coach's moves and notes, coaching unlocking, withdrawal, stalls.

Its record is a `PartnershipRecord`; the cycle's rules are the machine in domain/cycle.py
and the stall chain's in domain/stall.py. Each event returns `Effects`: the notices,
the summary the pages show, and when the next link of the stall chain is due.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel

from domain import goals, notices
from domain.cohort import PartnershipSummary
from domain.cycle import (
    CycleGoal,
    Move,
    Outcome,
    PartnershipRecord,
    Stage,
    add_note,
    allowed_moves,
    apply_move,
    check_move,
    check_note,
    unlock_coaching,
)
from domain.processes.effects import Effects
from domain.program import Program
from domain.stall import next_stall_step, record_stall_step, stall_audience


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


class GoalRequest(BaseModel):
    actor: str
    lesson: str
    goal: str


class OutcomeRequest(BaseModel):
    actor: str
    outcome: Outcome
    evidence: str | None = None


class CoachingUnlocked(BaseModel):
    """From the coach's training: the unlock session is attended or made up."""


class PartnershipWithdrawn(BaseModel):
    """From the cohort: the coach, or the only collaborating teacher, withdrew."""

    actor: str  # the coordinator who withdrew them


WITHDRAWN_NOTE = "withdrawn from the cohort"
R = TypeVar("R")


def summary_of(record: PartnershipRecord, at: datetime, program: Program) -> PartnershipSummary:
    """What the pages and the cohort's counts show of a partnership: never its notes. Days are the schools' (`program`)."""
    return PartnershipSummary(
        id=record.id,
        coach=record.coach,
        partners=record.partners,
        school=record.school,
        stage=record.stage,
        stage_since=record.stage_since,
        cycle=record.cycle,
        cycles_completed=record.cycles_completed,
        stalled_since=record.stall.stalled_since,
        follow_ups=record.stall.follow_ups,
        escalations=record.stall.escalations,
        as_of=at,
        focus=record.focus,
        goals_named=record.goals_named,
        goals_met=record.goals_met,
        cycles_completed_on=[program.local_date(done) for done in record.cycles_completed_at],
        revision=record.revision,
    )


class PartnershipProcess:
    def __init__(self, program: Program):
        self.program = program

    def start(self, record: PartnershipRecord, now: datetime) -> Effects[None]:
        return self._effects(record, now, None, changed=True)

    def check_move(self, record: PartnershipRecord, request: MoveRequest) -> None:
        check_move(record, request.actor, request.to, request.note)

    def move(self, record: PartnershipRecord, request: MoveRequest, now: datetime) -> Effects[MoveResult]:
        move = apply_move(record, request.actor, request.to, now, request.note)
        result = MoveResult(move=move, stage=record.stage, allowed=allowed_moves(record, request.actor))
        effects = self._effects(record, now, result, changed=True)
        effects.notices.append(notices.stage_moved(record, move))
        return effects

    def check_note(self, record: PartnershipRecord, request: NoteRequest) -> None:
        check_note(record, request.author, request.text, request.link)

    def add_note(self, record: PartnershipRecord, request: NoteRequest, now: datetime) -> Effects[PartnershipRecord]:
        # A note changes nothing the pages show (they never show note text), so nothing is published.
        add_note(record, request.author, request.text, request.link, now)
        return self._effects(record, now, record, changed=False)

    def check_goal(self, record: PartnershipRecord, request: GoalRequest) -> None:
        goals.check_goal(record, request.actor, request.lesson, request.goal)

    def set_goal(self, record: PartnershipRecord, request: GoalRequest, now: datetime) -> Effects[CycleGoal]:
        named = goals.set_goal(record, request.actor, request.lesson, request.goal, now)
        return self._effects(record, now, named, changed=True)  # the count of goals named is shown

    def check_outcome(self, record: PartnershipRecord, request: OutcomeRequest) -> None:
        goals.check_outcome(record, request.actor, request.outcome, request.evidence)

    def record_outcome(self, record: PartnershipRecord, request: OutcomeRequest, now: datetime) -> Effects[CycleGoal]:
        recorded = goals.record_outcome(record, request.actor, request.outcome, request.evidence, now)
        return self._effects(record, now, recorded, changed=True)  # the count of goals met is shown

    def receive(self, record: PartnershipRecord, message: BaseModel, now: datetime) -> Effects[None]:
        """A message from another process of the cohort."""
        if isinstance(message, CoachingUnlocked):
            return self._effects(record, now, None, changed=unlock_coaching(record, now))
        if isinstance(message, PartnershipWithdrawn):
            # The cohort has withdrawn the person; a partnership that has already ended stays as it ended.
            withdrawing = Stage.withdrawn in allowed_moves(record, message.actor)
            if withdrawing:
                apply_move(record, message.actor, Stage.withdrawn, now, WITHDRAWN_NOTE)
            return self._effects(record, now, None, changed=withdrawing)
        raise TypeError(f"a partnership does not take {type(message).__name__}")

    def wake(self, record: PartnershipRecord, now: datetime) -> Effects[None]:
        """The stall clock: send the next link of the chain if it is due by now."""
        due = next_stall_step(record, self.program)
        if due is None or due[0] > now:
            return self._effects(record, now, None, changed=False)
        _, step = due
        days = (now - (record.stage_since or now)).days
        record_stall_step(record, step, now)
        effects = self._effects(record, now, None, changed=True)
        effects.notices.append(notices.stall(record, step.kind, stall_audience(record, step), days))
        return effects

    def _effects(self, record: PartnershipRecord, now: datetime, reply: R, *, changed: bool) -> Effects[R]:
        due = next_stall_step(record, self.program)
        effects = Effects(reply=reply, wake_at=None if due is None else due[0], done=not record.is_open)
        if changed:
            record.revision += 1  # so the read model keeps only the newest of writes that land in any order
            effects.summary = summary_of(record, now, self.program)
        return effects
