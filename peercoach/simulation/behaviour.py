"""How simulated people behave, decided up front from a seed.

Every choice (who attends, how fast a coach moves, who stalls, which principal
answers late or never, who asks for too many release days; which schools write
their plan and when it is endorsed, who self-assesses and who moves up a tier, how
each principal decides year 2) is drawn here from `random.Random(seed)`, before
anything runs: the same seed gives the same plan, and the plan played against the
engine gives the same year-end summary. Schools' years are drawn last, so their
draws change nothing else a seed gives.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from domain.cycle import CYCLE_STAGES, Stage
from domain.launch import school_year_record
from domain.processes.school import SchoolProcess
from domain.program import SESSIONS_PER_YEAR, Program
from domain.roster import PARTICIPANTS, Partnership, Person, Role, Roster
from domain.school_year import SchoolYearRecord
from domain.tiers import Round
from domain.training import Attendance
from domain.year_two import YearTwoChoice


class StepKind(StrEnum):
    attendance = "attendance"
    move = "move"
    ask_release = "ask_release"
    decide_release = "decide_release"
    write_plan = "write_plan"  # a coach writes the school's plan and asks the principal to endorse it
    endorse_plan = "endorse_plan"
    assess = "assess"
    decide_year_two = "decide_year_two"


@dataclass(frozen=True, slots=True)
class Step:
    """One thing one person does at one moment (a state-sized year has hundreds of thousands: kept small)."""

    at: datetime
    kind: StepKind
    actor: str
    partnership: str | None = None
    to: Stage | None = None
    session: int | None = None
    marks: dict[str, Attendance] = field(default_factory=dict)
    school: str | None = None
    days: float | None = None
    on: date | None = None  # the release day asked for
    approve: bool | None = None
    round: Round | None = None
    answers: dict[str, int] = field(default_factory=dict)  # a self-assessment's tier on each dimension
    subject: str | None = None  # what a year-2 decision is for
    choice: YearTwoChoice | None = None


ASKED_AHEAD = timedelta(days=14)  # release time is asked for a school day about two weeks after the asking


class Behaviour(BaseModel):
    """The rates of the model; the defaults are a plausible year."""

    attend: float = 0.88
    excused: float = 0.05  # the rest is absent
    make_up: float = 0.7
    staller: float = 0.15  # coaches who let one stage sit far past its threshold
    slow_coach: float = 0.3
    release_ask: float = 0.6
    over_allowance: float = 0.08
    principal_late: float = 0.25
    principal_never: float = 0.1
    approve: float = 0.85
    plan_written: float = 0.85  # schools that write their plan, and ask for it to be endorsed, before the deadline
    endorse_late: float = 0.2  # principals who endorse a written plan after the deadline
    endorse_never: float = 0.1
    assess_pre: float = 0.85  # coaches and collaborating teachers who answer the self-assessment before coaching
    assess_post: float = 0.75  # and after the year
    assess_late: float = 0.05  # of those answering a round, the ones who try only after it closed (and are refused)
    move_up: float = 0.35  # of those who answer both, the ones whose practice moves up one tier
    decide_late: float = 0.2  # principals who decide year 2 after the deadline (while it is still taken)
    decide_never: float = 0.1
    expand: float = 0.2  # year-2 choices; the rest continue
    conclude: float = 0.15


@dataclass
class Plan:
    coordinator: list[Step]
    coaches: dict[str, list[Step]]
    schools: dict[str, list[Step]] = field(default_factory=dict)  # each school's plan, self-assessments and year 2

    def steps(self) -> list[Step]:
        """Every step, the coordinator's first, then each coach's, then each school's."""
        people = [*self.coaches.values(), *self.schools.values()]
        return [*self.coordinator, *(s for steps in people for s in steps)]


