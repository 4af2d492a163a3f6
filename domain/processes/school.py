"""A school's year as a process: its coaching plan, its people's self-assessments, and its principal's year-2 decision.

Each of the three has a deadline the program file sets and a chain of steps before and at it:
the plan is reminded to the principal and coaches, then escalated to the coordinators if it is
still not endorsed; each self-assessment round opens with a notice, is reminded to those who
have not answered, and closes; the year-2 decision is asked of the principal after the last
session, reminded, and escalated. Every step's time is worked out from the program and the
record, so one wake-up, at the earliest step not yet taken, serves them all. Steps due before
the cohort was launched are not owed and are skipped. The process ends some weeks after the
year-2 deadline, so a late decision is still taken.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar

from pydantic import BaseModel

from domain import access, notices, plans, tiers, year_two
from domain.problems import Refused
from domain.processes.effects import Effects
from domain.processes.ledger import MemberAdded, PartnershipAtSchool
from domain.program import Program
from domain.roster import Role
from domain.school_year import SchoolPartnership, SchoolYearRecord, summary_of
from domain.tiers import Round

LATE_DECISIONS = timedelta(days=60)  # after the year-2 deadline a principal may still decide, for this long
R = TypeVar("R")


class PlanEndorsement(BaseModel):
    actor: str


class SelfAssessment(BaseModel):
    actor: str
    round: Round
    answers: dict[str, int]  # the tier chosen for each dimension of the program's instrument


class PartnershipEnded(BaseModel):
    """From the cohort: a partnership at the school was withdrawn."""

    id: str


class MemberLeft(BaseModel):
    """From the cohort: a coach or teacher of the school was withdrawn."""

    email: str


def _day(at: datetime) -> str:
    return f"{at:%A %B %-d, %Y}"


class SchoolProcess:
    def __init__(self, program: Program):
        self.program = program

    # -- the windows ---------------------------------------------------------------------

    def assessment_window(self, record: SchoolYearRecord, round: Round, email: str) -> tuple[datetime, datetime]:
        """When `email` may answer a round: from its opening (or when they joined, if later) for the round's days."""
        opens = max(self.program.assessment_opens(round), record.joined.get(email, record.launched_at))
        return opens, opens + timedelta(days=self.program.self_assessment_days)

    def _general_due(self, round: Round) -> datetime:
        return self.program.assessment_opens(round) + timedelta(days=self.program.self_assessment_days)

    def _late_joiners(self, record: SchoolYearRecord, round: Round) -> list[str]:
        opens = self.program.assessment_opens(round)
        return [e for e in record.assessing() if record.joined.get(e, record.launched_at) > opens]

    def _steps(self, record: SchoolYearRecord) -> list[tuple[datetime, str]]:
        """Every step of the year and when it is due, whether taken or not."""
        p, remind = self.program, timedelta(days=self.program.deadline_reminder_days)
        at = p.next_follow_up_time  # notices go out at the program's morning hour, not at midnight
        plan_due = p.plan_deadline()
        steps = [(at(plan_due - remind), "plan:remind"), (at(plan_due), "plan:escalate")]
        for round in Round:
            opens, due = p.assessment_opens(round), self._general_due(round)
            steps += [(opens, f"{round}:open"), (at(due - remind), f"{round}:remind"), (due, f"{round}:close")]
            for email in self._late_joiners(record, round):
                joined, own_due = self.assessment_window(record, round, email)
                steps += [(joined, f"{round}:open:{email}"), (at(own_due - remind), f"{round}:remind:{email}")]
        decide_due = p.year_two_deadline()
        steps += [(p.year_two_opens(), "year2:ask"), (at(decide_due - remind), "year2:remind"), (at(decide_due), "year2:escalate")]
        steps.append((decide_due + LATE_DECISIONS, "end"))
        return sorted(steps)

    def _pending(self, record: SchoolYearRecord) -> list[tuple[datetime, str]]:
        return [(when, step) for when, step in self._steps(record) if step not in record.done_steps]

    # -- the clock -----------------------------------------------------------------------

    def start(self, record: SchoolYearRecord, now: datetime) -> Effects[None]:
        """Steps due before the launch are not owed: a cohort launched late is not escalated for it at once."""
        for when, step in self._pending(record):
            if when < record.launched_at and step != "end":
                record.done_steps.append(step)
        return self._effects(record, None, publish=True)

    def wake(self, record: SchoolYearRecord, now: datetime) -> Effects[None]:
        sent: list[notices.Notice] = []
        taken = False
        for when, step in self._pending(record):
            if when > now:
                break
            record.done_steps.append(step)
            sent += self._take(record, step)
            taken = True
        return self._effects(record, None, sent, publish=taken)

    def _take(self, record: SchoolYearRecord, step: str) -> list[notices.Notice]:
        kind, _, rest = step.partition(":")
        if kind == "plan":
            if record.plan is not None and record.plan.endorsed:
                return []
            deadline = _day(self.program.plan_deadline())
            if rest == "remind":
                return [notices.plan_reminder(record, deadline)]
            return [notices.plan_overdue(record, deadline)]
        if kind in Round.__members__:
            return self._assessment_step(record, Round(kind), rest)
        if kind == "year2":
            undecided = record.undecided()
            if not undecided:
                return []
            deadline = _day(self.program.year_two_deadline())
            made = {"ask": notices.year_two_asked, "remind": notices.year_two_reminder, "escalate": notices.year_two_overdue}[rest]
            return [made(record, len(undecided), deadline)]
        return []  # "end"

    def _assessment_step(self, record: SchoolYearRecord, round: Round, step: str) -> list[notices.Notice]:
        what, _, email = step.partition(":")
        if what == "close":
            return []
        late = self._late_joiners(record, round)
        people = [email] if email else [e for e in record.assessing() if e not in late]
        owing = [e for e in people if e not in record.assessed[round]]
        if not owing:
            return []
        _, due = self.assessment_window(record, round, owing[0])
        if what == "open":
            return [notices.assessment_open(record, self.program, round, owing, _day(due), email)]
        return [notices.assessment_reminder(record, self.program, round, owing, _day(due), email)]

    # -- the plan ------------------------------------------------------------------------

    def check_plan(self, record: SchoolYearRecord, draft: plans.PlanDraft) -> None:
        plans.check_draft(draft, record.coaches, record.principal)

    def write_plan(self, record: SchoolYearRecord, draft: plans.PlanDraft, now: datetime) -> Effects[plans.SchoolPlan]:
        """The plan as written; asked for endorsement, the principal hears of it."""
        self.check_plan(record, draft)
        record.plan = plans.written(record.plan, draft, now)
        effects = self._effects(record, record.plan, publish=True)
        if record.plan.status == plans.PlanStatus.submitted and draft.actor != record.principal:
            effects.notices.append(notices.plan_submitted(record, _day(self.program.plan_deadline())))
        return effects

    def check_endorsement(self, record: SchoolYearRecord, endorsement: PlanEndorsement) -> None:
        plans.check_endorsement(record.plan, endorsement.actor, record.principal)

    def endorse(self, record: SchoolYearRecord, endorsement: PlanEndorsement, now: datetime) -> Effects[plans.SchoolPlan]:
        self.check_endorsement(record, endorsement)
        assert record.plan is not None
        record.plan.status, record.plan.endorsed_by, record.plan.endorsed_at = plans.PlanStatus.endorsed, endorsement.actor, now
        effects = self._effects(record, record.plan, publish=True)
        effects.notices.append(notices.plan_endorsed(record))
        return effects

    # -- self-assessment -----------------------------------------------------------------

    def check_assessment(self, record: SchoolYearRecord, assessment: SelfAssessment, now: datetime) -> None:
        if assessment.actor not in record.assessing():
            raise Refused(f"{assessment.actor} is not one of this school's: {access.SELF_ASSESSORS} taking part in the program")
        opens, due = self.assessment_window(record, assessment.round, assessment.actor)
        label = assessment.round.label
        if now < opens:
            raise Refused(f"the self-assessment {label} opens on {_day(opens)}")
        if now >= due:
            raise Refused(f"the self-assessment {label} closed on {_day(due)}; your coordinator can tell you what comes next")
        tiers.check_answers(self.program.tiers, assessment.answers)

    def assess(self, record: SchoolYearRecord, assessment: SelfAssessment, now: datetime) -> Effects[int]:
        """Take the answers (they are sealed in the database, not kept here); the reply is the person's tier."""
        self.check_assessment(record, assessment, now)
        answered = record.assessed[assessment.round]
        if assessment.actor not in answered:
            answered.append(assessment.actor)
        return self._effects(record, tiers.tier_of(assessment.answers), publish=True)

    # -- year 2 --------------------------------------------------------------------------

    def check_decision(self, record: SchoolYearRecord, answer: year_two.YearTwoAnswer, now: datetime) -> None:
        year_two.check_answer(answer, record.principal, record.subjects(), self.program.year_two_opens(), now)

    def decide(self, record: SchoolYearRecord, answer: year_two.YearTwoAnswer, now: datetime) -> Effects[year_two.YearTwoDecision]:
        self.check_decision(record, answer, now)
        decision = year_two.decided(answer, now)
        record.decisions[answer.subject] = decision
        return self._effects(record, decision, publish=True)

    # -- the cohort's messages -----------------------------------------------------------

    def receive(
        self, record: SchoolYearRecord, message: MemberAdded | PartnershipAtSchool | PartnershipEnded | MemberLeft, now: datetime
    ) -> Effects[None]:
        """Someone who joins after a round opened gets a window of their own from the day they join."""
        if isinstance(message, MemberAdded):
            if message.role == Role.coach and message.email not in record.coaches:
                record.coaches.append(message.email)
                record.joined.setdefault(message.email, now)
        elif isinstance(message, PartnershipAtSchool):
            for email in message.partners:
                if email not in record.assessing():
                    record.joined.setdefault(email, now)
            record.partnerships.setdefault(message.id, SchoolPartnership(coach=message.coach, partners=message.partners))
        elif isinstance(message, PartnershipEnded):
            if message.id in record.partnerships:
                record.partnerships[message.id].ended = True
        elif message.email not in record.left:
            record.left.append(message.email)
        return self._effects(record, None, publish=True)

    def _effects(self, record: SchoolYearRecord, reply: R, sent: list[notices.Notice] | None = None, publish: bool = False) -> Effects[R]:
        pending = self._pending(record)
        done = not pending
        effects = Effects(reply=reply, wake_at=None if done else pending[0][0], done=done, notices=list(sent or []))
        if publish:
            record.revision += 1
            effects.summary = summary_of(record)
        return effects
