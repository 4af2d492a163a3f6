"""Recurring meetings at a school: a coach's weekly grade-level planning, twice-monthly Tech Time, an after-school workshop.

A coach sets up a series for their school: a title, the weekdays (every week, or only some weeks of the month),
the hours and place in the program's time zone, the people of their school it invites, and the first and last day,
within the school year. Its meetings fall on those days except the program's holidays; the invite names the days
skipped. A series is active, paused (no reminders, the invite stands) or cancelled (for good). After each meeting the
coach records who came. Here are the rules and every refusal; a Temporal Schedule (workflows/meeting.py) carries
them out.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field
from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from domain.problems import Refused
from domain.program import WEEKDAYS, Program, Weekday

MEETING_TITLE_MAX = 120
MEETING_PLACE_MAX = 200
MEETING_INVITEES_MAX = 60
WEEKS_OF_MONTH = (1, 2, 3, 4)  # the first to the fourth of a weekday in a month: a fifth comes only some months
EARLIEST_START = time(6, 0)
LATEST_END = time(21, 0)
# The reminder goes out this long before each meeting, on the meeting's own day (EARLIEST_START leaves room for it).
REMINDER_BEFORE = timedelta(hours=2)
# A school year runs from July 1 to June 30; a 2026-2027 program's meetings fall in it, or in its training year.
SCHOOL_YEAR_STARTS = (7, 1)
ICAL_DAYS = {d: d.value[:2].upper() for d in Weekday}  # RFC 5545 BYDAY: MO, TU, ...


class SeriesStatus(StrEnum):
    active = "active"
    paused = "paused"
    cancelled = "cancelled"


class MeetingPlan(BaseModel):
    """What a coach asks for: the series' title, place, days and hours, its first and last day, and who is invited."""

    title: str
    place: str
    weekdays: list[Weekday]
    weeks: list[int] = Field(default_factory=list)  # of the month; empty: every week
    starts_at: time
    ends_at: time
    first_day: date
    last_day: date
    invitees: list[str]


class MeetingSeries(MeetingPlan):
    cohort: str
    id: str
    school: str
    coach: str
    timezone: str
    status: SeriesStatus = SeriesStatus.active
    sequence: int = 0  # goes up with each change the invitees' calendars are to apply
    set_up_at: datetime

    @property
    def reminder_at(self) -> time:
        return (datetime.combine(date.min, self.starts_at) - REMINDER_BEFORE).time()


def school_year_days(program: Program) -> tuple[date, date]:
    """The program's year: its school year (July 1 to June 30), widened to its first and last training session."""
    first = int(program.school_year.split("-")[0])
    month, day = SCHOOL_YEAR_STARTS
    begins = min([date(first, month, day), *(s.starts_on for s in program.sessions)])
    return begins, max([date(first + 1, month, day) - timedelta(days=1), *(s.ends_on for s in program.sessions)])


