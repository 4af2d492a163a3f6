"""A coach's and a collaborating teacher's pages: the training year, partnerships, notes, release time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from domain.cycle import PartnershipRecord, Stage, allowed_moves
from domain.problems import Refused
from domain.release import cancellable
from domain.roster import FOCUS_MAX_CHARS
from web.frame import CsrfChecked, SignedIn, is_htmx, page
from web.paging import Offset, Pager
from web.visitor import Visitor

router = APIRouter()


@router.get("/cohorts/{cohort}/training/{coach}", response_class=HTMLResponse)
async def training(request: Request, cohort: str, coach: str, visitor: SignedIn) -> Response:
    record = await visitor.training(cohort, coach)
    program = visitor.membership(cohort).program
    now = datetime.now(UTC)
    upcoming = next((s for s in program.sessions if program.session_start(s.number) > now), None)
    return page(request, "training.html", cohort=cohort, record=record, program=program, upcoming=upcoming)


# -- partnerships ----------------------------------------------------------------------


async def _partnership_page(request: Request, visitor: Visitor, cohort: str, pid: str, status_code: int = 200, **extra: object) -> Response:
    record = await visitor.partnership(cohort, pid)
    full = isinstance(record, PartnershipRecord)
    allowed = allowed_moves(record, visitor.email) if isinstance(record, PartnershipRecord) else []
    template = "_partnership.html" if is_htmx(request) else "partnership.html"
    context = {"cohort": cohort, "record": record, "full": full, "allowed": allowed, "problem": None, "allowed_text": []}
    return page(request, template, status_code=status_code, **(context | extra))


@router.get("/cohorts/{cohort}/partnerships/{pid}", response_class=HTMLResponse)
async def partnership(request: Request, cohort: str, pid: str, visitor: SignedIn) -> Response:
    return await _partnership_page(request, visitor, cohort, pid)


@router.post("/cohorts/{cohort}/partnerships/{pid}/move", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def move(
    request: Request, cohort: str, pid: str, visitor: SignedIn, to: Annotated[str, Form()], note: Annotated[str, Form()] = ""
) -> Response:
    """The buttons show only the moves allowed now; the workflow checks again and may refuse."""
    try:
        await visitor.move(cohort, pid, Stage.parse(to), note.strip() or None)
    except Refused as refused:
        # htmx swaps only 2xx answers in place: the refusal is shown where the buttons were
        status = 200 if is_htmx(request) else 409
        return await _partnership_page(request, visitor, cohort, pid, status, problem=refused.reason, allowed_text=refused.allowed)
    if is_htmx(request):
        return await _partnership_page(request, visitor, cohort, pid)
    return RedirectResponse(f"/cohorts/{cohort}/partnerships/{pid}", status_code=303)


@router.post("/cohorts/{cohort}/partnerships/{pid}/notes", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def add_note(
    request: Request, cohort: str, pid: str, visitor: SignedIn, text: Annotated[str, Form()] = "", link: Annotated[str, Form()] = ""
) -> Response:
    try:
        await visitor.add_note(cohort, pid, text, link.strip() or None)
    except Refused as refused:
        status = 200 if is_htmx(request) else 409
        return await _partnership_page(request, visitor, cohort, pid, status, problem=refused.reason)
    if is_htmx(request):
        return await _partnership_page(request, visitor, cohort, pid)
    return RedirectResponse(f"/cohorts/{cohort}/partnerships/{pid}", status_code=303)


@router.get("/cohorts/{cohort}/partnerships-new", response_class=HTMLResponse)
async def start_form(request: Request, cohort: str, visitor: SignedIn, offset: Offset = 0) -> Response:
    return await _start_page(request, visitor, cohort, offset)


async def _start_page(
    request: Request, visitor: Visitor, cohort: str, offset: int = 0, status_code: int = 200, problem: str | None = None
) -> Response:
    teachers = await visitor.teachers_to_choose(cohort, offset)  # of the coach's school, withdrawn ones left out
    training = await visitor.my_training(cohort)
    unlocked = training is not None and training.coaching_unlocked
    pager = Pager.of(request, "offset", "teachers", teachers)
    context = {
        "cohort": cohort,
        "teachers": teachers,
        "teachers_pager": pager,
        "unlocked": unlocked,
        "problem": problem,
    }
    return page(request, "start_partnership.html", status_code=status_code, **context)


@router.post("/cohorts/{cohort}/partnerships", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def start(
    request: Request,
    cohort: str,
    visitor: SignedIn,
    partners: Annotated[list[str], Form()],
    focus: Annotated[str, Form(max_length=FOCUS_MAX_CHARS)],
    school_goal: Annotated[str, Form(max_length=FOCUS_MAX_CHARS)] = "",
) -> Response:
    try:
        started = await visitor.start_partnership(cohort, partners, focus, school_goal.strip() or None)
    except Refused as refused:
        return await _start_page(request, visitor, cohort, status_code=409, problem=refused.reason)
    return RedirectResponse(f"/cohorts/{cohort}/partnerships/{started}", status_code=303)


# -- release time ------------------------------------------------------------------------


async def _release_page(request: Request, visitor: Visitor, cohort: str, status_code: int = 200, problem: str | None = None) -> Response:
    ledger, mine = await visitor.my_release(cohort)
    partnerships = await visitor.my_partnerships(cohort)
    today = visitor.membership(cohort).program.local_date(datetime.now(UTC))
    return page(
        request,
        "release.html",
        status_code=status_code,
        cohort=cohort,
        ledger=ledger,
        mine=mine,
        remaining=ledger.remaining(visitor.email),
        allowance=ledger.allowance(visitor.email),
        partnerships=partnerships,
        problem=problem,
        today=today,
        cancellable=cancellable(ledger, visitor.email, today),  # the ledger checks again when asked
    )


@router.get("/cohorts/{cohort}/release", response_class=HTMLResponse)
async def release(request: Request, cohort: str, visitor: SignedIn) -> Response:
    return await _release_page(request, visitor, cohort)


@router.post("/cohorts/{cohort}/release", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def request_release(
    request: Request,
    cohort: str,
    visitor: SignedIn,
    days: Annotated[float, Form()],
    on: Annotated[date, Form()],
    purpose: Annotated[str, Form()],
    partnership: Annotated[str, Form()] = "",
) -> Response:
    try:
        await visitor.request_release(cohort, days, on, purpose, partnership or None)
    except Refused as refused:
        return await _release_page(request, visitor, cohort, 409, refused.reason)
    return RedirectResponse(f"/cohorts/{cohort}/release", status_code=303)


@router.post("/cohorts/{cohort}/release/{number}/cancel", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def cancel_release(request: Request, cohort: str, number: int, visitor: SignedIn) -> Response:
    try:
        await visitor.cancel_release(cohort, number)
    except Refused as refused:
        return await _release_page(request, visitor, cohort, 409, refused.reason)
    return RedirectResponse(f"/cohorts/{cohort}/release", status_code=303)
