"""A school's coaching plan: its coaches and principal write it, the principal endorses it, coordinators read it;
and the coordinators' overview of every school's plan and which goals partnerships work on."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from domain import words
from domain.plans import PLAN_GOAL_MAX_CHARS, PLAN_GOALS_MAX, PLAN_TEXT_MAX_CHARS, SECTIONS, PlanStatus, SchoolPlan
from domain.problems import Refused
from web.frame import SignedIn, SignedInCsrfChecked, done, page
from web.school_year_visits import SchoolYearVisits
from web.visitor import Visitor

router = APIRouter()

LIMITS = {"PLAN_GOALS_MAX": PLAN_GOALS_MAX, "PLAN_GOAL_MAX_CHARS": PLAN_GOAL_MAX_CHARS, "PLAN_TEXT_MAX_CHARS": PLAN_TEXT_MAX_CHARS}


def _url(cohort: str, school: str) -> str:
    return f"/cohorts/{cohort}/schools/{school}/plan"


async def _plan_page(
    request: Request,
    visitor: Visitor,
    cohort: str,
    school: str,
    status_code: int = 200,
    problem: str | None = None,
    asked: Mapping[str, object] | None = None,
) -> Response:
    """`asked`: what a refused draft held, kept in the form to correct."""
    plan = await SchoolYearVisits(visitor).plan(cohort, school)
    program = visitor.membership(cohort).program
    people = [plan.written_by, *([plan.endorsed_by] if plan and plan.endorsed_by else [])] if plan else []
    return page(
        request,
        "plan.html",
        status_code=status_code,
        cohort=cohort,
        school=await visitor.school_of(cohort, school),
        plan=plan,
        status=words.PLAN_STATUS,
        sections=SECTIONS,
        form=asked or _form_of(plan),
        writes=SchoolYearVisits(visitor).may_write_plan(cohort, school),
        endorses=SchoolYearVisits(visitor).may_endorse_plan(cohort, school) and plan is not None and not plan.endorsed,
        deadline=program.plan_deadline(),
        overdue=program.plan_deadline() <= datetime.now(UTC) and not (plan and plan.endorsed),
        zone=program.timezone,
        names=await visitor.names(cohort, people),
        problem=problem,
        **LIMITS,
    )


def _form_of(plan: SchoolPlan | None) -> dict[str, object]:
    if plan is None:
        return {"goals": [], "assignments": "", "roles": "", "communication": "", "submit": False}
    return {
        "goals": [g.text for g in plan.goals],
        "assignments": plan.assignments,
        "roles": plan.roles,
        "communication": plan.communication,
        "submit": plan.status == PlanStatus.submitted,
    }


@router.get("/cohorts/{cohort}/schools/{school}/plan", response_class=HTMLResponse)
async def plan(request: Request, cohort: str, school: str, visitor: SignedIn) -> Response:
    return await _plan_page(request, visitor, cohort, school)


@router.post("/cohorts/{cohort}/schools/{school}/plan", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def write(
    request: Request,
    cohort: str,
    school: str,
    visitor: SignedIn,
    goal: Annotated[list[str] | None, Form()] = None,
    assignments: Annotated[str, Form()] = "",
    roles: Annotated[str, Form()] = "",
    communication: Annotated[str, Form()] = "",
    submit: Annotated[str, Form()] = "",
) -> Response:
    """Goals come one to a field; empty fields are left out. Lengths are the plan's own rule (`domain/plans.py`)."""
    asks, goals = submit == "yes", goal or []
    try:
        written = await SchoolYearVisits(visitor).write_plan(cohort, school, goals, assignments, roles, communication, asks)
    except Refused as refused:
        kept = {"goals": goals, "assignments": assignments, "roles": roles, "communication": communication, "submit": asks}
        return await _plan_page(request, visitor, cohort, school, 409, refused.reason, kept)
    principal = (await visitor.school_of(cohort, school)).principal
    if written.status == PlanStatus.submitted and written.written_by != principal:
        said = f"Plan saved (version {written.version}) and sent to the principal to endorse"
    else:
        said = f"Plan saved (version {written.version}); {words.PLAN_STATUS[written.status]}"
    return done(request, _url(cohort, school), said)


@router.post("/cohorts/{cohort}/schools/{school}/plan/endorse", response_class=HTMLResponse, dependencies=[SignedInCsrfChecked])
async def endorse(request: Request, cohort: str, school: str, visitor: SignedIn) -> Response:
    try:
        endorsed = await SchoolYearVisits(visitor).endorse_plan(cohort, school)
    except Refused as refused:
        return await _plan_page(request, visitor, cohort, school, 409, refused.reason)
    return done(request, _url(cohort, school), f"Plan endorsed (version {endorsed.version}); its coaches have been told")


@router.get("/cohorts/{cohort}/plans", response_class=HTMLResponse)
async def plans(request: Request, cohort: str, visitor: SignedIn) -> Response:
    """Coordinators: each school's plan and how many partnerships work on each of its goals (counts only)."""
    lines = await SchoolYearVisits(visitor).plans(cohort)
    program = visitor.membership(cohort).program
    endorsed = sum(1 for line in lines if line.plan is not None and line.plan.endorsed)
    return page(
        request,
        "plans.html",
        cohort=cohort,
        program=program,
        lines=lines,
        endorsed=endorsed,
        status=words.PLAN_STATUS,
        deadline=program.plan_deadline(),
        zone=program.timezone,
    )
