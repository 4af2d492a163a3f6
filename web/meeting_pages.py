"""A school's recurring meetings: a coach sets up, changes, pauses and cancels a series and records who came with one
tap a person; coordinators see how many meetings were held and how many came (counts only)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from activities.meetings import MeetingSeriesDesk
from domain import access
from domain.meetings import (
    MEETING_INVITEES_MAX,
    MEETING_PLACE_MAX,
    MEETING_TITLE_MAX,
    WEEKS_OF_MONTH,
    MeetingPlan,
    MeetingSeries,
    SeriesEvent,
    meeting_days,
)
from domain.problems import Refused
from domain.program import WEEKDAYS
from domain.roster import Person
from store import meetings, members
from web.frame import SignedIn, SignedInCsrfChecked, done, engine, page
from web.visitor import Forbidden, Membership, Visitor

router = APIRouter()

LIMITS = {"MEETING_TITLE_MAX": MEETING_TITLE_MAX, "MEETING_PLACE_MAX": MEETING_PLACE_MAX, "WEEKS_OF_MONTH": WEEKS_OF_MONTH}
LIMITS |= {"MEETING_INVITEES_MAX": MEETING_INVITEES_MAX}
WEEK_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth"}
SCHOOL_PEOPLE_SHOWN = 1000

Texts = Annotated[list[str] | None, Form()]
Text = Annotated[str, Form()]


def _desk(request: Request) -> MeetingSeriesDesk:
    e = engine(request)
    return MeetingSeriesDesk(e.database, e.coaching.client, e.coaching.task_queue, e.notices)


def _coach(visitor: Visitor, cohort: str) -> Membership:
    m = visitor.membership(cohort)
    if not access.may_hold_meetings(m.member):
        raise Forbidden(access.MEETING_KEEPERS)
    return m


async def _series(visitor: Visitor, cohort: str, series_id: str) -> tuple[Membership, MeetingSeries]:
    """The series, for its own coach only (who came is theirs to record)."""
    m = _coach(visitor, cohort)
    series = await visitor.read(meetings.find, cohort, series_id)
    if series is None or series.coach != visitor.email:
        raise Forbidden(f"you have no meeting series {series_id} in {cohort}")
    return m, series


async def _school_people(visitor: Visitor, cohort: str, m: Membership) -> list[Person]:
    """Whom the form offers: the people of the coach's school in the cohort (a school's are a few dozen)."""
    found = await visitor.read(members.people, cohort, school=m.member.school, limit=SCHOOL_PEOPLE_SHOWN)
    return [p for p in found.rows if p.email != visitor.email]


def _plan(
    title: str, place: str, weekday: list[str], week: list[str], starts_at: str, ends_at: str, first: str, last: str, invitee: list[str]
) -> MeetingPlan:
    try:
        return MeetingPlan.model_validate(
            {
                "title": title,
                "place": place,
                "weekdays": weekday,
                "weeks": week,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "first_day": first,
                "last_day": last,
                "invitees": invitee,
            }
        )
    except ValidationError as err:
        wrong = ", ".join(sorted({str(e["loc"][0]).replace("_", " ") for e in err.errors()}))
        raise Refused(f"check the {wrong}: times as 15:30, dates as 2026-09-08, weekdays from the list") from None


def _form(plan: MeetingPlan | None) -> dict[str, object]:
    if plan is None:
        return {field: [] if field in ("weekdays", "weeks", "invitees") else "" for field in MeetingPlan.model_fields}
    return plan.model_dump(mode="json") | {"starts_at": f"{plan.starts_at:%H:%M}", "ends_at": f"{plan.ends_at:%H:%M}"}


@router.get("/cohorts/{cohort}/meetings", response_class=HTMLResponse)
async def series_list(request: Request, cohort: str, visitor: SignedIn) -> Response:
    return await _list_page(request, visitor, cohort)


async def _list_page(
    request: Request,
    visitor: Visitor,
    cohort: str,
    status_code: int = 200,
    problem: str | None = None,
    asked: dict[str, object] | None = None,
) -> Response:
    m = visitor.membership(cohort)
    if access.may_count_meetings(m.member):
        listed = await visitor.read(meetings.listed, cohort)
        coaches = await visitor.names(cohort, [c.series.coach for c in listed])
        schools = {s.id: s.name for s in await visitor.read(members.schools, cohort)}
        return page(request, "meetings_counts.html", cohort=cohort, listed=listed, names=coaches, schools=schools)
    m = _coach(visitor, cohort)
    listed = await visitor.read(meetings.listed, cohort, visitor.email)
    return page(
        request,
        "meetings.html",
        status_code=status_code,
        cohort=cohort,
        listed=listed,
        people=await _school_people(visitor, cohort, m),
        weekdays=[d for d in WEEKDAYS if d not in m.program.closed_weekdays],
        week_words=WEEK_WORDS,
        form=asked or _form(None),
        problem=problem,
        zone=m.program.timezone,
        **LIMITS,
    )


@router.post("/cohorts/{cohort}/meetings", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def set_up(
    request: Request,
    cohort: str,
    visitor: SignedIn,
    title: Text = "",
    place: Text = "",
    weekday: Texts = None,
    week: Texts = None,
    starts_at: Text = "",
    ends_at: Text = "",
    first_day: Text = "",
    last_day: Text = "",
    invitee: Texts = None,
) -> Response:
    m = _coach(visitor, cohort)
    asked: dict[str, object] = {
        "title": title,
        "place": place,
        "weekdays": weekday or [],
        "weeks": [int(w) for w in week or [] if w.isdigit()],
    }
    asked |= {"starts_at": starts_at, "ends_at": ends_at, "first_day": first_day, "last_day": last_day, "invitees": invitee or []}
    try:
        plan = _plan(title, place, weekday or [], week or [], starts_at, ends_at, first_day, last_day, invitee or [])
        assert m.member.school is not None  # a coach with a school: `_coach`
        series = await _desk(request).set_up(cohort, m.program, m.member.school, visitor.email, plan, datetime.now(UTC))
    except Refused as refused:
        return await _list_page(request, visitor, cohort, 409, refused.reason, asked)
    said = f"{series.title} is set up; {len(series.invitees)} people were sent the calendar invite for the series"
    return done(request, f"/cohorts/{cohort}/meetings/{series.id}", said)


async def _series_page(
    request: Request, visitor: Visitor, cohort: str, series_id: str, status_code: int = 200, problem: str | None = None
) -> Response:
    m, series = await _series(visitor, cohort, series_id)
    held = await visitor.read(meetings.held, cohort, series_id)
    today = m.program.local_date(datetime.now(UTC))
    return page(
        request,
        "meeting.html",
        status_code=status_code,
        cohort=cohort,
        series=series,
        held=held,
        upcoming=[d for d in meeting_days(series, m.program) if d >= today][:5],
        names=await visitor.names(cohort, series.invitees),
        people=await _school_people(visitor, cohort, m),
        weekdays=[d for d in WEEKDAYS if d not in m.program.closed_weekdays],
        week_words=WEEK_WORDS,
        form=_form(series),
        problem=problem,
        zone=series.timezone,
        **LIMITS,
    )


@router.get("/cohorts/{cohort}/meetings/{series_id}", response_class=HTMLResponse)
async def series_page(request: Request, cohort: str, series_id: str, visitor: SignedIn) -> Response:
    return await _series_page(request, visitor, cohort, series_id)


@router.post("/cohorts/{cohort}/meetings/{series_id}/edit", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def edit(
    request: Request,
    cohort: str,
    series_id: str,
    visitor: SignedIn,
    title: Text = "",
    place: Text = "",
    weekday: Texts = None,
    week: Texts = None,
    starts_at: Text = "",
    ends_at: Text = "",
    first_day: Text = "",
    last_day: Text = "",
    invitee: Texts = None,
) -> Response:
    m, _ = await _series(visitor, cohort, series_id)
    try:
        plan = _plan(title, place, weekday or [], week or [], starts_at, ends_at, first_day, last_day, invitee or [])
        edited = await _desk(request).edit(cohort, m.program, series_id, plan, visitor.email, datetime.now(UTC))
    except Refused as refused:
        return await _series_page(request, visitor, cohort, series_id, 409, refused.reason)
    return done(request, f"/cohorts/{cohort}/meetings/{series_id}", f"{edited.title} is changed; the invitees were sent the updated invite")


SAID = {
    SeriesEvent.pause: "is paused: no reminders until you resume it",
    SeriesEvent.resume: "is resumed: reminders go out again",
    SeriesEvent.cancel: "is cancelled; the invitees' calendars take it out",
}


@router.post("/cohorts/{cohort}/meetings/{series_id}/{event}", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def change(request: Request, cohort: str, series_id: str, event: SeriesEvent, visitor: SignedIn) -> Response:
    m, _ = await _series(visitor, cohort, series_id)
    changed = await _desk(request).change(cohort, m.program, series_id, event, visitor.email, datetime.now(UTC))
    return done(request, f"/cohorts/{cohort}/meetings/{series_id}", f"{changed.title} {SAID[event]}")


@router.get("/cohorts/{cohort}/meetings/{series_id}/held/{on}", response_class=HTMLResponse)
async def attendance(request: Request, cohort: str, series_id: str, on: date, visitor: SignedIn) -> Response:
    _, series = await _series(visitor, cohort, series_id)
    if on not in await visitor.read(meetings.held, cohort, series_id):
        raise Refused(f"no meeting of {series.title} was held on {on:%A %B %-d, %Y}")
    came = await visitor.read(meetings.came, cohort, series_id, on)
    names = await visitor.names(cohort, series.invitees)
    return page(request, "meeting_attendance.html", cohort=cohort, series=series, on=on, came=came, names=names)


@router.post("/cohorts/{cohort}/meetings/{series_id}/held/{on}", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def mark(request: Request, cohort: str, series_id: str, on: date, visitor: SignedIn, person: Text = "", came: Text = "") -> Response:
    """One tap: this person came (came=yes) or did not after all."""
    m, _ = await _series(visitor, cohort, series_id)
    await _desk(request).mark(cohort, m.program, series_id, on, person.strip().lower(), came == "yes", visitor.email, datetime.now(UTC))
    names = await visitor.names(cohort, [person])
    said = f"{names.get(person, person)} {'came' if came == 'yes' else 'did not come'} on {on:%A %B %-d}"
    return done(request, f"/cohorts/{cohort}/meetings/{series_id}/held/{on.isoformat()}", said)