def plan_year(program: Program, roster: Roster, seed: int, behaviour: Behaviour | None = None) -> Plan:
    b = behaviour or Behaviour()
    rng = random.Random(seed)
    coordinator = roster.coordinators[0]
    coaches = sorted(p.email for p in roster.with_role(Role.coach))
    principals = {s.id: s.principal for s in roster.schools}
    principal_habit = {s: _habit(rng, b) for s in sorted(principals)}

    attendance_steps: list[Step] = []
    unlocked_at: dict[str, datetime] = {}
    make_ups: dict[int, dict[str, datetime]] = {}
    for session in range(1, SESSIONS_PER_YEAR + 1):
        marks: dict[str, Attendance] = {}
        recorded = program.session_end(session) + timedelta(hours=rng.uniform(2, 40))
        for coach in coaches:
            roll = rng.random()
            status = Attendance.attended if roll < b.attend else Attendance.excused if roll < b.attend + b.excused else Attendance.absent
            marks[coach] = status
            if status == Attendance.attended and session == program.coaching_unlocks_after:
                unlocked_at[coach] = recorded
            elif status != Attendance.attended and rng.random() < b.make_up:
                made_up = recorded + timedelta(days=rng.uniform(5, 25))
                make_ups.setdefault(session, {})[coach] = made_up
                if session == program.coaching_unlocks_after:
                    unlocked_at[coach] = made_up
        attendance_steps.append(Step(at=recorded, kind=StepKind.attendance, actor=coordinator, session=session, marks=marks))
    for session, made in make_ups.items():
        for coach, at in made.items():
            attendance_steps.append(
                Step(at=at, kind=StepKind.attendance, actor=coordinator, session=session, marks={coach: Attendance.made_up})
            )

    year_end = program.session_end(SESSIONS_PER_YEAR)
    by_coach: dict[str, list[Partnership]] = {}
    for p in roster.partnerships:
        by_coach.setdefault(p.coach, []).append(p)
    coach_steps: dict[str, list[Step]] = {}
    for coach in coaches:
        steps: list[Step] = []
        pace = 9.0 if rng.random() < b.slow_coach else 4.0
        staller = rng.random() < b.staller
        for p in by_coach.get(coach, []):
            start = unlocked_at.get(coach)
            if start is None:  # never unlocked: the coach still tries once, after session 5, and is refused
                start = program.session_end(program.coaching_unlocks_after) + timedelta(days=3)
            steps += _cycles(rng, p, start + timedelta(days=rng.uniform(1, 10)), year_end, pace, staller)
            steps += _release(rng, b, p, principals[p.school], principal_habit[p.school], start, year_end, program)
        coach_steps[coach] = _in_school_hours(steps, program.timezone)
    members: dict[str | None, list[Person]] = {}
    for person in roster.people:
        if person.role in PARTICIPANTS:
            members.setdefault(person.school, []).append(person)
    at_school: dict[str, list[Partnership]] = {}
    for p in roster.partnerships:
        at_school.setdefault(p.school, []).append(p)
    school_steps: dict[str, list[Step]] = {}
    year_start = program.session_start(1)
    for s in sorted(roster.schools, key=lambda s: s.id):
        # The school's year as its launch starts it: who self-assesses and what year 2 is decided for.
        record = school_year_record("planned", s, members.get(s.id, []), at_school.get(s.id, []), roster.coordinators, year_start)
        school_steps[s.id] = _in_school_hours(_school_year(rng, b, program, record), program.timezone)
    return Plan(coordinator=_in_school_hours(attendance_steps, program.timezone), coaches=coach_steps, schools=school_steps)


def _in_school_hours(steps: list[Step], timezone: str) -> list[Step]:
    """People act at the next of a few moments of the school day (local hours below).

    Besides being what people do, this lets a year played on Temporal's time-skipping
    server (the simulator's cross-check) take many people's actions in one step of its clock.
    """
    zone = ZoneInfo(timezone)
    slotted = [replace(s, at=_next_slot(s.at.astimezone(zone))) for s in steps]
    return sorted(slotted, key=lambda s: s.at)


SLOTS = (8, 12, 15)  # 8:00, 12:00 and 15:00 at the schools


def _next_slot(local: datetime) -> datetime:
    """The first slot at or after `local` (an aware datetime in the schools' time zone), in UTC."""
    day = local.replace(minute=0, second=0, microsecond=0)
    for hour in SLOTS:
        slot = day.replace(hour=hour)
        if slot >= local:
            return slot.astimezone(UTC)
    return (day + timedelta(days=1)).replace(hour=SLOTS[0]).astimezone(UTC)


def _habit(rng: random.Random, b: Behaviour) -> str:
    roll = rng.random()
    return "never" if roll < b.principal_never else "late" if roll < b.principal_never + b.principal_late else "prompt"


def _cycles(rng: random.Random, p: Partnership, at: datetime, year_end: datetime, pace: float, staller: bool) -> list[Step]:
    steps: list[Step] = []
    stall_stage = rng.choice(CYCLE_STAGES) if staller else None
    while True:
        for stage in CYCLE_STAGES:
            steps.append(Step(at=at, kind=StepKind.move, actor=p.coach, partnership=p.id, to=stage))
            wait = rng.expovariate(1 / pace) + 1
            if stage == stall_stage:
                wait += rng.uniform(25, 50)
                stall_stage = None
            at += timedelta(days=wait, hours=rng.uniform(0, 8))
        if at + timedelta(days=6 * pace) > year_end:
            steps.append(Step(at=at, kind=StepKind.move, actor=p.coach, partnership=p.id, to=Stage.closed))
            return steps


