"""A coach's and a collaborating teacher's pages: the training year, partnerships, notes, release time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from domain import access, goals, to_do, words
from domain.cycle import OPEN_STAGES, Outcome, PartnershipRecord, Stage, allowed_moves, starts_new_cycle
from domain.problems import Refused
from domain.release import cancellable
from domain.roster import FOCUS_MAX_CHARS
from web.frame import SignedIn, SignedInCsrfChecked, done, is_htmx, page
from web.paging import Offset, Pager
from web.school_year_visits import SchoolYearVisits
from web.visitor import Visitor

router = APIRouter()


@router.get("/cohorts/{cohort}/training/{coach}", response_class=HTMLResponse)
async def training(request: Request, cohort: str, coach: str, visitor: SignedIn) -> Response:
    record = await visitor.training(cohort, coach)
    program = visitor.membership(cohort).program
    upcoming = to_do.next_session(program, datetime.now(UTC))
    return page(request, "training.html", cohort=cohort, record=record, program=program, upcoming=upcoming)


# -- partnerships ----------------------------------------------------------------------


async def _partnership_page(request: Request, visitor: Visitor, cohort: str, pid: str, status_code: int = 200, **extra: object) -> Response:
    record = await visitor.partnership(cohort, pid)
    full = isinstance(record, PartnershipRecord)
    allowed = allowed_moves(record, visitor.email) if isinstance(record, PartnershipRecord) else []
    membership = visitor.membership(cohort)
    people = [record.coach, *record.partners]
    if full:
        people += [m.by for m in record.moves] + [n.author for n in record.notes]  # type: ignore[union-attr]
    template = "_partnership.html" if is_htmx(request) else "partnership.html"
    context = {
        "cohort": cohort,
        "record": record,
        "full": full,
        "allowed": [s for s in allowed if s != Stage.withdrawn],  # withdrawing has its own form, with a reason
        "withdraws": record.stage in OPEN_STAGES and access.is_coordinator(membership.member),
        "problem": None,
        "allowed_text": [],
        "names": (names := await visitor.names(cohort, people)),
        "partner_names": words.together([names[p] for p in record.partners]),
        "title": (await visitor.titles(cohort, [(record.id, record.coach, record.partners)]))[record.id],
        "zone": membership.program.timezone,
        "goal": goals.goal_of(record) if isinstance(record, PartnershipRecord) else None,
        "names_goal": isinstance(record, PartnershipRecord) and record.stage in goals.NAMED_IN,
        "fragment": is_htmx(request),  # the section alone, swapped in by htmx: it shows its own status line
    }
    return page(request, template, status_code=status_code, **(context | extra))


async def _changed(request: Request, visitor: Visitor, cohort: str, pid: str, said: str) -> Response:
    """After a change: htmx swaps the section in place with its status line; a plain form goes back to the page."""
    if is_htmx(request):
        return await _partnership_page(request, visitor, cohort, pid, said=said)
    return done(request, f"/cohorts/{cohort}/partnerships/{pid}", said)


async def _refused(request: Request, visitor: Visitor, cohort: str, pid: str, refused: Refused) -> Response:
    # htmx swaps only 2xx answers in place: the refusal is shown where the form was
    status = 200 if is_htmx(request) else 409
    return await _partnership_page(request, visitor, cohort, pid, status, problem=refused.reason, allowed_text=refused.allowed)


@router.get("/cohorts/{cohort}/partnerships/{pid}", response_class=HTMLResponse)
async def partnership(request: Request, cohort: str, pid: str, visitor: SignedIn) -> Response:
    return await _partnership_page(request, visitor, cohort, pid)


@router.post("/cohorts/{cohort}/partnerships/{pid}/move", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def move(
    request: Request, cohort: str, pid: str, visitor: SignedIn, to: Annotated[str, Form()], note: Annotated[str, Form()] = ""
) -> Response:
    """The buttons show only the moves allowed now; the workflow checks again and may refuse."""
    try:
        moved = await visitor.move(cohort, pid, Stage.parse(to), note.strip() or None)
    except Refused as refused:
        return await _refused(request, visitor, cohort, pid, refused)
    target = moved.move.target
    said = f"Cycle {moved.move.cycle + 1} started" if starts_new_cycle(moved.move.source, target) else f"Moved to {target.label}"
    return await _changed(request, visitor, cohort, pid, said)


@router.post("/cohorts/{cohort}/partnerships/{pid}/withdraw", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def withdraw(
    request: Request,
    cohort: str,
    pid: str,
    visitor: SignedIn,
    reason: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """A coordinator ends a partnership, saying why (the reason is the move's note, which its coach and teachers read)."""
    if not reason.strip() or confirm != "yes":
        problem = "say why the partnership is withdrawn and tick the box to confirm; nothing was changed"
        return await _partnership_page(request, visitor, cohort, pid, 400, problem=problem)
    try:
        await visitor.move(cohort, pid, Stage.withdrawn, reason.strip())
    except Refused as refused:
        return await _partnership_page(request, visitor, cohort, pid, 409, problem=refused.reason, allowed_text=refused.allowed)
    title = (await visitor.titles_of(cohort, [pid])).get(pid, pid)
    return done(request, f"/cohorts/{cohort}/partnerships/{pid}", f"Withdrawn: {title}")


@router.post("/cohorts/{cohort}/partnerships/{pid}/notes", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def add_note(
    request: Request, cohort: str, pid: str, visitor: SignedIn, text: Annotated[str, Form()] = "", link: Annotated[str, Form()] = ""
) -> Response:
    try:
        await visitor.add_note(cohort, pid, text, link.strip() or None)
    except Refused as refused:
        return await _refused(request, visitor, cohort, pid, refused)
    said = "Note added; only the partnership's coach and teachers can read it"
    return await _changed(request, visitor, cohort, pid, said)


@router.post("/cohorts/{cohort}/partnerships/{pid}/goal", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def set_goal(
    request: Request, cohort: str, pid: str, visitor: SignedIn, lesson: Annotated[str, Form()] = "", goal: Annotated[str, Form()] = ""
) -> Response:
    try:
        named = await visitor.set_goal(cohort, pid, lesson, goal)
    except Refused as refused:
        return await _refused(request, visitor, cohort, pid, refused)
    said = f"Cycle {named.cycle}'s goal is set; only the partnership's coach and teachers can read it"
    return await _changed(request, visitor, cohort, pid, said)


@router.post("/cohorts/{cohort}/partnerships/{pid}/outcome", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def record_outcome(
    request: Request,
    cohort: str,
    pid: str,
    visitor: SignedIn,
    outcome: Annotated[Outcome, Form()],
    evidence: Annotated[str, Form()] = "",
) -> Response:
    try:
        recorded = await visitor.record_outcome(cohort, pid, outcome, evidence.strip() or None)
    except Refused as refused:
        return await _refused(request, visitor, cohort, pid, refused)
    said = f"Cycle {recorded.cycle}'s goal: {words.label(outcome)}"
    return await _changed(request, visitor, cohort, pid, said)


@router.get("/cohorts/{cohort}/partnerships-new", response_class=HTMLResponse)
async def start_form(request: Request, cohort: str, visitor: SignedIn, offset: Offset = 0) -> Response:
    return await _start_page(request, visitor, cohort, offset)


async def _start_page(
    request: Request,
    visitor: Visitor,
    cohort: str,
    offset: int = 0,
    status_code: int = 200,
    problem: str | None = None,
    asked: Mapping[str, object] | None = None,
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
        "asked": asked or {"partners": [], "focus": "", "school_goal": "", "already": [], "titles": {}},
        "plan_goals": await SchoolYearVisits(visitor).plan_goals(cohort),
    }
    return page(request, "start_partnership.html", status_code=status_code, **context)


@router.post("/cohorts/{cohort}/partnerships", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def start(
    request: Request,
    cohort: str,
    visitor: SignedIn,
    partners: Annotated[list[str], Form()],
    focus: Annotated[str, Form(max_length=FOCUS_MAX_CHARS)],
    school_goal: Annotated[str, Form(max_length=FOCUS_MAX_CHARS)] = "",
    second: Annotated[str, Form()] = "",
) -> Response:
    """A teacher already in an open partnership: the page asks once more (`second`) before a second one starts."""
    try:
        await visitor.check_start(cohort, partners, focus, school_goal.strip() or None)  # a refusal first, then the warning
        already = await visitor.open_partnerships_with(cohort, partners)
        if already and second != "yes":
            titles = await visitor.titles(cohort, [(p.id, p.coach, p.partners) for p in already])
            asked = {"partners": partners, "focus": focus, "school_goal": school_goal, "already": already, "titles": titles}
            return await _start_page(request, visitor, cohort, status_code=409, asked=asked)
        started = await visitor.start_partnership(cohort, partners, focus, school_goal.strip() or None)
    except Refused as refused:
        asked = {"partners": partners, "focus": focus, "school_goal": school_goal, "already": [], "titles": {}}
        return await _start_page(request, visitor, cohort, status_code=409, problem=refused.reason, asked=asked)
    named = await visitor.names(cohort, partners)
    return done(
        request, f"/cohorts/{cohort}/partnerships/{started}", f"Partnership started with {words.together([named[p] for p in partners])}"
    )


# -- release time ------------------------------------------------------------------------


async def _release_page(
    request: Request,
    visitor: Visitor,
    cohort: str,
    status_code: int = 200,
    problem: str | None = None,
    cancelling: int | None = None,
    asked: Mapping[str, object] | None = None,
) -> Response:
    """`asked`: what a refused request asked for, kept in the form to correct."""
    ledger, mine = await visitor.my_release(cohort)
    partnerships = await visitor.my_partnerships(cohort)
    program = visitor.membership(cohort).program
    today = program.local_date(datetime.now(UTC))
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
        titles=await visitor.titles(cohort, [(p.id, p.coach, p.partners) for p in partnerships]),
        program=program,
        problem=problem,
        today=today,
        cancellable=cancellable(ledger, visitor.email, today),  # the ledger checks again when asked
        cancelling=cancelling,
        asked=asked or {},
    )


@router.get("/cohorts/{cohort}/release", response_class=HTMLResponse)
async def release(request: Request, cohort: str, visitor: SignedIn, cancel: int | None = None) -> Response:
    """`cancel`: the request whose cancelling is to be confirmed."""
    return await _release_page(request, visitor, cohort, cancelling=cancel)


@router.post("/cohorts/{cohort}/release", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
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
        asked = await visitor.request_release(cohort, days, on, purpose, partnership or None)
    except Refused as refused:
        kept = {"days": days, "on": on, "purpose": purpose, "partnership": partnership}
        return await _release_page(request, visitor, cohort, 409, refused.reason, asked=kept)
    ledger, _ = await visitor.my_release(cohort)
    principal = (await visitor.names(cohort, [ledger.principal]))[ledger.principal]
    said = f"Request sent to {principal}: {words.days_phrase(asked.days)} on {words.day(asked.on)}"
    return done(request, f"/cohorts/{cohort}/release", said)


@router.post("/cohorts/{cohort}/release/{number}/cancel", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def cancel_release(request: Request, cohort: str, number: int, visitor: SignedIn, confirm: Annotated[str, Form()] = "") -> Response:
    """Cancelling asks first (the release page with `?cancel=N` shows what is cancelled); `confirm=yes` does it."""
    if confirm != "yes":
        return await _release_page(request, visitor, cohort, cancelling=number)
    try:
        cancelled = await visitor.cancel_release(cohort, number)
    except Refused as refused:
        return await _release_page(request, visitor, cohort, 409, refused.reason)
    said = f"Cancelled: {words.days_phrase(cancelled.days)} on {words.day(cancelled.on)}; the days are yours again"
    return done(request, f"/cohorts/{cohort}/release", said)
