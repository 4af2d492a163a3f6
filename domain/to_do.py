"""What needs doing next, as each person's home page says it: from what the read model shows, decided here once.

A coordinator records attendance for sessions that are over; a coach goes to the next
session and moves their open partnerships on; a principal decides requests before they
expire. The pages show these; the attendance form opens on the first session to record.
Each school's year adds three: its coaches and principal write the plan and the principal endorses
it by the plan deadline; a coach or teacher answers a self-assessment round while it is open for
them; a principal decides year 2 after the last session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.cohort import CohortSummary
from domain.plans import PlanStatus, SchoolPlan
from domain.processes.school import SchoolProcess
from domain.program import Program, TrainingSession
from domain.release import ReleaseLedgerRecord, ReleaseRequest, ReleaseStatus, decision_deadlines
from domain.school_year import SchoolYearRecord
from domain.tiers import Round
from domain.training import TrainingStatus


@dataclass(frozen=True)
class MissingAttendance:
    session: TrainingSession
    missing: int  # coaches still in the cohort without a mark for it
    overdue: bool  # its attendance was due (the session's end and the grace days) and is not all recorded


def coaches_to_mark(summary: CohortSummary) -> int:
    """Coaches whose attendance is recorded: everyone who has not withdrawn."""
    return summary.coaches - summary.training.get(TrainingStatus.withdrawn.value, 0)


def missing_attendance(program: Program, summary: CohortSummary, now: datetime) -> list[MissingAttendance]:
    """Sessions that have started and lack a mark for some coach, earliest first."""
    expected = coaches_to_mark(summary)
    found = []
    for s in sorted(program.sessions, key=lambda s: s.number):
        if program.session_start(s.number) > now:
            continue
        marked = sum(summary.attendance.get(s.number, {}).values())
        if marked < expected:
            found.append(MissingAttendance(s, expected - marked, program.attendance_due(s.number) <= now))
    return found


def session_to_record(program: Program, summary: CohortSummary, now: datetime) -> int:
    """The session the attendance form opens on: the first that has started and is not all recorded; else the latest
    that has started; else session 1."""
    missing = missing_attendance(program, summary, now)
    if missing:
        return missing[0].session.number
    started = [s.number for s in program.sessions if program.session_start(s.number) <= now]
    return max(started, default=1)


def session_state(program: Program, number: int, now: datetime) -> str:
    """ "overdue" once its attendance is due, "open" while it may be recorded, "future" before it starts."""
    if program.session_start(number) > now:
        return "future"
    return "overdue" if program.attendance_due(number) <= now else "open"


def next_session(program: Program, now: datetime) -> TrainingSession | None:
    """The next session that has not started yet."""
    upcoming = [s for s in program.sessions if program.session_start(s.number) > now]
    return min(upcoming, key=lambda s: s.starts_on, default=None)


@dataclass(frozen=True)
class Waiting:
    request: ReleaseRequest
    expires: datetime  # undecided by then, it expires and the days go back


def waiting_for_decision(ledger: ReleaseLedgerRecord, program: Program) -> list[Waiting]:
    """A school's requests waiting for its principal, the one expiring soonest first."""
    waiting = [Waiting(r, decision_deadlines(r, program)[1]) for r in ledger.requests if r.status == ReleaseStatus.requested]
    return sorted(waiting, key=lambda w: (w.expires, w.request.id))


# -- a school's year: the plan, the self-assessment, year 2 -------------------------------------


@dataclass(frozen=True)
class PlanToDo:
    school: str
    endorse: bool  # the principal endorses a plan asked of them; otherwise the plan is still to write (or to finish)
    deadline: datetime
    overdue: bool


def plan_to_do(plan: SchoolPlan | None, school: str, principal: bool, program: Program, now: datetime) -> PlanToDo | None:
    """Until the plan is endorsed: its writers write it, and once it is asked of them, the principal endorses it.

    A coach whose plan waits for the principal has nothing to do for it."""
    if plan is not None and plan.endorsed:
        return None
    deadline = program.plan_deadline()
    submitted = plan is not None and plan.status == PlanStatus.submitted
    if submitted and not principal:
        return None
    return PlanToDo(school=school, endorse=submitted, deadline=deadline, overdue=deadline <= now)


@dataclass(frozen=True)
class AssessmentDue:
    round: Round
    closes: datetime


def assessment_due(record: SchoolYearRecord, program: Program, email: str, now: datetime) -> AssessmentDue | None:
    """The round open for this person now that they have not answered (the first, when both are)."""
    if email not in record.assessing():
        return None
    for round in Round:
        if email in record.assessed[round]:
            continue
        opens, closes = SchoolProcess(program).assessment_window(record, round, email)
        if opens <= now < closes:
            return AssessmentDue(round, closes)
    return None


@dataclass(frozen=True)
class YearTwoDue:
    school: str
    undecided: int  # partnerships and coaches without a decision
    deadline: datetime
    overdue: bool


def year_two_due(record: SchoolYearRecord, program: Program, now: datetime) -> YearTwoDue | None:
    """After the last session, what the principal has still to decide for next year."""
    if now < program.year_two_opens():
        return None
    undecided = len(record.undecided())
    if not undecided:
        return None
    deadline = program.year_two_deadline()
    return YearTwoDue(school=record.school, undecided=undecided, deadline=deadline, overdue=deadline <= now)
