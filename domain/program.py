"""The program year: eight training sessions and the settings that pace a cohort.

A coordinator keeps this in a YAML file (see `samples/`). Everything that is a
number a program may want to change lives here: when coaching unlocks, when
reminders go out, how long a stage may sit before it stalls, how many release
days each role has.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, ValidationError, field_validator

from domain.cycle import Stage
from domain.problems import InvalidInput, Problem
from domain.roster import Role
from domain.tiers import Round, TiersInstrument, default_instrument
from domain.yaml_files import parse_yaml

SESSIONS_PER_YEAR = 8
MIN_STALL_DAYS = 1 / 86_400  # a second: below it a threshold is no time at all (2e-282 days is a zero timedelta)
MAX_DAYS = 365  # no setting waits longer than a year: the program's clocks stay within its calendar
# A year far from now is a typo; near year 1 or 9999 the reminders and deadlines a year around it would not be dates.
SCHOOL_YEARS = range(1900, 3000)
# From the first day of session 1 to the last day of the last session. The seed's training year runs
# from late April to the May after (13 months); 18 leaves room for a program that starts in the winter
# or ends in the summer, and a date typed a year off still falls outside.
TRAINING_YEAR_DAYS = 548


class SessionFormat(StrEnum):
    in_person = "in-person"
    online = "online"


class TrainingSession(BaseModel):
    number: int = Field(ge=1, le=SESSIONS_PER_YEAR)
    title: str = Field(min_length=1)
    starts_on: date
    days: int = Field(default=1, ge=1, le=10)
    format: SessionFormat = SessionFormat.in_person
    location: str = ""
    starts_at: time = time(8, 30)
    ends_at: time = time(15, 30)  # with starts_at, the hours of each day of the session

    @property
    def ends_on(self) -> date:
        return self.starts_on + timedelta(days=self.days - 1)


class Weekday(StrEnum):
    monday = "monday"
    tuesday = "tuesday"
    wednesday = "wednesday"
    thursday = "thursday"
    friday = "friday"
    saturday = "saturday"
    sunday = "sunday"


WEEKDAYS = list(Weekday)  # in date.weekday() order: Monday is 0


class Holiday(BaseModel):
    """A day, or days in a row, the schools are closed: a holiday, a break, an in-service day."""

    name: str = Field(min_length=1)
    starts_on: date
    ends_on: date | None = None  # the last day of a break; None: one day

    @property
    def last_day(self) -> date:
        return self.ends_on or self.starts_on


class Audience(StrEnum):
    coach = "coach"
    partners = "partners"
    coordinator = "coordinator"
    principal = "principal"


class StallStep(BaseModel):
    """One link of the stall chain: who is told, and how long after the previous link.

    `after_days` of None means "the stage's own stall threshold".
    """

    kind: str = Field(pattern=r"^(follow_up|escalation)$")
    notify: list[Audience] = Field(min_length=1)
    after_days: float | None = Field(default=None, gt=0, le=MAX_DAYS)


def default_stall_days() -> dict[Stage, float]:
    return {
        Stage.pending: 21,
        Stage.initiate: 14,
        Stage.co_plan: 14,
        Stage.modeling: 21,
        Stage.observe: 21,
        Stage.reflect: 14,
    }


def default_stall_chain() -> list[StallStep]:
    return [
        StallStep(kind="follow_up", notify=[Audience.coach, Audience.partners]),
        StallStep(kind="escalation", notify=[Audience.coordinator], after_days=7),
    ]


def default_release_days() -> dict[Role, float]:
    return {Role.coach: 2.0, Role.teacher: 2.0}


class Program(BaseModel):
    name: str = Field(min_length=1)
    school_year: str = Field(pattern=r"^\d{4}-\d{4}$")
    timezone: str = "America/Los_Angeles"
    sessions: list[TrainingSession]
    coaching_unlocks_after: int = Field(default=5, ge=1, le=SESSIONS_PER_YEAR)
    reminder_days_before: list[int] = Field(default_factory=lambda: [7, 1])
    attendance_grace_days: int = Field(default=3, ge=0, le=MAX_DAYS)
    stall_days: dict[Stage, float] = Field(default_factory=default_stall_days)  # fractions allowed: 0.5 is twelve hours
    stall_chain: list[StallStep] = Field(default_factory=default_stall_chain, min_length=1)
    release_days: dict[Role, float] = Field(default_factory=default_release_days)
    release_reminder_days: int = Field(default=3, ge=1, le=MAX_DAYS)
    release_expires_days: int = Field(default=7, ge=1, le=MAX_DAYS)
    # Stall follow-ups and release reminders go out at this local time, not at 3 a.m.; None: the moment they are due.
    follow_ups_at: time | None = time(7, 0)
    # Days the schools are closed, when no release day can be taken: these weekdays every week, and the holidays.
    closed_weekdays: list[Weekday] = Field(default_factory=lambda: [Weekday.saturday, Weekday.sunday])
    holidays: list[Holiday] = Field(default_factory=list)
    # Did coaching work: the school's plan is endorsed by this date (None: when coaching unlocks); each self-assessment
    # round and the principals' year-2 decisions stay open this many days; a reminder goes out this many days before each.
    plan_endorse_by: date | None = None
    self_assessment_days: int = Field(default=21, ge=1, le=MAX_DAYS)
    year_two_days: int = Field(default=21, ge=1, le=MAX_DAYS)
    deadline_reminder_days: int = Field(default=7, ge=1, le=MAX_DAYS)
    tiers: TiersInstrument = Field(default_factory=default_instrument)
    # The discussion board is the coaches' and coordinators'; true lets this cohort's collaborating teachers read
    # (not post in) the program-wide threads (`domain/access.py`).
    teachers_read_program_board: bool = False

    @field_validator("school_year")
    @classmethod
    def _consecutive_years(cls, school_year: str) -> str:
        first, second = (int(year) for year in school_year.split("-"))
        if first not in SCHOOL_YEARS:
            raise ValueError(f"school years go from {SCHOOL_YEARS[0]}-{SCHOOL_YEARS[0] + 1} to {SCHOOL_YEARS[-1]}-{SCHOOL_YEARS[-1] + 1}")
        if second != first + 1:
            raise ValueError(f"a school year is two years in a row, the first then the next, such as {first}-{first + 1}")
        return school_year

    @field_validator("reminder_days_before")
    @classmethod
    def _positive_offsets(cls, offsets: list[int]) -> list[int]:
        if any(not 1 <= o <= MAX_DAYS for o in offsets):
            raise ValueError(f"reminder offsets are whole days before a session, at least 1 (at most {MAX_DAYS})")
        return sorted(set(offsets), reverse=True)

    @field_validator("stall_days")
    @classmethod
    def _stall_days_positive(cls, days: dict[Stage, float]) -> dict[Stage, float]:
        # NaN fails the comparison too
        if any(not MIN_STALL_DAYS <= d <= MAX_DAYS for d in days.values()):
            raise ValueError(f"stall thresholds are days and more than 0: at least a second, at most {MAX_DAYS}")
        return {**default_stall_days(), **days}

    @field_validator("release_days")
    @classmethod
    def _release_days_in_half_days(cls, days: dict[Role, float]) -> dict[Role, float]:
        if any(d < 0 or not float(d * 2).is_integer() for d in days.values()):  # is_integer: no overflow on huge values
            raise ValueError("release days are counted in half days (0, 0.5, 1 ...), never negative")
        return days

    @field_validator("closed_weekdays")
    @classmethod
    def _some_school_days(cls, closed: list[Weekday]) -> list[Weekday]:
        if set(closed) == set(Weekday):
            raise ValueError(
                "the schools cannot be closed every day of the week; list the weekdays they are closed, such as saturday, sunday"
            )
        return sorted(set(closed), key=WEEKDAYS.index)

    @field_validator("holidays")
    @classmethod
    def _holidays_in_order(cls, holidays: list[Holiday]) -> list[Holiday]:
        for h in holidays:
            if h.last_day < h.starts_on:
                raise ValueError(f"{h.name} ends on {h.last_day}, before it starts on {h.starts_on}; ends_on is its last day")
        return holidays

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones such as "America"
            raise ValueError(f"unknown time zone {name!r}") from None
        return name

    # -- calendar -------------------------------------------------------------

    def session(self, number: int) -> TrainingSession:
        for s in self.sessions:
            if s.number == number:
                return s
        raise KeyError(f"there is no session {number}; sessions are 1 to {SESSIONS_PER_YEAR}")

    def session_start(self, number: int) -> datetime:
        s = self.session(number)
        return datetime.combine(s.starts_on, s.starts_at, ZoneInfo(self.timezone))

    def session_end(self, number: int) -> datetime:
        s = self.session(number)
        return datetime.combine(s.ends_on, s.ends_at, ZoneInfo(self.timezone))

    def attendance_due(self, number: int) -> datetime:
        """When attendance for a session should have been recorded at the latest."""
        return self.session_end(number) + timedelta(days=self.attendance_grace_days)

    def reminders(self, number: int) -> list[tuple[int, datetime]]:
        """(days before, when) for each reminder of a session, earliest first."""
        start = self.session_start(number)
        return [(d, start - timedelta(days=d)) for d in self.reminder_days_before]

    def local_date(self, at: datetime) -> date:
        """The date at the schools (a request made at 8pm is for "today" there, not in UTC)."""
        return at.astimezone(ZoneInfo(self.timezone)).date()

    def next_follow_up_time(self, at: datetime) -> datetime:
        """The first `follow_ups_at` (local time at the schools) at or after `at`."""
        if self.follow_ups_at is None:
            return at
        zone = ZoneInfo(self.timezone)
        local = at.astimezone(zone)
        moment = datetime.combine(local.date(), self.follow_ups_at, zone)
        if moment <= local < moment + timedelta(minutes=1):
            return at  # on the hour (a timer that fired a few milliseconds late counts)
        return moment if moment > local else datetime.combine(local.date() + timedelta(days=1), self.follow_ups_at, zone)

    def closed_on(self, day: date) -> str | None:
        """Why the schools are closed that day ("a Saturday", "Winter break"), or None on a school day."""
        weekday = WEEKDAYS[day.weekday()]
        if weekday in self.closed_weekdays:
            return f"a {weekday.value.capitalize()}"
        for h in self.holidays:
            if h.starts_on <= day <= h.last_day:
                return h.name
        return None

    def is_school_day(self, day: date) -> bool:
        return self.closed_on(day) is None

    def school_day_from(self, day: date) -> date:
        """The first school day on or after `day` (a release day asked for "in about two weeks" lands on one)."""
        # Ends: some weekday is always open (`_some_school_days`) and the holidays are finitely many.
        while not self.is_school_day(day):
            day += timedelta(days=1)
        return day

    def end_of_day(self, day: date) -> datetime:
        return datetime.combine(day + timedelta(days=1), time(0), ZoneInfo(self.timezone))

    # -- did coaching work: the plan, the self-assessments, year 2 -----------------------

    def plan_deadline(self) -> datetime:
        """When each school's plan should be endorsed: the end of `plan_endorse_by`, or when coaching unlocks."""
        if self.plan_endorse_by is not None:
            return self.end_of_day(self.plan_endorse_by)
        return self.session_start(self.coaching_unlocks_after)

    def assessment_opens(self, round: Round) -> datetime:
        """Pre: when coaching begins (the unlocking session); post: after the last session."""
        return self.session_start(self.coaching_unlocks_after) if round == Round.pre else self.session_end(SESSIONS_PER_YEAR)

    def year_two_opens(self) -> datetime:
        return self.session_end(SESSIONS_PER_YEAR)

    def year_two_deadline(self) -> datetime:
        return self.year_two_opens() + timedelta(days=self.year_two_days)


