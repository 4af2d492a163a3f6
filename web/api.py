"""The JSON API (`/api`, OpenAPI at /api/openapi.json): the same visitor and client as the pages.

It uses the session cookie of a signed-in browser; every call that changes
something needs the `X-CSRF-Token` header (the token is in `GET /api/me`).
Every answer other than success is a `Problem`: 401 sign in first, 403 not yours
to see or do (or a missing CSRF token), 404 no such address, 409 refused by the
program's rules (with the moves allowed instead), 503 the database is down.
The OpenAPI document lists them for each route from the sets below.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from domain.cohort import CohortSummary
from domain.cycle import NOTE_MAX_CHARS, BuildingView, PartnershipRecord, Stage, allowed_moves
from domain.release import PURPOSE_MAX_CHARS, ReleaseRequest
from domain.roster import Role
from domain.training import TrainingRecord
from store.read_model import Page, PartnershipRow
from web.frame import SignedIn, csrf_checked, engine, session
from web.paging import API_MAX_ROWS, PAGE_ROWS, Limit, Offset
from web.visitor import VisiblePartnership, Visitor


class Problem(BaseModel):
    """Why the call did not succeed, in words; `allowed` lists the moves the program would take instead (409)."""

    detail: str
    allowed: list[str] | None = None


_MEANING = {
    400: "The body is not JSON.",
    401: "Not signed in: sign in first (the session cookie of a signed-in browser).",
    403: "Not yours to see or do, or the X-CSRF-Token header is missing or stale.",
    404: "No such address.",
    409: "Refused by the program's rules, or the workflow cannot answer; nothing was changed.",
    503: "The program's database cannot be reached just now; nothing was changed.",
}


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem, "description": _MEANING[code]} for code in codes}


# What each kind of route can answer besides success (FastAPI adds 422 where there are parameters or a body).
ANY_CALL = _problems(401, 503)  # every route: the session is read from the database
IN_COHORT = _problems(403, 404)  # routes under /cohorts/{cohort}: someone else's cohort, or an address that is not one
ASKS_A_WORKFLOW = _problems(403, 404, 409)  # routes that ask a workflow, which may refuse
TELLS_A_WORKFLOW = _problems(400, 403, 404, 409)  # routes that change something, with a JSON body

router = APIRouter(tags=["peer coaching"], responses=ANY_CALL)


async def _signed_in_then_csrf(request: Request, _: SignedIn) -> None:
    """Who is calling is settled before the CSRF token: an anonymous call is told to sign in (401), not that its token is stale."""
    await csrf_checked(request)


Changes = Depends(_signed_in_then_csrf)  # on every route that changes something


class CohortMembership(BaseModel):
    cohort: str
    role: Role
    school: str | None


class Me(BaseModel):
    email: str
    cohorts: list[CohortMembership]
    csrf_token: str


class MoveBody(BaseModel):
    to: Stage
    note: str | None = Field(default=None, max_length=NOTE_MAX_CHARS)


class NoteBody(BaseModel):
    text: str = Field(default="", max_length=NOTE_MAX_CHARS)
    link: str | None = Field(default=None, max_length=2000)


class ReleaseBody(BaseModel):
    days: float
    on: date
    purpose: str = Field(max_length=PURPOSE_MAX_CHARS)
    partnership: str | None = None


class DecisionBody(BaseModel):
    approve: bool
    reason: str | None = Field(default=None, max_length=PURPOSE_MAX_CHARS)  # the domain's limit for a reason too


class PartnershipAnswer(BaseModel):
    record: PartnershipRecord | None = None  # for the coach and collaborating teachers
    building: BuildingView | None = None  # for principals and coordinators: no note text
    allowed: list[Stage] = []


class SchoolAnswer(BaseModel):
    requests: list[ReleaseRequest]
    partnerships: Page[PartnershipRow]  # stages, dates and counts: no note text


class MyRelease(BaseModel):
    allowance: float
    remaining: float
    requests: list[ReleaseRequest]


class SummaryAnswer(CohortSummary):
    """The cohort's counts; `stalled` holds the longest-stalled partnerships, at most API_MAX_ROWS of them."""

    stalled_total: int  # all of them: page through with /cohorts/{cohort}/partnerships?stalled=true


