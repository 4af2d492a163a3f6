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
from domain.yaml_files import parse_yaml

SESSIONS_PER_YEAR = 8
MAX_DAYS = 365  # no setting waits longer than a year: the program's clocks stay within its calendar


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
    ends_at: time = time(15, 30)

    @property
    def ends_on(self) -> date:
        return self.starts_on + timedelta(days=self.days - 1)


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

    @field_validator("reminder_days_before")
    @classmethod
    def _positive_offsets(cls, offsets: list[int]) -> list[int]:
        if any(not 1 <= o <= MAX_DAYS for o in offsets):
            raise ValueError(f"reminder offsets are whole days before a session, at least 1 (at most {MAX_DAYS})")
        return sorted(set(offsets), reverse=True)

    @field_validator("stall_days")
    @classmethod
    def _stall_days_positive(cls, days: dict[Stage, float]) -> dict[Stage, float]:
        if any(not 0 < d <= MAX_DAYS for d in days.values()):  # NaN fails the comparison too
            raise ValueError(f"stall thresholds are days and more than 0 (at most {MAX_DAYS})")
        return {**default_stall_days(), **days}

    @field_validator("release_days")
    @classmethod
    def _release_days_in_half_days(cls, days: dict[Role, float]) -> dict[Role, float]:
        if any(d < 0 or not float(d * 2).is_integer() for d in days.values()):  # is_integer: no overflow on huge values
            raise ValueError("release days are counted in half days (0, 0.5, 1 ...), never negative")
        return days

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

    def end_of_day(self, day: date) -> datetime:
        return datetime.combine(day + timedelta(days=1), time(0), ZoneInfo(self.timezone))


def calendar_problems(program: Program, file: str) -> list[Problem]:
    """Eight sessions numbered 1 to 8, around the school year, in date order, none overlapping the next."""
    problems: list[Problem] = []
    numbers = [s.number for s in program.sessions]
    if sorted(numbers) != list(range(1, SESSIONS_PER_YEAR + 1)):
        problems.append(Problem(file, None, "sessions", f"a program has exactly sessions 1 to 8, found {numbers}"))
        return problems
    ordered = sorted(program.sessions, key=lambda s: s.number)
    # A year's slack either side of the school year (session 1 is often the spring before); a date
    # outside it is a typo, and one near year 9999 would overflow every reminder and deadline.
    first, last = (int(year) for year in program.school_year.split("-"))
    for s in ordered:
        if not first - 1 <= s.starts_on.year <= last + 1:
            problems.append(
                Problem(
                    file,
                    f"session {s.number}",
                    "starts_on",
                    f"session {s.number} is on {s.starts_on}, outside the {program.school_year} program year "
                    f"(sessions fall in {first - 1} to {last + 1})",
                )
            )
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


def parse_program(raw: Any, file: str) -> Program:
    if not isinstance(raw, dict):
        raise InvalidInput([Problem(file, None, None, "expected a mapping with name, school_year and sessions")])
    try:
        program = Program.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput([_problem_from_pydantic(file, err) for err in exc.errors()]) from None
    problems = calendar_problems(program, file)
    if problems:
        raise InvalidInput(problems)
    return program


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