def calendar_problems(program: Program, file: str) -> list[Problem]:
    """Eight sessions numbered 1 to 8, in the program's school year, in date order, none overlapping the next."""
    problems: list[Problem] = []
    numbers = [s.number for s in program.sessions]
    if sorted(numbers) != list(range(1, SESSIONS_PER_YEAR + 1)):
        problems.append(Problem(file, None, "sessions", f"a program has exactly sessions 1 to 8, found {numbers}"))
        return problems
    ordered = sorted(program.sessions, key=lambda s: s.number)
    problems = _school_year_problems(program, ordered, file)
    if problems:
        return problems
    for before, after in pairwise(ordered):
        if after.starts_on <= before.ends_on:
            problems.append(
                Problem(
                    file,
                    f"session {after.number}",
                    "starts_on",
                    f"session {after.number} starts {after.starts_on} but session "
                    f"{before.number} runs until {before.ends_on}; sessions must be in order "
                    "and not overlap",
                )
            )
    return problems


def _school_year_problems(program: Program, ordered: list[TrainingSession], file: str) -> list[Problem]:
    """The sessions of a 2026-2027 program belong to that school year.

    Session 1 falls in 2026: often in the spring or summer before the school year, as the
    seed's late-April session 1 does. The last session ends within `TRAINING_YEAR_DAYS` of
    session 1's start (the seed's ends the May after). A date typed a year off falls outside.
    """
    first_year = int(program.school_year.split("-")[0])
    session_1 = ordered[0]
    if session_1.starts_on.year != first_year:
        return [
            Problem(
                file,
                "session 1",
                "starts_on",
                f"session 1 is on {session_1.starts_on}, but a {program.school_year} program begins in {first_year} "
                "(session 1 is often the spring before the school year); correct its date or the school_year",
            )
        ]
    last_day = session_1.starts_on + timedelta(days=TRAINING_YEAR_DAYS - 1)
    return [
        Problem(
            file,
            f"session {s.number}",
            "starts_on",
            f"session {s.number} runs until {s.ends_on}, more than 18 months after session 1 on {session_1.starts_on}, "
            f"so outside the {program.school_year} program year; correct its date (the year, most likely)",
        )
        for s in ordered[1:]
        if s.ends_on > last_day
    ]


