"""A cohort: one program year's people, and what a coordinator sees of it.

Rules for changing a running cohort (adding people and partnerships, withdrawing
someone) and the cohort summary live here. The doors ask them against a `Roll`
looked up in the stored roster; the cohort workflow carries out what passed.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime

from pydantic import BaseModel, Field

from domain.cycle import OPEN_STAGES, Stage
from domain.problems import Refused
from domain.program import Program, training_timeline
from domain.roster import (
    EMAIL,
    EMAIL_MAX,
    PARTICIPANTS,
    Partnership,
    Person,
    Role,
    Roster,
    is_coordinator,
    partnership_id,
    partnership_problems,
    slug,
    unused_id,
)
from domain.training import COACHING_UNLOCKED, Attendance, TrainingStatus

COHORT_ID = r"^[a-z0-9][a-z0-9-]*$"
COHORT_ID_MAX = 60  # it becomes part of workflow ids and notice keys


class TrainingSummary(BaseModel):
    coach: str
    name: str
    school: str
    status: TrainingStatus = TrainingStatus.enrolled
    attendance: dict[int, Attendance] = Field(default_factory=dict)
    as_of: datetime | None = None  # when the training workflow wrote it
    revision: int = 0  # its training record's, which orders the read model's writes

    @property
    def coaching_unlocked(self) -> bool:
        return self.status in COACHING_UNLOCKED


class PartnershipSummary(BaseModel):
    id: str
    coach: str
    partners: list[str]
    school: str
    stage: Stage = Stage.pending
    stage_since: datetime | None = None
    cycle: int = 1
    cycles_completed: int = 0
    stalled_since: datetime | None = None
    follow_ups: int = 0
    escalations: int = 0
    as_of: datetime | None = None  # when the partnership workflow wrote it
    focus: str = ""
    goals_named: int = 0  # cycles that named a goal (the words stay in the partnership)
    goals_met: int = 0
    # The program's local date of each completed cycle's last move, oldest first (the report counts them by month).
    cycles_completed_on: list[date] = Field(default_factory=list)
    revision: int = 0  # its partnership record's, which orders the read model's writes


class RosterRef(BaseModel):
    """The stored roster a cohort was launched with (its first version), and what it holds."""

    version: int = 1
    content_hash: str
    schools: int
    coaches: int
    partnerships: int


class CohortState(BaseModel):
    """What the cohort workflow carries from run to run: a reference to its roster, never the people.

    Its size does not grow with the roster: who is in the cohort lives in the database, and
    each training, partnership and school ledger is a workflow of its own.
    """

    cohort: str = Field(pattern=COHORT_ID, max_length=COHORT_ID_MAX)
    program: Program
    roster: RosterRef
    coordinators: list[str]
    launched_by: str
    launched_at: datetime | None = None


def year_ends(program: Program) -> datetime:
    """The moment the training year is over: every coach's training finishes with its last calendar event."""
    return training_timeline(program)[-1].at


class StalledPartnership(BaseModel):
    id: str
    coach: str
    school: str
    stage: Stage
    stalled_since: datetime
    days_stalled: int
    follow_ups: int
    escalations: int


class CohortSummary(BaseModel):
    cohort: str
    program: str
    school_year: str
    launched_at: datetime | None
    coaches: int
    coaching_unlocked: int
    training: dict[str, int]
    attendance: dict[int, dict[str, int]]
    partnerships: int
    partnerships_by_stage: dict[str, int]
    cycles_completed: int
    stalled: list[StalledPartnership]
    follow_ups: int
    escalations: int


class YearCounts(BaseModel):
    """A cohort's year counted: by a database's GROUP BY, or from the summaries themselves (`count_year`)."""

    training: dict[TrainingStatus, int] = Field(default_factory=dict)
    attendance: dict[int, dict[Attendance, int]] = Field(default_factory=dict)
    stages: dict[Stage, int] = Field(default_factory=dict)
    cycles_completed: int = 0
    follow_ups: int = 0
    escalations: int = 0


def is_stalled(p: PartnershipSummary) -> bool:
    """A partnership shows as stalled while it is open; a closed one is no longer anyone's concern."""
    return p.stalled_since is not None and p.stage in OPEN_STAGES


