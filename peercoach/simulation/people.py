"""Simulated people taking their planned steps, each as a door's request to the cohort's processes.

What they remember between steps is what a person would: a coach refused a move
gives up on that partnership, a principal has nothing to decide on a request
that was refused, and nothing to endorse at a school whose plan was not written.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.plans import PlanDraft
from domain.problems import Refused
from domain.processes.ledger import Decision, ReleaseAsk
from domain.processes.partnership import MoveRequest
from domain.processes.school import PlanEndorsement, SelfAssessment
from domain.processes.training import AttendanceUpdate
from domain.year_two import YearTwoAnswer, YearTwoChoice
from peercoach.simulation.behaviour import Step, StepKind
from peercoach.simulation.cohort import SimulatedCohort

PURPOSE = "Planning time together"
SCHOOL_STEPS = (StepKind.write_plan, StepKind.endorse_plan, StepKind.assess, StepKind.decide_year_two)


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
    plans_written: int = 0
    plans_refused: int = 0
    endorsements: int = 0
    endorsements_refused: int = 0
    assessments: int = 0
    assessments_refused: int = 0
    year_two_decisions: int = 0
    year_two_refused: int = 0


REASONS = {
    YearTwoChoice.continue_: "The partnership is working; the teachers asked to go on",
    YearTwoChoice.expand: "Others on the team want to join",
    YearTwoChoice.conclude: "The goal is met; the time goes to the new building plan",
}


def release_ask(step: Step) -> ReleaseAsk:
    assert step.days is not None and step.on is not None
    return ReleaseAsk(requester=step.actor, days=step.days, on=step.on, purpose=PURPOSE, partnership=step.partnership)


def plan_draft(step: Step) -> PlanDraft:
    return PlanDraft(
        actor=step.actor,
        goals=["Every student writes across the curriculum", "Students use technology to create, not only to practise"],
        assignments="Each coach with the collaborating teachers of their partnerships",
        roles="Coaches co-plan weekly, model lessons and observe; teachers try one new practice per cycle",
        communication="At the first staff meeting, and in the monthly newsletter",
        submit=True,
    )


def self_assessment(step: Step) -> SelfAssessment:
    assert step.round is not None
    return SelfAssessment(actor=step.actor, round=step.round, answers=step.answers)


def year_two_answer(step: Step) -> YearTwoAnswer:
    assert step.subject is not None and step.choice is not None
    return YearTwoAnswer(actor=step.actor, subject=step.subject, choice=step.choice, reason=REASONS[step.choice])


class People:
    """Everyone in the simulated cohort, and what each remembers between their steps."""

    def __init__(self, cohort: SimulatedCohort):
        self.cohort = cohort
        self.outcome = Outcome()
        self.requests: dict[str, str] = {}  # partnership -> its release request
        self.gave_up: set[str] = set()  # a coach refused a move stops trying with that partnership
        self.plans: set[str] = set()  # schools whose plan was written

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
        elif step.kind in SCHOOL_STEPS:
            self._school_year(step, now)
        elif p in self.requests:  # a decision; none is asked for a request that was refused
            try:
                cohort.decide(Decision(request_id=self.requests[p], actor=step.actor, approve=bool(step.approve)), now)
                o.decisions += 1
            except Refused:
                o.decisions_refused += 1

    def _school_year(self, step: Step, now: datetime) -> None:
        o, cohort, school = self.outcome, self.cohort, step.school or ""
        if step.kind == StepKind.write_plan:
            try:
                cohort.write_plan(school, plan_draft(step), now)
                self.plans.add(school)
                o.plans_written += 1
            except Refused:
                o.plans_refused += 1
        elif step.kind == StepKind.endorse_plan:
            if school not in self.plans:
                return
            try:
                cohort.endorse_plan(school, PlanEndorsement(actor=step.actor), now)
                o.endorsements += 1
            except Refused:
                o.endorsements_refused += 1
        elif step.kind == StepKind.assess:
            try:
                cohort.assess(school, self_assessment(step), now)
                o.assessments += 1
            except Refused:
                o.assessments_refused += 1
        else:
            try:
                cohort.decide_year_two(school, year_two_answer(step), now)
                o.year_two_decisions += 1
            except Refused:
                o.year_two_refused += 1
