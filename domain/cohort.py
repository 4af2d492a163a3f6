"""A cohort: one program year's people, and what a coordinator sees of it.

Rules for changing a running cohort (adding people and partnerships, withdrawing
someone) and the cohort summary live here; the cohort workflow only asks.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from pydantic import BaseModel, Field

from domain.cycle import OPEN_STAGES, Stage
from domain.problems import Refused
from domain.program import Program
from domain.roster import EMAIL, PARTICIPANTS, Partnership, Person, Role, Roster, partnership_id, partnership_problems, slug, unused_id
from domain.training import Attendance, TrainingStatus

COHORT_ID = r"^[a-z0-9][a-z0-9-]*$"  # it becomes part of workflow ids and notice keys


class TrainingSummary(BaseModel):
    coach: str
    name: str
    school: str
    status: TrainingStatus = TrainingStatus.enrolled
    attendance: dict[int, Attendance] = Field(default_factory=dict)
    as_of: datetime | None = None  # when the training workflow wrote it; the newest of two copies wins
    # Its training workflow tells the coach's partnerships when coaching unlocks. A training
    # launched before trainings knew their partnerships does not, and its cohort tells them.
    tells_partnerships: bool = False
    revision: int = 0  # its training record's, which orders the read model's writes

    @property
    def coaching_unlocked(self) -> bool:
        return self.status in (TrainingStatus.coaching, TrainingStatus.completed)


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
    as_of: datetime | None = None  # when the partnership workflow wrote it; the newest of two copies wins
    focus: str = ""
    revision: int = 0  # its partnership record's, which orders the read model's writes


Summary = TrainingSummary | PartnershipSummary  # what a training or partnership workflow keeps of itself for visibility


class CohortState(BaseModel):
    """What the cohort workflow carries from run to run."""

    cohort: str = Field(pattern=COHORT_ID, max_length=60)
    program: Program
    roster: Roster
    launched_by: str
    launched_at: datetime | None = None
    trainings: dict[str, TrainingSummary] = Field(default_factory=dict)
    partnerships: dict[str, PartnershipSummary] = Field(default_factory=dict)
    withdrawn: list[str] = Field(default_factory=list)  # coaches and teachers who have left


def as_it_stands(state: CohortState, latest: list[Summary]) -> CohortState:
    """The cohort with the newest summary of each training and partnership.

    The cohort workflow hears only of what changes its own rules (coaching unlocked, a
    training or partnership ended); each workflow keeps its latest summary where
    visibility lists it, so the cohort's history does not grow with every move.
    """
    trainings, partnerships = dict(state.trainings), dict(state.partnerships)
    for summary in latest:
        if isinstance(summary, TrainingSummary):
            if _newer(summary, trainings.get(summary.coach)):
                trainings[summary.coach] = summary
        elif _newer(summary, partnerships.get(summary.id)):
            partnerships[summary.id] = summary
    return state.model_copy(update={"trainings": trainings, "partnerships": partnerships})


def _newer(summary: Summary, known: Summary | None) -> bool:
    if known is None or known.as_of is None:
        return True
    return summary.as_of is not None and summary.as_of > known.as_of


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


def summarize(state: CohortState, now: datetime) -> CohortSummary:
    trainings = list(state.trainings.values())
    partnerships = list(state.partnerships.values())
    attendance = {
        n: dict(Counter(t.attendance[n].value for t in trainings if n in t.attendance)) for n in range(1, len(state.program.sessions) + 1)
    }
    stalled = [
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
        for p in partnerships
        if p.stalled_since is not None and p.stage in OPEN_STAGES
    ]
    return CohortSummary(
        cohort=state.cohort,
        program=state.program.name,
        school_year=state.program.school_year,
        launched_at=state.launched_at,
        coaches=len(trainings),
        coaching_unlocked=sum(1 for t in trainings if t.coaching_unlocked),
        training=dict(Counter(t.status.value for t in trainings)),
        attendance=attendance,
        partnerships=len(partnerships),
        partnerships_by_stage={s.label: n for s in Stage if (n := sum(1 for p in partnerships if p.stage == s))},
        cycles_completed=sum(p.cycles_completed for p in partnerships),
        stalled=sorted(stalled, key=lambda s: s.stalled_since),
        follow_ups=sum(p.follow_ups for p in partnerships),
        escalations=sum(p.escalations for p in partnerships),
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


class Withdrawal(BaseModel):
    actor: str
    email: str


def _coordinator(state: CohortState, actor: str) -> bool:
    return actor in state.roster.coordinators


def check_new_partnership(state: CohortState, request: NewPartnership) -> Partnership:
    """The partnership to start, or Refused. A coordinator may start one any time; a coach once coaching is unlocked."""
    coach = request.coach.strip().lower()
    partners = [p.strip().lower() for p in request.partners]
    if not _coordinator(state, request.actor):
        if request.actor != coach:
            raise Refused("a partnership is started by its coach or by a coordinator of the cohort")
        training = state.trainings.get(coach)
        if training is None:
            raise Refused(f"{coach} is not a coach in cohort {state.cohort}; partnerships are started by coaches and coordinators")
        if not training.coaching_unlocked:
            raise Refused(
                f"coaching is not unlocked yet: {coach} can start partnerships after session {state.program.coaching_unlocks_after}"
            )
    gone = [email for email in [coach, *partners] if email in state.withdrawn]
    if gone:
        raise Refused(f"{', '.join(gone)} withdrew from the cohort")
    people = {p.email: p for p in state.roster.people}
    problems = partnership_problems(people, coach, partners, request.focus)
    if problems:
        raise Refused("; ".join(message for _, _, message in problems))
    if len(set(partners)) != len(partners):
        raise Refused("a collaborating teacher is listed twice")
    return Partnership(
        id=unused_id(partnership_id(coach, partners), state.partnerships),
        coach=coach,
        partners=partners,
        focus=request.focus.strip(),
        school_goal=request.school_goal,
        school=str(people[coach].school),
    )


def check_new_participant(state: CohortState, request: NewParticipant) -> Person:
    if not _coordinator(state, request.actor):
        raise Refused("only a coordinator of the cohort adds participants")
    email = request.email.strip().lower()
    if not EMAIL.match(email):
        raise Refused(f"{request.email!r} is not an email address")
    if any(p.email == email for p in state.roster.people):
        raise Refused(f"{email} is already in the cohort")
    if not request.name.strip():
        raise Refused("a participant needs a name")
    if request.role not in PARTICIPANTS:
        raise Refused("participants added to a running cohort are coaches or collaborating teachers")
    school = slug(request.school)
    if school not in {s.id for s in state.roster.schools}:
        raise Refused(f"there is no school {request.school!r} in the cohort; schools are {', '.join(s.id for s in state.roster.schools)}")
    return Person(name=request.name.strip(), email=email, role=request.role, school=school)


def check_withdrawal(state: CohortState, request: Withdrawal) -> Person:
    if not _coordinator(state, request.actor):
        raise Refused("only a coordinator of the cohort withdraws participants")
    email = request.email.strip().lower()
    person = next((p for p in state.roster.people if p.email == email), None)
    if person is None or person.role not in PARTICIPANTS:
        raise Refused(f"{email} is not a coach or collaborating teacher in the cohort")
    if email in state.withdrawn:
        raise Refused(f"{email} has already withdrawn")
    return person


def withdraw(state: CohortState, person: Person) -> list[str]:
    """Record the withdrawal (in place); returns the partnerships that end with it."""
    state.withdrawn.append(person.email)
    return partnerships_ending_with(state, person)


def partnerships_ending_with(state: CohortState, person: Person) -> list[str]:
    """Open partnerships that end when this person withdraws: all of a coach's; a teacher's if they were its only partner."""
    ending = []
    for p in state.partnerships.values():
        if p.stage not in OPEN_STAGES:
            continue
        if p.coach == person.email or p.partners == [person.email]:
            ending.append(p.id)
    return ending
