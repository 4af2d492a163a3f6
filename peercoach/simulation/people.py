"""Simulated people taking their planned steps, each as a door's request to the cohort's processes.

What they remember between steps is what a person would: a coach refused a move
gives up on that partnership, and a principal has nothing to decide on a request
that was refused.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.problems import Refused
from domain.processes.ledger import Decision, ReleaseAsk
from domain.processes.partnership import MoveRequest
from domain.processes.training import AttendanceUpdate
from peercoach.simulation.behaviour import Step, StepKind
from peercoach.simulation.cohort import SimulatedCohort

PURPOSE = "Planning time together"


class Outcome(BaseModel):
    """What happened when the plan met the program's rules."""

    attendance_recorded: int = 0
    attendance_refused: int = 0
    moves: int = 0
    moves_refused: int = 0
    release_asked: int = 0
    release_refused: int = 0
    decisions: int = 0
    decisions_refused: int = 0


def release_ask(step: Step) -> ReleaseAsk:
    assert step.days is not None and step.on is not None
    return ReleaseAsk(requester=step.actor, days=step.days, on=step.on, purpose=PURPOSE, partnership=step.partnership)


class People:
    """Everyone in the simulated cohort, and what each remembers between their steps."""

    def __init__(self, cohort: SimulatedCohort):
        self.cohort = cohort
        self.outcome = Outcome()
        self.requests: dict[str, str] = {}  # partnership -> its release request
        self.gave_up: set[str] = set()  # a coach refused a move stops trying with that partnership

    def act(self, step: Step, now: datetime) -> None:
        o, cohort, p = self.outcome, self.cohort, step.partnership or ""
        if step.kind == StepKind.attendance:
            assert step.session is not None
            for coach, status in step.marks.items():
                try:
                    cohort.record_attendance(coach, AttendanceUpdate(actor=step.actor, session=step.session, status=status), now)
                    o.attendance_recorded += 1
                except Refused:
                    o.attendance_refused += 1
        elif step.kind == StepKind.move:
            if p in self.gave_up:
                return
            assert step.to is not None
            try:
                cohort.move(p, MoveRequest(actor=step.actor, to=step.to), now)
                o.moves += 1
            except Refused:
                self.gave_up.add(p)
                o.moves_refused += 1
        elif step.kind == StepKind.ask_release:
            assert step.school is not None
            try:
                self.requests[p] = cohort.request_release(step.school, release_ask(step), now).id
                o.release_asked += 1
            except Refused:
                o.release_refused += 1
        elif p in self.requests:  # a decision; none is asked for a request that was refused
            try:
                cohort.decide(Decision(request_id=self.requests[p], actor=step.actor, approve=bool(step.approve)), now)
                o.decisions += 1
            except Refused:
                o.decisions_refused += 1