def _release(
    rng: random.Random, b: Behaviour, p: Partnership, principal: str, habit: str, start: datetime, year_end: datetime, program: Program
) -> list[Step]:
    if rng.random() >= b.release_ask:
        return []
    teacher = p.partners[0]
    asked = start + timedelta(days=rng.uniform(5, 60))
    days = 3.0 if rng.random() < b.over_allowance else rng.choice([0.5, 1.0, 1.5])
    on = program.school_day_from((asked + ASKED_AHEAD).date())  # the schools are open: a substitute can cover the class
    steps = [Step(at=asked, kind=StepKind.ask_release, actor=teacher, partnership=p.id, school=p.school, days=days, on=on)]
    if habit != "never":
        delay = rng.uniform(0.2, 2) if habit == "prompt" else rng.uniform(3.5, 6.5)
        approve = rng.random() < b.approve
        steps.append(
            Step(at=asked + timedelta(days=delay), kind=StepKind.decide_release, actor=principal, partnership=p.id, approve=approve)
        )
    return steps


LATE_BY = (2.0, 40.0)  # days after a deadline that a late plan endorsement or year-2 decision comes


def _school_year(rng: random.Random, b: Behaviour, program: Program, record: SchoolYearRecord) -> list[Step]:
    """The plan, the self-assessments and year 2 of one school. Times keep a day clear of each deadline, so the
    next school-hours slot after a time in a window is still in it."""
    steps: list[Step] = []
    deadline, principal = program.plan_deadline(), record.principal
    if rng.random() < b.plan_written:
        writer = rng.choice(record.coaches) if record.coaches else principal
        written = deadline - timedelta(days=rng.uniform(10, 60))
        steps.append(Step(at=written, kind=StepKind.write_plan, actor=writer, school=record.school))
        roll = rng.random()
        if roll >= b.endorse_never:
            late = roll < b.endorse_never + b.endorse_late
            endorsed = deadline + timedelta(days=rng.uniform(*LATE_BY)) if late else written + timedelta(days=rng.uniform(1, 9))
            steps.append(Step(at=endorsed, kind=StepKind.endorse_plan, actor=principal, school=record.school))
    window = SchoolProcess(program)
    top, keys = len(program.tiers.tiers), program.tiers.dimension_keys
    for email in record.assessing():
        level = rng.randint(1, top - 1)  # room above: one who moves up can
        pre = {k: min(top - 1, max(1, level + rng.choice((-1, 0, 0, 1)))) for k in keys}
        post = {k: v + 1 for k, v in pre.items()} if rng.random() < b.move_up else dict(pre)
        for round, rate, answers in ((Round.pre, b.assess_pre, pre), (Round.post, b.assess_post, post)):
            if rng.random() < rate:
                opens, due = window.assessment_window(record, round, email)
                at = opens + timedelta(hours=1) + (due - opens - timedelta(days=1, hours=1)) * rng.random()
                if rng.random() < b.assess_late:
                    at = due + timedelta(days=rng.uniform(1, 5))
                steps.append(Step(at=at, kind=StepKind.assess, actor=email, school=record.school, round=round, answers=answers))
    roll = rng.random()
    habit = "never" if roll < b.decide_never else "late" if roll < b.decide_never + b.decide_late else "on time"
    opens, due = program.year_two_opens(), program.year_two_deadline()
    # The principal decides the building's year 2 at one sitting, looking at its pages.
    at = due + timedelta(days=rng.uniform(*LATE_BY)) if habit == "late" else opens + (due - opens - timedelta(days=1)) * rng.random()
    for subject in record.subjects() if habit != "never" else []:
        choice = _choice(rng.random(), b)
        steps.append(Step(at=at, kind=StepKind.decide_year_two, actor=principal, school=record.school, subject=subject, choice=choice))
    return steps


def _choice(roll: float, b: Behaviour) -> YearTwoChoice:
    if roll < b.expand:
        return YearTwoChoice.expand
    return YearTwoChoice.conclude if roll < b.expand + b.conclude else YearTwoChoice.continue_


def synthetic_roster(coaches: int, seed: int, per_school: int = 8) -> Roster:
    """A state-sized roster: schools of about `per_school` coaches, two partnerships per coach."""
    from domain.roster import parse_roster_csv

    rng = random.Random(seed)
    models = ["part-time", "grade-level-team", "library-ict"]
    schools = max(1, coaches // per_school)
    rows = [
        "name,email,role,school,district,school_model,coach,partnership,focus,school_goal",
        "Sim Coordinator,coordinator@esd.sim,coordinator,,ESD,,,,,",
    ]
    for s in range(schools):
        rows.append(f"Principal {s},principal{s}@school{s}.sim,principal,School {s},District {s % 9},{rng.choice(models)},,,,")
    for c in range(coaches):
        s = c % schools
        rows.append(f"Coach {c},coach{c}@school{s}.sim,coach,School {s},District {s % 9},,,,,")
        for t in range(2):
            teacher = f"Teacher {c}-{t},teacher{c}-{t}@school{s}.sim,teacher,School {s},District {s % 9}"
            rows.append(f"{teacher},,coach{c}@school{s}.sim,,Lesson focus {c}-{t},")
    return parse_roster_csv("\n".join(rows) + "\n", f"{coaches} simulated coaches")