def parse_program(raw: Any, file: str) -> Program:
    if not isinstance(raw, dict):
        raise InvalidInput([Problem(file, None, None, "expected a mapping with name, school_year and sessions")])
    try:
        program = Program.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput([_problem_from_pydantic(file, err) for err in exc.errors()]) from None
    problems = calendar_problems(program, file) + _hours_problems(program, raw["sessions"], file) + _plan_date_problems(program, file)
    if problems:
        raise InvalidInput(problems)
    return program


def _plan_date_problems(program: Program, file: str) -> list[Problem]:
    """A plan is endorsed during the training year: a date outside it would escalate every school at once, or never."""
    by = program.plan_endorse_by
    if by is None or not program.sessions:
        return []
    first, last = min(s.starts_on for s in program.sessions), max(s.ends_on for s in program.sessions)
    if first <= by <= last:
        return []
    return [Problem(file, None, "plan_endorse_by", f"{by} is outside the training year ({first} to {last}); choose a date between them")]


def _hours_problems(program: Program, written: list[Any], file: str) -> list[Problem]:
    """Each session ends after it starts, every day of it. The time the file gives is the one to correct (the other
    is the default); when it gives both, the end."""
    problems = []
    for index, (session, entry) in enumerate(zip(program.sessions, written, strict=True), start=1):
        # A time's offset is ignored (the program's time zone applies), and a naive and an aware time do not compare.
        if session.ends_at.replace(tzinfo=None) <= session.starts_at.replace(tzinfo=None):
            field = "starts_at" if isinstance(entry, dict) and "ends_at" not in entry else "ends_at"
            problems.append(
                Problem(
                    file,
                    f"sessions item {index}",
                    field,
                    f"session {session.number} ends at {session.ends_at:%H:%M}, before it starts at {session.starts_at:%H:%M}; "
                    "starts_at and ends_at are the hours of each day of the session, such as 08:30 and 15:30",
                )
            )
    return problems


