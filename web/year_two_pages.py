"""The principal's year-2 decision: for each partnership and coach of the building, continue, expand or conclude,
with a reason, from what the building's pages show (stages, cycles, goals met as counts, the school's tier
movement); coordinators read the decisions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from domain.problems import Refused
from domain.year_two import REASON_MAX_CHARS, YearTwoChoice, coach_subject, partnership_subject
from web.frame import SignedIn, SignedInCsrfChecked, done, engine, page
from web.school_year_visits import SchoolYearVisits
from web.visitor import Visitor

router = APIRouter()


def _url(cohort: str, school: str) -> str:
    return f"/cohorts/{cohort}/schools/{school}/year-two"


async def _year_two_page(
    request: Request,
    visitor: Visitor,
    cohort: str,
    school: str,
    status_code: int = 200,
    problem: str | None = None,
    asked: Mapping[str, str] | None = None,
) -> Response:
    """`asked`: the subject, choice and reason of a refused decision, kept in its form to correct."""
    seen = await SchoolYearVisits(visitor).year_two(cohort, school, engine(request).sealer)
    record, program = seen.record, visitor.membership(cohort).program
    rows = {partnership_subject(p.id): p for p in seen.partnerships}
    coaches = sorted(c for c in record.coaches if c not in record.left)
    people = [*coaches, *(d.decided_by for d in record.decisions.values())]
    titles = await visitor.titles(cohort, [(p.id, p.coach, p.partners) for p in seen.partnerships])
    names = await visitor.names(cohort, people)
    subjects = record.subjects() + sorted(s for s in record.decisions if s not in record.subjects())  # decided, then withdrawn
    named = {partnership_subject(p.id): titles[p.id] for p in seen.partnerships} | {coach_subject(c): names[c] for c in coaches}
    for s in subjects:
        named.setdefault(s, names.get(s.partition(":")[2], s.partition(":")[2]))
    now = datetime.now(UTC)
    return page(
        request,
        "year_two.html",
        status_code=status_code,
        cohort=cohort,
        school=await visitor.school_of(cohort, school),
        seen=seen,
        rows=rows,
        coaches=[(c, [p for p in seen.partnerships if p.coach == c]) for c in coaches],
        subjects=subjects,
        named=named,
        titles=titles,
        names=names,
        opens=program.year_two_opens(),
        deadline=program.year_two_deadline(),
        open=program.year_two_opens() <= now,
        zone=program.timezone,
        choices=list(YearTwoChoice),
        problem=problem,
        asked=asked or {},
        REASON_MAX_CHARS=REASON_MAX_CHARS,
    )


@router.get("/cohorts/{cohort}/schools/{school}/year-two", response_class=HTMLResponse)
async def year_two(request: Request, cohort: str, school: str, visitor: SignedIn) -> Response:
    return await _year_two_page(request, visitor, cohort, school)


@router.post("/cohorts/{cohort}/schools/{school}/year-two", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def decide(
    request: Request,
    cohort: str,
    school: str,
    visitor: SignedIn,
    subject: Annotated[str, Form()],
    choice: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """The school's workflow decides who may decide, when, and what a reason holds (`domain/year_two.py`)."""
    asked = {"subject": subject, "choice": choice, "reason": reason}
    if choice not in {c.value for c in YearTwoChoice}:
        problem = "choose continue, expand or conclude; nothing was saved"
        return await _year_two_page(request, visitor, cohort, school, 400, problem, asked)
    try:
        decided = await SchoolYearVisits(visitor).decide_year_two(cohort, school, subject, YearTwoChoice(choice), reason)
    except Refused as refused:
        return await _year_two_page(request, visitor, cohort, school, 409, refused.reason, asked)
    return done(request, _url(cohort, school), f"Year 2 decided: {decided.choice.label}; the coordinators can read it")
