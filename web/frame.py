"""What every page and API route shares: the engine on the app, the visitor, CSRF, templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from activities.notifications import NoticeActivities
from domain.cohort import COHORT_ID, COHORT_ID_MAX
from domain.cycle import CYCLE_STAGES, NOTE_MAX_CHARS, Stage, starts_new_cycle
from domain.release import PURPOSE_MAX_CHARS
from domain.roster import EMAIL_MAX, FOCUS_MAX_CHARS
from peercoach.client import CoachingClient
from store.database import Database
from store.outbox import Outbox
from web.session import Session, Sessions
from web.visitor import Forbidden, Visitor
from workers.settings import Settings

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals |= {"Stage": Stage, "CYCLE_STAGES": CYCLE_STAGES, "starts_new_cycle": starts_new_cycle}
# The domain's limits, for the forms' maxlength and pattern: a browser stops what the domain would refuse.
templates.env.globals |= {
    "NOTE_MAX_CHARS": NOTE_MAX_CHARS,
    "PURPOSE_MAX_CHARS": PURPOSE_MAX_CHARS,
    "EMAIL_MAX": EMAIL_MAX,
    "FOCUS_MAX_CHARS": FOCUS_MAX_CHARS,
    "COHORT_ID": COHORT_ID,
    "COHORT_ID_MAX": COHORT_ID_MAX,
}


class NotSignedIn(Exception):
    pass


@dataclass
class Engine:
    """The engine as the web app reaches it (kept on `app.state.engine`)."""

    settings: Settings
    coaching: CoachingClient
    database: Database
    sessions: Sessions
    outbox: Outbox
    notices: NoticeActivities


def engine(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


def session(request: Request) -> Session:
    return request.state.session  # type: ignore[no-any-return]


async def visitor(request: Request) -> Visitor:
    s = session(request)
    if s.email is None:
        raise NotSignedIn
    p = engine(request)
    found = await Visitor.arrive(p.database, p.coaching, s.email, p.settings.program_office)
    if not found.known:  # withdrawn, or the cohort closed since they signed in
        raise NotSignedIn
    return found


async def csrf_checked(request: Request) -> None:
    """Every request that changes something carries the session's CSRF token (form field or header)."""
    token = request.headers.get("x-csrf-token")
    if token is None and request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        token = (await request.form()).get("csrf")  # type: ignore[assignment]
    if not engine(request).sessions.csrf_ok(session(request), token):
        raise Forbidden("this form has expired or came from another site; reload the page and try again")


SignedIn = Annotated[Visitor, Depends(visitor)]
CsrfChecked = Depends(csrf_checked)


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    s = session(request)
    context |= {"csrf": engine(request).sessions.csrf_token(s), "signed_in_as": s.email}
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