def load_program(path: str | Path) -> Program:
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InvalidInput([Problem(str(path), None, None, f"cannot read the file: {exc.strerror}")]) from None
    return read_program(content, str(path))


def read_program(content: bytes, file: str) -> Program:
    """A program from a file's bytes (read from disk, or uploaded to the web app)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput([Problem(file, None, None, "the file is not UTF-8 text")]) from None
    return parse_program(parse_yaml(text, file), file)


def _problem_from_pydantic(file: str, err: Any) -> Problem:
    loc = [str(part) for part in err["loc"]]
    row: str | None = None
    if len(loc) >= 2 and loc[0] == "sessions" and loc[1].isdigit():
        row = f"sessions item {int(loc[1]) + 1}"
        loc = loc[2:]
    return Problem(file, row, ".".join(loc) or None, err["msg"])


class CalendarEventKind(StrEnum):
    reminder = "reminder"
    attendance_due = "attendance_due"


class CalendarEvent(BaseModel):
    """A moment in a coach's training year the program acts on."""

    at: datetime
    kind: CalendarEventKind
    session: int
    days_before: int | None = None


def training_timeline(program: Program) -> list[CalendarEvent]:
    """Every reminder and attendance deadline of the year, in time order."""
    events: list[CalendarEvent] = []
    for s in program.sessions:
        for days, at in program.reminders(s.number):
            events.append(CalendarEvent(at=at, kind=CalendarEventKind.reminder, session=s.number, days_before=days))
        events.append(CalendarEvent(at=program.attendance_due(s.number), kind=CalendarEventKind.attendance_due, session=s.number))
    return sorted(events, key=lambda e: (e.at, e.session))
