"""A principal's page: the building's release requests to decide, and its partnerships as stages and dates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from domain.problems import Refused
from domain.release import PURPOSE_MAX_CHARS, ReleaseStatus
from web.frame import CsrfChecked, SignedIn, page
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
) -> Response:
    """The ledger and the partnerships as the read model has them: no workflow is asked."""
    ledger = await visitor.school_ledger(cohort, school)
    partnerships = await visitor.school_partnerships(cohort, school, offset)
    # Waiting requests are all shown, to be decided; decided ones newest first, a page at a time.
    pending = [r for r in ledger.requests if r.status == ReleaseStatus.requested]
    decided_page = page_of([r for r in reversed(ledger.requests) if r.status != ReleaseStatus.requested], decided)
    return page(
        request,
        "school.html",
        status_code=status_code,
        cohort=cohort,
        school=await visitor.school_of(cohort, school),
        ledger=ledger,
        pending=pending,
        decided=decided_page,
        decided_pager=Pager.of(request, "decided", "decided", decided_page),
        partnerships=partnerships,
        partnerships_pager=Pager.of(request, "offset", "partnerships", partnerships),
        problem=problem,
    )


@router.get("/cohorts/{cohort}/schools/{school}", response_class=HTMLResponse)
async def school(request: Request, cohort: str, school: str, visitor: SignedIn, decided: Offset = 0, offset: Offset = 0) -> Response:
    return await _school_page(request, visitor, cohort, school, decided, offset)


@router.post("/cohorts/{cohort}/schools/{school}/requests/{number}/decision", response_class=HTMLResponse, dependencies=[CsrfChecked])
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
        await visitor.decide(cohort, school, number, decision == "approve", reason.strip() or None)
    except Refused as refused:
        return await _school_page(request, visitor, cohort, school, status_code=409, problem=refused.reason)
    return RedirectResponse(f"/cohorts/{cohort}/schools/{school}", status_code=303)
