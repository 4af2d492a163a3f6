"""The first page after signing in: each cohort the person is in, as their role sees it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from domain import access
from domain.roster import PARTICIPANTS, Role
from web.frame import SignedIn, page

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, visitor: SignedIn) -> Response:
    cohorts = []
    for m in visitor.memberships:
        cohorts.append(
            {
                "membership": m,
                "coordinator": access.is_coordinator(m.roster, visitor.email),
                "training": (await visitor.as_it_stands(m.cohort)).trainings.get(visitor.email) if m.person.role == Role.coach else None,
                "program": m.state.program,
                "partnerships": await visitor.partnerships(m.cohort) if m.person.role in PARTICIPANTS else [],
                "schools": [m.roster.school(s) for s in access.principal_of(m.roster, visitor.email)],
                "asks_release": access.may_request_release(m.roster, visitor.email),
            }
        )
    return page(request, "home.html", visitor=visitor, cohorts=cohorts)
