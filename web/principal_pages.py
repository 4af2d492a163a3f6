"""A principal's page: the building's release requests to decide, and its partnerships as stages and dates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from domain import to_do, words
from domain.cycle import Stage
from domain.problems import Refused
from domain.release import PURPOSE_MAX_CHARS, ReleaseStatus
from web.filters import BuildingFilters, PartnershipFilter
from web.frame import SignedIn, SignedInCsrfChecked, done, page
from web.paging import Offset, Pager, page_of
from web.visitor import Visitor

router = APIRouter()


async def _school_page(
    request: Request,
    visitor: Visitor,
    cohort: str,
    school: str,
    decided: int = 0,
    offset: int = 0,
    status_code: int = 200,
    problem: str | None = None,
    filters: PartnershipFilter | None = None,
) -> Response:
    """The ledger and the partnerships as the read model has them (found by text, stage and stall): no workflow is asked."""
    f = filters or PartnershipFilter()
    ledger = await visitor.school_ledger(cohort, school)
    partnerships = await visitor.school_partnerships(cohort, school, offset, q=f.q, stage=f.stage, stalled=f.stalled)
    # Waiting requests are all shown, to be decided; decided ones newest first, a page at a time.
    program = visitor.membership(cohort).program
    waiting = to_do.waiting_for_decision(ledger, program)
    decided_page = page_of([r for r in reversed(ledger.requests) if r.status != ReleaseStatus.requested], decided)
    shown = [w.request for w in waiting] + decided_page.rows
    listed = [(p.id, p.coach, p.partners) for p in partnerships.rows]
    return page(
        request,
        "school.html",
        status_code=status_code,
        cohort=cohort,
        school=await visitor.school_of(cohort, school),
        ledger=ledger,
        waiting=waiting,
        zone=program.timezone,
        names=await visitor.names(cohort, [r.requester for r in shown] + [r.decided_by for r in shown if r.decided_by]),
        titles=await visitor.titles(cohort, listed) | await visitor.titles_of(cohort, [r.partnership for r in shown if r.partnership]),
        decided=decided_page,
        decided_pager=Pager.of(request, "decided", "decided", decided_page),
        partnerships=partnerships,
        partnerships_pager=Pager.of(request, "offset", "partnerships", partnerships),
        problem=problem,
        filters=f,
        stage_options=[(s.value, s.label) for s in Stage],
    )


@router.get("/cohorts/{cohort}/schools/{school}", response_class=HTMLResponse)
async def school(
    request: Request, cohort: str, school: str, visitor: SignedIn, filters: BuildingFilters, decided: Offset = 0, offset: Offset = 0
) -> Response:
    return await _school_page(request, visitor, cohort, school, decided, offset, filters=filters)


@router.post(
    "/cohorts/{cohort}/schools/{school}/requests/{number}/decision", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked]
)
async def decide(
    request: Request,
    cohort: str,
    school: str,
    number: int,
    visitor: SignedIn,
    decision: Annotated[str, Form(pattern="^(approve|deny)$")],
    reason: Annotated[str, Form(max_length=PURPOSE_MAX_CHARS)] = "",
) -> Response:
    try:
        decided = await visitor.decide(cohort, school, number, decision == "approve", reason.strip() or None)
    except Refused as refused:
        return await _school_page(request, visitor, cohort, school, status_code=409, problem=refused.reason)
    who = (await visitor.names(cohort, [decided.requester]))[decided.requester]
    what = f"{who}, {words.days_phrase(decided.days)} on {words.day(decided.on)}"
    if decided.status == ReleaseStatus.denied:
        return done(request, f"/cohorts/{cohort}/schools/{school}", f"Denied: {what}")
    booked = await visitor.booked(cohort, school, decided)  # the substitute desk books cover a moment after approval
    cover = f"substitute {booked.booking} booked" if booked.booking else "the substitute is being booked"
    return done(request, f"/cohorts/{cohort}/schools/{school}", f"Approved: {cover} ({what})")
