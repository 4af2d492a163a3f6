"""The first page after signing in: each cohort the person is in, and what needs doing there next, as their role sees it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from domain import access, to_do, words
from domain.cycle import OPEN_STAGES
from domain.problems import Refused
from web.calendar_feed import my_feed_url, webcal
from web.frame import SignedIn, page
from web.school_year_visits import SchoolYearVisits
from web.visitor import Membership, Visitor

router = APIRouter()
STALLED_SHOWN = 5  # the longest stalled; the dashboard lists them all


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, visitor: SignedIn) -> Response:
    """Read from the database: the visitor's own training row and partnerships, never the cohort's."""
    now = datetime.now(UTC)
    cohorts = [await _cohort(visitor, m, now) for m in visitor.memberships]
    feed = await my_feed_url(request, visitor.email) if visitor.memberships else None
    name = next((m.standing.name for m in visitor.memberships if m.standing.name), "")  # a cohort launched, not named in: none
    return page(
        request,
        "home.html",
        visitor=visitor,
        greeting=words.first_name(name, visitor.email),
        cohorts=cohorts,
        feed=feed,
        webcal=webcal(feed) if feed else None,
    )


async def _cohort(visitor: Visitor, m: Membership, now: datetime) -> dict[str, Any]:
    member, program, cohort = m.member, m.program, m.cohort
    mine = await visitor.my_partnerships(cohort)
    found: dict[str, Any] = {
        "membership": m,
        "role": words.label(member.role),
        "coordinator": access.is_coordinator(member),
        "school": await visitor.school_of(cohort, member.school) if member.school else None,
        "training": await visitor.my_training(cohort),
        "partnerships": mine,
        "open": [p for p in mine if p.stage in OPEN_STAGES],
        "titles": await visitor.titles(cohort, [(p.id, p.coach, p.partners) for p in mine]),
        "asks_release": access.may_request_release(member),
        "next_session": to_do.next_session(program, now),
        "now": now,
    }
    found["plan_steps"], found["assessment"], found["year_two"] = await SchoolYearVisits(visitor).school_year_to_do(cohort, now)
    found["school_names"] = {s.id: s.name for s in m.standing.schools} | ({member.school: found["school"].name} if found["school"] else {})
    if found["asks_release"]:
        try:
            ledger, _ = await visitor.my_release(cohort)
            found["days_left"], found["allowance"] = ledger.remaining(visitor.email), ledger.allowance(visitor.email)
        except Refused:  # the school's ledger is not open yet (a moment after the launch)
            found["days_left"] = None
    if found["coordinator"]:
        summary = await visitor.summary(cohort)
        found["summary"] = summary
        found["missing"] = to_do.missing_attendance(program, summary, now)
        found["stalled"] = summary.stalled
        found["escalated"] = [s for s in summary.stalled if s.escalations]
        found["stalled_titles"] = await visitor.titles_of(cohort, [s.id for s in summary.stalled[:STALLED_SHOWN]])
        found["undeliverable"] = await visitor.undeliverable(cohort)
    found["waiting"] = []
    for school in m.standing.schools:
        try:
            ledger = await visitor.school_ledger(cohort, school.id)
        except Refused:
            continue
        waiting = to_do.waiting_for_decision(ledger, program)
        names = await visitor.names(cohort, [w.request.requester for w in waiting])
        found["waiting"].append((school, waiting, names))
    return found