def count_year(trainings: list[TrainingSummary], partnerships: list[PartnershipSummary]) -> YearCounts:
    attendance: dict[int, Counter[Attendance]] = {}
    for t in trainings:
        for n, mark in t.attendance.items():
            attendance.setdefault(n, Counter())[mark] += 1
    return YearCounts(
        training=dict(Counter(t.status for t in trainings)),
        attendance={n: dict(marks) for n, marks in attendance.items()},
        stages=dict(Counter(p.stage for p in partnerships)),
        cycles_completed=sum(p.cycles_completed for p in partnerships),
        follow_ups=sum(p.follow_ups for p in partnerships),
        escalations=sum(p.escalations for p in partnerships),
    )


def summarize_year(
    cohort: str,
    program: Program,
    launched_at: datetime | None,
    counts: YearCounts,
    stalled: list[PartnershipSummary],
    now: datetime,
) -> CohortSummary:
    """What a coordinator sees of a cohort's year: attendance, stages, stalls (oldest first), follow-ups."""
    return CohortSummary(
        cohort=cohort,
        program=program.name,
        school_year=program.school_year,
        launched_at=launched_at,
        coaches=sum(counts.training.values()),
        coaching_unlocked=sum(counts.training.get(s, 0) for s in COACHING_UNLOCKED),
        training={s.value: n for s, n in counts.training.items()},
        attendance={n: {mark.value: k for mark, k in counts.attendance.get(n, {}).items()} for n in range(1, len(program.sessions) + 1)},
        partnerships=sum(counts.stages.values()),
        partnerships_by_stage={s.label: counts.stages[s] for s in Stage if counts.stages.get(s)},
        cycles_completed=counts.cycles_completed,
        stalled=sorted(
            (
                StalledPartnership(
                    id=p.id,
                    coach=p.coach,
                    school=p.school,
                    stage=p.stage,
                    stalled_since=p.stalled_since,
                    days_stalled=(now - p.stalled_since).days,
                    follow_ups=p.follow_ups,
                    escalations=p.escalations,
                )
                for p in stalled
                if p.stalled_since is not None and is_stalled(p)
            ),
            key=lambda s: (s.stalled_since, s.id),
        ),
        follow_ups=counts.follow_ups,
        escalations=counts.escalations,
    )


# -- changing a running cohort ---------------------------------------------------


class NewPartnership(BaseModel):
    actor: str
    coach: str
    partners: list[str]
    focus: str
    school_goal: str | None = None


class NewParticipant(BaseModel):
    actor: str
    name: str
    email: str
    role: Role
    school: str


WITHDRAWAL_REASON_MAX = 300


class Withdrawal(BaseModel):
    actor: str
    email: str
    reason: str = ""  # why, kept with the roster's change (the web asks for it)


class Departure(BaseModel):
    """Who withdrew, as the stored roster knows them: their role, and the partnerships they are in."""

    role: Role
    partnerships: list[PartnershipSummary]
    school: str | None = None  # theirs, whose year stops asking them for self-assessments


class Roll(BaseModel):
    """What the rules for changing a running cohort need, looked up in the stored roster for one request.

    Not the whole roster: the people the request names, the cohort's schools, and which of
    the named coaches may coach yet. The doors look it up and ask these rules before anything
    is sent, so a refused change writes nothing; the database's unique keys are the last word
    when two changes race.
    """

    cohort: str
    coordinators: list[str]
    unlocks_after: int
    people: dict[str, Person] = Field(default_factory=dict)  # by email
    withdrawn: list[str] = Field(default_factory=list)
    unlocked: list[str] = Field(default_factory=list)  # coaches whose coaching is unlocked
    schools: list[str] = Field(default_factory=list)  # school ids
    taken: list[str] = Field(default_factory=list)  # partnership ids already used by the coach


def check_launch(cohort: str, roster: Roster, launched_by: str, program_office: bool = False) -> None:
    """A cohort is launched by a coordinator its roster names, or by the program office (PEERCOACH_COORDINATORS,
    `program_office`), which launches rosters before anyone in them coordinates; under an id that can be part of
    workflow ids and notice keys (short: lower-case letters, digits and dashes)."""
    if len(cohort) > COHORT_ID_MAX or not re.match(COHORT_ID, cohort):
        raise Refused(f"{cohort!r} cannot be a cohort id: use at most {COHORT_ID_MAX} lower-case letters, digits and dashes")
    if not program_office and not is_coordinator(roster.coordinators, launched_by):
        raise Refused(f"{launched_by} is not a coordinator in this roster; add them as a coordinator, or launch as one it names")


