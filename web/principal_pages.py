"""A principal's page: the building's release requests to decide, and its partnerships as stages and dates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from domain.problems import Refused
from domain.release import ReleaseStatus
from web.frame import CsrfChecked, SignedIn, page
from web.visitor import Visitor

router = APIRouter()


async def _school_page(
    request: Request, visitor: Visitor, cohort: str, school: str, status_code: int = 200, problem: str | None = None
) -> Response:
    ledger, partnerships = await visitor.school(cohort, school)
    pending = [r for r in ledger.requests if r.status == ReleaseStatus.requested]
    decided = [r for r in ledger.requests if r.status != ReleaseStatus.requested]
    name = visitor.membership(cohort).roster.school(school).name
    return page(
        request,
        "school.html",
        status_code=status_code,
        cohort=cohort,
        school=school,
        school_name=name,
        ledger=ledger,
        pending=pending,
        decided=decided,
        partnerships=partnerships,
        problem=problem,
    )


@router.get("/cohorts/{cohort}/schools/{school}", response_class=HTMLResponse)
async def school(request: Request, cohort: str, school: str, visitor: SignedIn) -> Response:
    return await _school_page(request, visitor, cohort, school)


@router.post("/cohorts/{cohort}/schools/{school}/requests/{number}/decision", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def decide(
    request: Request,
    cohort: str,
    school: str,
    number: int,
    visitor: SignedIn,
    decision: Annotated[str, Form(pattern="^(approve|deny)$")],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        await visitor.decide(cohort, school, number, decision == "approve", reason.strip() or None)
    except Refused as refused:
        return await _school_page(request, visitor, cohort, school, 409, refused.reason)
    return RedirectResponse(f"/cohorts/{cohort}/schools/{school}", status_code=303)
