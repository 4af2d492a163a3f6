"""The first page after signing in: each cohort the person is in, as their role sees it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from domain import access
from web.calendar_feed import my_feed_url, webcal
from web.frame import SignedIn, page

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, visitor: SignedIn) -> Response:
    """Read from the database: the visitor's own training row and partnerships, never the cohort's."""
    cohorts = []
    for m in visitor.memberships:
        member = m.member
        cohorts.append(
            {
                "membership": m,
                "coordinator": access.is_coordinator(member),
                "school": await visitor.school_of(m.cohort, member.school) if member.school else None,
                "training": await visitor.my_training(m.cohort),
                "partnerships": await visitor.my_partnerships(m.cohort),
                "asks_release": access.may_request_release(member),
            }
        )
    feed = await my_feed_url(request, visitor.email) if visitor.memberships else None
    return page(request, "home.html", visitor=visitor, cohorts=cohorts, feed=feed, webcal=webcal(feed) if feed else None)
