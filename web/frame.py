"""What every page and API route shares: the engine on the app, the visitor, CSRF, templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeTimedSerializer

from activities.notifications import NoticeActivities
from domain import words
from domain.cohort import COHORT_ID, COHORT_ID_MAX
from domain.cycle import CYCLE_STAGES, NOTE_MAX_CHARS, Outcome, Stage, starts_new_cycle
from domain.goals import GOAL_MAX_CHARS
from domain.release import PURPOSE_MAX_CHARS
from domain.roster import EMAIL_MAX, FOCUS_MAX_CHARS
from peercoach.client import CoachingClient
from store.database import Database
from store.outbox import Outbox
from store.sealed import Sealer
from web.filters import SEARCH_MAX
from web.session import Session, Sessions
from web.visitor import Forbidden, Visitor
from workers.settings import Settings

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals |= {"Stage": Stage, "CYCLE_STAGES": CYCLE_STAGES, "starts_new_cycle": starts_new_cycle, "Outcome": Outcome}
# The domain's limits, for the forms' maxlength and pattern: a browser stops what the domain would refuse.
templates.env.globals |= {
    "NOTE_MAX_CHARS": NOTE_MAX_CHARS,
    "PURPOSE_MAX_CHARS": PURPOSE_MAX_CHARS,
    "EMAIL_MAX": EMAIL_MAX,
    "FOCUS_MAX_CHARS": FOCUS_MAX_CHARS,
    "COHORT_ID": COHORT_ID,
    "COHORT_ID_MAX": COHORT_ID_MAX,
    "SEARCH_MAX": SEARCH_MAX,
    "GOAL_MAX_CHARS": GOAL_MAX_CHARS,
}

# People's words for the program's values and dates (domain/words.py), as filters: {{ mark | label }}, {{ on | day }}.
templates.env.filters |= {"label": words.label, "day": words.day, "days": words.days, "days_phrase": words.days_phrase}
templates.env.filters |= {"moment": words.moment, "together": words.together, "first_name": words.first_name}
templates.env.filters |= {"closed_weekdays": words.closed_weekdays, "mail_status": words.mail_status}

SAID_COOKIE = "peercoach_said"  # what an action did, shown once on the page its redirect leads to
SAID_SECONDS = 120


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
    sealer: Sealer  # opens and seals what is private in the database: artifacts, portfolios, self-assessments


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


async def _signed_in_then_csrf(request: Request, _: SignedIn) -> None:
    """Who is asking is settled before the CSRF token: an anonymous POST is sent to sign in, as an anonymous GET is,
    rather than told that a form it never had has expired."""
    await csrf_checked(request)


CsrfChecked = Depends(csrf_checked)  # for the forms of people not signed in yet (sign-in itself)
SignedInCsrfChecked = Depends(_signed_in_then_csrf)  # for every other form


def _said_signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(engine(request).sessions.secret.decode(), salt="said")


def done(request: Request, url: str, message: str) -> RedirectResponse:
    """The redirect after an action, carrying a line that says what was done (a signed cookie for this session only)."""
    response = RedirectResponse(url, status_code=303)
    said = _said_signer(request).dumps({"sid": session(request).sid, "text": message})
    secure = engine(request).settings.web_url.startswith("https://")
    response.set_cookie(SAID_COOKIE, said, max_age=SAID_SECONDS, httponly=True, samesite="lax", secure=secure)
    return response


def _said(request: Request) -> str | None:
    cookie = request.cookies.get(SAID_COOKIE)
    if not cookie:
        return None
    try:
        content = _said_signer(request).loads(cookie, max_age=SAID_SECONDS)
    except BadSignature:
        return None
    return str(content["text"]) if content.get("sid") == session(request).sid else None


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page; `said` (or the line an action's redirect carried) is shown as a status message at its top."""
    s = session(request)
    said = context.pop("said", None) or _said(request)
    context |= {"csrf": engine(request).sessions.csrf_token(s), "signed_in_as": s.email, "said": said}
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    if request.cookies.get(SAID_COOKIE):
        response.delete_cookie(SAID_COOKIE)
    return response


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