def check_coordinator(coordinators: list[str], actor: str, what: str) -> None:
    if not is_coordinator(coordinators, actor):
        raise Refused(f"only a coordinator of the cohort {what}")


def check_partnership_starter(coordinators: list[str], actor: str, coach: str) -> None:
    if not is_coordinator(coordinators, actor) and actor != coach.strip().lower():
        raise Refused("a partnership is started by its coach or by a coordinator of the cohort")


def check_new_partnership(roll: Roll, request: NewPartnership) -> Partnership:
    """The partnership to start, or Refused. A coordinator may start one any time; a coach once coaching is unlocked."""
    coach = request.coach.strip().lower()
    partners = [p.strip().lower() for p in request.partners]
    check_partnership_starter(roll.coordinators, request.actor, coach)
    if not is_coordinator(roll.coordinators, request.actor):
        person = roll.people.get(coach)
        if person is None or person.role != Role.coach:
            raise Refused(f"{coach} is not a coach in cohort {roll.cohort}; partnerships are started by coaches and coordinators")
        if coach not in roll.unlocked:
            raise Refused(f"coaching is not unlocked yet: {coach} can start partnerships after session {roll.unlocks_after}")
    gone = [email for email in [coach, *partners] if email in roll.withdrawn]
    if gone:
        raise Refused(f"{', '.join(gone)} withdrew from the cohort")
    problems = partnership_problems(roll.people, coach, partners, request.focus)
    if problems:
        raise Refused("; ".join(message for _, _, message in problems))
    if len(set(partners)) != len(partners):
        raise Refused("a collaborating teacher is listed twice")
    return Partnership(
        id=unused_id(partnership_id(coach, partners), roll.taken),
        coach=coach,
        partners=partners,
        focus=request.focus.strip(),
        school_goal=request.school_goal,
        school=str(roll.people[coach].school),
    )


def check_new_participant(roll: Roll, request: NewParticipant) -> Person:
    check_coordinator(roll.coordinators, request.actor, "adds participants")
    email = request.email.strip().lower()
    if not EMAIL.match(email) or len(email) > EMAIL_MAX:
        raise Refused(f"{request.email!r} is not an email address")
    if email in roll.people:
        raise Refused(f"{email} is already in the cohort")
    if not request.name.strip():
        raise Refused("a participant needs a name")
    if request.role not in PARTICIPANTS:
        raise Refused("participants added to a running cohort are coaches or collaborating teachers")
    school = request.school if request.school in roll.schools else slug(request.school)  # its id, or its name
    if school not in roll.schools:
        raise Refused(f"there is no school {request.school!r} in the cohort; schools are {', '.join(roll.schools)}")
    return Person(name=request.name.strip(), email=email, role=request.role, school=school)


def check_withdrawal(roll: Roll, request: Withdrawal) -> Person:
    check_coordinator(roll.coordinators, request.actor, "withdraws participants")
    if len(request.reason) > WITHDRAWAL_REASON_MAX:
        raise Refused(f"the reason is {len(request.reason)} characters; keep it to {WITHDRAWAL_REASON_MAX}")
    email = request.email.strip().lower()
    person = roll.people.get(email)
    if person is None or person.role not in PARTICIPANTS:
        raise Refused(f"{email} is not a coach or collaborating teacher in the cohort")
    if email in roll.withdrawn:
        raise Refused(f"{email} has already withdrawn")
    return person


def partnerships_ending_with(email: str, partnerships: list[PartnershipSummary]) -> list[str]:
    """Open partnerships that end when this person withdraws: all of a coach's; a teacher's if they were its only partner."""
    return [p.id for p in partnerships if p.stage in OPEN_STAGES and (p.coach == email or p.partners == [email])]


class StartedPartnership(BaseModel):
    """A partnership the doors have checked against the roll; the cohort records and starts it."""

    actor: str
    partnership: Partnership


class AddedParticipant(BaseModel):
    """A person the doors have checked against the roll; the cohort records them and starts their training."""

    actor: str
    person: Person