def _on_pattern(day: date, weekdays: list[Weekday], weeks: list[int]) -> bool:
    return WEEKDAYS[day.weekday()] in weekdays and (not weeks or (day.day - 1) // 7 + 1 in weeks)


def pattern_days(plan: MeetingPlan) -> list[date]:
    """Every day the series' pattern names from its first to its last day, holidays included (the RRULE's days)."""
    count = (plan.last_day - plan.first_day).days + 1
    days = (plan.first_day + timedelta(days=n) for n in range(max(count, 0)))
    return [d for d in days if _on_pattern(d, plan.weekdays, plan.weeks)]


def meeting_days(plan: MeetingPlan, program: Program) -> list[date]:
    """The days the series meets: its pattern's days the schools are open."""
    return [d for d in pattern_days(plan) if program.is_school_day(d)]


def skipped_days(plan: MeetingPlan, program: Program) -> list[date]:
    """Its pattern's days that fall on a holiday or break: the schedule skips them and the invite excludes them."""
    return [d for d in pattern_days(plan) if not program.is_school_day(d)]


def repetition(plan: MeetingPlan) -> str:
    """The RFC 5545 RRULE of the pattern, without its end: weekly, or monthly on some weeks ("1TU,3TU")."""
    days = [ICAL_DAYS[d] for d in WEEKDAYS if d in plan.weekdays]
    if not plan.weeks:
        return "FREQ=WEEKLY;BYDAY=" + ",".join(days)
    return "FREQ=MONTHLY;BYDAY=" + ",".join(f"{w}{d}" for w in sorted(plan.weeks) for d in days)


def check_plan(plan: MeetingPlan, program: Program, coach: str, school_people: list[str], today: date) -> MeetingPlan:
    """The plan as the series keeps it (invitees lower-cased, once each, in order), or the first thing wrong with it.
    `school_people`: the addresses of the people of the coach's school in the cohort."""
    title, place = plan.title.strip(), plan.place.strip()
    if not title or len(title) > MEETING_TITLE_MAX:
        raise Refused(f"give the meeting a title of at most {MEETING_TITLE_MAX} characters")
    if not place or len(place) > MEETING_PLACE_MAX:
        raise Refused(f"say where the meeting is (a room, or a video link), in at most {MEETING_PLACE_MAX} characters")
    if not plan.weekdays:
        raise Refused("choose the weekday or weekdays the meeting is on")
    closed = [d.value.capitalize() for d in WEEKDAYS if d in plan.weekdays and d in program.closed_weekdays]
    if closed:
        raise Refused(f"the schools are closed on {', '.join(closed)}s; choose a school day")
    if any(w not in WEEKS_OF_MONTH for w in plan.weeks):
        raise Refused("the weeks of the month are the first to the fourth (1 to 4); leave them out to meet every week")
    if plan.ends_at <= plan.starts_at:
        raise Refused(f"the meeting ends at {plan.ends_at:%H:%M}, not after it starts at {plan.starts_at:%H:%M}")
    if plan.starts_at < EARLIEST_START or plan.ends_at > LATEST_END:
        raise Refused(f"a meeting is held between {EARLIEST_START:%H:%M} and {LATEST_END:%H:%M}; change its hours")
    _check_days(plan, program, today)
    invitees = list(dict.fromkeys(e.strip().lower() for e in plan.invitees if e.strip()))
    if not invitees:
        raise Refused("invite at least one person of your school")
    if len(invitees) > MEETING_INVITEES_MAX:
        raise Refused(f"a meeting invites at most {MEETING_INVITEES_MAX} people; {len(invitees)} were chosen")
    strangers = [e for e in invitees if e not in school_people or e == coach]
    if strangers:
        raise Refused(f"{', '.join(strangers)}: invite people of your school in this cohort (you are its organizer)")
    return plan.model_copy(update={"title": title, "place": place, "invitees": invitees, "weeks": sorted(set(plan.weeks))})


def check_change(series: MeetingSeries, plan: MeetingPlan, program: Program, school_people: list[str], today: date) -> MeetingPlan:
    """A changed plan, checked as a new one but that a series under way keeps its own first day, passed or not."""
    since = min(today, series.first_day) if plan.first_day == series.first_day else today
    return check_plan(plan, program, series.coach, school_people, since)


def _check_days(plan: MeetingPlan, program: Program, today: date) -> None:
    if plan.last_day < plan.first_day:
        raise Refused(f"the last day ({plan.last_day}) is before the first ({plan.first_day}); swap them")
    if plan.first_day < today:
        raise Refused(f"the first day ({plan.first_day}) has passed; start on {today} or later")
    begins, ends = school_year_days(program)
    if plan.first_day < begins or plan.last_day > ends:
        raise Refused(f"meetings fall within the {program.school_year} program year, {begins} to {ends}; change the dates")
    if not meeting_days(plan, program):
        raise Refused("every day this pattern names from the first to the last day is a holiday or break; widen the dates")


class SeriesLife(StateMachine):
    """A series: active, paused and active again, and cancelled from either (for good)."""

    active = State("active", initial=True, value=SeriesStatus.active)
    paused = State("paused", value=SeriesStatus.paused)
    cancelled = State("cancelled", final=True, value=SeriesStatus.cancelled)

    pause = active.to(paused)
    resume = paused.to(active)
    cancel = cancelled.from_(active, paused)

    def __init__(self, series: MeetingSeries):
        super().__init__(model=series, state_field="status")


class SeriesEvent(StrEnum):
    pause = "pause"
    resume = "resume"
    cancel = "cancel"


def _by_coach(series: MeetingSeries, by: str) -> None:
    if by.lower() != series.coach:
        raise Refused(f"only {series.coach}, who set up {series.title}, changes it or records who came")


def change(series: MeetingSeries, event: SeriesEvent, by: str) -> MeetingSeries:
    """The series paused, resumed or cancelled (a copy; the invitees' calendars hear of a cancellation)."""
    _by_coach(series, by)
    changed = series.model_copy()
    try:
        SeriesLife(changed).send(event.value)
    except TransitionNotAllowed:
        raise Refused(f"{series.title} is {series.status.value}; it cannot {event.value} now") from None
    if event == SeriesEvent.cancel:
        changed.sequence += 1
    return changed


def edit(series: MeetingSeries, plan: MeetingPlan, by: str) -> MeetingSeries:
    """The series with a checked plan in place of its own: the invitees' calendars are to apply it (SEQUENCE one up)."""
    _by_coach(series, by)
    if series.status == SeriesStatus.cancelled:
        raise Refused(f"{series.title} is cancelled; set up a new series instead")
    return series.model_copy(update={**plan.model_dump(), "sequence": series.sequence + 1})


def check_attendance(series: MeetingSeries, program: Program, on: date, person: str, by: str, today: date) -> None:
    """Who came to the meeting on `on`: the coach records it, for a day the series met, once it has come."""
    _by_coach(series, by)
    if on not in meeting_days(series, program):
        raise Refused(f"{series.title} does not meet on {on:%A %B %-d, %Y}")
    if on > today:
        raise Refused(f"the meeting on {on:%A %B %-d, %Y} has not happened yet; record who came once it has")
    if person not in series.invitees:
        raise Refused(f"{person} is not invited to {series.title}")


def series_id(title: str, taken: list[str]) -> str:
    """A short id from the title ("tech-time"), numbered when the cohort has one already ("tech-time-2")."""
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40].strip("-") or "meeting"
    found, n = base, 1
    while found in taken:
        n += 1
        found = f"{base}-{n}"
    return found