@router.get("/me")
async def me(request: Request, visitor: SignedIn) -> Me:
    cohorts = [CohortMembership(cohort=m.cohort, role=m.member.role, school=m.member.school) for m in visitor.memberships]
    return Me(email=visitor.email, cohorts=cohorts, csrf_token=engine(request).sessions.csrf_token(session(request)))


@router.get("/cohorts/{cohort}/summary", responses=IN_COHORT)
async def summary(cohort: str, visitor: SignedIn) -> SummaryAnswer:
    found = await visitor.summary(cohort)
    return SummaryAnswer(**found.model_dump(exclude={"stalled"}), stalled=found.stalled[:API_MAX_ROWS], stalled_total=len(found.stalled))


@router.get("/cohorts/{cohort}/training/{coach}", responses=ASKS_A_WORKFLOW)
async def training(cohort: str, coach: str, visitor: SignedIn) -> TrainingRecord:
    return await visitor.training(cohort, coach)


@router.get("/cohorts/{cohort}/partnerships", responses=IN_COHORT)
async def partnerships(
    cohort: str,
    visitor: SignedIn,
    school: str | None = None,
    stage: Stage | None = None,
    stalled: bool | None = None,
    coach: str | None = None,
    limit: Limit = PAGE_ROWS,
    offset: Offset = 0,
) -> Page[VisiblePartnership]:
    """The partnerships the caller may see, filtered, a page at a time (ordered by id): `{rows, total, offset, limit}`."""
    return await visitor.partnerships(cohort, school, coach, stage, stalled, limit, offset)


async def _answer(visitor: Visitor, cohort: str, pid: str) -> PartnershipAnswer:
    found = await visitor.partnership(cohort, pid)
    if isinstance(found, PartnershipRecord):
        return PartnershipAnswer(record=found, allowed=allowed_moves(found, visitor.email))
    return PartnershipAnswer(building=found)


@router.get("/cohorts/{cohort}/partnerships/{pid}", responses=ASKS_A_WORKFLOW)
async def partnership(cohort: str, pid: str, visitor: SignedIn) -> PartnershipAnswer:
    return await _answer(visitor, cohort, pid)


@router.post("/cohorts/{cohort}/partnerships/{pid}/moves", dependencies=[Changes], responses=TELLS_A_WORKFLOW)
async def move(cohort: str, pid: str, body: MoveBody, visitor: SignedIn) -> PartnershipAnswer:
    await visitor.move(cohort, pid, body.to, body.note)
    return await _answer(visitor, cohort, pid)


@router.post("/cohorts/{cohort}/partnerships/{pid}/notes", dependencies=[Changes], responses=TELLS_A_WORKFLOW)
async def add_note(cohort: str, pid: str, body: NoteBody, visitor: SignedIn) -> PartnershipAnswer:
    await visitor.add_note(cohort, pid, body.text, body.link)
    return await _answer(visitor, cohort, pid)


@router.get("/cohorts/{cohort}/release", responses=ASKS_A_WORKFLOW)
async def my_release(cohort: str, visitor: SignedIn) -> MyRelease:
    ledger, mine = await visitor.my_release(cohort)
    return MyRelease(allowance=ledger.allowance(visitor.email), remaining=ledger.remaining(visitor.email), requests=mine)


@router.post("/cohorts/{cohort}/release", dependencies=[Changes], responses=TELLS_A_WORKFLOW)
async def request_release(cohort: str, body: ReleaseBody, visitor: SignedIn) -> ReleaseRequest:
    return await visitor.request_release(cohort, body.days, body.on, body.purpose, body.partnership)


@router.get("/cohorts/{cohort}/schools/{school}", responses=ASKS_A_WORKFLOW)
async def school(
    cohort: str,
    school: str,
    visitor: SignedIn,
    limit: Limit = PAGE_ROWS,
    offset: Offset = 0,
) -> SchoolAnswer:
    """The building's release requests, and its partnerships a page at a time (`limit`, `offset`)."""
    ledger = await visitor.school_ledger(cohort, school)
    return SchoolAnswer(requests=ledger.requests, partnerships=await visitor.school_partnerships(cohort, school, offset, limit))


@router.post("/cohorts/{cohort}/schools/{school}/requests/{number}/decision", dependencies=[Changes], responses=TELLS_A_WORKFLOW)
async def decide(cohort: str, school: str, number: int, body: DecisionBody, visitor: SignedIn) -> ReleaseRequest:
    return await visitor.decide(cohort, school, number, body.approve, body.reason)
